"""Coding progress per document, and noticing another connection's writes."""

from __future__ import annotations

from coder.activity import Progress, coding_progress, data_version
from coder.coding import apply_coding
from coder.reading import document_segments
from coder.store import open_project

DOC = "pe-01-farahani"


def test_progress_counts_sentences_a_coder_has_coded(demo_path):
    with open_project(demo_path, actor="ana") as project:
        s = [(x.start, x.end) for x in document_segments(project, DOC, ("sentence",))]
        # Two sentences in one coding, a part of a third, and bo's on a fourth.
        apply_coding(project, DOC, s[1][0], s[2][1], "trust")
        apply_coding(project, DOC, s[5][0], s[5][0] + 3, "trust")
        apply_coding(project, DOC, *s[9], "trust", coder="bo")
        ana = coding_progress(project, "ana")
        assert ana[DOC] == Progress(3, len(s))
        assert coding_progress(project, "bo")[DOC].coded == 1
        assert coding_progress(project)[DOC].coded == 4
        assert coding_progress(project, "nobody")[DOC].coded == 0
        assert ana["og-01-karimi"].coded == 0 and ana["og-01-karimi"].share == 0.0
        assert round(ana[DOC].share, 4) == round(3 / len(s), 4)


def test_data_version_changes_when_another_connection_writes(demo_path):
    with (
        open_project(demo_path, actor="ana") as mine,
        open_project(demo_path, actor="bo") as other,
    ):
        before = data_version(mine)
        apply_coding(mine, DOC, 0, 10, "trust")
        assert data_version(mine) == before  # our own writes do not count
        apply_coding(other, DOC, 0, 10, "trust")
        assert data_version(mine) != before
