"""An authority's "How we compare" as a reader sees it (headless Chromium, network off), on the
generated hub: a sentence and a funnel plot per section's key measure, the authority
highlighted and named, the others unnamed (CAREAUDIT_HUB_NAME_AUTHORITIES is off). A
screenshot of the section is kept in test-artifacts/ for a person to look at."""

import re
from pathlib import Path

import pytest

from orchestration.lib.authorities import read_register
from tests.e2e.dagster_ui import ARTIFACTS, capture, chromium, open_offline

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# "Child feels life improved: 87%, above the region's 81%, within the expected range."
SENTENCE = re.compile(
    r"^[^:]+: \d+%, (above|below|the same as) the region's \d+%, "
    r"((well )?(above|below) the expected range \(outside the (95|99\.8)% limits\)"
    r"|within the expected range)\.$"
)

SECTION = """
const section = document.getElementById('how-we-compare');
section.scrollIntoView();
const box = section.getBoundingClientRect();
return {
  text: section.innerText,
  top: box.top + window.scrollY, height: box.height, width: box.width,
  figures: [...section.querySelectorAll('figure svg')].map(svg => ({
    title: svg.querySelector('title').textContent,
    desc: svg.querySelector('desc').textContent,
    text: [...svg.querySelectorAll('text')].map(t => t.textContent).join(' '),
    highlighted: [...svg.querySelectorAll('path, use')].filter(p =>
      (p.getAttribute('style') || '').toLowerCase().includes('#1d4f91')).length,
  })),
};
"""


def _capture(html: Path, tmp_path: Path, name: str) -> dict:
    with chromium(tmp_path) as driver:
        open_offline(driver, html)
        section = driver.execute_script(SECTION)
        png = capture(driver, section["top"], 1600, min(section["height"], 2400))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(png)
    return section


def test_how_we_compare_names_the_authority_and_no_other(hub_run, hub_landing, tmp_path):
    register = read_register()
    first, *others = sorted(p.name for p in hub_landing.iterdir() if p.is_dir())
    name = register[first].la_name
    html = hub_run / "publish" / "authorities" / first / "report" / "care_plan_audit_2025.html"

    section = _capture(html, tmp_path, "hub_how_we_compare")

    assert "How we compare" in section["text"]
    sentences = [line for line in section["text"].splitlines() if SENTENCE.match(line)]
    assert len(sentences) >= 5
    assert len(section["figures"]) == len(sentences)
    for figure in section["figures"]:
        assert name in figure["title"] and name in figure["text"]
        assert "2 other authorities of the region" in figure["desc"]
        assert figure["highlighted"] >= 1  # the authority's own point, in the report's blue
        for other in others:
            assert register[other].la_name not in figure["text"] + figure["desc"]
    for other in others:
        assert register[other].la_name not in section["text"]
