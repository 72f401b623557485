"""Project files as each earlier schema version holds them, for the migration tests.

``schema-K.db.gz`` is a coder project at schema version K (``PRAGMA
user_version = K``): a new SQLite file given only the first K migrations of
`coder.store.migrations.MIGRATIONS`, then filled with the rows of a small but
complete study for every table that version has. tests/store/test_migration_fixtures.py
opens a copy of each, migrates it to the current version and checks that no
row is lost.

The study is made with today's coder, through its command line and services,
so the rows are the ones coder writes: the three transcripts of ``small/``
with their document and case attributes, a four-code codebook loaded twice
(a rename in between), codings by two coders (ana and ben) with a coding
memo, memos on the project, a document, a sentence, a code, a case and a
framework cell, rule and learned suggestions (one accepted, one rejected, one
left pending), ana's learned model, and a disagreement resolved into the
consensus. Each version's file takes the columns it shares with the study's
tables, in row order. Files are written without a WAL, vacuumed and gzipped
(an SQLite file is mostly empty pages).

Run from the repository root, after adding a migration (when the current
version becomes N, the tests need schema-(N-1)):

    python tests/data/projects/make_fixtures.py        # the missing ones
    python tests/data/projects/make_fixtures.py 7      # just schema 7
    python tests/data/projects/make_fixtures.py --all  # every one, again

A fixture stands for files people have on disk: rebuild an existing one only
with a reason (the code at hand rebuilds old versions from the migrations as
they are now, which are never edited once released).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMALL = HERE / "small"
sys.path.insert(0, str(HERE.parents[2]))  # run from a checkout without installing

from click.testing import CliRunner  # noqa: E402
from sqlite_utils import Database  # noqa: E402

from coder.cli import cli  # noqa: E402
from coder.memos import set_memo  # noqa: E402
from coder.store import open_project  # noqa: E402
from coder.store.migrations import (  # noqa: E402
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
)

CODEBOOK = """\
name: Cluster benefits
version: "{version}"
description: What small firms say they gained from an export cluster.
language: en
codes:
  - id: benefits
    name: Benefits of the cluster
    definition: What members gained from joining.
    children:
      - id: certification
        name: Certification
        definition: Certificates, testing and the shared lab.
        include: Any mention of certificates, testing or the lab.
        examples:
          - text: We needed certification.
        patterns:
          lemmas: [certification, lab]
      - id: contacts
        name: Contacts abroad
        definition: Buyers, fairs and partners in export markets.
        patterns:
          lemmas: [buyer, fair, contact]
          phrases: [contact abroad]
  - id: expectations
    name: {expectations}
    definition: What members hoped for, or feared, before and after joining.
    colour: "#d08770"
    patterns:
      lemmas: [expect, worry]
