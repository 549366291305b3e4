"""The HTML page is self-contained and accessible: nothing to load, every chart an SVG with
its text alternative beside the table of its numbers, ids unique across the page; the team's
Markdown can neither inject markup nor make the page fetch anything."""

import re
from html.parser import HTMLParser

from orchestration.report.commentary import Commentary
from orchestration.report.document import build_report
from orchestration.report.html import render_html
from orchestration.report.markdown import escape, render_markdown
from tests.report.builders import NO_COMMENTARY, PRODUCED_ON, report_data, value
from tests.report.test_document import CHILD, OUTLINE, PARENTS, THIS_YEAR

DATA_VERSION = "0d3c2b1a-run-that-built-the-warehouse"
HISTORY = [*THIS_YEAR, value(CHILD, "2022", 166, 200), value(PARENTS, "2022", 128, 200)]


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def page(commentary: Commentary = NO_COMMENTARY) -> str:
    report = build_report(report_data(OUTLINE, HISTORY), commentary, "half_up", PRODUCED_ON)
    return render_html(report, DATA_VERSION)


def test_the_page_carries_the_data_version_of_its_release():
    tags = [attrs for tag, attrs in elements(page()) if tag == "meta"]
    assert {"name": "careaudit-data-version", "content": DATA_VERSION} in tags


def test_the_page_loads_nothing_from_anywhere():
    html = page()
    assert "default-src 'none'" in html  # the browser refuses any fetch
    found = elements(html)
    assert not [a for tag, a in found if tag in ("script", "link", "iframe", "img", "object")]
    assert not [a for _, a in found if a.get("src")]
    assert not re.search(r"""url\((?!#)""", html)  # CSS and SVG refer only to the page itself


def test_every_chart_is_an_svg_with_its_text_alternative_beside_its_table():
    html = page()
    found = elements(html)
    figures = [a["id"] for tag, a in found if tag == "figure"]
    assert figures == ["figure-1", "figure-2", "figure-3"]  # section chart + 2 trends
    svgs = [a for tag, a in found if tag == "svg"]
    assert len(svgs) == len(figures) == html.count("<table>")
    for figure_id, svg in zip(figures, svgs, strict=True):
        assert svg["role"] == "img"
        assert svg["aria-labelledby"] == f"{figure_id}-title {figure_id}-desc"
        assert f'<desc id="{figure_id}-desc">' in html
    ids = [a["id"] for _, a in found if a.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique across the page"
    assert "Line chart: Child feels life improved, by year: 2022 83%; 2023 87%" in html


def test_the_team_markdown_cannot_inject_markup_or_fetch_images():
    commentary = Commentary(
        path=NO_COMMENTARY.path,
        sections={
            "impact": "<script>alert(1)</script> **Bold** ![x](https://example.org/x.png) "
            "[link](https://example.org)"
        },
    )
    html = page(commentary)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>Bold</strong>" in html
    assert "example.org/x.png" not in [a.get("src") for _, a in elements(html)]
    assert '<a href="https://example.org">link</a>' in html


def test_markdown_prints_sentences_as_plain_text():
    assert escape("5 * 3 = 15_000 [sic] <b>") == r"5 \* 3 = 15\_000 \[sic\] \<b\>"
    report = build_report(report_data(OUTLINE, HISTORY), NO_COMMENTARY, "half_up", PRODUCED_ON)
    text = render_markdown(report)
    assert "| Child feels life improved | 209 | 240 | 87% |" in text
    assert render_markdown(report, until="trends").count("**Figure") == 1
