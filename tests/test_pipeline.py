"""Loading spaCy pipelines: the blank default, and trained ones by name or path."""

from __future__ import annotations

import pytest
import spacy
from spacy.lookups import Lookups

from coder.errors import PipelineError
from coder.model import Transcript, Turn
from coder.pipeline import LemmaCache, WordTypes, load_pipeline
from coder.segmenting import Segmenter


def one_turn(text: str) -> Transcript:
    return Transcript(text=text, turns=[Turn(0, len(text), "A")], format="text")


def sentence_texts(result, text: str) -> list[str]:
    return [text[s.start : s.end] for s in result.segments if s.kind == "sentence"]


def sentence_lemmas(result) -> list[str]:
    return [s.lemmas for s in result.segments if s.kind == "sentence"]


def test_default_is_the_blank_pipeline_with_lookup_lemmas():
    pipeline = load_pipeline("en")
    assert pipeline.name == "blank:en"
    assert pipeline.lang == "en"
    assert pipeline.nlp.pipe_names == ["sentencizer", "lemmatizer"]
    assert pipeline.lemma_table is not None
    assert pipeline.fast_lemmas
    assert {".", "!", "?"} <= pipeline.sentence_punct
    # Cached: one load per process.
    assert load_pipeline("en") is pipeline


def test_lemma_table_is_the_lookup_lemmatizers_and_the_pipeline_runs_whole():
    pipeline = load_pipeline("en")
    table = pipeline.lemma_table
    # Asking for the pipeline itself initializes its lemmatizer, from the same file.
    spacy_table = pipeline.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    assert len(table) == len(spacy_table)
    for word in ["going", "went", "children", "Going", "mice", "n't", "zzz"]:
        assert (word in table) == (word in spacy_table)
        assert table.get(word) == spacy_table.get(word)
    doc = pipeline.nlp("The children went home.")
    assert [token.lemma_ for token in doc] == ["The", "child", "go", "home", "."]


def test_unknown_language_fails_clearly():
    with pytest.raises(PipelineError, match="spaCy has no language 'zz'"):
        load_pipeline("zz")


def test_trained_pipeline_that_is_not_installed_fails_clearly():
    with pytest.raises(PipelineError) as failed:
        Segmenter(model="xx_coder_not_installed_sm").segment(one_turn("Hello."))
    assert str(failed.value) == (
        "spaCy pipeline 'xx_coder_not_installed_sm' is not installed (pip install it,"
        " or leave out --model to use the built-in blank pipeline with lookup lemmas)"
    )


@pytest.fixture(scope="module")
def trained_path(tmp_path_factory):
    """A saved pipeline whose sentences and lemmas differ from the default:
    sentences end only at ';', and its own lemma table."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [";"]})
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", {"cats": "feline", "sat": "perch", "We": "us"})
    nlp.initialize()
    lemmatizer.initialize(lookups=lookups)
    path = tmp_path_factory.mktemp("model") / "pipe"
    nlp.to_disk(path)
    return path


def test_trained_pipeline_by_path_is_used(trained_path):
    text = "The cats sat. We sat; (laughs) Cats won."
    result = Segmenter(model=str(trained_path)).segment(one_turn(text))
    assert result.pipeline == str(trained_path)
    # Its sentencizer splits at ';' only, and its lemmas come from its table,
    # lower-cased; the opening bracket still moves to the sentence it opens.
    assert sentence_texts(result, text) == [
        "The cats sat. We sat;",
        "(laughs) Cats won.",
    ]
    assert sentence_lemmas(result) == [
        "the feline perch . us perch ;",
        "( laughs ) cats won .",
    ]
    assert result.words == 8


def test_trained_pipeline_without_lemmatizer_gives_lower_cased_forms(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    nlp.to_disk(tmp_path / "pipe")
    text = "The Cats sat. They Left."
    result = Segmenter(model=str(tmp_path / "pipe")).segment(one_turn(text))
    assert sentence_texts(result, text) == ["The Cats sat.", "They Left."]
    assert sentence_lemmas(result) == ["the cats sat .", "they left ."]


def test_trained_pipeline_without_sentences_gets_a_sentencizer(tmp_path):
    nlp = spacy.blank("en")
    nlp.initialize()
    nlp.to_disk(tmp_path / "pipe")
    pipeline = load_pipeline(model=str(tmp_path / "pipe"))
    assert pipeline.nlp.pipe_names == ["sentencizer"]
    assert pipeline.sentence_punct is None  # runs in full, like any trained one


def test_lemma_cache_looks_up_the_table_then_the_lower_case_form():
    pipeline = load_pipeline("en")
    cache = LemmaCache(pipeline)
    strings = pipeline.nlp.vocab.strings
    words = ["Going", "went", "children", "The", "Oman", "n't"]
    lemmas = cache.lemmas([strings.add(word) for word in words])
    table = pipeline.lemma_table
    assert "Going" not in table and table["going"] == "go"
    assert lemmas == ["go", "go", "child", "the", "oman", table.get("n't", "n't")]
    assert cache(strings["went"]) == "go"


def test_word_types_by_dense_id():
    pipeline = load_pipeline("en")
    types = pipeline.word_types
    strings = pipeline.nlp.vocab.strings
    words = ["(", '"', "?", "Went", "\n", "("]
    pipeline.nlp.make_doc(" ".join(words))  # makes sure the lexemes exist
    ids = types.ids([strings[w] for w in words])
    assert ids[0] == ids[-1] and len(set(ids.tolist())) == 5
    left, right = WordTypes.LEFT_PUNCT, WordTypes.RIGHT_PUNCT
    punct, space, final = WordTypes.PUNCT, WordTypes.SPACE, WordTypes.FINAL
    assert types.flags[ids].tolist() == [
        punct | left,
        punct | left | right,
        punct | final,
        0,
        space,
        punct | left,
    ]
    assert types.lengths[ids].tolist() == [1, 1, 1, 4, 1, 1]
    assert [types.lemmas[i] for i in ids.tolist()] == ["(", '"', "?", "go", "\n", "("]


def test_word_types_grow_past_their_first_capacity():
    pipeline = load_pipeline("en")
    strings = pipeline.nlp.vocab.strings
    words = [f"w{n}x" for n in range(3000)]
    pipeline.nlp.make_doc(" ".join(words))
    ids = pipeline.word_types.ids([strings[w] for w in words])
    assert pipeline.word_types.lengths[ids].tolist() == [len(w) for w in words]
    assert [pipeline.word_types.lemmas[i] for i in ids.tolist()] == words
