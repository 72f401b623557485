"""The HTML report and the HTML table page: they parse, hold every table, and stay offline."""

from __future__ import annotations

from html.parser import HTMLParser

import lxml.html

from coder.analysis.framework import set_cell_summary
from coder.analysis.saturation import saturation
from coder.exporters.report import (
    ReportOptions,
    axis_ticks,
    build_report,
    saturation_curve,
)

from .conftest import fixed_module


class Outline(HTMLParser):
    """Section ids, table count, and any reference to the network."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tables = 0
        self.svgs = 0
        self.external: list[str] = []
        self.scripts = 0
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "id" in attrs:
            self.ids.append(attrs["id"])
        self.tables += tag == "table"
        self.svgs += tag == "svg"
        self.scripts += tag == "script"
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if value and not value.startswith("#"):
                self.external.append(value)
        if tag not in ("meta", "br", "line", "rect", "circle", "polyline", "text"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("line", "rect", "circle", "polyline", "text"):
            return
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    assert parser.open == []  # every element closed, in order
    return parser


def test_report_holds_every_section(export_project):
    set_cell_summary(
        export_project,
        "payment_risk",
        f"case:{fixed_module.KAVEH}",
        "Paid late & <rarely> in full.",
    )
    html = build_report(
        export_project,
        ReportOptions(
            order="attr:interview_date",
            bootstrap=0,
            coders=("ana", "ben"),
            count_each=True,
        ),
    )
    found = outline(html)
    assert [i for i in found.ids if not i.startswith("fw-")] == [
        "codebook",
        "theme",
        "framework",
        "cooccurrence",
        "saturation",
        "agreement",
    ]
    assert "fw-payment_risk" in found.ids
    # codebook, theme, framework sections, co-occurrence, pairs, saturation, agreement
    assert found.tables >= 7
    assert found.svgs == 1
    assert found.scripts == 0
    assert found.external == []
    tree = lxml.html.fromstring(html)
    codebook = tree.get_element_by_id("codebook")
    assert [th.text_content() for th in codebook.iter("th")] == [
        "No.", "Code", "Codings", "Documents", "Sentences", "Coverage",
    ]  # fmt: skip
    # payment_risk: 4 codings, 2 documents, 4 sentences
    assert [td.text_content() for td in codebook.xpath(".//tbody/tr[3]/td")][2:] == [
        "4", "2", "4", "0.2%",
    ]  # fmt: skip
    theme = tree.get_element_by_id("theme")
    header = [th.text_content() for th in theme.iter("th")][:3]
    assert header == ["case", "Needs identification", "Export risks"]
    first_row = theme.xpath(".//tbody/tr[1]")[0]
    assert [c.text_content() for c in first_row][:4] == [
        fixed_module.KAVEH,
        "1",
        "1",
        "3",
    ]
    assert "background:#" in first_row.xpath("./td")[2].get("style")
    framework = tree.get_element_by_id("fw-payment_risk")
    text = framework.text_content()
    assert (
        "Paid late & <rarely> in full." in text
    )  # escaped in the file, intact when read
    assert "Paid late &amp; &lt;rarely&gt;" in html
    assert "Today, with the certificates in hand" in text
    assert "og-01-karimi, turn 10, 00:02:09" in text
    agreement = tree.get_element_by_id("agreement")
    assert "Coders: ana, ben." in agreement.text_content()
    assert agreement.xpath(".//table")
    saturation_svg = tree.get_element_by_id("saturation").xpath(
        ".//*[local-name()='svg']"
    )
    assert len(saturation_svg) == 1
    assert "pe-01-farahani" in saturation_svg[0].text_content()
    assert "@media print" in html


def test_report_of_one_coder_explains_the_missing_agreement(demo_path):
    from coder.store import open_project

    with open_project(demo_path, actor="tester") as project:
        fixed_module.apply_fixed(project, fixed_module.FIXED[:3])
        html = build_report(
            project,
            ReportOptions(rows="attr:role", rollup=True),
        )
    found = outline(html)
    assert "agreement" in found.ids
    assert "Only one coder has coded" in html
    tree = lxml.html.fromstring(html)
    rows = tree.get_element_by_id("theme").xpath(".//tbody/tr/th")
    assert [r.text_content() for r in rows] == ["manager", "member"]


def test_cli_report(coder_cli, export_path, tmp_path):
    target = tmp_path / "report.html"
    result = coder_cli(
        "report",
        "--coders",
        "ana,ben",
        "-p",
        export_path,
        "-o",
        target,
        "--bootstrap",
        "0",
        "--title",
        "Pilot",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {target}\n"
    html = target.read_text(encoding="utf-8")
    assert "<title>Pilot</title>" in html
    outline(html)


def test_table_page(coder_cli, export_path):
    result = coder_cli(
        "cooccurrence", "--coder", "ana", "-p", export_path, "--format", "html"
    )
    assert result.exit_code == 0
    found = outline(result.stdout)
    assert found.tables == 1 and found.external == [] and found.scripts == 0
    assert "Co-occurrence" in result.stdout


def test_saturation_curve_geometry(export_project):
    result = saturation(export_project, order="attr:interview_date", coder="ana")
    curve = saturation_curve(result.steps, result.total_codes)
    assert len(curve.bars) == len(curve.dots) == len(curve.labels) == 9
    assert [t["value"] for t in curve.ticks] == [0, 10, 20, 27]
    # The line climbs: y falls as the cumulative count grows.
    ys = [d["y"] for d in curve.dots]
    assert ys == sorted(ys, reverse=True)
    assert axis_ticks(9) == [0, 2, 4, 6, 9]
    assert axis_ticks(0) == [0]
