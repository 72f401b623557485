"""Splitting transcripts into turns (or paragraphs) and the sentences inside them.

Sentences never cross a turn or a paragraph: each paragraph of a turn is
one spaCy Doc. Lemmas are stored per sentence so the suggestion engine never
parses the corpus again.

Speed: with the default blank pipeline only the tokenizer runs, and only
once per distinct run of text between spaces (`_Chunks`); the tokens of a
transcript are put together from those as arrays, and sentence starts,
offsets, times and word counts are worked out on them with numpy, following
the sentencizer's rule exactly; lemmas come from a per-word-type cache. A
trained pipeline runs in full and its own sentence starts and lemmas are
read from the same kind of arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from coder.model import Segment, Transcript, Turn
from coder.pipeline import Pipeline, WordTypes, load_pipeline

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer

BATCH_SIZE = 256
# New chunks tokenized together in one Doc, joined by spaces (see `_Chunks`).
CHUNK_BATCH = 128
# Token columns: the blank pipeline needs the first three, a trained one all.
# The token attributes read per token, in this order (spacy.attrs, read when
# the first document is segmented, so that importing this module stays cheap).
_COLUMN_NAMES = ("ORTH", "IDX", "SPACY", "SENT_START", "LEMMA")
_ORTH, _IDX, _SPACY, _SENT_START, _LEMMA = range(len(_COLUMN_NAMES))


@functools.cache
def _columns() -> list[int]:
    from spacy import attrs

    return [getattr(attrs, name) for name in _COLUMN_NAMES]


@dataclass
class Sentences:
    """A transcript's sentences as columns, one entry per sentence in text order."""

    start: list[int]
    end: list[int]
    # The index of the turn (or paragraph) each sentence belongs to.
    turn: list[int]
    start_time: list[float | None]
    end_time: list[float | None]
    lemmas: list[str]

    def __len__(self) -> int:
        return len(self.start)


NO_SENTENCES = Sentences([], [], [], [], [], [])


@dataclass
class Segmented:
    """A transcript's turns (or paragraphs), its sentences and its word count.

    Kept as columns rather than one object per segment: a large study has
    hundreds of thousands of sentences, and columns store (and travel between
    processes) several times faster. `segments` gives the objects.
    """

    turns: list[Turn]
    sentences: Sentences
    words: int
    pipeline: str

    def __len__(self) -> int:
        return len(self.turns) + len(self.sentences)

    @property
    def segments(self) -> list[Segment]:
        """Turns (kind turn, or paragraph without a speaker) first, then sentences."""
        turns = self.turns
        found = [
            Segment(
                kind="turn" if turn.speaker else "paragraph",
                start=turn.start,
                end=turn.end,
                seq=seq,
                speaker=turn.speaker,
                start_time=turn.start_time,
                end_time=turn.end_time,
            )
            for seq, turn in enumerate(turns)
        ]
        s = self.sentences
        found.extend(
            Segment(
                kind="sentence",
                start=start,
                end=end,
                seq=seq,
                speaker=turns[turn].speaker,
                start_time=start_time,
                end_time=end_time,
                lemmas=lemmas,
                parent_seq=turn,
            )
            for seq, (start, end, turn, start_time, end_time, lemmas) in enumerate(
                zip(
                    s.start,
                    s.end,
                    s.turn,
                    s.start_time,
                    s.end_time,
                    s.lemmas,
                    strict=True,
                )
            )
        )
        return found


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """(offset, text) of each newline-separated paragraph of a turn."""
    offset = start
    for piece in text[start:end].split("\n"):
        if piece.strip():
            yield offset, piece
        offset += len(piece) + 1


