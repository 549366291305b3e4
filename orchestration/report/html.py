"""The report as one self-contained HTML page (care_plan_audit_<period>.html): styles and
charts inline, no scripts, nothing loaded from anywhere (its Content-Security-Policy forbids
it), printable to A4. Every chart has a text alternative and the table of its numbers
beside it.

The team's commentary is Markdown; raw HTML in it is shown as text and images are not
embedded, so commentary can never make the page load something."""

from html import escape
from pathlib import Path
from string import Template

from markdown_it import MarkdownIt

from orchestration.publish.manifest import html_version_tag
from orchestration.report import charts
from orchestration.report.document import (
    Block,
    Bullets,
    Figure,
    FigureGrid,
    Paragraph,
    Question,
    Report,
    Table,
    TeamCommentary,
)

PAGE_DIR = Path(__file__).with_name("page")
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def _table(table: Table, caption: str) -> str:
    def cell(tag: str, text: str, numeric: bool) -> str:
        return f"<{tag}{' class=num' if numeric else ''}>{escape(text)}</{tag}>"

    head = "".join(cell("th", h, n) for h, n in zip(table.header, table.numeric, strict=True))
    body = "".join(
        "<tr>"
        + "".join(
            cell("th" if i == 0 else "td", c, n)
            for i, (c, n) in enumerate(zip(row, table.numeric, strict=True))
        )
        + "</tr>"
        for row in table.rows
    )
    notes = "".join(f'<p class="table-note">{escape(note)}</p>' for note in table.notes)
    return (
        f'<table><caption class="visually-hidden">{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"
    )


def _figure(figure: Figure) -> str:
    caption = f"Figure {figure.number}. {figure.title}"
    return (
        f'<figure id="{figure.anchor}" aria-labelledby="{figure.anchor}-caption">'
        f'<figcaption id="{figure.anchor}-caption">{escape(caption)}</figcaption>'
        '<div class="figure-body">'
        f'<div class="figure-chart">{charts.svg(figure)}</div>'
        f'<div class="figure-table">{_table(figure.table, f"{caption}: the numbers")}</div>'
        "</div></figure>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Question):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Figure):
        return _figure(block)
    if isinstance(block, FigureGrid):
        figures = "".join(_figure(figure) for figure in block.figures)
        return f'<p>{escape(block.intro)}</p><div class="figure-grid">{figures}</div>'
    if isinstance(block, TeamCommentary) and block.markdown:
        return f'<div class="commentary">{_MARKDOWN.render(block.markdown)}</div>'
    return f'<p class="notice">{escape(block.notice)}</p>' if block.notice else ""


def _css_string(text: str) -> str:
    """Text inside a CSS string in the page's <style>: quotes and backslashes escaped, and
    '<' written as a CSS escape so no title can close the style element."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")


def render_html(report: Report, data_version: str) -> str:
    """The page, carrying the data version of its release in a meta tag (manifest.py)."""
    sections = "\n".join(
        f'<section id="{s.anchor}" aria-labelledby="{s.anchor}-heading">'
        f'<h2 id="{s.anchor}-heading">{escape(s.heading)}</h2>'
        + "".join(_block(b) for b in s.blocks)
        + "</section>"
        for s in report.sections
    )
    contents = "\n".join(
        f'<li><a href="#{s.anchor}">{escape(s.heading)}</a></li>' for s in report.sections
    )
    produced = (
        f"Produced by careaudit on {report.produced_on:%d %B %Y} from the {report.audits:,} "
        f"audits of {report.period_label} in the warehouse. Percentages are whole numbers, "
        f"{report.rounding_rule}."
    )
    page = Template((PAGE_DIR / "report.html").read_text(encoding="utf-8"))
    return page.substitute(
        title=escape(report.title),
        subtitle=escape(report.subtitle),
        authors=f'<p class="authors">{escape(report.authors)}</p>' if report.authors else "",
        produced=escape(produced),
        data_version=html_version_tag(escape(data_version)),
        contents=contents,
        sections=sections,
        style=(PAGE_DIR / "report.css").read_text(encoding="utf-8"),
        running_title=_css_string(report.title),
    )
