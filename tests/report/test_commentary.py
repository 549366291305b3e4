"""The team's commentary file: one '## ' heading per report section, optional front matter
for the cover (authors, service, date), HTML comments never printed; a clear error naming
the line for anything the report cannot place; a template with every heading when the file
is missing (the bundled sample's example when the sample is reported)."""

from dataclasses import replace
from pathlib import Path

import pytest

from orchestration.lib.report.commentary import (
    CommentaryError,
    ensure_commentary,
    read_commentary,
    template,
)
from orchestration.paths import SAMPLE_COMMENTARY_DIR, SAMPLE_EXTRACTS_DIR
from tests.support import default_settings

HEADINGS = {
    "background": "Background",
    "impact": "Findings: Impact on child's life",
    "recommendations": "Recommendations",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "care_plan_audit_2023.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_text_under_each_heading_belongs_to_that_section(tmp_path):
    path = write(
        tmp_path,
        "---\nauthors: A. Writer and B. Writer\n---\n<!-- instructions\nover lines -->\n\n"
        "## Impact on child\u2019s life\n\nA strong year.\n\n### More\n\nDetail.\n\n"
        "## Recommendations\n\n1. Do this.\n2. Do that.\n\n## Background\n\n",
    )
    commentary = read_commentary(path, HEADINGS)
    assert commentary.authors == "A. Writer and B. Writer"
    assert commentary.sections == {
        "impact": "A strong year.\n\n### More\n\nDetail.",
        "recommendations": "1. Do this.\n2. Do that.",
    }  # an empty section is no commentary; "Findings: " and curly quotes are optional


def test_the_cover_reads_the_front_matter(tmp_path):
    path = write(
        tmp_path,
        "---\nauthors: A. Writer\nservice: Children's Services\ndate: March 2024\n---\n"
        "## Background\n",
    )
    commentary = read_commentary(path, HEADINGS)
    assert (commentary.authors, commentary.service, commentary.date) == (
        "A. Writer",
        "Children's Services",
        "March 2024",
    )


def test_an_empty_section_of_an_earlier_template_is_ignored(tmp_path):
    """Files made from the template before the trend appendix was replaced still read."""
    path = write(tmp_path, "## Background\n\nOurs.\n\n## Appendix: trends\n\n")
    assert read_commentary(path, HEADINGS).sections == {"background": "Ours."}


def test_comments_are_never_printed(tmp_path):
    path = write(tmp_path, "## Recommendations\n\n<!-- e.g.\n1. Social workers to ...\n-->\n")
    assert read_commentary(path, HEADINGS).sections == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## Impact\nok\n\n## Conclusions\nx\n", r"line 4: '## Conclusions' is not a section"),
        ("Some words first.\n## Background\n", r"line 1: text before the first '## ' heading"),
        ("## Background\na\n## Background\nb\n", r"line 3: '## Background' appears twice"),
        ("# Our report\n## Background\n", r"line 1: '# Our report': sections are '## '"),
        (
            "---\nauthor: me\n---\n",
            r"unknown front matter author; the report uses authors, service, date",
        ),
        (
            "## Background\n\n## Appendix: trends\n\nOur view.\n",
            r"line 3: the report no longer has the section '## Appendix: trends'; move its "
            r"text under '## What changed since last year'",
        ),
        ("---\nauthors: me\n## Background\n", r"front matter opened by '---' is never closed"),
    ],
)
def test_what_cannot_be_placed_is_refused_with_the_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CommentaryError, match=message) as raised:
        read_commentary(path, HEADINGS)
    assert str(path) in str(raised.value)


def test_a_heading_inside_a_code_block_is_text(tmp_path):
    path = write(tmp_path, "## Background\n```\n## not a heading\n```\n")
    assert "## not a heading" in read_commentary(path, HEADINGS).sections["background"]


def test_the_template_has_every_heading_and_no_text(tmp_path):
    path = write(tmp_path, template("2023", HEADINGS))
    text = path.read_text()
    for heading in HEADINGS.values():
        assert f"\n## {heading}\n" in text
    for field in ("authors:", "service:", "date:"):
        assert f"\n{field}\n" in text
    commentary = read_commentary(path, HEADINGS)
    assert (commentary.authors, commentary.service, commentary.date) == (None, None, None)
    assert commentary.sections == {}


def test_a_missing_file_is_created_from_the_template_and_a_written_one_is_kept(tmp_path):
    settings = default_settings(tmp_path)
    path, created = ensure_commentary(settings, "2023", "2023", HEADINGS)
    assert created and path == tmp_path / "report_commentary" / "care_plan_audit_2023.md"
    assert path.read_text() == template("2023", HEADINGS)
    path.write_text("## Background\n\nOurs.\n")
    assert ensure_commentary(settings, "2023", "2023", HEADINGS) == (path, False)
    assert path.read_text() == "## Background\n\nOurs.\n"


def test_the_bundled_sample_starts_from_its_example_commentary(tmp_path):
    settings = default_settings(tmp_path)
    sample = replace(
        settings, landing_dir=SAMPLE_EXTRACTS_DIR, report_commentary_dir=tmp_path / "c"
    )
    path, created = ensure_commentary(sample, "2022", "2022", HEADINGS)
    assert created
    assert path.read_bytes() == (SAMPLE_COMMENTARY_DIR / "care_plan_audit_2022.md").read_bytes()
    # Another landing folder (the team's own exports) starts from the empty template.
    own, _ = ensure_commentary(settings, "2022", "2022", HEADINGS)
    assert own.read_text() == template("2022", HEADINGS)
