"""A reproducible synthetic interview study: transcripts the importers read, plus attributes.

English-like text from a vocabulary with Zipf-like word frequencies (function
words first, then inflected content words, then a long tail of rare names and
jargon), with contractions, fillers, numbers, quotes, ``(laughs)`` and
questions; interviewer and respondent turns of varied length, long answers in
several paragraphs, and now and then a second respondent. Files are written
as ``Name: text`` plain text, ``[hh:mm:ss] Name: text`` timed plain text and
WebVTT with ``<v Name>`` cues, with an ``attributes.csv`` that puts each
interview in its case.

As a module (from another script in ``benchmarks/``)::

    from synthetic import write_study
    study = write_study(folder, "small")        # or interviews=..., words=...

As a script::

    python benchmarks/synthetic.py OUT_FOLDER --size small [--seed 0]
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import math
import random
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

# Interviews x words per interview.
SIZES: dict[str, tuple[int, int]] = {
    "small": (30, 1_500),  # the "30-interview study"
    "medium": (200, 8_000),
    "large": (1_000, 8_000),
}
DEFAULT_SEED = 0
# Share of interviews written as WebVTT and as timed plain text; the rest is
# untimed ``Name: text``.
VTT_SHARE = 0.2
TIMED_TEXT_SHARE = 0.15
ATTRIBUTES_FILE = "attributes.csv"


def _words(text: str) -> list[str]:
    return text.split()


# Function words and discourse words, most frequent first.
FUNCTION_WORDS = _words(
    """
the and I to a of that you it in we is was they so for but have with on be
this not like what are just do there at know all about if our them me my or
from one can would he she because think as when then more very some out up
get no really yes which their been had were how an also by who will here now
well much even only could did people don't it's I'm we're that's they're can't
didn't there's you're doesn't wasn't isn't won't I've we've I'd other any than
into over after still these those again back first same never always
something nothing everything someone maybe though through before between
"""
)

# Content lemmas with their inflected forms (the lemma first), roughly by frequency.
NOUNS = _words(
    """
time year company market customer price contract payment cluster member
problem project order product bank partner manager supplier meeting month
week money risk export government way thing day idea question answer team
office factory container shipment letter report client border port customs
invoice deposit sanction license agreement insurance visa engineer worker
family friend neighbour competitor standard quality certificate tender
delivery route truck cost rule system network board training trade fair
country city region colleague lawyer consultant accountant buyer seller
"""
)
IRREGULAR_NOUNS = {"person": "people", "child": "children", "man": "men"}
VERBS = _words(
    """
work need want try start pay ship sell buy trust ask help call change
happen remember decide agree explain believe expect offer receive deliver
open close finish wait travel plan build share learn join use look talk
visit report invest export import apply sign check count manage
"""
)
IRREGULAR_VERBS = {
    "go": ("goes", "went", "going", "gone"),
    "take": ("takes", "took", "taking", "taken"),
    "make": ("makes", "made", "making", "made"),
    "see": ("sees", "saw", "seeing", "seen"),
    "say": ("says", "said", "saying", "said"),
    "give": ("gives", "gave", "giving", "given"),
    "find": ("finds", "found", "finding", "found"),
    "tell": ("tells", "told", "telling", "told"),
    "come": ("comes", "came", "coming", "come"),
    "get": ("gets", "got", "getting", "got"),
    "keep": ("keeps", "kept", "keeping", "kept"),
    "bring": ("brings", "brought", "bringing", "brought"),
    "send": ("sends", "sent", "sending", "sent"),
    "lose": ("loses", "lost", "losing", "lost"),
    "write": ("writes", "wrote", "writing", "written"),
    "understand": ("understands", "understood", "understanding", "understood"),
    "meet": ("meets", "met", "meeting", "met"),
    "leave": ("leaves", "left", "leaving", "left"),
    "feel": ("feels", "felt", "feeling", "felt"),
    "spend": ("spends", "spent", "spending", "spent"),
}
ADJECTIVES = _words(
    """
