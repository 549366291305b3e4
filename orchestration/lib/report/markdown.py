"""The report as Markdown (care_plan_audit_<period>.md): the same text as the HTML page (the
key messages, the what-changed table, the findings), each chart given as the table of its
numbers, for editing, diffing and pasting into other documents."""

import re

from orchestration.lib.report.document import (
    Block,
    Bullets,
    ChangeTable,
    Figure,
    FigureGrid,
    Paragraph,
    Question,
    Report,
    Table,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def escape(text: str) -> str:
    """Sentences are plain text: Markdown's special characters are printed as they are."""
    return _SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    return escape(text).replace("|", "\\|")


def table(table: Table) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(h) for h in table.header) + " |",
        "|" + "|".join("---:" if n else ":---" for n in table.numeric) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    if table.notes:
        lines += ["", *(f"_{escape(note)}_" for note in table.notes)]
    return lines


def figure(figure: Figure) -> list[str]:
    return [f"**Figure {figure.number}. {escape(figure.title)}**", "", *table(figure.table)]


def _block(block: Block, level: int) -> list[str]:
    if isinstance(block, Paragraph):
        return [escape(block.text)]
    if isinstance(block, Question):
        return [f"{'#' * (level + 1)} {escape(block.text)}"]
    if isinstance(block, Bullets):
        return [f"- {escape(item)}" for item in block.items]
    if isinstance(block, Figure):
        return figure(block)
    if isinstance(block, ChangeTable):
        return [escape(block.intro), "", *table(block.table)]
    if isinstance(block, FigureGrid):
        lines = [escape(block.intro)]
        for item in block.figures:
            lines += ["", *figure(item)]
        return lines
    if block.markdown:
        return [block.markdown]
    return [f"_{escape(block.notice)}_"] if block.notice else []


def render_markdown(
    report: Report, until: str | None = None, provenance: list[str] | None = None
) -> str:
    """The whole report, ending with how it was produced (provenance); with `until` (a
    section key), only the sections before it (the Dagster UI's preview)."""
    cover = report.cover
    lines = [f"# {escape(report.title)}", "", f"**{escape(cover.service)}**"]
    for line in (cover.authors, cover.date):
        if line:
            lines += ["", escape(line)]
    for section in report.sections:
        if section.key == until:
            break
        lines += ["", f"## {escape(section.heading)}"]
        for block in section.blocks:
            rendered = _block(block, level=2)
            if rendered:
                lines += ["", *rendered]
    if provenance and until is None:
        lines += ["", "---", "", *(f"_{escape(line)}_  " for line in provenance)]
    return "\n".join(lines) + "\n"
