"""Fuzzed files through the command line: exit 0, or exit 1 with `coder: error:` lines and the project unchanged."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coder.cli import cli

from .strategies import any_text_file, fuzz_cli, samples, yaml_documents, zip_edits
from .test_attribute_table import TABLES
from .test_codebooks import CODINGS, MINI, yaml_files
from .test_docx import base_members, part_edit

RUNNER = CliRunner()
ENV = {"CODER_PROJECT": None, "CODER_USER": "tester"}


def run_cli(*args: object):
    # An exception that escapes is a failed test, as is exit status 3.
    return RUNNER.invoke(
        cli, [str(a) for a in args], catch_exceptions=False, prog_name="coder", env=ENV
    )


def state(path: Path) -> tuple[str, list[str]]:
    """The project file's sha256 and any journal left beside it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    journals = sorted(
        p.name
        for p in path.parent.glob(f"{path.name}-*")
        if p.name.endswith(("-wal", "-journal"))
    )
    return digest, journals


def check_cli(template: Path, scratch, name: str, data: bytes, *command: str, lines=1):
    project = scratch("study.db")
    shutil.copyfile(template, project)
    before = state(project)
    file = project.parent / name
    file.write_bytes(data)

    result = run_cli(*command, file, "-p", project)

    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    if result.exit_code == 1:
        stderr = result.stderr.splitlines()
        errors = [line for line in stderr if line.startswith("coder: error: ")]
        assert errors, result.stderr
        assert all(line.startswith(("coder: error: ", "hint: ")) for line in stderr), (
            result.stderr
        )
        if lines == 1:
            assert len(errors) == 1, result.stderr
        assert state(project) == before, "the project changed on an error"


transcripts = st.one_of(
    any_text_file(samples(".txt")).map(lambda data: ("interview.txt", data)),
    any_text_file(samples(".vtt")).map(lambda data: ("meeting.vtt", data)),
    any_text_file(samples(".srt")).map(lambda data: ("film.srt", data)),
    any_text_file(samples(".md")).map(lambda data: ("notes.md", data)),
    yaml_documents("title: A\n").map(
        lambda matter: (
            "front.md",
            f"---\n{matter}\n---\nJane: hi\n".encode("utf-8", "surrogatepass"),
        )
    ),
)


@fuzz_cli()
@given(transcripts)
def test_import_text(small_template, scratch, named):
    name, data = named
    check_cli(small_template, scratch, name, data, "import")


@fuzz_cli()
@given(st.data())
def test_import_docx(small_template, scratch, data):
    packed = data.draw(zip_edits(base_members(), part_edit))
    check_cli(small_template, scratch, "interview.docx", packed, "import")


@fuzz_cli()
@given(yaml_files(MINI))
def test_codebook_load(small_template, scratch, data):
    check_cli(
        small_template, scratch, "codebook.yaml", data, "codebook", "load", lines=None
    )


@fuzz_cli()
@given(yaml_files(CODINGS))
def test_codings_import(demo_template, scratch, data):
    check_cli(
        demo_template, scratch, "codings.yaml", data, "codings", "import", lines=None
    )


@fuzz_cli()
@given(any_text_file(TABLES))
def test_attributes_import(small_template, scratch, data):
    check_cli(small_template, scratch, "attributes.csv", data, "attributes", "import")
