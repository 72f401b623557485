"""What `coder info` counts."""

from __future__ import annotations

from pathlib import Path

from coder.codebook import read_codebook
from coder.codes import load_codebook
from coder.coding import apply_coding, segment_span
from coder.documents import import_transcripts
from coder.memos import set_memo
from coder.summary import summarize

DATA = Path(__file__).parent / "data" / "codebooks"


def test_memos_on_codings_are_counted_with_the_others(project, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text(
        "Q: Who do you trust?\n\nA: The manager. Not the bank.\n", encoding="utf-8"
    )
    import_transcripts(project, [source])
    load_codebook(project, read_codebook(DATA / "mini.yaml"), source="mini.yaml")
    start, end = segment_span(project, "a", 2)
    with_memo = apply_coding(project, "a", start, end, "trust", memo="clear case")
    apply_coding(project, "a", start, end, "trust", coder="bo")
    set_memo(project, "document", "a", "read again")
    assert summarize(project)["memos"] == 2
    set_memo(project, "coding", with_memo, "")  # a cleared memo is no memo
    assert summarize(project)["memos"] == 1
