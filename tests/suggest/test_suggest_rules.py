"""Rule-based suggestions: codebook patterns matched on the stored lemmas."""

from __future__ import annotations

from coder.codebook import parse_codebook
from coder.codes import current_codebook
from coder.coding import apply_coding
from coder.pipeline import load_pipeline
from coder.suggest.corpus import load_sentences
from coder.suggest.rules import (
    RuleSet,
    lemmatise,
    match_sentences,
    score,
    suggest_rules,
)

STORY = {
    "a01": (
        "Interviewer: How do you work together?\n\n"
        "Anna: I trusted him from the start. She is trusting by nature. He trusts nobody.\n\n"
        "Interviewer: And money?\n\n"
        "Anna: The buyer paid late twice. We lost some money in March. The invoices pile up.\n\n"
        "Anna: The weather was fine. Nothing else happened. It rained a lot in April.\n"
    ),
}


def _sentences(project):
    sentences = load_sentences(project)
    return {
        (sentences.names[int(d)], int(s), int(e)): text
        for d, s, e, text in zip(
            sentences.document_ids,
            sentences.starts,
            sentences.ends,
            sentences.lemmas,
            strict=True,
        )
    }


def _by_text(project, run):
    text = project.db.execute(
        "SELECT text FROM documents WHERE name = 'a01'"
    ).fetchone()[0]
    return {(s.code, text[s.start : s.end]): s for s in run.suggestions}


def test_inflected_forms_hit_the_lemma_and_unrelated_text_is_missed(make_project):
    project = make_project(STORY)
    found = _by_text(project, suggest_rules(project))
    trust = sorted(text for code, text in found if code == "trust")
    assert trust == [
        "He trusts nobody.",
        "I trusted him from the start.",
        "She is trusting by nature.",
    ]
    # Unrelated sentences get no suggestion of any code.
    coded_texts = {text for _, text in found}
    assert "Nothing else happened." not in coded_texts
    assert "How do you work together?" not in coded_texts
    assert "And money?" not in coded_texts


def test_phrases_and_token_patterns_match_on_lemmas(make_project):
    project = make_project(STORY)
    found = _by_text(project, suggest_rules(project))
    # "paid late" is the phrase "pay late"; "lost some money" the token pattern
    # (the pattern's "lost" and the text's "lost" both lemmatise to "lose").
    late = found[("payment", "The buyer paid late twice.")]
    assert (late.reason, late.score) == ('phrase "pay late"', score(2))
    lost = found[("payment", "We lost some money in March.")]
    assert lost.reason == 'tokens "lost|lose _? money"'
    assert found[("payment", "The invoices pile up.")].reason == 'lemma "invoice"'
    assert lost.method == "rules"


def test_turn_scope_suggests_the_whole_turn(make_project):
    project = make_project(STORY)
    found = _by_text(project, suggest_rules(project))
    weather = [text for code, text in found if code == "weather"]
    assert weather == [
        "The weather was fine. Nothing else happened. It rained a lot in April."
    ]


def test_scores_add_up_evidence():
    assert [score(1), score(2), score(3)] == [0.5, 0.75, 0.875]


def test_spans_already_coded_are_left_out(make_project):
    project = make_project(STORY)
    run = suggest_rules(project)
    first = next(s for s in run.suggestions if s.code == "trust")
    apply_coding(project, "a01", first.start, first.end, "trust", coder="tester")
    again = suggest_rules(project, coder="tester")
    assert (first.start, "trust") not in {(s.start, s.code) for s in again.suggestions}
    assert again.already_coded == 1
    # Another coder's codings do not count as done.
    assert len(suggest_rules(project, coder="someone").suggestions) == len(
        run.suggestions
    )


def test_filters_by_code_document_and_score(make_project):
    project = make_project(STORY)
    assert {s.code for s in suggest_rules(project, codes=["trust"]).suggestions} == {
        "trust"
    }
    assert suggest_rules(project, documents=["a01"]).suggestions
    high = suggest_rules(project, min_score=0.7).suggestions
    assert high and all(s.score >= 0.7 for s in high)


def test_fast_matcher_agrees_with_spacy_phrase_matcher(demo_path):
    from coder.store import open_project

    with open_project(demo_path) as project:
        sentences = load_sentences(project)
        codebook = current_codebook(project)
        rules_fast, fast, _ = match_sentences(project, sentences, codebook)
        rules_spacy, reference, _ = match_sentences(
            project, sentences, codebook, engine="spacy"
        )
    assert rules_fast == rules_spacy
    assert len(fast) > 500
    assert fast == reference