"""


def fixture_path(version: int) -> Path:
    return HERE / f"schema-{version}.db.gz"


def _coder(*args: object, user: str = "ana") -> str:
    result = CliRunner().invoke(
        cli,
        [str(a) for a in args],
        catch_exceptions=False,
        prog_name="coder",
        env={"CODER_USER": user, "CODER_PROJECT": None, "CODER_SNAPSHOTS": "0"},
    )
    if result.exit_code != 0:
        raise SystemExit(f"coder {' '.join(map(str, args))}: {result.stderr}")
    return result.stdout


def build_study(folder: Path) -> Path:
    """The study at the current schema version, made through coder itself."""
    path = folder / "study.db"
    book = Path("book.yaml")
    p = ("-p", path)
    _coder(
        "import",
        SMALL / "alpha.txt",
        SMALL / "beta.vtt",
        SMALL / "gamma.srt",
        "--create",
        *p,
    )
    _coder("attributes", "import", SMALL / "attributes.csv", *p)
    _coder("attributes", "import", SMALL / "cases.csv", *p)
    book.write_text(CODEBOOK.format(version="1.0", expectations="Expectations"))
    _coder("codebook", "load", book, *p)
    book.write_text(
        CODEBOOK.format(version="1.1", expectations="Expectations and worries")
    )
    _coder("codebook", "load", book, *p)
    # (coder, document, where, code, memo)
    codings = [
        (
            "ana",
            "alpha",
            ("--segment", 3),
            "certification",
            "the first reason she gives",
        ),
        ("ana", "alpha", ("--segment", 7), "certification", None),
        ("ana", "beta", ("--segment", 2), "contacts", None),
        ("ana", "beta", ("--segment", 6), "contacts", None),
        ("ana", "gamma", ("--turn", 2), "expectations", None),
        ("ben", "alpha", ("--segment", 3), "certification", None),
        ("ben", "beta", ("--segment", 3), "contacts", "buyers are contacts too"),
        ("ben", "beta", ("--segment", 6), "contacts", None),
        ("ben", "gamma", ("--segment", 3), "expectations", None),
    ]
    for coder, document, where, code, memo in codings:
        memo_args = ("--memo", memo) if memo else ()
        _coder("code", document, *where, "--code", code, "--coder", coder,
               *memo_args, *p, user=coder)  # fmt: skip
    _coder("suggest", "--coder", "ana", *p)
    pending = json.loads(_coder("suggestions", "list", "--json", *p))
    ids = [str(s["id"]) for s in pending]
    if len(ids) < 3:
        raise SystemExit(f"expected three or more suggestions, got {pending}")
    _coder("suggestions", "accept", ids[0], *p)
    _coder("suggestions", "reject", ids[1], *p)
    disagreements = json.loads(
        _coder("disagreements", "--coders", "ana,ben", "--json", *p)
    )
    first = disagreements[0]["key"]
    _coder("resolve", first, "--coders", "ana,ben", "--take", "ana",
           "--memo", "the lab is certification", *p)  # fmt: skip
    _coder("quotes", "--code", "certification", "--case", "North Cluster",
           "--summary", "Certification is why members joined.", *p)  # fmt: skip
    with open_project(path, actor="ana") as project:
        sentence = project.db.execute(
            "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id"
            " WHERE d.name = 'gamma' AND s.kind = 'sentence' ORDER BY s.start LIMIT 1"
        ).fetchone()[0]
        set_memo(project, "project", None, "Pilot of three interviews, May 2024.")
        set_memo(project, "document", "alpha", "Recorded at the cluster office.")
        set_memo(project, "segment", sentence, "Asked before the recorder was on.")
        set_memo(project, "code", "contacts", "Split into buyers and fairs?", "ben")
        set_memo(project, "case", "South Cluster", "Funded by the ministry.")
        project.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _tables(conn: sqlite3.Connection, schema: str) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ]


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def write_version(study: Path, version: int, target: Path) -> dict[str, int]:
    """schema-`version`.db.gz from the study's rows; returns the rows per table."""
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / f"schema-{version}.db"
        conn = sqlite3.connect(raw, isolation_level=None)
        db = Database(conn)
        # One by one, as each coder release applied them (a migration may
        # run executescript, which commits by itself).
        for _name, migration in MIGRATIONS[:version]:
            migration(db)
        db.execute(f"PRAGMA user_version = {version}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("ATTACH DATABASE ? AS study", [str(study)])
        counts = {}
        with db.atomic():
            for table in _tables(conn, "main"):
                have = set(_columns(conn, "study", table))
                columns = ", ".join(
                    f'"{c}"' for c in _columns(conn, "main", table) if c in have
                )
                conn.execute(
                    f'INSERT INTO main."{table}" ({columns})'
                    f' SELECT {columns} FROM study."{table}" ORDER BY rowid'
                )
                counts[table] = conn.execute(
                    f'SELECT count(*) FROM main."{table}"'
                ).fetchone()[0]
        conn.execute("DETACH DATABASE study")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"schema {version}: foreign keys broken: {problems}")
        conn.execute("VACUUM")
        conn.close()
        # mtime 0: the same bytes give the same .gz.
        with (
            raw.open("rb") as source,
            target.open("wb") as sink,
            gzip.GzipFile(fileobj=sink, mode="wb", mtime=0) as packed,
        ):
            shutil.copyfileobj(source, packed)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", type=int, help="versions to write")
    parser.add_argument("--all", action="store_true", help="rewrite every version")
    args = parser.parse_args(argv)
    earlier = range(1, SCHEMA_VERSION)
    if args.all:
        versions = list(earlier)
    elif args.versions:
        versions = args.versions
    else:
        versions = [v for v in earlier if not fixture_path(v).exists()]
    wrong = [v for v in versions if v not in earlier]
    if wrong:
        raise SystemExit(
            f"versions {wrong}: only 1 to {SCHEMA_VERSION - 1} are earlier"
        )
    if not versions:
        print(f"every earlier schema (1 to {SCHEMA_VERSION - 1}) has its fixture")
        return
    os.environ.pop("CODER_PROJECT", None)
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        # From inside the folder, the codebook's recorded source is book.yaml.
        study = build_study(Path(folder))
        for version in versions:
            counts = write_version(study, version, fixture_path(version))
            rows = ", ".join(f"{t} {n}" for t, n in counts.items() if n)
            print(f"{fixture_path(version).name}: {rows}")


if __name__ == "__main__":
    main()
