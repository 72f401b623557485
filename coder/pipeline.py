"""Loading spaCy pipelines without a network, and lemmatising fast.

The default is ``spacy.blank(lang)`` with a sentencizer and the lookup
lemmatizer from spacy-lookups-data. A trained pipeline is used only when it
is installed (or a path to one is given) and asked for by name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from coder.errors import PipelineError

if TYPE_CHECKING:  # spaCy takes a second to import: only commands that segment pay it
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.vocab import Vocab


@dataclass
class Pipeline:
    """A loaded spaCy pipeline, how lemmas are taken from it, and its per-type caches."""

    # The spaCy pipeline as loaded: `nlp` gives it initialized.
    language: Language
    name: str
    # Components to switch off in nlp.pipe because we lemmatise per word type.
    disabled: tuple[str, ...]
    lemma_table: object | None
    # The sentencizer's sentence-final characters when the sentencizer is the
    # only component that needs to run: the segmenter then runs just the
    # tokenizer and applies the sentencizer's rule itself.
    sentence_punct: frozenset[str] | None = None
    # Kept with the (cached) pipeline so later imports start warm.
    lemmas: LemmaCache = field(init=False, repr=False, compare=False)
    word_types: WordTypes = field(init=False, repr=False, compare=False)
    # Whether `language` is to be initialized when first used whole.
    uninitialized: bool = False
    # The segmenter's cache of tokenized chunks (`coder.segmenting._Chunks`).
    chunks: object = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.lemmas = LemmaCache(self)
        self.word_types = WordTypes(self)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, its components initialized.

        Initializing the blank pipeline's lemmatizer builds spaCy's lookup
        table (a tenth of a second) that the segmenter, which runs only the
        tokenizer and looks lemmas up itself, does not need: it is done on
        first use here.
        """
        if self.uninitialized:
            self.language.initialize()
            self.uninitialized = False
        return self.language

    @property
    def tokenizer(self) -> Tokenizer:
        return self.language.tokenizer

    @property
    def vocab(self) -> Vocab:
        return self.language.vocab

    @property
    def lang(self) -> str:
        return self.language.lang

    @property
    def fast_lemmas(self) -> bool:
        return self.lemma_table is not None or "lemmatizer" in self.disabled


def _blank(lang: str) -> Pipeline:
    import spacy

    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError, ValueError) as exc:
        raise PipelineError(f"spaCy has no language '{lang}' ({exc})") from exc
    nlp.add_pipe("sentencizer")
    punct = frozenset(nlp.get_pipe("sentencizer").punct_chars)
    try:
        table = _lemma_lookup(lang)
    except (ValueError, KeyError, OSError):
        # spacy-lookups-data has no lookup table for this language: lemmas
        # fall back to lower-cased word forms.
        nlp.initialize()
        return Pipeline(nlp, f"blank:{lang}", ("lemmatizer",), None, punct)
    # The lemmatizer reads the same table when it is initialized (see
    # `Pipeline.nlp`); the segmenter looks lemmas up in the table itself.
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    return Pipeline(
        nlp, f"blank:{lang}", ("lemmatizer",), table, punct, uninitialized=True
    )


def _lemma_lookup(lang: str) -> dict[str, str]:
    """spacy-lookups-data's lemma table for a language, as the file has it.

    What spaCy's lookup lemmatizer loads (`spacy.lookups.load_lookups`),
    without building spaCy's hashed `Table` of it, which takes five times
    as long as reading it; looked up by word the same way.
    """
    from spacy.util import load_language_data, registry

    if lang not in registry.lookups:
        raise ValueError(f"no lookups for '{lang}'")
    tables = registry.lookups.get(lang)
    if "lemma_lookup" not in tables:
        raise KeyError("lemma_lookup")
    return load_language_data(tables["lemma_lookup"])