def test_a_tiny_lemma_table(codebook_text):
    """The matcher sees only lemma strings, as import stored them."""
    pipeline = load_pipeline("en")
    rules = RuleSet(parse_codebook(codebook_text, "test.yaml"), pipeline)
    lemmas = [
        "i trust he .",
        "we rely on they .",
        "rely be not on .",
        "the invoice be late .",
        "we lose all the money .",
        "we lose money .",
        "money lose .",
        "nothing here .",
    ]
    fired = {(i, rules.rules[r].code) for i, r in rules.match(lemmas)}
    assert fired == {
        (0, "trust"),
        (1, "trust"),
        (3, "payment"),
        (5, "payment"),
    }
    # "we lose all the money": two tokens between, the pattern allows one.
    assert rules.match(lemmas) == rules.match_spacy(lemmas)


def test_patterns_are_lemmatised_with_the_pipeline():
    pipeline = load_pipeline("en")
    assert lemmatise(pipeline, "Trusted partners") == ["trust", "partner"]


GERMAN_CODEBOOK = """\
name: Vertrauen
language: de
codes:
  - id: vertrauen
    name: Vertrauen
    patterns:
      lemmas: [Vertrauen]
"""


def test_german_pattern_hits_inflected_verbs(make_project):
    project = make_project(
        {
            "b01": (
                "Interviewer: Wie war die Zusammenarbeit?\n\n"
                "Anna: Ich vertraute ihm sofort. Wir vertrauen einander.\n\n"
                "Interviewer: Und dann?\n\n"
                "Anna: Das Vertrauen wuchs. Das Wetter war schlecht.\n"
            )
        },
        GERMAN_CODEBOOK,
        lang="de",
    )
    text = project.db.execute("SELECT text FROM documents").fetchone()[0]
    hits = sorted(text[s.start : s.end] for s in suggest_rules(project).suggestions)
    assert hits == [
        "Das Vertrauen wuchs.",
        "Ich vertraute ihm sofort.",
        "Wir vertrauen einander.",
    ]


def test_patterns_needing_parser_annotation_are_skipped_with_a_reason(
    make_project, codebook_text
):
    codebook = codebook_text.replace(
        "      lemmas: [rain]\n",
        '      lemmas: [rain]\n      tokens:\n        - [{"POS": "VERB"}]\n',
    )
    project = make_project(STORY, codebook)
    run = suggest_rules(project)
    assert run.skipped == [
        "weather: token pattern 1 uses POS, which stored lemmas do not keep; skipped"
    ]
    assert any(s.code == "weather" for s in run.suggestions)


def test_nothing_is_reparsed(make_project, monkeypatch):
    """Rules read stored lemmas: no tokenizer runs once the patterns are compiled."""
    project = make_project(STORY)
    first = suggest_rules(project).suggestions

    class Forbidden:
        def __call__(self, text):
            raise AssertionError(f"tokenized {text!r}")

        def pipe(self, texts, **kwargs):
            raise AssertionError("tokenized a batch")

    monkeypatch.setattr(load_pipeline("en").nlp, "tokenizer", Forbidden())
    assert suggest_rules(project).suggestions == first


def test_all_sentences_are_read(make_project):
    project = make_project(STORY)
    assert suggest_rules(project).sentences == len(_sentences(project))


def test_each_document_is_matched_with_its_own_pipeline(make_project, tmp_path):
    from coder.documents import import_transcripts

    codebook = GERMAN_CODEBOOK.replace(
        "lemmas: [Vertrauen]", "lemmas: [Vertrauen, trust]"
    )
    project = make_project(STORY, codebook)
    german = tmp_path / "b01.txt"
    german.write_text(
        "Interviewer: Und?\n\nAnna: Wir vertrauten ihm.\n\nInterviewer: Gut.\n\n"
        "Anna: Ja.\n",
        encoding="utf-8",
    )
    import_transcripts(project, [german], lang="de")
    texts = dict(project.db.execute("SELECT name, text FROM documents").fetchall())
    hits = sorted(
        (s.document, texts[s.document][s.start : s.end])
        for s in suggest_rules(project).suggestions
    )
    assert hits == [
        ("a01", "He trusts nobody."),
        ("a01", "I trusted him from the start."),
        ("a01", "She is trusting by nature."),
        ("b01", "Wir vertrauten ihm."),
    ]


def test_a_codebook_without_patterns_says_so(make_project):
    project = make_project(
        STORY, "name: Plain\ncodes:\n  - id: family\n    name: Family\n"
    )
    run = suggest_rules(project)
    assert run.suggestions == []
    assert run.skipped == [
        "no code has patterns; add lemmas, phrases or tokens under a code's"
        " `patterns` in the codebook"
    ]
