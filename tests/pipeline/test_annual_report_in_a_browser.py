"""The HTML report as a reader opens and prints it: headless Chromium (Debian's), with the
network switched off, draws every chart and loads nothing; printed to A4 (the sample's 2022
report, truncate rounding) it takes at most 14 pages, the key messages open page 2, no page
after the cover is a few spilled lines, the contents give the page each section starts on,
and no two labels of a chart meet at A4 width. A full-page screenshot, the PDF and a PNG of
every printed page are kept in test-artifacts/ for a person to look at."""

import base64
import re

import pypdfium2 as pdfium
import pytest

from tests.e2e.dagster_ui import ARTIFACTS, capture, chromium, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.browser]

A4_POINTS = (595.28, 841.89)
A4_TEXT_WIDTH_PX = 680  # 210 mm less 2 x 15 mm margins, in CSS pixels
MAX_PAGES = 14
MIN_LINES = 10  # a page after the cover holds at least this many lines, unless a section ends

FIGURES = """
const colours = ['#1d4f91', '#b35900', '#8a8f94'];
return [...document.querySelectorAll('figure')].map(figure => {
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const drawn = svg ? [...svg.querySelectorAll('path')].filter(p => {
    const style = (p.getAttribute('style') || '').toLowerCase();
    const b = p.getBBox();
    return colours.some(c => style.includes(c)) && b.width * b.height > 0;  // bars, lines
  }).length : 0;
  return {
    id: figure.id,
    width: box.width,
    height: box.height,
    drawn: drawn,
    title: svg && svg.querySelector('title') ? svg.querySelector('title').textContent : '',
    desc: svg && svg.querySelector('desc') ? svg.querySelector('desc').textContent : '',
    rows: figure.querySelectorAll('tbody tr').length,
  };
});
"""

# Every piece of text in each chart, as drawn: the boxes of any two must not meet.
LABELS = """
return [...document.querySelectorAll('figure svg')].map(svg => ({
  id: svg.closest('figure').id,
  boxes: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const b = t.getBoundingClientRect();
    return {text: t.textContent, left: b.left, right: b.right, top: b.top, bottom: b.bottom};
  }),
}));
"""

CONTENTS = """
return [...document.querySelectorAll('nav.contents li')].map(li => ({
  heading: li.querySelector('.entry').textContent,
  page: Number(li.querySelector('.page-number').textContent),
}));
"""


@pytest.fixture(scope="module")
def page(sample_run, tmp_path_factory):
    data_dir, _ = sample_run
    html = data_dir / "publish" / "report" / "care_plan_audit_2022.html"
    markdown = html.with_suffix(".md").read_text(encoding="utf-8")
    with chromium(tmp_path_factory.mktemp("report_browser")) as driver:
        open_offline(driver, html)
        figures = driver.execute_script(FIGURES)
        requests = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        text = driver.execute_script("return document.body.innerText")
        contents = driver.execute_script(CONTENTS)
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        png = capture(driver, 0, size["width"], size["height"])
        pdf = driver.execute_cdp_cmd(
            "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
        )
        # The charts as printed: the page's text column at A4 width.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": A4_TEXT_WIDTH_PX, "height": 1100, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        labels = driver.execute_script(LABELS)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "annual_report_2022.png"
    screenshot.write_bytes(png)
    printed = ARTIFACTS / "annual_report_2022.pdf"
    printed.write_bytes(base64.b64decode(pdf["data"]))
    document = pdfium.PdfDocument(str(printed))
    pages = []
    for number, pdf_page in enumerate(document, start=1):
        pages.append(pdf_page.get_textpage().get_text_range().replace("\r\n", "\n"))
        image = ARTIFACTS / f"annual_report_2022_page_{number:02d}.png"
        pdf_page.render(scale=1.5).to_pil().save(image)
    return {
        "figures": figures,
        "requests": requests,
        "text": text,
        "markdown": markdown,
        "screenshot": screenshot,
        "pdf": printed.read_bytes(),
        "pages": pages,
        "contents": contents,
        "labels": labels,
    }


