"""The team's commentary and recommendations for a year's report: a Markdown file they write,
never text the pipeline makes up.

`<commentary dir>/care_plan_audit_<period>.md` (CAREAUDIT_REPORT_COMMENTARY_DIR, by default
`$CAREAUDIT_DATA_DIR/report_commentary/`) has one `## ` heading per report section (as the
report prints it, "Findings: " optional); the text under a heading is printed in that section
after its figures. Optional front matter (`authors: ...` between `---` lines) fills the cover.
HTML comments are instructions to the writer and are never printed.

When the file is missing it is created: from the bundled example when the landing folder is
the bundled sample (the 2022 sample ships the recommendations of the 2022 report), otherwise
as a template with every heading and no text, so the report says what is still to be written.
"""

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.settings import Settings

FRONT_MATTER_KEYS = ("authors", "service", "date")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^[ ]{0,3}(```|~~~)")
# Sections earlier reports had, which a team's file made from their template still heads:
# left empty they are ignored; text under one is refused, saying where it belongs now.
RETIRED = {"appendix: trends": "What changed since last year"}


class CommentaryError(ValueError):
    """A commentary file the report cannot use, with the file, line and what to change."""


@dataclass(frozen=True)
class Commentary:
    path: Path
    authors: str | None = None
    sections: dict[str, str] = field(default_factory=dict)  # section key -> Markdown
    service: str | None = None  # the cover's service name, instead of the outline's subtitle
    date: str | None = None  # the date of publication, as the cover prints it


def commentary_path(settings: Settings, time_period: str) -> Path:
    return settings.commentary_dir / f"care_plan_audit_{time_period}.md"


def _normalised(heading: str) -> str:
    text = heading.replace("\u2019", "'").replace("\u2018", "'").casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.removeprefix("findings:").strip()


def template(period_label: str, headings: dict[str, str]) -> str:
    """An empty commentary file with every section's heading and how to fill it in."""
    lines = [
        "---",
        "# The cover. authors: who wrote the report (leave empty to show nobody).",
        "# service: the service's name, if not the one careaudit prints.",
        "# date: when the report is published, as the cover shows it (e.g. March 2023).",
        "authors:",
        "service:",
        "date:",
        "---",
        "",
        "<!--",
        f"Commentary for the Annual Care Plan Audit {period_label}, written by the team.",
        "careaudit prints the text under each heading in that section of the report, after",
        "its figures, and never writes commentary or recommendations itself. Keep the",
        "headings as they are; leave a section empty to print no commentary there. Text",
        "between these comment marks is never printed. Markdown works: paragraphs, lists,",
        "**bold**, links, ### subheadings. Under '## Key messages', the team's own summary",
        "opens the report's first page, beside the changes careaudit finds; the list under",
        "'## Recommendations' is printed there too and in its own section. Run the refresh",
        "(or materialise publish/annual_report in the Dagster UI) to see it in the report.",
        "-->",
        "",
    ]
    for key, heading in headings.items():
        lines += [f"## {heading}", ""]
        if key == "recommendations":
            lines += ["<!-- A numbered list, e.g.", "1. Social workers to ...", "-->", ""]
    return "\n".join(lines)


def ensure_commentary(
    settings: Settings, time_period: str, period_label: str, headings: dict[str, str]
) -> tuple[Path, bool]:
    """The commentary file for the period, created when missing; (path, created)."""
    path = commentary_path(settings, time_period)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    examples = settings.example_commentary_dir
    if examples is not None and (examples / path.name).exists():
        shutil.copyfile(examples / path.name, path)
    else:
        path.write_text(template(period_label, headings), encoding="utf-8")
    return path, True


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, object], int]:
    """The YAML between a first line '---' and the next '---', and the line after it."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                values = yaml.safe_load("\n".join(lines[1:number])) or {}
            except yaml.YAMLError as error:
                raise CommentaryError(
                    f"{path}: the front matter is not valid YAML: {error}"
                ) from error
            if not isinstance(values, dict):
                raise CommentaryError(f"{path}: the front matter must be `key: value` lines")
            unknown = sorted(set(values) - set(FRONT_MATTER_KEYS))
            if unknown:
                raise CommentaryError(
                    f"{path}: unknown front matter {', '.join(unknown)}; "
                    f"the report uses {', '.join(FRONT_MATTER_KEYS)}"
                )
            return values, number + 1
    raise CommentaryError(f"{path}, line 1: the front matter opened by '---' is never closed")


def read_commentary(path: Path, headings: dict[str, str]) -> Commentary:
    """Parse a commentary file against the report's sections (key -> printed heading)."""
    text = path.read_text(encoding="utf-8-sig")
    # Comments go, but keep their line breaks so the line numbers of errors stay right.
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.splitlines()
    front, start = _front_matter(path, lines)
    by_heading = {_normalised(h): key for key, h in headings.items()}
    by_heading.update({_normalised(key.replace("_", " ")): key for key in headings})
    sections: dict[str, list[str]] = {}
    current: str | None = None
    fenced = False
    for number, line in enumerate(lines[start:], start=start + 1):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            key = by_heading.get(_normalised(heading.group(2)))
            if key is None and _normalised(heading.group(2)) in RETIRED:
                current = f"retired:{number}"
                sections[current] = []
                continue
            if key is None:
                raise CommentaryError(
                    f"{path}, line {number}: '## {heading.group(2)}' is not a section of "
                    "the report; the sections are: " + "; ".join(headings.values())
                )
            if key in sections:
                raise CommentaryError(
                    f"{path}, line {number}: '## {heading.group(2)}' appears twice"
                )
            current = key
            sections[key] = []
        elif heading and len(heading.group(1)) == 1:
            raise CommentaryError(
                f"{path}, line {number}: '# {heading.group(2)}': sections are '## ' headings "
                "(the report's title comes from the report itself)"
            )
        elif current is None:
            if line.strip():
                raise CommentaryError(
                    f"{path}, line {number}: text before the first '## ' heading; put it "
                    "under the heading of the section it belongs to"
                )
        else:
            sections[current].append(line)
    for key, body in sections.items():
        if key.startswith("retired:") and "".join(body).strip():
            number = int(key.removeprefix("retired:"))
            heading = lines[number - 1].strip()
            raise CommentaryError(
                f"{path}, line {number}: the report no longer has the section '{heading}'; "
                f"move its text under '## {RETIRED[_normalised(heading.lstrip('# '))]}'"
            )
    authors, service, published = (front.get(key) for key in FRONT_MATTER_KEYS)
    return Commentary(
        path=path,
        authors=str(authors).strip() if authors else None,
        service=str(service).strip() if service else None,
        date=str(published).strip() if published else None,
        sections={
            key: "\n".join(body).strip()
            for key, body in sections.items()
            if "".join(body).strip() and not key.startswith("retired:")
        },
    )
