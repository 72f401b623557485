"""Small projects for the suggestion tests: a few transcripts, a codebook with patterns."""

from __future__ import annotations

import random
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from coder.codebook import parse_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding
from coder.documents import import_transcripts
from coder.store import Project, create_project
from coder.suggest.features import clear_cache

CODEBOOK = """\
name: Suggestion test codebook
codes:
  - id: trust
    name: Trust
    patterns:
      lemmas: [trust]
      phrases: [rely on]
  - id: payment
    name: Payment
    patterns:
      lemmas: [invoice]
      phrases: [pay late]
      tokens:
        - [{"LOWER": {"IN": ["lost", "lose"]}}, {"IS_PUNCT": false, "OP": "?"}, {"LOWER": "money"}]
  - id: weather
    name: Weather
    patterns:
      lemmas: [rain]
      scope: turn
  - id: family
    name: Family
"""


@pytest.fixture(autouse=True)
def _fresh_feature_cache():
    """Each test builds its own corpus counts (projects differ by path only)."""
    clear_cache()
    yield
    clear_cache()


def write_transcripts(folder: Path, documents: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in documents.items():
        path = folder / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def make_project(tmp_path) -> Callable[..., Project]:
    """A project with these transcripts (name -> ``Speaker: text`` lines) and a codebook."""
    opened: list[Project] = []

    def make(
        documents: dict[str, str],
        codebook: str = CODEBOOK,
        *,
        lang: str = "en",
        name: str = "study",
    ) -> Project:
        project = create_project(tmp_path / f"{name}.db", actor="tester")
        opened.append(project)
        paths = write_transcripts(tmp_path / name, documents)
        import_transcripts(project, paths, lang=lang)
        load_codebook(
            project, parse_codebook(codebook, "test.yaml"), source="test.yaml"
        )
        return project

    yield make
    for project in opened:
        project.close()


# A corpus where two codes have words of their own and the rest is talk about
# other things: a model should find them in documents it has not seen.
TOPICS = {
    "payment": [
        "invoice",
        "paid",
        "payment",
        "late",
        "owed",
        "money",
        "transfer",
        "bank",
        "overdue",
        "debt",
        "cash",
        "advance",
        "receivable",
        "settle",
    ],
    "trust": [
        "trust",
        "rely",
        "honest",
        "promise",
        "loyal",
        "believe",
        "faith",
        "word",
        "respect",
        "depend",
        "reliable",
        "confidence",
        "partner",
        "handshake",
    ],
}
FILLER = [
    "weather",
    "lunch",
    "football",
    "holiday",
    "garden",
    "children",
    "music",
    "train",
    "city",
    "weekend",
    "coffee",
    "office",
    "building",
    "river",
    "film",
    "book",
    "morning",
    "evening",
    "village",
    "cousin",
    "dinner",
    "road",
    "market",
    "square",
    "summer",
    "winter",
]
GLUE = [
    "the",
    "for",
    "we",
    "they",
    "it",
    "was",
    "is",
    "and",
    "so",
    "then",
    "really",
    "very",
    "our",
    "their",
    "with",
    "about",
]


def topic_sentence(rng: random.Random, topic: str | None) -> str:
    words = rng.sample(GLUE, 4) + rng.sample(FILLER, 2 if topic else 4)
    if topic:
        words += rng.sample(TOPICS[topic], 3)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def labelled_documents(
    count: int, sentences: int = 24, seed: int = 7
) -> tuple[dict[str, str], dict[str, list[str | None]]]:
    """Transcripts of one respondent turn per three sentences, and each sentence's code."""
    rng = random.Random(seed)
    texts: dict[str, str] = {}
    labels: dict[str, list[str | None]] = {}
    for number in range(count):
        name = f"doc-{number:02d}"
        chosen: list[str | None] = [
            rng.choice(["payment", "trust", None, None, None]) for _ in range(sentences)
        ]
        said = [topic_sentence(rng, topic) for topic in chosen]
        turns = [
            f"Respondent: {' '.join(said[i : i + 3])}" for i in range(0, sentences, 3)
        ]
        texts[name] = "\n\n".join(turns) + "\n"
        labels[name] = chosen
    return texts, labels


def code_sentences(
    project: Project,
    labels: dict[str, list[str | None]],
    documents: list[str],
    coder: str,
) -> None:
    """Code every labelled sentence of these documents as `coder`."""
    for name in documents:
        rows = project.db.execute(
            'SELECT s.start, s."end" FROM segments s JOIN documents d ON d.id = s.document_id'
            " WHERE d.name = ? AND s.kind = 'sentence' ORDER BY s.start",
            [name],
        ).fetchall()
        assert len(rows) == len(labels[name]), name
        for (start, end), code in zip(rows, labels[name], strict=True):
            if code:
                apply_coding(project, name, start, end, code, coder=coder)


@pytest.fixture
def codebook_text() -> str:
    return CODEBOOK


@pytest.fixture
def corpus() -> types.SimpleNamespace:
    """The labelled-corpus helpers, for tests (conftest modules are not importable)."""
    return types.SimpleNamespace(
        labelled_documents=labelled_documents, code_sentences=code_sentences
    )
