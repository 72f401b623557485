"""Segmenting transcripts into turns and sentences, checked against spaCy's own components."""

from __future__ import annotations

import functools

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from coder.model import Segment, Transcript, Turn
from coder.pipeline import load_pipeline
from coder.segmenting import Segmenter


def transcript(
    turns: list[tuple[str | None, list[str]]],
    time_marks: list[tuple[int, float]] | None = None,
    times: list[tuple[float | None, float | None]] | None = None,
    language: str | None = None,
) -> Transcript:
    """A transcript as the importers compose it: a blank line between turns,
    a newline between the paragraphs of a turn."""
    text = ""
    built = []
    for index, (speaker, paragraphs) in enumerate(turns):
        if index:
            text += "\n\n"
        start = len(text)
        text += "\n".join(paragraphs)
        start_time, end_time = times[index] if times else (None, None)
        built.append(Turn(start, len(text), speaker, start_time, end_time))
    return Transcript(
        text=text,
        turns=built,
        format="text",
        time_marks=time_marks or [],
        language=language,
    )


def sentences(segmented) -> list[Segment]:
    return [s for s in segmented.segments if s.kind == "sentence"]


@functools.cache
def stock(lang: str) -> spacy.language.Language:
    """spaCy's own blank pipeline: sentencizer and lookup lemmatizer, all running."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def stock_lemma(nlp, token) -> str:
    """The stock lookup lemmatizer's lemma, lower-cased; a form the table does
    not know (a sentence-initial capital) gets its lower-cased form's lemma."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_lookup")
    if token.text in table:
        return token.lemma_.lower()
    lowered = Doc(nlp.vocab, words=[token.lower_])[0]
    return lemmatizer.lookup_lemmatize(lowered)[0].lower()


def opens(token) -> bool:
    return token.is_left_punct and not (token.is_right_punct and token.whitespace_)


def reference(t: Transcript, lang: str = "en") -> tuple[list[tuple], int]:
    """Sentences the straightforward way: each paragraph through the stock
    pipeline, `doc.sents`, an opening bracket moved to the sentence it opens
    (a straight quote only when attached to the word after it), whitespace
    tokens left out. Returns (start, end, turn, lemmas) and words."""
    nlp = stock(lang)
    found = []
    words = 0
    for seq, turn in enumerate(t.turns):
        offset = turn.start
        for piece in t.text[turn.start : turn.end].split("\n"):
            if piece.strip():
                doc = nlp(piece)
                words += sum(1 for tok in doc if not (tok.is_punct or tok.is_space))
                starts = [sent.start for sent in doc.sents]
                for i in range(1, len(starts)):
                    while starts[i] - 1 > starts[i - 1] and opens(doc[starts[i] - 1]):
                        starts[i] -= 1
                for a, b in zip(starts, [*starts[1:], len(doc)], strict=True):
                    kept = [tok for tok in doc[a:b] if not tok.is_space]
                    if kept:
                        found.append(
                            (
                                offset + kept[0].idx,
                                offset + kept[-1].idx + len(kept[-1].text),
                                seq,
                                " ".join(stock_lemma(nlp, tok) for tok in kept),
                            )
                        )
            offset += len(piece) + 1
    return found, words


def as_tuples(segmented) -> list[tuple]:
    return [(s.start, s.end, s.parent_seq, s.lemmas) for s in sentences(segmented)]


INTERVIEW = transcript(
    [
        ("Interviewer", ["Good morning. Can you tell me how the cluster started?"]),
        (
            "Sara Nouri",
            [
                "Well, it started in 2019... We were going to Oman! (laughs) "
                'The banks said, "No." Mr. Karimi didn\'t agree.',
                "Then the payments stopped. Why? Nobody knew.",
            ],
        ),
        ("Interviewer", ["Mm-hm."]),
    ]
)


def test_turns_come_first_then_sentences_in_order():
    result = Segmenter("en").segment(INTERVIEW)
    turns = [s for s in result.segments if s.kind == "turn"]
    assert [(s.seq, s.speaker, s.start, s.end) for s in turns] == [
        (i, t.speaker, t.start, t.end) for i, t in enumerate(INTERVIEW.turns)
    ]
    assert result.segments[: len(turns)] == turns
    assert [s.seq for s in sentences(result)] == list(range(len(sentences(result))))
    assert result.pipeline == "blank:en"


