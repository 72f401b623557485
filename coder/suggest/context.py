"""Where each sentence stands: its speaker's role, its neighbours, the question it answers.

A coder reads a sentence with its surroundings: the interviewer's question
it replies to, who is speaking, the sentences before and after it in the
same turn. These are given here as sparse "who looks at whom" matrices over
the corpus (rows and columns in `Sentences` order), so the context's n-gram
counts are one sparse product: ``neighbours @ counts``.

Nothing stored says who the interviewer is, so it is read from the text: in
each document, the speaker whose sentences most often end in a question
mark (at least a fifth of them, and only when the document has two or more
speakers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coder.store import Project
from coder.suggest.corpus import Sentences

# Share of a speaker's sentences that must be questions to be the interviewer.
MIN_QUESTION_SHARE = 0.2


@dataclass
class Context:
    """Context of every sentence of a corpus (arrays over its sentences)."""

    # Sentence spoken by the interviewer (never coded, by most conventions).
    interviewer: np.ndarray
    # The sentence is a question.
    question: np.ndarray
    # n x n: the previous and next sentence of the same turn (weight 1 each).
    neighbours: sp.csr_matrix
    # n x n: the sentences of the interviewer's turn before this sentence's
    # turn (empty for the interviewer's own sentences).
    asked: sp.csr_matrix
    # n x n: every sentence of the same turn, itself included.
    turn: sp.csr_matrix
    # Turn number of each sentence within the corpus (consecutive runs).
    turn_index: np.ndarray
    # The turn number of the question each sentence answers (-1: none).
    asked_turn: np.ndarray
    # turns x sentences: each turn's sentences.
    membership: sp.csr_matrix


def _is_question(lemmas: str) -> bool:
    return lemmas.rstrip().endswith("?")


def turn_speakers(project: Project) -> dict[int, int]:
    """Turn (or paragraph) id -> speaker id (-1 when nobody is named)."""
    return {
        row[0]: row[1] if row[1] is not None else -1
        for row in project.execute(
            "SELECT id, speaker_id FROM segments WHERE kind IN ('turn', 'paragraph')"
        )
    }


def build_context(sentences: Sentences, speakers: dict[int, int]) -> Context:
    """The context of each sentence, from turn membership and speakers.

    Args:
        sentences: The corpus, in document order.
        speakers: Turn id -> speaker id (see `turn_speakers`).
    """
    n = len(sentences)
    docs = sentences.document_ids
    parents = sentences.parents
    question = np.fromiter(map(_is_question, sentences.lemmas), bool, n)
    speaker = np.fromiter((speakers.get(int(p), -1) for p in parents), np.int64, n)
    # A new turn where the document or the parent changes (or a sentence has
    # no parent: each such sentence is its own turn).
    new_turn = np.ones(n, dtype=bool)
    if n:
        new_turn[1:] = (docs[1:] != docs[:-1]) | (parents[1:] != parents[:-1])
        new_turn |= parents < 0
    turn_index = np.cumsum(new_turn) - 1
    interviewer = np.zeros(n, dtype=bool)
    if n:
        # Per (document, speaker): sentences and questions.
        keys = docs * (int(speaker.max()) + 2) + (speaker + 1)
        unique, inverse = np.unique(keys, return_inverse=True)
        totals = np.bincount(inverse)
        asks = np.bincount(inverse, weights=question)
        share = asks / totals
        doc_of = unique // (int(speaker.max()) + 2)
        for doc in np.unique(doc_of):
            members = np.flatnonzero(doc_of == doc)
            if len(members) < 2:
                continue
            best = members[np.argmax(share[members])]
            if share[best] >= MIN_QUESTION_SHARE and unique[best] % (
                int(speaker.max()) + 2
            ):
                interviewer |= inverse == best
    rows = np.arange(n)
    same_prev = np.zeros(n, dtype=bool)
    if n:
        same_prev[1:] = turn_index[1:] == turn_index[:-1]
    # Previous sentence of the same turn, and (transposed) the next one.
    prev_rows = rows[same_prev]
    previous = sp.csr_matrix(
        (np.ones(len(prev_rows)), (prev_rows, prev_rows - 1)), shape=(n, n)
    )
    neighbours = (previous + previous.T).tocsr()
    # Each turn's sentences, and for each turn the interviewer turn before it.
    n_turns = int(turn_index[-1]) + 1 if n else 0
    membership = sp.csr_matrix(
        (np.ones(n), (turn_index, rows)), shape=(n_turns, n)
    )  # turns x sentences
    turn = (membership[turn_index]).tocsr()
    first = np.flatnonzero(new_turn)
    turn_doc = docs[first]
    turn_asks = interviewer[first]
    asked_turn = np.full(n_turns, -1, dtype=np.int64)
    last, last_doc = -1, None
    for t in range(n_turns):
        if turn_doc[t] != last_doc:
            last, last_doc = -1, turn_doc[t]
        if turn_asks[t]:
            last = t
        else:
            asked_turn[t] = last
    has = asked_turn[turn_index] >= 0
    source = np.where(has, asked_turn[turn_index], 0)
    asked = sp.diags(has.astype(float)) @ membership[source]
    return Context(
        interviewer=interviewer,
        question=question,
        neighbours=neighbours,
        asked=asked.tocsr(),
        turn=turn,
        turn_index=turn_index,
        asked_turn=np.where(has, asked_turn[turn_index], -1),
        membership=membership,
    )


def project_context(project: Project, sentences: Sentences) -> Context:
    """The context of these sentences, with the project's turn speakers."""
    return build_context(sentences, turn_speakers(project))
