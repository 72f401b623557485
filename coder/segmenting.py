"""Splitting transcripts into turns (or paragraphs) and the sentences inside them.

Sentences never cross a turn or a paragraph: each paragraph of a turn is
one spaCy Doc, run through ``nlp.pipe`` in batches. Lemmas are stored per
sentence so the suggestion engine never parses the corpus again.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IS_PUNCT, IS_SPACE, ORTH

from coder.model import Segment, Transcript
from coder.pipeline import LemmaCache, Pipeline, load_pipeline

BATCH_SIZE = 256


@dataclass
class Segmented:
    """A transcript's segments (turns first, then sentences) and its word count."""

    segments: list[Segment]
    words: int
    pipeline: str


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
        self._lemmas: dict[str, LemmaCache] = {}

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
        lemma_of = self._lemmas.setdefault(pipeline.name, LemmaCache(pipeline))
        text = transcript.text
        segments: list[Segment] = []
        jobs: list[tuple[str, tuple[int, int]]] = []
        for seq, turn in enumerate(transcript.turns):
            segments.append(
                Segment(
                    kind="turn" if turn.speaker else "paragraph",
                    start=turn.start,
                    end=turn.end,
                    seq=seq,
                    speaker=turn.speaker,
                    start_time=turn.start_time,
                    end_time=turn.end_time,
                )
            )
            jobs.extend(
                (piece, (seq, offset))
                for offset, piece in _paragraphs(text, turn.start, turn.end)
            )
        timer = _SentenceClock(transcript)
        words = 0
        sentence_seq = 0
        docs = pipeline.nlp.pipe(
            jobs, as_tuples=True, batch_size=BATCH_SIZE, disable=list(pipeline.disabled)
        )
        for doc, (turn_seq, offset) in docs:
            if not len(doc):
                continue
            flags = doc.to_array([IS_PUNCT, IS_SPACE])
            words += int(np.count_nonzero(~flags.any(axis=1)))
            if pipeline.fast_lemmas:
                orths = doc.to_array(ORTH).tolist()
                lemmas = [lemma_of(orth) for orth in orths]
            else:
                lemmas = [token.lemma_.lower() for token in doc]
            for first_token, end_token in _sentence_bounds(doc):
                tokens = [i for i in range(first_token, end_token) if not flags[i, 1]]
                if not tokens:
                    continue
                first, last = doc[tokens[0]], doc[tokens[-1]]
                start = offset + first.idx
                end = offset + last.idx + len(last.text)
                start_time, end_time = timer.span(turn_seq, start, end)
                segments.append(
                    Segment(
                        kind="sentence",
                        start=start,
                        end=end,
                        seq=sentence_seq,
                        speaker=transcript.turns[turn_seq].speaker,
                        start_time=start_time,
                        end_time=end_time,
                        lemmas=" ".join(lemmas[i] for i in tokens),
                        parent_seq=turn_seq,
                    )
                )
                sentence_seq += 1
        return Segmented(segments, words, pipeline.name)


def _sentence_bounds(doc) -> list[tuple[int, int]]:
    """Token ranges of the sentences, with an opening bracket or quote moved
    to the sentence it opens (the sentencizer leaves "(" of "(laughs)" behind).
    """
    starts = [sent.start for sent in doc.sents]
    for index in range(1, len(starts)):
        while (
            starts[index] - 1 > starts[index - 1]
            and doc[starts[index] - 1].is_left_punct
        ):
            starts[index] -= 1
    return list(zip(starts, [*starts[1:], len(doc)], strict=True))


class _SentenceClock:
    """Times a sentence from the time marks inside its turn."""

    def __init__(self, transcript: Transcript) -> None:
        self.turns = transcript.turns
        self.offsets = [offset for offset, _ in transcript.time_marks]
        self.times = [time for _, time in transcript.time_marks]

    def span(
        self, turn_seq: int, start: int, end: int
    ) -> tuple[float | None, float | None]:
        turn = self.turns[turn_seq]
        start_time = turn.start_time
        index = bisect.bisect_right(self.offsets, start) - 1
        if index >= 0 and self.offsets[index] >= turn.start:
            start_time = self.times[index]
        end_time = turn.end_time
        after = bisect.bisect_left(self.offsets, end)
        if after < len(self.offsets) and self.offsets[after] < turn.end:
            end_time = self.times[after]
        return start_time, end_time