big small good bad difficult easy new old important different foreign local
large expensive cheap slow fast honest serious fair strong weak early late
"""
)
COMPARABLE = {"big", "small", "old", "new", "cheap", "fast", "slow", "strong", "weak"}
COMPARATIVES = {"good": ("better", "best"), "bad": ("worse", "worst")}
ADVERBS = _words(
    """
actually probably usually finally exactly certainly honestly basically
especially recently quickly slowly directly simply completely
"""
)
MIXED_CASE = ["Europe", "Iraq", "Oman", "Dubai", "Monday", "May", "WhatsApp", "ISO"]
HYPHENATED = ["long-term", "follow-up", "third-party", "face-to-face", "so-called"]
ABBREVIATIONS = ["e.g.", "Mr.", "Dr.", "etc."]
FILLERS = ["you know", "I mean", "um", "uh", "well", "like", "sort of", "okay"]
ASIDES = ["(laughs)", "(pause)", "[inaudible]", "(laughter)", "[crosstalk]"]
BACKCHANNELS = ["Mm-hm.", "Right.", "I see.", "Okay.", "Yes.", "Interesting."]
QUESTION_OPENERS = [
    "Can you tell me", "How did you", "What happened when", "Why do you think",
    "Could you say more about", "What was", "How do you", "And the",
    "Did you ever", "When did",
]  # fmt: skip

FIRST_NAMES = _words(
    """
Leila Omid Sara Maryam Kaveh Ana Jonas Priya Tomás Aisha Mehmet Elena Kenji
Fatima Lars Chloe Ravi Nadia Pedro Ingrid Yusuf Mei Daniel Zanele Olga Amir
Hannah Luca Grace Samir Noor Felix Rosa Arjun Ines Viktor Leah Tariq Emma
"""
)
SURNAMES = _words(
    """
Farahani Hosseini Nouri Kazemi Sadeghi Rostami Jafari Ahmadi Karimi Tehrani
Okafor Lindqvist Moreau Tanaka Haddad Novak Silva Kowalski Mensah Fischer
Ibrahim Costa Larsen Patel Romero Yilmaz Schmidt Dubois Nakamura Ortega
"""
)
ROLES = ["manager", "member", "supplier", "customer", "official"]
REGIONS = ["north", "south", "east", "west", "capital"]
SYLLABLES = _words(
    """
