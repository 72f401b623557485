"""`coder help`: the user guide's topics listed, and a page shown in the terminal."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from coder.bundled import bundled_dir
from coder.cli.help import guide_topics

DOCS = Path(__file__).parents[2] / "docs"


def index_order() -> list[str]:
    """The page names in docs/README.md, as its numbered list orders them."""
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\d+\. \[[^\]]+\]\(([\w-]+)\.md\)", text, re.MULTILINE)


def test_the_index_lists_every_page_once():
    pages = sorted(p.stem for p in DOCS.glob("*.md") if p.name != "README.md")
    assert sorted(index_order()) == pages


def test_every_topic_has_a_summary():
    assert all(topic.summary for topic in guide_topics(DOCS))


def test_help_lists_the_topics_in_reading_order(coder):
    result = coder("help")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == index_order()
    first = result.stdout.splitlines()[1]
    assert first.startswith("projects  ") and "CODER_PROJECT" in first
    assert "coder help TOPIC" in result.stderr


def test_help_shows_a_page_formatted(coder):
    result = coder("help", "importing")
    assert result.exit_code == 0
    assert "Importing transcripts" in result.stdout
    assert "--replace" in result.stdout
    assert "```" not in result.stdout and "# Importing" not in result.stdout


def test_raw_prints_the_markdown_source(coder):
    result = coder("help", "keys", "--raw")
    assert result.exit_code == 0
    assert result.stdout == (DOCS / "keys.md").read_text(encoding="utf-8")


def test_the_start_of_a_name_is_enough(coder):
    result = coder("help", "refi")
    assert result.exit_code == 0
    assert "REFI-QDA project exchange" in result.stdout


@pytest.mark.parametrize(
    "topic,message",
    [
        (
            "co",
            "coder: error: help topic 'co' is ambiguous: codebooks, coding,"
            " command-line\n",
        ),
        ("nosuch", "coder: error: no help topic 'nosuch'; the topics are: tutorial,"),
    ],
)
def test_an_unknown_topic_names_the_topics(coder, topic, message):
    result = coder("help", topic)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)


def test_topics_as_json(coder):
    import json

    result = coder("help", "--json")
    assert result.exit_code == 0
    topics = json.loads(result.stdout)
    assert [t["topic"] for t in topics] == index_order()
    assert topics[1] == {
        "topic": "projects",
        "title": "Projects",
        "summary": next(t.summary for t in guide_topics(DOCS) if t.name == "projects"),
    }


def test_the_guide_ships_in_the_wheel():
    config = tomllib.loads((DOCS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["docs"] == "coder/_bundled/docs"
    # In a checkout (or an editable install) the same pages are found at the top.
    assert bundled_dir("docs").resolve() == DOCS.resolve()


def test_listing_the_topics_does_not_load_the_markdown_renderer():
    script = (
        "import sys\n"
        "from coder.cli import cli\n"
        "cli(['help'], prog_name='coder', standalone_mode=False)\n"
        "print('rich.markdown' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "False"
