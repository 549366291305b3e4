"""Write the annual report of each chosen period into a release's report/ folder (HTML and
Markdown), reading the warehouse once and closing it before anything is drawn."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.lib.atomic import write_atomically
from orchestration.lib.report import charts
from orchestration.lib.report.commentary import Commentary, ensure_commentary, read_commentary
from orchestration.lib.report.data import Period, ReportData, load_report_data, periods_with_audits
from orchestration.lib.report.document import (
    BarChart,
    Figure,
    Report,
    build_report,
    section_headings,
)
from orchestration.lib.report.html import provenance, render_html
from orchestration.lib.report.markdown import render_markdown
from orchestration.lib.report.wording import period_label
from orchestration.lib.warehouse import connect
from orchestration.settings import Settings


class ReportPeriodError(ValueError):
    """CAREAUDIT_REPORT_PERIODS names a period without audits."""


@dataclass(frozen=True)
class PublishedReport:
    report: Report
    html: Path
    markdown: Path
    commentary: Commentary
    commentary_created: bool

    @property
    def commentary_to_write(self) -> bool:
        """The team has written nothing yet: the file was just created as the empty template,
        or is still it (an example copied for the bundled sample is not)."""
        return not self.commentary.sections and self.commentary.authors is None


def chosen_periods(available: list[Period], setting: str) -> list[Period]:
    """CAREAUDIT_REPORT_PERIODS: latest (default), all, or periods separated by commas."""
    if setting == "latest":
        return available[-1:]
    if setting == "all":
        return available
    by_name = {p.time_period: p for p in available}
    wanted = [name.strip() for name in setting.split(",") if name.strip()]
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise ReportPeriodError(
            f"CAREAUDIT_REPORT_PERIODS names {', '.join(missing)}, which "
            f"{'has' if len(missing) == 1 else 'have'} no audits; "
            f"periods with audits: {', '.join(by_name) or 'none'}"
        )
    return [by_name[name] for name in wanted]


def _write(path: Path, text: str) -> Path:
    """Beside the target, then renamed into place: a reader never sees half a report."""
    write_atomically(path, text)
    return path


def write_report(
    data: ReportData,
    settings: Settings,
    out: Path,
    data_version: str,
    produced_on: date | None = None,
    run_id: str | None = None,
) -> PublishedReport:
    """The period's report, with the team's commentary (created from a template when
    missing), written to out/care_plan_audit_<period>.html (carrying its data version) and
    .md."""
    headings = section_headings(data)
    label = period_label(data.period.time_period)
    path, created = ensure_commentary(settings, data.period.time_period, label, headings)
    commentary = read_commentary(path, headings)
    report = build_report(data, commentary, settings.percent_rounding, produced_on or date.today())
    out.mkdir(parents=True, exist_ok=True)
    name = f"care_plan_audit_{data.period.time_period}"
    made = provenance(report, data_version, run_id)
    markdown = _write(out / f"{name}.md", render_markdown(report, provenance=made))
    html = _write(out / f"{name}.html", render_html(report, data_version, run_id))
    return PublishedReport(report, html, markdown, commentary, created)


def publish_reports(
    settings: Settings,
    out: Path,
    data_version: str,
    progress: Callable[[str], None] = lambda _: None,
    run_id: str | None = None,
) -> list[PublishedReport]:
    """The reports of the periods CAREAUDIT_REPORT_PERIODS chooses (the latest by default),
    written into out; none when the warehouse has no audits yet."""
    with connect(settings.warehouse_path, read_only=True) as con:
        periods = chosen_periods(periods_with_audits(con, settings), settings.report_periods)
        data = [load_report_data(con, settings, period) for period in periods]
    published = []
    for period_data in data:
        result = write_report(period_data, settings, out, data_version, run_id=run_id)
        if result.commentary_to_write:
            progress(
                f"commentary for {result.report.period_label} to write: {result.commentary.path}"
            )
        progress(f"staged report/{result.html.name}")
        progress(f"staged report/{result.markdown.name}")
        published.append(result)
    return published


def preview_image(report: Report) -> tuple[Figure, bytes] | None:
    """The report's first bar chart (the age distribution) as PNG, for the Dagster UI."""
    figures = list(report.figures)
    bars = [figure for figure in figures if isinstance(figure.chart, BarChart)]
    figure = next(iter(bars or figures), None)
    return None if figure is None else (figure, charts.png(figure))
