"""Fuzz the attribute table reader (``coder attributes import``)."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given

from coder.attribute_table import import_csv
from coder.store import open_project

from .strategies import DATA, any_text_file, fuzz, one_line, outcome

SMALL = DATA / "projects" / "small"
TABLES = [(SMALL / "attributes.csv").read_bytes(), (SMALL / "cases.csv").read_bytes()]


@pytest.fixture(scope="module")
def project(small_template, tmp_path_factory):
    """One project for every example: a successful import may change it, no matter."""
    path = tmp_path_factory.mktemp("fuzz-attributes") / "study.db"
    shutil.copyfile(small_template, path)
    with open_project(path) as opened:
        yield opened


@fuzz()
@given(any_text_file(TABLES))
def test_attribute_tables(project, scratch, data):
    path = scratch("attributes.csv")
    path.write_bytes(data)
    one_line(outcome(lambda: import_csv(project, path), path))
