"""Loading spaCy pipelines without a network, and lemmatising fast.

The default is ``spacy.blank(lang)`` with a sentencizer and the lookup
lemmatizer from spacy-lookups-data. A trained pipeline is used only when it
is installed (or a path to one is given) and asked for by name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import spacy
from spacy.language import Language

from coder.errors import PipelineError


@dataclass
class Pipeline:
    """A loaded spaCy pipeline and how lemmas are taken from it."""

    nlp: Language
    name: str
    # Components to switch off in nlp.pipe because we lemmatise per word type.
    disabled: tuple[str, ...]
    lemma_table: object | None

    @property
    def lang(self) -> str:
        return self.nlp.lang

    @property
    def fast_lemmas(self) -> bool:
        return self.lemma_table is not None or "lemmatizer" in self.disabled


def _blank(lang: str) -> Pipeline:
    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError, ValueError) as exc:
        raise PipelineError(f"spaCy has no language '{lang}' ({exc})") from exc
    nlp.add_pipe("sentencizer")
    table = None
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except (ValueError, KeyError, OSError):
        # spacy-lookups-data has no lookup table for this language: lemmas
        # fall back to lower-cased word forms.
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
        nlp.initialize()
    return Pipeline(nlp, f"blank:{lang}", ("lemmatizer",), table)


def _trained(name: str) -> Pipeline:
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise PipelineError(
            f"spaCy pipeline '{name}' is not installed (pip install it, or leave out "
            "--model to use the built-in blank pipeline with lookup lemmas)"
        ) from exc
    if not ({"parser", "senter", "sentencizer"} & set(nlp.pipe_names)):
        nlp.add_pipe("sentencizer")
    return Pipeline(nlp, name, (), None)


@functools.cache
def load_pipeline(lang: str = "en", model: str | None = None) -> Pipeline:
    """The pipeline for a language, or the named trained pipeline (cached)."""
    return _trained(model) if model else _blank(lang)


class LemmaCache:
    """Lemmas looked up once per word type rather than once per token.

    Gives the stock lookup lemmatizer's lemma (``table.get(text, text)``),
    falling back to the lower-cased form's lemma for sentence-initial
    capitals; everything is lower-cased for matching.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._table = pipeline.lemma_table
        self._strings = pipeline.nlp.vocab.strings
        self._cache: dict[int, str] = {}

    def __call__(self, orth: int) -> str:
        lemma = self._cache.get(orth)
        if lemma is None:
            text = self._strings[orth]
            lemma = self._lookup(text)
            self._cache[orth] = lemma
        return lemma

    def _lookup(self, text: str) -> str:
        table = self._table
        if table is None:
            return text.lower()
        if text in table:
            return table[text].lower()
        lower = text.lower()
        return table.get(lower, lower).lower()