class Segmenter:
    """Segments transcripts with one cached pipeline per language."""

    def __init__(self, lang: str = "en", model: str | None = None) -> None:
        self.default_lang = lang
        self.model = model

    def pipeline(self, lang: str | None) -> Pipeline:
        if self.model:
            return load_pipeline(model=self.model)
        return load_pipeline(lang or self.default_lang)

    def segment(self, transcript: Transcript) -> Segmented:
        return next(iter(self.segment_many([transcript])))

    def segment_many(
        self,
        transcripts: Iterable[Transcript],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[Segmented]:
        """Segment transcripts in order; `progress` gets the words of each one done."""
        for transcript in transcripts:
            result = self._segment(transcript)
            if progress:
                progress(result.words)
            yield result

    def _segment(self, transcript: Transcript) -> Segmented:
        pipeline = self.pipeline(transcript.language)
        text = transcript.text
        pieces: list[str] = []
        # Per paragraph: its turn and its offset in the transcript text.
        turn_of: list[int] = []
        offsets: list[int] = []
        for seq, turn in enumerate(transcript.turns):
            for offset, piece in _paragraphs(text, turn.start, turn.end):
                pieces.append(piece)
                turn_of.append(seq)
                offsets.append(offset)
        tokens = _Tokens.run(pipeline, pieces, offsets)
        if tokens is None:
            return Segmented(transcript.turns, NO_SENTENCES, 0, pipeline.name)
        if pipeline.sentence_punct is not None:
            starts = tokens.sentencizer_starts()
        else:
            flagged = np.flatnonzero(tokens.sent_start == 1)
            starts = np.union1d(tokens.first, flagged)
        starts = tokens.move_opening_brackets(starts)
        sentences = _sentences(
            transcript, tokens, starts, np.asarray(turn_of, dtype=np.int64)
        )
        return Segmented(transcript.turns, sentences, tokens.words, pipeline.name)


class _Tokens:
    """Every token of a transcript's paragraphs, as columns of numbers.

    Rows are tokens in text order; `idx` is the offset in the transcript
    text. Lexical facts (flags, length, lemma) are looked up per word type
    and spread to the rows.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        types: np.ndarray,
        idx: np.ndarray,
        spacy: np.ndarray,
        lengths: np.ndarray,
        table: np.ndarray | None = None,
    ) -> None:
        self.pipeline = pipeline
        # The row of each paragraph's first token (empty paragraphs left out),
        # and the paragraph of each row.
        self.first = np.concatenate(([0], np.cumsum(lengths)[:-1]))[lengths > 0]
        self.paragraph = np.repeat(np.arange(len(lengths)), lengths)
        self.idx = idx
        # Whether whitespace follows the token.
        self.spacy = spacy
        self.sent_start = table[:, _SENT_START] if table is not None else None
        word_types = pipeline.word_types
        self._types = types
        self.flags = word_types.flags[types]
        self.length = word_types.lengths[types]
        self._table = table

    @classmethod
    def of_table(
        cls,
        pipeline: Pipeline,
        table: np.ndarray,
        lengths: np.ndarray,
        offsets: list[int],
    ) -> _Tokens:
        """Tokens from `Doc.to_array` tables of the paragraphs, stacked."""
        idx = table[:, _IDX].astype(np.int64) + np.repeat(
            np.asarray(offsets, dtype=np.int64), lengths
        )
        return cls(
            pipeline,
            _type_ids(pipeline, table[:, _ORTH]),
            idx,
            table[:, _SPACY] != 0,
            lengths,
            table if table.shape[1] > _SENT_START else None,
        )

    @classmethod
    def run(
        cls, pipeline: Pipeline, pieces: list[str], offsets: list[int]
    ) -> _Tokens | None:
        """Tokenize the paragraphs (None when there are no tokens at all)."""
        if not pieces:
            return None
        if pipeline.sentence_punct is not None:
            # The sentencizer's rule is applied on the columns and lemmas are
            # looked up per word type, so the tokenizer is all that runs, and
            # only once per distinct space-separated chunk (see `_Chunks`).
            return _chunks(pipeline).tokens(pieces, offsets)
        else:
            docs = pipeline.nlp.pipe(
                pieces, batch_size=BATCH_SIZE, disable=list(pipeline.disabled)
            )
            found = _stack([doc.to_array(_columns()) for doc in docs])
        table, lengths = found
        if not len(table):
            return None
        return cls.of_table(pipeline, table, lengths, offsets)

    def has(self, flag: int) -> np.ndarray:
        return (self.flags & flag) != 0

    @property
    def words(self) -> int:
        """Tokens that are neither punctuation nor whitespace."""
        return int(np.count_nonzero(~self.has(WordTypes.PUNCT | WordTypes.SPACE)))

    def lemmas(
        self, rows: np.ndarray, first: np.ndarray, stop: np.ndarray
    ) -> list[str]:
        """The lower-cased lemmas of `rows[first[i]:stop[i]]`, space-separated, for each i.

        All lemmas are joined once and each sentence's run is sliced out of
        that string.
        """
        if self.pipeline.fast_lemmas:
            word_types = self.pipeline.word_types
            types = self._types[rows]
            lemmas = list(map(word_types.lemmas.__getitem__, types.tolist()))
            lengths = word_types.lemma_lengths[types]
        else:
            lemmas = self.pipeline.lemmas.pipeline_lemmas(
                self._table[rows, _ORTH].tolist(), self._table[rows, _LEMMA].tolist()
            )
            lengths = np.fromiter(map(len, lemmas), np.int64, len(lemmas))
        joined = " ".join(lemmas)
        # Where each lemma starts in `joined`, and where the last one ends.
        at = np.concatenate(([0], np.cumsum(lengths + 1)))
        begin, end = at[first].tolist(), (at[stop] - 1).tolist()
        return [joined[b:e] for b, e in zip(begin, end, strict=True)]

    def sentencizer_starts(self) -> np.ndarray:
        """Sentence starts by spaCy's sentencizer rule, each paragraph on its own.

        The sentencizer opens a sentence at the first token after a
        sentence-final character (``.``, ``?``, ...) that is neither
        punctuation nor such a character. Equivalently: a token that is not
        punctuation starts a sentence when a final character stands between
        it and the previous such token of its paragraph (or the paragraph's
        start). Paragraph starts are sentence starts.
        """
        final = self.has(WordTypes.FINAL)
        word_rows = np.flatnonzero(~self.has(WordTypes.FINAL | WordTypes.PUNCT))
        # finals_before[i]: how many sentence-final tokens precede row i.
        finals_before = np.concatenate(([0], np.cumsum(final)))
        # Look for a final character after the previous word token, or from
        # the paragraph's start when that is later.
        first = self.first
        paragraph_start = first[np.searchsorted(first, word_rows, "right") - 1]
        previous_word = np.concatenate(([-1], word_rows[:-1])) + 1
        since = np.maximum(previous_word, paragraph_start)
        opens = finals_before[word_rows] > finals_before[since]
        return np.union1d(first, word_rows[opens])

    def move_opening_brackets(self, starts: np.ndarray) -> np.ndarray:
        """Move an opening bracket or quote to the sentence it opens.

        The sentencizer leaves the "(" of "(laughs)" at the end of the
        sentence before; walk each start back over opening punctuation,
        keeping at least one token in the previous sentence of the paragraph.
        A straight quote is both opening and closing to spaCy: it opens only
        when it is attached to the word after it (``said. "Yes`` but not
        ``"No." Then``).
        """
        left = self.has(WordTypes.LEFT_PUNCT) & (
            ~self.has(WordTypes.RIGHT_PUNCT) | ~self.spacy
        )
        later = starts[1:]
        candidates = later[left[later - 1]]
        if not len(candidates):
            return starts
        paragraph_firsts = set(self.first.tolist())
        moved = starts.tolist()
        index_of = {start: index for index, start in enumerate(moved)}
        for start in candidates.tolist():
            if start in paragraph_firsts:
                continue
            index = index_of[start]
            while moved[index] - 1 > moved[index - 1] and left[moved[index] - 1]:
                moved[index] -= 1
        return np.asarray(moved, dtype=np.int64)


def _stack(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One table from per-paragraph token arrays, and the rows of each paragraph."""
    # uint64 columns: ORTH and LEMMA are string hashes; SENT_START's -1 wraps.
    lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    return np.concatenate(arrays), lengths


def _sentences(
    transcript: Transcript,
    tokens: _Tokens,
    starts: np.ndarray,
    turn_of: np.ndarray,
) -> Sentences:
    """The sentences made of the token ranges that begin at `starts`."""
    ends = np.append(starts[1:], len(tokens.idx))
    # Offsets and lemmas leave whitespace tokens out; a sentence of nothing
    # but whitespace is no sentence.
    solid = np.flatnonzero(~tokens.has(WordTypes.SPACE))
    first = np.searchsorted(solid, starts)
    stop = np.searchsorted(solid, ends)
    keep = stop > first
    first, stop = first[keep], stop[keep]
    first_row, last_row = solid[first], solid[stop - 1]
    begin = tokens.idx[first_row]
    end = tokens.idx[last_row] + tokens.length[last_row]
    turns = turn_of[tokens.paragraph[first_row]]
    start_times, end_times = _times(transcript, turns, begin, end)
    return Sentences(
        start=begin.tolist(),
        end=end.tolist(),
        turn=turns.tolist(),
        start_time=start_times,
        end_time=end_times,
        lemmas=tokens.lemmas(solid, first, stop),
    )


def _times(
    transcript: Transcript, turns: np.ndarray, begin: np.ndarray, end: np.ndarray
) -> tuple[list[float | None], list[float | None]]:
    """Start and end time of each sentence from the time marks inside its turn.

    A sentence starts at the last mark at or before its start within its turn
    (else at the turn's start time), and ends at the first mark at or after
    its end within its turn (else at the turn's end time).
    """
    turn_list = transcript.turns
    start_times: list[float | None] = [turn_list[t].start_time for t in turns.tolist()]
    end_times: list[float | None] = [turn_list[t].end_time for t in turns.tolist()]
    if not transcript.time_marks or not len(turns):
        return start_times, end_times
    marks = np.asarray([offset for offset, _ in transcript.time_marks], dtype=np.int64)
    seconds = [time for _, time in transcript.time_marks]
    turn_start = np.asarray([t.start for t in turn_list], dtype=np.int64)[turns]
    turn_end = np.asarray([t.end for t in turn_list], dtype=np.int64)[turns]
    before = np.searchsorted(marks, begin, "right") - 1
    inside = (before >= 0) & (marks[np.maximum(before, 0)] >= turn_start)
    for row, mark in zip(
        np.flatnonzero(inside).tolist(), before[inside].tolist(), strict=True
    ):
        start_times[row] = seconds[mark]
    after = np.searchsorted(marks, end, "left")
    clipped = np.minimum(after, len(marks) - 1)
    inside = (after < len(marks)) & (marks[clipped] < turn_end)
    for row, mark in zip(
        np.flatnonzero(inside).tolist(), after[inside].tolist(), strict=True
    ):
        end_times[row] = seconds[mark]
    return start_times, end_times


def _type_ids(pipeline: Pipeline, orths: np.ndarray) -> np.ndarray:
    """The word type id of each orth hash, with one dict lookup per distinct word."""
    distinct, index = np.unique(orths, return_inverse=True)
    return pipeline.word_types.ids(distinct.tolist())[index.reshape(-1)]


def _chunks(pipeline: Pipeline) -> _Chunks:
    """The pipeline's chunk cache, made on first use (and inherited by forked workers)."""
    if pipeline.chunks is None:
        pipeline.chunks = _Chunks(pipeline)
    return pipeline.chunks


def _grown(array: np.ndarray, needed: int) -> np.ndarray:
    """`array`, or a copy at least twice as long when it is shorter than `needed`."""
    if needed <= len(array):
        return array
    grown = np.zeros(max(needed, 2 * len(array)), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


class _Chunks:
    """spaCy's tokenizer run once per distinct chunk of text between two spaces.

    spaCy's tokenizer cuts a text at single spaces and tokenizes each chunk
    on its own (its cache is keyed by chunk, and holds 10,000 of them: a
    large study's rarer words miss it every time). A paragraph's tokens are
    its chunks' tokens in turn, the last of each but the paragraph's last
    followed by a space, with one exception: the special-case pass over the
    whole Doc can match a pattern of several tokens across a space. Such a
    match changes nothing itself (no rule holds a space), but it can hide a
    rule's match that it overlaps. So spaCy tokenizes, whole, a paragraph in
    which two neighbouring chunks end and begin with tokens that follow each
    other in some rule's pattern, and a paragraph with white space other
    than single spaces between its chunks.

    Each chunk's tokens are kept as columns: word type id, offset in the
    chunk, whitespace after it.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.tokenizer = pipeline.tokenizer
        self.pairs = _pattern_pairs(self.tokenizer)
        self._pair_firsts = {first for first, _ in self.pairs}
        self.ids: dict[str, int] = {}
        # By chunk id: the row of its first token, its number of tokens, the
        # orth hash of its first and last token, whether the last one begins
        # a pair in `pairs`, and its length in characters.
        self.first_row = np.zeros(1024, dtype=np.int64)
        self.count = np.zeros(1024, dtype=np.int64)
        self.first_orth = np.zeros(1024, dtype=np.uint64)
        self.last_orth = np.zeros(1024, dtype=np.uint64)
        self.risky_end = np.zeros(1024, dtype=bool)
        self.length = np.zeros(1024, dtype=np.int64)
        # By row: the token's word type id, offset in its chunk, and whether
        # whitespace follows it inside the chunk.
        self.types = np.zeros(4096, dtype=np.int64)
        self.offset = np.zeros(4096, dtype=np.int64)
        self.space = np.zeros(4096, dtype=bool)
        self.rows = 0

    def tokens(self, pieces: list[str], offsets: list[int]) -> _Tokens | None:
        """The tokens of paragraphs `pieces` at `offsets` in a transcript's text."""
        chunks: list[str] = []
        counts: list[int] = []
        slow: list[int] = []
        for number, piece in enumerate(pieces):
            # Printable text has no white space but the space character.
            if (
                piece.isprintable()
                and "  " not in piece
                and piece[0] != " "
                and piece[-1] != " "
            ):
                parts = piece.split(" ")
                chunks += parts
                counts.append(len(parts))
            else:
                counts.append(0)
                slow.append(number)
        new = set(chunks).difference(self.ids)
        if new:
            self._add(list(new))
        ids = np.array(list(map(self.ids.__getitem__, chunks)), dtype=np.int64)
        count = np.asarray(counts, dtype=np.int64)
        piece_of = np.repeat(np.arange(len(pieces)), count)
        # Each piece's last chunk, followed by no space.
        ends = np.cumsum(count)[count > 0] - 1
        last = np.zeros(len(ids), dtype=bool)
        last[ends] = True
        risky = np.flatnonzero(self.risky_end[ids] & ~last)
        if len(risky):
            pairs = zip(
                self.last_orth[ids[risky]].tolist(),
                self.first_orth[ids[risky + 1]].tolist(),
                strict=True,
            )
            found = [p in self.pairs for p in pairs]
            more = np.unique(piece_of[risky[found]]).tolist()
            if more:
                slow = sorted({*slow, *more})
                keep = ~np.isin(piece_of, more)
                count[more] = 0
                ids, piece_of, last = ids[keep], piece_of[keep], last[keep]
        # Where each chunk starts in the transcript text.
        size = self.length[ids] + 1
        before = np.cumsum(size) - size
        piece_start = np.zeros(len(pieces), dtype=np.int64)
        firsts = np.cumsum(count)[count > 0] - count[count > 0]
        piece_start[count > 0] = before[firsts]
        where = np.asarray(offsets, dtype=np.int64) - piece_start
        chunk_start = before + where[piece_of]
        # Each chunk's token rows, spread out.
        n = self.count[ids]
        total = int(n.sum())
        chunk_of = np.repeat(np.arange(len(ids)), n)
        ends_at = np.cumsum(n)
        rows = np.repeat(self.first_row[ids] - (ends_at - n), n) + np.arange(total)
        types = self.types[rows]
        idx = chunk_start[chunk_of] + self.offset[rows]
        spacy = self.space[rows]
        spacy[ends_at - 1] = ~last
        lengths = np.bincount(piece_of, weights=n, minlength=len(pieces)).astype(
            np.int64
        )
        if slow:
            types, idx, spacy, lengths = self._merge_slow(
                pieces, offsets, slow, (types, idx, spacy, lengths), piece_of, n
            )
        if not len(types):
            return None
        return _Tokens(self.pipeline, types, idx, spacy, lengths)

    def _merge_slow(
        self,
        pieces: list[str],
        offsets: list[int],
        slow: list[int],
        fast: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        piece_of: np.ndarray,
        n: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The fast pieces' token columns with the `slow` ones' from spaCy, in order."""
        types, idx, spacy, lengths = fast
        docs = self.tokenizer.pipe([pieces[number] for number in slow])
        table, slow_lengths = _stack([doc.to_array(_columns()[:3]) for doc in docs])
        slow_pieces = np.asarray(slow, dtype=np.int64)
        slow_idx = table[:, _IDX].astype(np.int64) + np.repeat(
            np.asarray(offsets, dtype=np.int64)[slow_pieces], slow_lengths
        )
        order = np.argsort(
            np.concatenate(
                (np.repeat(piece_of, n), np.repeat(slow_pieces, slow_lengths))
            ),
            kind="stable",
        )
        lengths[slow_pieces] = slow_lengths
        return (
            np.concatenate((types, _type_ids(self.pipeline, table[:, _ORTH])))[order],
            np.concatenate((idx, slow_idx))[order],
            np.concatenate((spacy, table[:, _SPACY] != 0))[order],
            lengths,
        )

    def _add(self, new: list[str]) -> None:
        """Tokenize chunks not seen before, many to a Doc, and keep their tokens."""
        size = np.fromiter(map(len, new), np.int64, len(new)) + 1
        starts = np.cumsum(size) - size
        # Many chunks to a Doc, keeping spaCy's own cache out of it: it keeps
        # the first 10,000 chunks it sees, and these (each seen once) would
        # fill it with rare words, slowing the tokenizer for everyone else in
        # this process.
        texts = [
            " ".join(new[at : at + CHUNK_BATCH])
            for at in range(0, len(new), CHUNK_BATCH)
        ]
        tokenizer = self.tokenizer
        cache_size = tokenizer.max_cache_size
        tokenizer.max_cache_size = 0
        try:
            arrays = [doc.to_array(_columns()[:3]) for doc in tokenizer.pipe(texts)]
        finally:
            tokenizer.max_cache_size = cache_size
        table, batch_lengths = _stack(arrays)
        # Offsets in the whole of the chunks joined by spaces.
        at = np.repeat(starts[::CHUNK_BATCH], batch_lengths)
        table[:, _IDX] += at.astype(np.uint64)
        chunk_of = np.searchsorted(starts, table[:, _IDX].astype(np.int64), "right") - 1
        orths = table[:, _ORTH]
        offset = table[:, _IDX].astype(np.int64) - starts[chunk_of]
        space = table[:, _SPACY] != 0
        n = np.bincount(chunk_of, minlength=len(new))
        ends = np.cumsum(n) - 1
        risky = np.flatnonzero(np.isin(orths[ends[:-1]], list(self._pair_firsts)))
        suspects = [
            int(chunk)
            for chunk in risky.tolist()
            if (int(orths[ends[chunk]]), int(orths[ends[chunk] + 1])) in self.pairs
        ]
        if suspects:
            # Tokenized alone, as they may have been tokenized differently
            # beside each other (see the class's docstring).
            alone = set(suspects) | {chunk + 1 for chunk in suspects}
            parts = []
            for chunk, rows in enumerate(
                np.split(np.arange(len(orths)), ends[:-1] + 1)
            ):
                if chunk in alone:
                    own = self.tokenizer(new[chunk]).to_array(_columns()[:3])
                    parts.append(
                        (
                            own[:, _ORTH],
                            own[:, _IDX].astype(np.int64),
                            own[:, _SPACY] != 0,
                        )
                    )
                else:
                    parts.append((orths[rows], offset[rows], space[rows]))
            orths = np.concatenate([p[0] for p in parts])
            offset = np.concatenate([p[1] for p in parts])
            space = np.concatenate([p[2] for p in parts])
            n = np.fromiter((len(p[0]) for p in parts), np.int64, len(parts))
            ends = np.cumsum(n) - 1
        first, count = len(self.ids), len(new)
        rows, added = self.rows, len(orths)
        names = ("first_row", "count", "first_orth", "last_orth", "risky_end", "length")
        for name in names:
            setattr(self, name, _grown(getattr(self, name), first + count))
        for name in ("types", "offset", "space"):
            setattr(self, name, _grown(getattr(self, name), rows + added))
        chunk_ids = slice(first, first + count)
        self.first_row[chunk_ids] = rows + ends - n + 1
        self.count[chunk_ids] = n
        self.length[chunk_ids] = size - 1
        self.first_orth[chunk_ids] = orths[ends - n + 1]
        self.last_orth[chunk_ids] = orths[ends]
        self.risky_end[chunk_ids] = np.isin(orths[ends], list(self._pair_firsts))
        token_rows = slice(rows, rows + added)
        self.types[token_rows] = _type_ids(self.pipeline, orths)
        self.offset[token_rows] = offset
        self.space[token_rows] = space
        self.rows += added
        self.ids.update(zip(new, range(first, first + count), strict=True))


def _pattern_pairs(tokenizer: Tokenizer) -> set[tuple[int, int]]:
    """(orth, orth) of tokens next to each other in some special case's pattern.

    spaCy's special-case pass matches each rule as its text tokenized without
    special cases; a tokenizer with the same affixes and no rules gives
    those tokens (every rule is taken, a superset of those spaCy matches).
    """
    from spacy.tokenizer import Tokenizer

    bare = Tokenizer(
        tokenizer.vocab,
        rules={},
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )
    pairs: set[tuple[int, int]] = set()
    for rule in tokenizer.rules:
        orths = [token.orth for token in bare(rule)]
        pairs.update(pairwise(orths))
    return pairs