def test_sentence_offsets_are_the_sentence_text():
    result = Segmenter("en").segment(INTERVIEW)
    texts = [INTERVIEW.text[s.start : s.end] for s in sentences(result)]
    assert texts == [
        "Good morning.",
        "Can you tell me how the cluster started?",
        "Well, it started in 2019... We were going to Oman!",
        '(laughs) The banks said, "No."',
        "Mr. Karimi didn't agree.",
        "Then the payments stopped.",
        "Why?",
        "Nobody knew.",
        "Mm-hm.",
    ]
    assert all(text == text.strip() for text in texts)


def test_sentences_never_cross_a_turn_or_a_paragraph():
    result = Segmenter("en").segment(INTERVIEW)
    for sentence in sentences(result):
        turn = INTERVIEW.turns[sentence.parent_seq]
        assert turn.start <= sentence.start < sentence.end <= turn.end
        assert "\n" not in INTERVIEW.text[sentence.start : sentence.end]


def test_opening_bracket_goes_with_the_sentence_it_opens():
    t = transcript([("A", ['It was hard. (laughs) Really. "Quote." [inaudible] Yes.'])])
    texts = [t.text[s.start : s.end] for s in sentences(Segmenter("en").segment(t))]
    assert texts == ["It was hard.", "(laughs) Really.", '"Quote."', "[inaudible] Yes."]


def test_speakers_carried_to_sentences():
    result = Segmenter("en").segment(INTERVIEW)
    assert [(s.parent_seq, s.speaker) for s in sentences(result)] == [
        *[(0, "Interviewer")] * 2,
        *[(1, "Sara Nouri")] * 6,
        (2, "Interviewer"),
    ]


def test_times_from_time_marks_inside_the_turn():
    # Cue-like marks: turn 0 has marks at its start and before "Second";
    # turn 1 has none and keeps its own times.
    t = transcript(
        [("A", ["First one. Still first. Second part here."]), ("B", ["Reply."])],
        times=[(10.0, 20.0), (21.0, 25.0)],
    )
    second = t.text.index("Second")
    t.time_marks = [(0, 10.0), (second, 15.5)]
    got = [
        (t.text[s.start : s.end], s.start_time, s.end_time)
        for s in sentences(Segmenter("en").segment(t))
    ]
    assert got == [
        ("First one.", 10.0, 15.5),
        ("Still first.", 10.0, 15.5),
        ("Second part here.", 15.5, 20.0),
        ("Reply.", 21.0, 25.0),
    ]


def test_untimed_transcript_has_no_times():
    result = Segmenter("en").segment(INTERVIEW)
    assert {(s.start_time, s.end_time) for s in result.segments} == {(None, None)}


def test_paragraphs_without_speakers():
    t = transcript([(None, ["One. Two."]), (None, ["Three."])])
    result = Segmenter("en").segment(t)
    assert [s.kind for s in result.segments] == [
        "paragraph",
        "paragraph",
        "sentence",
        "sentence",
        "sentence",
    ]
    assert [s.speaker for s in result.segments] == [None] * 5


def test_lemmas_are_spacys_lookup_lemmas_lower_cased():
    result = Segmenter("en").segment(INTERVIEW)
    expected, _ = reference(INTERVIEW)
    assert [s.lemmas for s in sentences(result)] == [e[3] for e in expected]
    # A sentence-initial capital falls back to the lower-cased form's lemma.
    going = transcript([("A", ["Going home. The children went."])])
    assert [s.lemmas for s in sentences(Segmenter("en").segment(going))] == [
        "go home .",
        "the child go .",
    ]


def test_word_count_leaves_out_punctuation():
    result = Segmenter("en").segment(transcript([("A", ["Yes, we didn't. (laughs)"])]))
    # Yes we did n't laughs
    assert result.words == 5


def test_matches_the_stock_pipeline_on_the_demo_style_interview():
    result = Segmenter("en").segment(INTERVIEW)
    expected, words = reference(INTERVIEW)
    assert as_tuples(result) == expected
    assert result.words == words


