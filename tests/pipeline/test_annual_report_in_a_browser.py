"""The HTML report as a reader opens it: headless Chromium (Debian's), with the network
switched off, draws every chart and loads nothing; printed to A4 it paginates. A full-page
screenshot and the PDF are kept in test-artifacts/ for a person to look at."""

import base64
import re

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.dagster_ui import ARTIFACTS, chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

A4_POINTS = (595.28, 841.89)

FIGURES = """
return [...document.querySelectorAll('figure')].map(figure => {
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const drawn = svg ? [...svg.querySelectorAll('path')].filter(p => {
    const style = (p.getAttribute('style') || '').toLowerCase();
    const b = p.getBBox();
    return style.includes('#1d4f91') && b.width * b.height > 0;  // bars, lines, markers
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


@pytest.fixture(scope="module")
def page(sample_run, tmp_path_factory):
    data_dir, _ = sample_run
    html = data_dir / "publish" / "report" / "care_plan_audit_2022.html"
    markdown = html.with_suffix(".md").read_text(encoding="utf-8")
    with chromium(tmp_path_factory.mktemp("report_browser")) as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
        )
        driver.get(html.as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        figures = driver.execute_script(FIGURES)
        requests = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        text = driver.execute_script("return document.body.innerText")
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
        )
        pdf = driver.execute_cdp_cmd(
            "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
        )
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "annual_report_2022.png"
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    printed = ARTIFACTS / "annual_report_2022.pdf"
    printed.write_bytes(base64.b64decode(pdf["data"]))
    return {
        "figures": figures,
        "requests": requests,
        "text": text,
        "markdown": markdown,
        "screenshot": screenshot,
        "pdf": printed.read_bytes(),
    }


def test_the_page_loads_nothing_with_the_network_off(page):
    assert page["requests"] == []
    assert "209 (87%) children feel their life has improved" in page["text"]


def test_every_chart_drew_with_its_text_alternative_and_table(page):
    figures = page["figures"]
    assert len(figures) == page["markdown"].count("**Figure ")  # one per table in the .md
    assert len(figures) > 30  # the age chart, seven section charts, the trends
    for figure in figures:
        assert figure["width"] > 150 and figure["height"] > 80, figure
        assert figure["drawn"] >= 1, figure  # a bar, line or marker in the chart's colour
        assert figure["title"] and figure["desc"], figure
        assert figure["rows"] >= 2, figure
    [age] = [f for f in figures if f["title"] == "What is the age of the child?"]
    assert age["drawn"] == 5  # one bar per age band
    assert age["desc"].startswith("Bar chart: audits by age band, 2022: Under 1 18 (7%)")


def test_the_screenshot_is_the_whole_page(page):
    png = page["screenshot"].read_bytes()
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 1000 and height > 5000  # the full length of the report, not one screen


def test_it_prints_on_a4_pages(page):
    pdf = page["pdf"]
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) >= 10  # cover and contents, a page per section, the trend appendix
    for width, height in boxes:
        assert abs(float(width) - A4_POINTS[0]) < 1.5 and abs(float(height) - A4_POINTS[1]) < 1.5