def _trained(name: str) -> Pipeline:
    import spacy

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
    capitals; everything is lower-cased for matching. Without a lookup table
    the lemma is the lower-cased form.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self._table = pipeline.lemma_table
        self._strings = pipeline.vocab.strings
        # Word form (orth hash) -> lemma, for lookup lemmas.
        self._cache: dict[int, str] = {}
        # String hash -> the string lower-cased, for a trained pipeline's lemmas.
        self._lower: dict[int, str] = {}

    def lemmas(self, orths: list[int]) -> list[str]:
        """The lemma of each word form (orth hash), each type looked up once."""
        cache = self._cache
        for orth in set(orths).difference(cache):
            cache[orth] = self._lookup(self._strings[orth])
        return list(map(cache.__getitem__, orths))

    def pipeline_lemmas(self, orths: list[int], lemmas: list[int]) -> list[str]:
        """A trained pipeline's lemmas (hashes) lower-cased; a token without
        one (no lemmatizer in the pipeline) gets its lower-cased form."""
        chosen = [lemma or orth for orth, lemma in zip(orths, lemmas, strict=True)]
        lower, strings = self._lower, self._strings
        for key in set(chosen).difference(lower):
            lower[key] = strings[key].lower()
        return list(map(lower.__getitem__, chosen))

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


class WordTypes:
    """What segmenting needs to know of each word type, worked out once per type.

    Each orth hash gets a dense id on first sight; by id there are its length
    in characters, its lemma (from `LemmaCache`), and a bit set of `PUNCT`,
    `SPACE`, `LEFT_PUNCT` and `RIGHT_PUNCT` (brackets and quotes; straight
    quotes are both), spaCy's lexeme flags, and `FINAL` (one of the
    sentencizer's sentence-final characters). Index `flags`, `lengths` and
    `lemmas` with the ids from `ids`.
    """

    PUNCT, SPACE, LEFT_PUNCT, RIGHT_PUNCT, FINAL = 1, 2, 4, 8, 16

    def __init__(self, pipeline: Pipeline) -> None:
        self._vocab = pipeline.vocab
        self._final = pipeline.sentence_punct or frozenset()
        self._lemma_of = pipeline.lemmas
        self._ids: dict[int, int] = {}
        self.lemmas: list[str] = []
        # Grown by doubling; only the first len(self.lemmas) entries are used.
        self.flags = np.zeros(1024, dtype=np.int64)
        self.lengths = np.zeros(1024, dtype=np.int64)
        self.lemma_lengths = np.zeros(1024, dtype=np.int64)

    def ids(self, orths: list[int]) -> np.ndarray:
        """The dense id of each orth hash, adding the types not seen before."""
        known = self._ids
        new = set(orths).difference(known)
        if new:
            self._add(new)
        return np.fromiter(map(known.__getitem__, orths), np.int64, len(orths))

    def _add(self, orths: set[int]) -> None:
        first = len(self.lemmas)
        needed = first + len(orths)
        if needed > len(self.flags):
            size = max(needed, 2 * len(self.flags))
            self.flags = np.resize(self.flags, size)
            self.lengths = np.resize(self.lengths, size)
            self.lemma_lengths = np.resize(self.lemma_lengths, size)
        flags, lengths = [], []
        for index, orth in enumerate(orths, start=first):
            lexeme = self._vocab[orth]
            text = lexeme.orth_
            flags.append(
                self.PUNCT * lexeme.is_punct
                | self.SPACE * lexeme.is_space
                | self.LEFT_PUNCT * lexeme.is_left_punct
                | self.RIGHT_PUNCT * lexeme.is_right_punct
                | self.FINAL * (text in self._final)
            )
            lengths.append(len(text))
            self.lemmas.append(self._lemma_of(orth))
            self._ids[orth] = index
        self.flags[first:needed] = flags
        self.lengths[first:needed] = lengths
        self.lemma_lengths[first:needed] = [len(x) for x in self.lemmas[first:]]