PIECES = [
    "I", "the", "Going", "went", "children", "Mr.", "e.g.", "don't", "U.S.",
    "(laughs)", "(", ")", "[", "]", '"', "'", "“", "”", "«", "?", "!", ".",
    "...", ",", ";", "—", "3.5", "€8,000", "hello.World", "Oman", "¿Qué",
    "\t", "\xa0",
]  # fmt: skip
paragraph = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", " ", " ", "", "  "])),
    max_size=25,
).map(lambda parts: "".join(word + gap for word, gap in parts))
turn = st.tuples(
    st.sampled_from(["A", "B", None]), st.lists(paragraph, min_size=1, max_size=3)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(turn, min_size=1, max_size=4))
def test_matches_the_stock_pipeline_on_any_text(turns):
    t = transcript(turns)
    result = Segmenter("en").segment(t)
    expected, words = reference(t)
    assert as_tuples(result) == expected
    assert result.words == words
    for sentence in sentences(result):
        text = t.text[sentence.start : sentence.end]
        assert text and text == text.strip()


# spaCy's special cases (contractions, emoticons, abbreviations) and the
# pieces they are made of: the segmenter tokenizes each distinct run of text
# between two spaces once, and a special case can match across a space.
RULE_PIECES = [
    *sorted(spacy.blank("en").tokenizer.rules),
    "'", "''", ":", ")", "(", "-", ".", "s", "m", "t", "n't", "e.g", "a.m", "U.S",
]  # fmt: skip
rule_paragraph = st.lists(
    st.tuples(st.sampled_from(RULE_PIECES), st.sampled_from([" ", " ", " ", ""])),
    min_size=1,
    max_size=20,
).map(lambda parts: "".join(word + gap for word, gap in parts))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rule_paragraph, min_size=1, max_size=3))
def test_matches_the_stock_pipeline_where_special_cases_meet_across_a_space(pieces):
    t = transcript([("A", pieces)])
    for _ in range(2):  # and again, with every chunk already known
        result = Segmenter("en").segment(t)
        expected, words = reference(t)
        assert as_tuples(result) == expected
        assert result.words == words


@pytest.mark.parametrize(
    "text",
    [
        "Hello : ) there :) and : - ) too",
        "it ' s fine, it's ' s ''yes'' '' no",
        "e.g . and e.g. and a.m . p.m.",
        "we do n't and we don't and can not cannot",
        "tab\there, two  spaces, a non-breaking\xa0space",
    ],
)
def test_special_cases_across_a_space_match_the_stock_pipeline(text):
    t = transcript([("A", [text, text])])
    result = Segmenter("en").segment(t)
    expected, words = reference(t)
    assert as_tuples(result) == expected
    assert result.words == words


def test_many_transcripts_and_progress():
    seen = []
    results = list(
        Segmenter("en").segment_many([INTERVIEW, INTERVIEW], progress=seen.append)
    )
    assert results[0].segments == results[1].segments
    assert seen == [results[0].words, results[1].words]


def test_german_lemmas_from_the_german_table():
    t = transcript(
        [("A", ["Die Kinder gingen nach Hause. Wir hatten keine Häuser."])],
        language="de",
    )
    result = Segmenter("en").segment(t)
    assert result.pipeline == "blank:de"
    first, second = (s.lemmas.split() for s in sentences(result))
    assert first == ["der", "kind", "gehen", "nach", "haus", "."]
    # Every lemma is the de table's (a capital falls back to the lower-cased form).
    table = load_pipeline("de").lemma_table
    words = ["Wir", "hatten", "keine", "Häuser", "."]
    assert second == [
        table[w].lower() if w in table else table.get(w.lower(), w.lower()).lower()
        for w in words
    ]
    assert second[1:] == ["haben", "kein", "haus", "."]


def test_language_without_a_lookup_table_uses_lower_cased_forms():
    assert load_pipeline("fa").lemma_table is None
    t = transcript([("A", ["ما به Oman رفتیم. Hello World!"])], language="fa")
    result = Segmenter("en").segment(t)
    assert result.pipeline == "blank:fa"
    lemmas = [s.lemmas for s in sentences(result)]
    assert lemmas == ["ما به oman رفتیم .", "hello world !"]


def test_a_transcript_of_punctuation_only():
    result = Segmenter("en").segment(transcript([("A", ["..."])]))
    assert result.words == 0
    assert [(s.start, s.end, s.lemmas) for s in sentences(result)] == [(0, 3, "...")]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_lemma_cache_is_shared_between_segmenters(lang):
    # The pipeline (and its per-type caches) is loaded once per process.
    assert Segmenter(lang).pipeline(None) is Segmenter(lang).pipeline(None)
