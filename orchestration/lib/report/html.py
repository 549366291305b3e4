"""The report as one self-contained HTML page (care_plan_audit_<period>.html), from the Jinja2
templates in page/ (report.html.j2, blocks.html.j2, report.css) that a report writer can read
and restyle: styles and charts inline, no scripts, nothing loaded from anywhere (its
Content-Security-Policy forbids it), printable to A4. Every chart has a text alternative and
the table of its numbers.

Autoescape is on, so every sentence, heading and label is escaped. Two things are marked safe
here and nowhere else: the charts' SVG (drawn by charts.py, their text escaped there) and the
team's commentary, Markdown rendered with raw HTML shown as text and images not embedded, so
commentary can never make the page load something."""

from functools import cache
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from orchestration.lib.publish.manifest import html_version_tag
from orchestration.lib.report import charts
from orchestration.lib.report.document import Report
from orchestration.lib.report.pagination import Layout, paginate

PAGE_DIR = Path(__file__).with_name("page")
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def _css_string(text: str) -> Markup:
    """Text inside a CSS string in the page's <style> (where HTML entities mean nothing):
    quotes and backslashes escaped, and '<' written as a CSS escape so no title can close
    the style element."""
    return Markup(text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c "))


def _markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = _css_string
    environment.filters["markdown"] = _markdown
    return environment


def provenance(report: Report, data_version: str, run_id: str | None) -> list[str]:
    """The back page: how the report was made, where an auditor looks for it."""
    if run_id is None or run_id == data_version:
        made = f"Data version {data_version}" + (" (the run that made it)." if run_id else ".")
    else:
        made = f"Data version {data_version}; made by run {run_id}."
    return [
        f"Produced by careaudit on {report.produced_on:%d %B %Y} from the {report.audits:,} "
        f"audits of {report.period_label} in the warehouse.",
        made,
        f"Percentages are whole numbers, {report.rounding_rule}.",
    ]


def render_html(report: Report, data_version: str, run_id: str | None = None) -> str:
    """The page, carrying the data version of its release in a meta tag (manifest.py) and on
    its back page with the run that made it, its print pages laid out (pagination.py) so
    the contents give each section's page."""
    return render_page(report, data_version, run_id)[0]


def render_page(report: Report, data_version: str, run_id: str | None = None) -> tuple[str, Layout]:
    """The page and its print layout."""
    svgs = {figure.number: charts.svg(figure) for figure in report.figures}
    layout = paginate(report, svgs)
    template = _environment().get_template("report.html.j2")
    html = template.render(
        report=report,
        version_tag=Markup(html_version_tag(Markup.escape(data_version))),
        provenance=provenance(report, data_version, run_id),
        layout=layout,
        chart=lambda figure: Markup(svgs[figure.number]),
    )
    return html, layout
