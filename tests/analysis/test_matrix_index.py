"""The matrices' queries are answered from the indexes of the matrix_index migration."""

from __future__ import annotations

import pytest

from coder.store.migrations import MIGRATIONS


def plan(project, sql: str, params=()) -> str:
    return " ".join(
        row[-1] for row in project.db.execute(f"EXPLAIN QUERY PLAN {sql}", params)
    )


def test_the_migration_is_registered():
    assert "matrix_index" in [name for name, _ in MIGRATIONS]


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT document_id, code_id, COUNT(*) FROM codings GROUP BY document_id, code_id", "codings_matrix"),
        ("SELECT document_id, code_id, COUNT(*) FROM codings WHERE +coder_id = 1 GROUP BY document_id, code_id", "codings_matrix"),
        ('SELECT code_id, start, "end" FROM codings WHERE document_id = 1', "codings_matrix"),
        ('SELECT code_id, start, "end" FROM codings WHERE document_id = 1 AND +coder_id = 1', "codings_matrix"),
        ("SELECT DISTINCT document_id, code_id FROM codings", "codings_matrix"),
        ('SELECT start, "end", speaker_id FROM segments WHERE document_id = 1 AND kind IN (\'sentence\') ORDER BY start', "segments_matrix"),
    ],
)  # fmt: skip
def test_covering_indexes(fixed, sql, index):
    found = plan(fixed, sql)
    assert f"COVERING INDEX {index}" in found
    assert "TEMP B-TREE FOR GROUP BY" not in found
