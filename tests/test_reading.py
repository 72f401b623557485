"""coder.reading gives what coder.documents gives, without importing the segmenter."""

from __future__ import annotations

import subprocess
import sys

from coder import documents, reading
from coder.store import open_project


def test_same_results_as_coder_documents(demo_path):
    with open_project(demo_path) as project:
        assert reading.list_documents(project) == documents.list_documents(project)
        for document in documents.list_documents(project):
            assert reading.get_document(
                project, document.name
            ) == documents.get_document(project, document.name)
            assert reading.document_segments(
                project, document.name
            ) == documents.document_segments(project, document.name)


def test_does_not_import_spacy():
    code = "import sys, coder.reading, coder.tui.app; print('spacy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