def body_lines(page_text: str) -> list[str]:
    """A printed page's lines, without the running title and page number."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    return [line for line in lines if not re.fullmatch(r".*Page \d+ of \d+", line)]


def test_the_page_loads_nothing_with_the_network_off(page):
    assert page["requests"] == []
    assert "209 (87%) children feel their life has improved" in page["text"]


def test_every_chart_drew_with_its_text_alternative_and_table(page):
    figures = page["figures"]
    assert len(figures) == page["markdown"].count("**Figure ")  # one per table in the .md
    # the age of the child, six section charts (the review's one finding has none), the
    # aspects of equality and the one measure with three years on record (no two-point
    # trend charts)
    assert len(figures) == 9
    for figure in figures:
        assert figure["width"] > 150 and figure["height"] > 80, figure
        assert figure["drawn"] >= 1, figure  # a bar or line in a chart colour
        assert figure["title"] and figure["desc"], figure
        assert figure["rows"] >= 2, figure  # the table of its numbers, on request
    [age] = [f for f in figures if f["title"] == "What is the age of the child?"]
    assert age["drawn"] == 5  # one bar per age band
    assert age["desc"].startswith("Bar chart: audits by age band, 2022: Under 1 18 (7%)")
    [trend] = [f for f in figures if f["desc"].startswith("Line chart")]
    assert trend["title"] == "Care plan reflects the child's needs"


def test_no_two_labels_of_a_chart_meet_at_a4_width(page):
    for chart in page["labels"]:
        boxes = chart["boxes"]
        assert len(boxes) >= 4, chart["id"]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a["right"] <= b["left"] + 0.5
                    or b["right"] <= a["left"] + 0.5
                    or a["bottom"] <= b["top"] + 0.5
                    or b["bottom"] <= a["top"] + 0.5
                )
                assert apart, (chart["id"], a["text"], b["text"])


def test_the_screenshot_is_the_whole_page(page):
    png = page["screenshot"].read_bytes()
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 1000 and height > 5000  # the full length of the report, not one screen


def test_it_prints_on_at_most_fourteen_a4_pages(page):
    pdf = page["pdf"]
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) == len(page["pages"]) <= MAX_PAGES
    for width, height in boxes:
        assert abs(float(width) - A4_POINTS[0]) < 1.5 and abs(float(height) - A4_POINTS[1]) < 1.5
    for number, text in enumerate(page["pages"], start=1):
        assert f"Annual Care Plan Audit 2022 Page {number} of {len(boxes)}" in text.replace(
            "\n", " "
        )  # the running title and the page number on every page
    assert (ARTIFACTS / f"annual_report_2022_page_{len(boxes):02d}.png").exists()


def test_key_messages_open_page_two_and_hold_the_changes_on_one_page(page):
    cover, key = page["pages"][0], page["pages"][1]
    assert body_lines(key)[0] == "Key messages"
    assert "Contents" in cover and "Key messages" in cover
    assert "Significant changes since the previous year" in key
    assert "What changed since last year" in body_lines(page["pages"][2])[0]


def test_no_page_after_the_cover_is_a_few_spilled_lines(page):
    """A page holds at least MIN_LINES lines unless a section ends on it (the next page
    opens with a section, or it is the last)."""
    headings = [entry["heading"] for entry in page["contents"]]
    pages = page["pages"]
    for number, text in enumerate(pages[1:], start=2):
        lines = body_lines(text)
        following = body_lines(pages[number]) if number < len(pages) else []
        ends_a_section = not following or following[0] in headings
        assert len(lines) >= MIN_LINES or ends_a_section, (number, lines)


def test_the_contents_give_the_page_each_section_starts_on(page):
    pages = page["pages"]
    assert len(page["contents"]) >= 12
    for entry in page["contents"]:
        on_page = body_lines(pages[entry["page"] - 1])
        assert entry["heading"] in on_page, entry
        earlier = [body_lines(p) for p in pages[1 : entry["page"] - 1]]
        assert not [lines for lines in earlier if entry["heading"] in lines], entry
