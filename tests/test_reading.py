"""coder.reading gives the documents back without importing the segmenter."""

from __future__ import annotations

import subprocess
import sys


def test_does_not_import_spacy():
    code = "import sys, coder.reading, coder.tui.app; print('spacy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
