"""The HTML page (Jinja2 templates, autoescaped) is self-contained and accessible: nothing to
load, every chart an SVG with its text alternative and the table of its numbers (shown on
request, not printed a second time), ids unique across the page; the team's Markdown can
neither inject markup nor make the page fetch anything; the cover comes from the team's front
matter and the provenance (run, data version) closes the report."""

import re
from html.parser import HTMLParser

from orchestration.lib.report.commentary import Commentary
from orchestration.lib.report.document import build_report
from orchestration.lib.report.html import render_html
from orchestration.lib.report.markdown import escape, render_markdown
from tests.report.builders import NO_COMMENTARY, PRODUCED_ON, report_data, row, value
from tests.report.test_document import CHILD, OUTLINE, PARENTS, THIS_YEAR

DATA_VERSION = "0d3c2b1a-run-that-built-the-warehouse"
HISTORY = [
    *THIS_YEAR,
    value(CHILD, "2022", 166, 200),
    value(CHILD, "2021", 160, 200),
    value(PARENTS, "2022", 128, 200),
]
RUN_ID = "4f1c9a2e-run"


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


def page(commentary: Commentary = NO_COMMENTARY, outline=OUTLINE) -> str:
    report = build_report(report_data(outline, HISTORY), commentary, "half_up", PRODUCED_ON)
    return render_html(report, DATA_VERSION, RUN_ID)


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
    assert figures == ["figure-1", "figure-2"]  # the section chart, the three-year trend
    svgs = [a for tag, a in found if tag == "svg"]
    assert len(svgs) == len(figures) == html.count('<details class="figure-data">')
    assert html.count("<table>") == len(figures)
    for figure_id, svg in zip(figures, svgs, strict=True):
        assert svg["role"] == "img"
        assert svg["aria-labelledby"] == f"{figure_id}-title {figure_id}-desc"
        assert f'<desc id="{figure_id}-desc">' in html
    ids = [a["id"] for _, a in found if a.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique across the page"
    assert "Line chart: Child feels life improved, by year: 2021 80%; 2022 83%; 2023 87%" in html


def test_the_cover_comes_from_the_front_matter_and_the_provenance_closes_the_report():
    commentary = Commentary(
        path=NO_COMMENTARY.path,
        authors="A. Writer <IRO manager>",
        service="Children's Services: IRS",
        date="March 2024",
    )
    html = page(commentary)
    cover = html.split('<header class="cover">')[1].split("</header>")[0]
    assert '<p class="kicker">Children&#39;s Services: IRS</p>' in cover
    assert '<p class="authors">A. Writer &lt;IRO manager&gt;</p>' in cover
    assert '<p class="date">March 2024</p>' in cover
    assert "careaudit" not in cover  # provenance is where an auditor looks: at the end
    back = html.split('<footer class="provenance"')[1]
    assert "Produced by careaudit on 15 January 2024" in back
    assert f"Data version {DATA_VERSION}; made by run {RUN_ID}." in back


def test_text_from_the_data_is_escaped_everywhere_even_in_the_running_title():
    hostile = [row(1, "cover", "title", "Audit </style><script>x</script> {period}"), *OUTLINE[1:]]
    html = page(outline=hostile)
    assert "<script>" not in html
    assert "<title>Audit &lt;/style&gt;&lt;script&gt;x&lt;/script&gt; 2023</title>" in html
    assert 'content: "Audit \\3c /style>\\3c script>x\\3c /script> 2023"' in html


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
    assert "| Child feels life improved | 209 | 240 | 87% |  | better |" in text
    assert render_markdown(report, until="what_changed").count("**Figure") == 1
