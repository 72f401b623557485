"""Fixtures for REFI-QDA project exchange: the demo coded by three coders, the schema, a state check."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from lxml import etree

from coder.analysis.framework import case_row_key, set_cell_summary
from coder.coding import apply_coding
from coder.documents import import_transcripts
from coder.memos import set_memo
from coder.store import open_project

REFI = Path(__file__).parent.parent / "data" / "refi"
CODERS = ("ana", "ben", "cai")
EMOJI_TRANSCRIPT = (
    "Interviewer: How did the first shipment go? \U0001f69a\U0001f30d\n\n"
    "Respondent: Late \U0001f605 but it arrived. The bank in D\u00fcsseldorf held the"
    " payment for three weeks \U0001f4b8 and we paid the penalty.\n\n"
    "Interviewer: Would you ship \u00e0 cr\u00e9dit again?\n\n"
    "Respondent: Only with a letter of credit \U0001f4dc from a bank we trust.\n"
)


@pytest.fixture(scope="session")
def project_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI / "Project.xsd")))


@pytest.fixture(scope="session")
def coded_demo_template(demo_template, tmp_path_factory) -> Path:
    """The demo study coded by three coders, with memos on every kind of target.

    Spans are sentences, parts of sentences at random character offsets and
    passages across turns, so positions are checked everywhere, not only on
    line starts. A document holds characters beyond U+FFFF and non-ASCII
    letters before its codings.
    """
    folder = tmp_path_factory.mktemp("coded-demo")
    path = folder / "demo.db"
    shutil.copyfile(demo_template, path)
    extra = folder / "zz-emoji.txt"
    extra.write_text(EMOJI_TRANSCRIPT, encoding="utf-8")
    rng = random.Random(14)
    with open_project(path, actor="ana") as project:
        import_transcripts(project, [extra])
        db = project.db
        documents = [
            row[0] for row in db.execute("SELECT name FROM documents ORDER BY name")
        ]
        codes = [row[0] for row in db.execute("SELECT id FROM codes ORDER BY id")]
        for document in documents:
            text, doc_id = db.execute(
                "SELECT text, id FROM documents WHERE name = ?", [document]
            ).fetchone()
            sentences = db.execute(
                "SELECT start, \"end\" FROM segments WHERE document_id = ? AND kind = 'sentence'"
                " ORDER BY seq",
                [doc_id],
            ).fetchall()
            for coder in CODERS:
                for start, end in rng.sample(sentences, min(4, len(sentences))):
                    apply_coding(
                        project, document, start, end, rng.choice(codes), coder=coder
                    )
                start = rng.randrange(0, len(text) // 2)
                end = min(len(text), start + rng.randrange(5, 290))
                apply_coding(
                    project,
                    document,
                    start,
                    end,
                    rng.choice(codes),
                    coder=coder,
                    memo=f"{coder} on {document}: why this passage",
                )
        set_memo(project, "code", codes[0], "Splits in two after round 2.", coder="ben")
        set_memo(project, "code", codes[1], "Ana's view of this code.", coder="ana")
        set_memo(project, "document", documents[0], "Noisy recording.", coder="cai")
        set_memo(
            project, "segment", f"{documents[1]}:100-180", "Key passage.", coder="ana"
        )
        case = db.execute("SELECT name FROM cases ORDER BY name").fetchone()[0]
        set_memo(project, "case", case, "A mature cluster.", coder="ben")
        set_memo(project, "project", None, "Second round starts in May.", coder="ana")
        # A framework cell's summary (a memo on "<code>|<row key>").
        set_cell_summary(
            project, codes[2], case_row_key(case), "Payment delays.", coder="cai"
        )
        with project.atomic():
            db.execute(
                "UPDATE cases SET description = 'Oil and gas' WHERE name = ?", [case]
            )
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def coded_demo(coded_demo_template, tmp_path) -> Path:
    """A private copy of the coded demo."""
    target = tmp_path / "demo.db"
    shutil.copyfile(coded_demo_template, target)
    return target


def project_state(path: Path) -> tuple:
    """Every row coder stores (the event log included): equal means unchanged."""
    with open_project(path) as project:
        db = project.db
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]
        return tuple(
            (
                table,
                tuple(db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()),
            )
            for table in sorted(tables)
        )