ka ri to ma ne sa lo vi de ran bar tel kon mi sha dor pel zu fa no gri tan
ser bel mar vos lin qua dre pho ste xen hal
"""
)
TAIL_WORDS = 20_000
# Token shares of function words, content words and the rare tail.
STRATUM_SHARES = (0.5, 0.4, 0.1)


@dataclass
class Study:
    """A written synthetic study."""

    folder: Path
    transcripts: list[Path]
    attributes: Path
    # Whitespace-separated words of the speech; spaCy's count differs a little
    # (it splits contractions and leaves out punctuation).
    words: int
    seed: int


def _noun_forms(noun: str) -> list[str]:
    if noun in IRREGULAR_NOUNS:
        return [noun, IRREGULAR_NOUNS[noun]]
    if noun.endswith(("s", "x", "sh", "ch")):
        return [noun, noun + "es"]
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return [noun, noun[:-1] + "ies"]
    return [noun, noun + "s"]


def _verb_forms(verb: str) -> list[str]:
    if verb in IRREGULAR_VERBS:
        return [verb, *IRREGULAR_VERBS[verb]]
    stem = verb[:-1] if verb.endswith("e") else verb
    if verb.endswith("y") and verb[-2] not in "aeiou":
        third, past = verb[:-1] + "ies", verb[:-1] + "ied"
    else:
        third = verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")
        past = stem + "ed"
    return [verb, third, past, stem + "ing"]


def _adjective_forms(adjective: str) -> list[str]:
    if adjective in COMPARATIVES:
        return [adjective, *COMPARATIVES[adjective]]
    if adjective in COMPARABLE:
        stem = adjective[:-1] if adjective.endswith("e") else adjective
        if adjective in {"big"}:
            stem = adjective + adjective[-1]
        return [adjective, stem + "er", stem + "est"]
    return [adjective]


def _tail(rng: random.Random, count: int) -> list[str]:
    """Rare word types: invented names (capitalised) and jargon."""
    words: dict[str, None] = {}
    while len(words) < count:
        word = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 4))))
        if rng.random() < 0.3:
            word = word.capitalize()
        elif rng.random() < 0.2:
            word += rng.choice(("s", "ing", "ed"))
        words.setdefault(word)
    return list(words)


class Vocabulary:
    """Word forms with cumulative Zipf-Mandelbrot weights, sampled by bisection.

    Three strata share the tokens as in conversational English: function words
    about half, content words (with their inflected forms) most of the rest,
    rare names and jargon a tenth. Within a stratum, frequency falls as
    1 / (rank + 2.7).
    """

    def __init__(self, rng: random.Random) -> None:
        content = (
            [_noun_forms(n) for n in [*NOUNS, *IRREGULAR_NOUNS]]
            + [_verb_forms(v) for v in [*VERBS, *IRREGULAR_VERBS]]
            + [_adjective_forms(a) for a in ADJECTIVES]
            + [[a] for a in ADVERBS]
            + [[w] for w in [*MIXED_CASE, *HYPHENATED]]
        )
        rng.shuffle(content)
        strata = [
            (STRATUM_SHARES[0], [[word] for word in FUNCTION_WORDS]),
            (STRATUM_SHARES[1], content),
            (STRATUM_SHARES[2], [[w] for w in _tail(rng, TAIL_WORDS)]),
        ]
        forms: list[str] = []
        weights: list[float] = []
        for share, lemmas in strata:
            norm = sum(1.0 / (rank + 2.7) for rank in range(1, len(lemmas) + 1))
            for rank, group in enumerate(lemmas, start=1):
                weight = share / norm / (rank + 2.7)
                # A lemma's forms share its weight, the base form most.
                parts = [2.0] + [1.0] * (len(group) - 1)
                for form, part in zip(group, parts, strict=True):
                    forms.append(form)
                    weights.append(weight * part / sum(parts))
        self.forms = forms
        self.cumulative = list(itertools.accumulate(weights))
        self._total = self.cumulative[-1]

    def sample(self, rng: random.Random, count: int) -> list[str]:
        cumulative, total = self.cumulative, self._total
        return [
            self.forms[bisect.bisect_right(cumulative, rng.random() * total)]
            for _ in range(count)
        ]


def _length(rng: random.Random, mean: float, low: int, high: int) -> int:
    """A log-normally distributed sentence length."""
    value = rng.lognormvariate(math.log(mean) - 0.18, 0.6)
    return max(low, min(high, round(value)))


class _Writer:
    """Builds the sentences and turns of interviews from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = Vocabulary(self.rng)

    def sentence(self, *, question: bool = False) -> tuple[str, int]:
        """One sentence and its word count."""
        rng = self.rng
        if question:
            opener = rng.choice(QUESTION_OPENERS).split()
            words = opener + self.vocabulary.sample(rng, _length(rng, 7, 2, 20))
        else:
            words = self.vocabulary.sample(rng, _length(rng, 13, 2, 48))
            if rng.random() < 0.15:
                filler = rng.choice(FILLERS)
                words.insert(rng.randrange(len(words)), f"{filler},")
            if rng.random() < 0.06:
                words.insert(rng.randrange(len(words) + 1), self._number())
            if rng.random() < 0.02:
                words.insert(rng.randrange(len(words) + 1), rng.choice(ABBREVIATIONS))
        count = sum(1 for w in words for _ in w.split())
        out: list[str] = []
        last = len(words) - 1
        for index, word in enumerate(words):
            if index < last and rng.random() < 0.07 and not word.endswith(","):
                word += ","
            out.append(word)
        out[0] = out[0][0].upper() + out[0][1:]
        if question:
            end = "?" if rng.random() < 0.85 else "."
        else:
            end = rng.choices((".", "?", "!", "..."), (86, 5, 3, 6))[0]
        text = " ".join(out).rstrip(",") + end
        if not question and rng.random() < 0.03:
            said = rng.choice(("he said", "she told me", "they asked"))
            text = f'{said.capitalize()}, "{text}"'
            count += 2 if said != "she told me" else 3
        return text, count

    def _number(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.35:
            return str(rng.randint(2, 60))
        if kind < 0.6:
            return str(rng.randint(1995, 2025))
        if kind < 0.8:
            return f"{rng.randint(5, 95)}%"
        return f"€{rng.randint(1, 900) * 1000:,}"

    def interview(
        self, words: int, interviewer: str, respondents: list[str]
    ) -> list[tuple[str, list[str]]]:
        """Turns as (speaker, paragraphs) until about `words` words are written."""
        rng = self.rng
        turns: list[tuple[str, list[str]]] = []
        written = 0
        while written < words:
            # The interviewer asks: a lead-in now and then, then the question.
            parts = []
            if rng.random() < 0.3:
                text, count = self.sentence()
                parts.append(text)
                written += count
            text, count = self.sentence(question=True)
            parts.append(text)
            written += count
            turns.append((interviewer, [" ".join(parts)]))
            speaker = rng.choice(respondents)
            paragraphs: list[str] = []
            sentences: list[str] = []
            for _ in range(_length(rng, 7, 1, 40)):
                if written >= words:
                    break
                text, count = self.sentence()
                written += count
                sentences.append(text)
                if rng.random() < 0.04:
                    sentences.append(rng.choice(ASIDES))
                # A long answer goes on in a new paragraph.
                if len(sentences) >= 6 and rng.random() < 0.2:
                    paragraphs.append(" ".join(sentences))
                    sentences = []
            if sentences:
                paragraphs.append(" ".join(sentences))
            if not paragraphs:
                continue
            if len(paragraphs) > 1 and rng.random() < 0.25:
                # The interviewer nods along in the middle of a long answer.
                turns.append((speaker, paragraphs[:1]))
                turns.append((interviewer, [rng.choice(BACKCHANNELS)]))
                turns.append((speaker, paragraphs[1:]))
            else:
                turns.append((speaker, paragraphs))
        return turns


def _clock(seconds: float, *, millis: bool) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if millis:
        return (
            f"{hours:02d}:{minutes:02d}:{secs:02d}.{int((seconds - whole) * 1000):03d}"
        )
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def _speech_seconds(text: str, rng: random.Random) -> float:
    # About 2.5 words a second, with some variation.
    return len(text.split()) / rng.uniform(2.1, 2.9)


def _plain(turns: list[tuple[str, list[str]]], header: str) -> str:
    lines = [header, ""]
    for speaker, paragraphs in turns:
        lines.append(f"{speaker}: {paragraphs[0]}")
        for paragraph in paragraphs[1:]:
            lines.extend(["", paragraph])
        lines.append("")
    return "\n".join(lines)


def _timed_plain(
    turns: list[tuple[str, list[str]]], header: str, rng: random.Random
) -> str:
    lines = [header, ""]
    clock = rng.uniform(1, 8)
    for speaker, paragraphs in turns:
        lines.append(f"[{_clock(clock, millis=False)}] {speaker}: {paragraphs[0]}")
        for paragraph in paragraphs[1:]:
            lines.extend(["", paragraph])
        lines.append("")
        clock += sum(_speech_seconds(p, rng) for p in paragraphs) + rng.uniform(0.3, 2)
    return "\n".join(lines)


def _vtt(turns: list[tuple[str, list[str]]], header: str, rng: random.Random) -> str:
    lines = ["WEBVTT", "", "NOTE", header, ""]
    clock = rng.uniform(1, 8)
    number = 0
    for speaker, paragraphs in turns:
        words = " ".join(paragraphs).split()
        index = 0
        while index < len(words):
            size = rng.randint(5, 16)
            cue = " ".join(words[index : index + size])
            index += size
            number += 1
            end = clock + _speech_seconds(cue, rng)
            wrapped = "\n".join(textwrap.wrap(cue, 42))
            lines += [
                str(number),
                f"{_clock(clock, millis=True)} --> {_clock(end, millis=True)}",
                f"<v {speaker}>{wrapped}</v>",
                "",
            ]
            clock = end + rng.uniform(0.05, 0.6)
        clock += rng.uniform(0.3, 2)
    return "\n".join(lines)


def _size(size: str | None, interviews: int | None, words: int | None):
    if size is not None and size not in SIZES:
        raise ValueError(f"unknown size '{size}' (known: {', '.join(SIZES)})")
    default_interviews, default_words = SIZES[size or "small"]
    return interviews or default_interviews, words or default_words


def write_study(
    folder: str | Path,
    size: str | None = "small",
    *,
    interviews: int | None = None,
    words: int | None = None,
    seed: int = DEFAULT_SEED,
) -> Study:
    """Write a synthetic study's transcripts and ``attributes.csv`` to `folder`.

    The same arguments always give the same bytes.

    Args:
        folder: Where to write (created if missing; existing files are overwritten).
        size: A name from `SIZES`; `interviews` and `words` override it.
        interviews: How many interviews.
        words: About how many words each interview has.
        seed: Seed of the random generator.

    Returns:
        The files written and the number of words generated.
    """
    count, per_interview = _size(size, interviews, words)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(seed)
    rng = writer.rng
    width = max(3, len(str(count)))
    cases = [f"Site {n:02d}" for n in range(1, max(2, count // 6) + 1)]
    start_date = dt.date(2024, 3, 4)
    paths: list[Path] = []
    rows: list[list[str]] = []
    total = 0
    for number in range(1, count + 1):
        name = f"int-{number:0{width}d}"
        respondent = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        respondents = [respondent]
        if rng.random() < 0.1:
            respondents.append(f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}")
        interviewer = rng.choice(("Interviewer", "Interviewer", "Maryam Kazemi"))
        header = f"Synthetic interview {name}, generated for a benchmark (seed {seed})."
        target = rng.randint(int(per_interview * 0.85), int(per_interview * 1.15))
        turns = writer.interview(target, interviewer, respondents)
        total += sum(len(p.split()) for _, paragraphs in turns for p in paragraphs)
        kind = rng.random()
        if kind < VTT_SHARE:
            path, body = folder / f"{name}.vtt", _vtt(turns, header, rng)
        elif kind < VTT_SHARE + TIMED_TEXT_SHARE:
            path, body = folder / f"{name}.txt", _timed_plain(turns, header, rng)
        else:
            path, body = folder / f"{name}.txt", _plain(turns, header)
        path.write_text(body + "\n", encoding="utf-8")
        paths.append(path)
        day = start_date + dt.timedelta(days=rng.randint(0, 240))
        rows.append(
            [
                name,
                rng.choice(cases),
                rng.choice(ROLES),
                rng.choice(("female", "male", "female", "male", "non-binary")),
                str(rng.randint(24, 71)),
                rng.choice(REGIONS),
                day.isoformat(),
                interviewer,
                path.suffix.lstrip("."),
            ]
        )
    attributes = folder / ATTRIBUTES_FILE
    with attributes.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "document",
                "case",
                "role",
                "gender",
                "age",
                "region",
                "interview_date",
                "interviewer",
                "source",
            ]
        )
        out.writerows(rows)
    return Study(folder, paths, attributes, total, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="where to write the study")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--interviews", type=int, help="override the size's count")
    parser.add_argument("--words", type=int, help="override words per interview")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    study = write_study(
        args.folder,
        args.size,
        interviews=args.interviews,
        words=args.words,
        seed=args.seed,
    )
    print(
        f"{len(study.transcripts):,} transcripts, {study.words:,} words, and "
        f"{study.attributes.name} in {study.folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
