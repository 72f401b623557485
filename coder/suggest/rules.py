"""Rule-based suggestions: the codebook's patterns matched on the stored lemmas.

Patterns are compiled once per codebook and pipeline. Both sides are lemmas:
the pattern words are lemmatised with the pipeline that segmented the
documents, and each sentence is the lemma string import stored, so
"trusted", "trusting" and "trusts" all hit a pattern ``trust``.

Two matchers give the same matches:

- `RuleSet.match_spacy` rebuilds a `Doc` per sentence from its lemmas
  (``Doc(vocab, words=lemmas, lemmas=lemmas)``) and runs a
  ``PhraseMatcher(attr="LEMMA")`` for lemma lists and phrases and a `Matcher`
  for token patterns: the reference.
- `RuleSet.match`, the one in use, looks each sentence's lemma set up in a
  hash index of the patterns' first lemmas and compares phrases only where
  their first lemma occurs; a `Matcher` runs only on sentences that hold a
  lemma every match of some token pattern needs. About 15 times faster than
  the reference (see ``benchmarks/suggest.py``); the tests check both agree.

A suggestion's span is the matched sentence, or its whole turn when the
code's ``patterns.scope`` is ``turn``.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from coder.codebook import Code, Codebook, Patterns
from coder.codes import current_codebook
from coder.pipeline import LemmaCache, Pipeline
from coder.store import Project
from coder.suggest.corpus import (
    Sentences,
    coder_codings,
    covered,
    document_pipelines,
    load_sentences,
    turn_spans,
)
from coder.suggest.queue import NewSuggestion

METHOD = "rules"
# A pattern of several words is more specific than one lemma: it counts double.
WEIGHTS = {"lemma": 1, "phrase": 2, "tokens": 2}
# Token attributes compared with the (lemmatised) pattern value.
TEXT_ATTRS = ("ORTH", "TEXT", "LOWER", "NORM", "LEMMA")
# Attributes that need annotation stored lemmas do not keep.
UNAVAILABLE_ATTRS = frozenset(
    {"POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID"}
    | {"SENT_START", "IS_SENT_START", "_"}
)


@dataclass(frozen=True)
class Rule:
    """One pattern of one code."""

    code: str
    kind: str  # "lemma", "phrase" or "tokens"
    pattern: str  # as the codebook writes it (token patterns: a short rendering)
    scope: str  # "sentence" or "turn"

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]

    @property
    def reason(self) -> str:
        return f'{self.kind} "{self.pattern}"'


def score(weight: int) -> float:
    """A span's score from the summed weights of the distinct patterns that fired.

    One lemma gives 0.5, a phrase or token pattern 0.75, a lemma and a
    phrase 0.875: each further piece of evidence halves the distance to 1.
    """
    return round(1.0 - 0.5**weight, 4)


_LEMMATISERS: dict[str, Callable[[str], list[str]]] = {}


def lemmatise(pipeline: Pipeline, text: str) -> list[str]:
    """The lemmas of `text` as import stores them (lower-cased, no whitespace)."""
    lemmatiser = _LEMMATISERS.get(pipeline.name)
    if lemmatiser is None:
        lemmatiser = _LEMMATISERS[pipeline.name] = _lemmatiser(pipeline)
    return lemmatiser(text)


def _lemmatiser(pipeline: Pipeline) -> Callable[[str], list[str]]:
    cache = LemmaCache(pipeline)
    nlp = pipeline.nlp

    def lemmas(text: str) -> list[str]:
        if pipeline.fast_lemmas:
            doc = nlp.tokenizer(text)
            return cache.lemmas([t.orth for t in doc if not t.is_space])
        doc = nlp(text, disable=list(pipeline.disabled))
        solid = [t for t in doc if not t.is_space]
        return cache.pipeline_lemmas([t.orth for t in solid], [t.lemma for t in solid])

    return lemmas


def _render(pattern: list[dict[str, Any]]) -> str:
    """A token pattern in a few characters: ``lost|lose _? contract|tender``."""
    parts = []
    for spec in pattern:
        value: Any = next(
            (spec[k] for k in spec if k.upper() in TEXT_ATTRS and k.upper() != "NORM"),
            None,
        )
        if isinstance(value, dict) and "IN" in value:
            words = [str(v) for v in value["IN"]]
            text = "|".join(words[:3]) + ("|…" if len(words) > 3 else "")
        elif isinstance(value, str):
            text = value
        else:
            text = "_"
        parts.append(text + (spec.get("OP", "") if spec.get("OP") != "1" else ""))
    return " ".join(parts)


@dataclass
class _TokenRule:
    index: int
    pattern: list[dict[str, Any]]
    # Lemmas of which every match contains one; None when no token is required.
    required: frozenset[str] | None
    # The most tokens a match can span; None when unbounded ("+", "*").
    longest: int | None
    matcher: Matcher | None = None


class RuleSet:
    """A codebook's patterns compiled for one pipeline.

    Args:
        codebook: The codebook (codes without patterns are ignored).
        pipeline: The pipeline the sentences' lemmas came from.
        codes: Only these codes' patterns (default: all).
    """

    def __init__(
        self,
        codebook: Codebook,
        pipeline: Pipeline,
        codes: Collection[str] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.vocab = pipeline.nlp.vocab
        self.rules: list[Rule] = []
        self.skipped: list[str] = []
        # Lemma sequence -> rules, for lemma lists and phrases alike.
        self._sequences: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._tokens: list[_TokenRule] = []
        for code, _, _ in codebook.walk():
            if codes is not None and code.id not in codes:
                continue
            self._add_code(code)
        # The fast index: a sentence's first-lemma candidates.
        self._single: dict[str, list[int]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for sequence, indices in self._sequences.items():
            if len(sequence) == 1:
                self._single.setdefault(sequence[0], []).extend(indices)
            else:
                for index in indices:
                    self._phrases[sequence[0]].append((sequence, index))
        # Every token pattern in one Matcher (the reference), and each in its own
        # (the fast path runs only those whose required lemma is present).
        self._matcher = Matcher(self.vocab)
        self._token_keys: dict[str, list[_TokenRule]] = defaultdict(list)
        self._token_always: list[_TokenRule] = []
        for token_rule in self._tokens:
            self._matcher.add(str(token_rule.index), [token_rule.pattern])
            token_rule.matcher = Matcher(self.vocab)
            token_rule.matcher.add(str(token_rule.index), [token_rule.pattern])
            if token_rule.required is None:
                self._token_always.append(token_rule)
            else:
                for key in token_rule.required:
                    self._token_keys[key].append(token_rule)
        self._keys = frozenset(self._single) | frozenset(self._phrases)
        self._keys |= frozenset(self._token_keys)
        self._phrase_matcher: PhraseMatcher | None = None

    def __len__(self) -> int:
        return len(self.rules)

    # Compiling ----------------------------------------------------------------

    def _variants(self, text: str) -> list[tuple[str, ...]]:
        """The pattern's lemmas, and its words as written when those differ,
        so a pattern written as a lemma matches even where the lookup table
        would lemmatise that lemma further."""
        lemmas = tuple(lemmatise(self.pipeline, text))
        written = tuple(
            t.text.lower() for t in self.pipeline.nlp.tokenizer(text) if not t.is_space
        )
        return [lemmas] if written == lemmas or not written else [lemmas, written]

    def _add_code(self, code: Code) -> None:
        patterns = code.patterns
        scope = patterns.scope
        for kind, texts in (("lemma", patterns.lemmas), ("phrase", patterns.phrases)):
            for text in texts:
                variants = [v for v in self._variants(text) if v]
                if not variants:
                    self.skipped.append(f"{code.id}: {kind} '{text}' has no words")
                    continue
                index = len(self.rules)
                self.rules.append(Rule(code.id, kind, text, scope))
                for variant in dict.fromkeys(variants):
                    self._sequences[variant].append(index)
        for number, pattern in enumerate(patterns.tokens, 1):
            unavailable = sorted(
                {key.upper() for spec in pattern for key in spec} & UNAVAILABLE_ATTRS
            )
            if unavailable:
                self.skipped.append(
                    f"{code.id}: token pattern {number} uses {', '.join(unavailable)},"
                    " which stored lemmas do not keep; skipped"
                )
                continue
            index = len(self.rules)
            self.rules.append(Rule(code.id, "tokens", _render(pattern), scope))
            converted = [self._convert(spec) for spec in pattern]
            self._tokens.append(
                _TokenRule(index, converted, _required(converted), _longest(converted))
            )

    def _value(self, value: str) -> list[str]:
        """A token pattern's word as the lemma (and lower-cased form) it matches."""
        lemmas = lemmatise(self.pipeline, value)
        found = [lemmas[0]] if len(lemmas) == 1 else []
        return list(dict.fromkeys([*found, value.lower()]))

    def _convert(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A token spec with its words lemmatised: the sentence tokens are lemmas."""
        converted: dict[str, Any] = {}
        for key, value in spec.items():
            if key.upper() not in TEXT_ATTRS:
                converted[key] = value
                continue
            # A token's text is its lemma: LEMMA is ORTH, and Docs need no lemmas.
            if key.upper() == "LEMMA":
                key = "ORTH"
            if isinstance(value, str):
                words = self._value(value)
                converted[key] = words[0] if len(words) == 1 else {"IN": words}
            elif isinstance(value, dict):
                converted[key] = {
                    predicate: (
                        list(
                            dict.fromkeys(
                                w for v in operand for w in self._value(str(v))
                            )
                        )
                        if predicate in ("IN", "NOT_IN") and isinstance(operand, list)
                        else operand
                    )
                    for predicate, operand in value.items()
                }
            else:
                converted[key] = value
        return converted

    # Matching -----------------------------------------------------------------

    def _doc(self, words: list[str]) -> Doc:
        return Doc(self.vocab, words=words, lemmas=words)

    def _fires(self, rule: _TokenRule, words: list[str]) -> bool:
        """Whether a token pattern matches somewhere in the sentence.

        A match holds one of the pattern's required lemmas and spans at most
        `longest` tokens, so only windows that reach that far either side of
        a required lemma need a Doc; short Docs are much cheaper to build.
        """
        vocab, matcher = self.vocab, rule.matcher
        if rule.required is None or rule.longest is None:
            return bool(matcher(Doc(vocab, words=words)))
        reach = rule.longest - 1
        windows: list[list[int]] = []
        for i, word in enumerate(words):
            if word in rule.required:
                start, end = max(0, i - reach), i + reach + 1
                if windows and start <= windows[-1][1]:
                    windows[-1][1] = end
                else:
                    windows.append([start, end])
        return any(
            matcher(Doc(vocab, words=words[start:end])) for start, end in windows
        )

    def match(self, lemmas: Sequence[str]) -> list[tuple[int, int]]:
        """(sentence position, rule index) of every rule that fires, each pair once."""
        keys = self._keys
        single, phrases = self._single, self._phrases
        token_keys, always = self._token_keys, self._token_always
        pairs: list[tuple[int, int]] = []
        for position, text in enumerate(lemmas):
            words = text.split()
            present = keys.intersection(words)
            if not present and not always:
                continue
            fired: set[int] = set()
            candidates: list[_TokenRule] = list(always)
            for key in present:
                hit = single.get(key)
                if hit:
                    fired.update(hit)
                for sequence, index in phrases.get(key, ()):
                    if index not in fired and _contains(words, sequence):
                        fired.add(index)
                candidates.extend(token_keys.get(key, ()))
            for rule in candidates:
                if rule.index not in fired and self._fires(rule, words):
                    fired.add(rule.index)
            pairs.extend((position, index) for index in sorted(fired))
        return pairs

    def match_spacy(self, lemmas: Sequence[str]) -> list[tuple[int, int]]:
        """The same as `match`, with a spaCy Doc and matchers for every sentence."""
        if self._phrase_matcher is None:
            self._phrase_matcher = PhraseMatcher(self.vocab, attr="LEMMA")
            by_rule: dict[int, list[tuple[str, ...]]] = defaultdict(list)
            for sequence, indices in self._sequences.items():
                for index in indices:
                    by_rule[index].append(sequence)
            for index, sequences in by_rule.items():
                self._phrase_matcher.add(
                    str(index), [self._doc(list(s)) for s in sequences]
                )
        phrase_matcher, matcher = self._phrase_matcher, self._matcher
        strings = self.vocab.strings
        pairs = []
        for position, text in enumerate(lemmas):
            doc = self._doc(text.split())
            fired = {int(strings[m]) for m, _, _ in phrase_matcher(doc)}
            if self._tokens:
                fired.update(int(strings[m]) for m, _, _ in matcher(doc))
            pairs.extend((position, index) for index in sorted(fired))
        return pairs


def _contains(words: list[str], sequence: tuple[str, ...]) -> bool:
    first, size = sequence[0], len(sequence)
    start = 0
    try:
        while True:
            start = words.index(first, start)
            if tuple(words[start : start + size]) == sequence:
                return True
            start += 1
    except ValueError:
        return False


def _longest(pattern: list[dict[str, Any]]) -> int | None:
    """The most tokens a match of the pattern can span (None: no limit)."""
    total = 0
    for spec in pattern:
        op = str(spec.get("OP", "1"))
        if op in ("+", "*"):
            return None
        if op.startswith("{"):
            # {n}, {n,m}, {n,} and {,m}: the upper bound, if any.
            bounds = op.strip("{}").split(",")
            upper = bounds[-1].strip()
            if not upper:
                return None
            total += int(upper)
        else:
            total += 1
    return total


def _required(pattern: list[dict[str, Any]]) -> frozenset[str] | None:
    """Words of which every match of the pattern holds one, if there are such."""
    best: frozenset[str] | None = None
    for spec in pattern:
        if str(spec.get("OP", "1")) not in ("1", "+"):
            continue
        for key, value in spec.items():
            # NORM can differ from the token text ("'re" -> "are"): no use here.
            if key.upper() not in TEXT_ATTRS or key.upper() == "NORM":
                continue
            if isinstance(value, str):
                words = frozenset([value])
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                words = frozenset(map(str, value["IN"]))
            else:
                continue
            if best is None or len(words) < len(best):
                best = words
    return best


_COMPILED: dict[tuple[str, str], RuleSet] = {}


def _compiled(key: str, pipeline: Pipeline) -> RuleSet:
    found = _COMPILED.get((key, pipeline.name))
    if found is None:
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        found = _COMPILED[(key, pipeline.name)] = _compile(key, pipeline)
    return found


def _compile(key: str, pipeline: Pipeline) -> RuleSet:
    data = json.loads(key)
    codes = [
        Code(id=code_id, name=code_id, patterns=Patterns.from_dict(patterns))
        for code_id, patterns in data["codes"]
    ]
    return RuleSet(Codebook(name="", codes=codes, language=data["language"]), pipeline)


def compile_rules(
    codebook: Codebook, pipeline: Pipeline, codes: Collection[str] | None = None
) -> RuleSet:
    """The codebook's rules for a pipeline, compiled once per codebook and pipeline."""
    selected = [
        [code.id, code.patterns.to_dict() | {"scope": code.patterns.scope}]
        for code, _, _ in codebook.walk()
        if code.patterns and (codes is None or code.id in codes)
    ]
    key = json.dumps({"language": codebook.language, "codes": selected}, sort_keys=True)
    return _compiled(key, pipeline)


# Suggesting -------------------------------------------------------------------


@dataclass
class RuleRun:
    """What a run of the rules found."""

    suggestions: list[NewSuggestion] = field(default_factory=list)
    sentences: int = 0
    matches: int = 0
    already_coded: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def match_sentences(
    project: Project,
    sentences: Sentences,
    codebook: Codebook,
    codes: Collection[str] | None = None,
    *,
    engine: str = "fast",
) -> tuple[list[Rule], list[tuple[int, int]], list[str]]:
    """Match every sentence, each with the rules compiled for its pipeline.

    Returns:
        The rules, (sentence position, rule index) pairs, and the patterns
        that could not be used. Rule indices point into the returned list.
    """
    pipelines = document_pipelines(project)
    by_name = {pipeline.name: pipeline for pipeline in pipelines.values()}
    rules: list[Rule] = []
    pairs: list[tuple[int, int]] = []
    skipped: list[str] = []
    index_of: dict[Rule, int] = {}
    for name, pipeline in by_name.items():
        docs = [doc for doc, p in pipelines.items() if p.name == name]
        if len(by_name) == 1:
            positions = None
            texts: Sequence[str] = sentences.lemmas
        else:
            chosen = np.flatnonzero(np.isin(sentences.document_ids, docs))
            if not len(chosen):
                continue
            positions = chosen.tolist()
            texts = [sentences.lemmas[p] for p in positions]
        ruleset = compile_rules(codebook, pipeline, codes)
        skipped.extend(p for p in ruleset.skipped if p not in skipped)
        local = [index_of.setdefault(rule, len(index_of)) for rule in ruleset.rules]
        rules.extend(list(index_of)[len(rules) :])
        found = ruleset.match(texts) if engine == "fast" else ruleset.match_spacy(texts)
        if positions is None and local == list(range(len(local))):
            pairs.extend(found)
        else:
            rows = positions or range(len(texts))
            pairs.extend((rows[s], local[r]) for s, r in found)
    return rules, pairs, skipped


def rule_spans(
    sentences: Sentences,
    rules: list[Rule],
    pairs: Iterable[tuple[int, int]],
    turns: dict[int, tuple[int, int]],
) -> dict[tuple[str, int, int, int], set[int]]:
    """(code, document id, start, end) of each suggested span -> the rules that fired.

    A turn-scoped rule's span is the turn of the sentence it fired in.
    """
    spans: dict[tuple[str, int, int, int], set[int]] = defaultdict(set)
    docs, starts, ends = sentences.document_ids, sentences.starts, sentences.ends
    parents = sentences.parents
    for position, index in pairs:
        rule = rules[index]
        start, end = int(starts[position]), int(ends[position])
        if rule.scope == "turn":
            start, end = turns.get(int(parents[position]), (start, end))
        spans[(rule.code, int(docs[position]), start, end)].add(index)
    return spans


def suggest_rules(
    project: Project,
    *,
    codes: Collection[str] | None = None,
    documents: Iterable[str] | None = None,
    coder: str | None = None,
    min_score: float | None = None,
) -> RuleRun:
    """Suggestions from the codebook's patterns, nothing stored.

    Spans the coder has already coded with the code (more than half covered)
    are left out.

    Args:
        project: The open project.
        codes: Only these codes (default: every code with patterns).
        documents: Only these documents (default: all).
        coder: Whose codings count as done (default: the actor).
        min_score: Leave out suggestions scoring less.
    """
    began = time.perf_counter()
    coder = coder or project.actor
    codebook = current_codebook(project)
    sentences = load_sentences(project, documents)
    rules, pairs, skipped = match_sentences(project, sentences, codebook, codes)
    run = RuleRun(sentences=len(sentences), matches=len(pairs), skipped=skipped)
    if not any(
        code.patterns and (codes is None or code.id in codes)
        for code, _, _ in codebook.walk()
    ):
        run.skipped.append(
            "no code has patterns; add lemmas, phrases or tokens under a code's"
            " `patterns` in the codebook"
        )
    spans = rule_spans(sentences, rules, pairs, turn_spans(project))
    done = _coded_spans(project, coder, {key[0] for key in spans})
    for (code, doc, start, end), fired in sorted(spans.items(), key=_span_order):
        if _mostly_covered(done.get((doc, code)), start, end):
            run.already_coded += 1
            continue
        ordered = sorted(fired, key=lambda i: (-rules[i].weight, i))
        value = score(sum(rules[i].weight for i in fired))
        if min_score is not None and value < min_score:
            continue
        run.suggestions.append(
            NewSuggestion(
                document=sentences.names[doc],
                start=start,
                end=end,
                code=code,
                score=value,
                method=METHOD,
                reason="; ".join(rules[i].reason for i in ordered),
            )
        )
    run.seconds = time.perf_counter() - began
    return run


def _span_order(item):
    (code, doc, start, end), _ = item
    return doc, start, end, code


def _coded_spans(
    project: Project, coder: str, codes: Collection[str]
) -> dict[tuple[int, str], list[tuple[int, int]]]:
    found: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, code, start, end in coder_codings(project, coder, sorted(codes)):
        found[(doc, code)].append((start, end))
    return found


def _mostly_covered(
    intervals: list[tuple[int, int]] | None, start: int, end: int
) -> bool:
    if not intervals:
        return False
    overlap = 0
    last = start
    for a, b in sorted(intervals):
        a, b = max(a, last), min(b, end)
        if a < b:
            overlap += b - a
            last = b
    return overlap * 2 > end - start


def rule_labels(
    project: Project,
    sentences: Sentences,
    codebook: Codebook,
    codes: Collection[str] | None = None,
    *,
    min_score: float | None = None,
) -> dict[str, np.ndarray]:
    """Which sentences the rules would code: code -> boolean array over `sentences`.

    Suggested spans become sentence labels by the rule codings follow (more
    than half of the sentence covered), so a turn-scoped rule labels every
    sentence of its turn. Spans scoring below `min_score` are left out.
    """
    rules, pairs, _ = match_sentences(project, sentences, codebook, codes)
    spans = rule_spans(sentences, rules, pairs, turn_spans(project))
    kept = (
        (doc, code, start, end)
        for (code, doc, start, end), fired in spans.items()
        if min_score is None or score(sum(rules[i].weight for i in fired)) >= min_score
    )
    return covered(sentences, kept)
