"""The report as a document: sections of paragraphs, findings, figures (a chart with the
table of its numbers as its accessible alternative), the key messages, the table of what
changed since last year and the team's commentary, built from the report's data and the rows
of report_sentences in order. The HTML templates and the Markdown renderer only lay it out.

A number is printed once in the body: a section chart whose every measure a sentence quotes
draws its bars (and last year's marks) without printing the figures again, and every chart's
table is the text alternative, not a second copy on the page.
"""

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from orchestration.lib.report.commentary import Commentary
from orchestration.lib.report.data import Change, MetricValue, ReportData, TemplateRow
from orchestration.lib.report.wording import (
    IN_LINE_POINTS,
    PERIOD_FIELDS,
    ROUNDING_RULES,
    SIGNIFICANT,
    TemplateError,
    check_row,
    comparison_fields,
    direction,
    figures,
    needed_figures,
    period_label,
    referenced_metrics,
    render,
    signed_points,
    significance_words,
)
from orchestration.lib.rounding import whole_percent

TOPIC_LABELS = {"age_band": "Age band", "district": "District"}
LARGEST_CHANGES = 3  # the key messages' largest changes, besides the significant ones
TREND_YEARS = 3  # a measure gets a trend chart from this many years on record
LABEL_WIDTH = 30  # characters of a bar's label per line


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BarChart:
    """Bars of whole percentages, one per category (the age of the child)."""

    labels: tuple[str, ...]
    percents: tuple[int, ...]
    value_labels: tuple[str, ...]
    horizontal: bool
    axis_label: str


@dataclass(frozen=True)
class Bar:
    label: str
    percent: int
    higher_is: str  # better | worse | neutral: the bar's colour and the label's note
    previous: int | None  # last year's whole percent, marked on the bar
    value_label: str  # "" when a sentence prints the figure


@dataclass(frozen=True)
class BarGroup:
    """Measures of one base and unit: 'Out of 240 audits'."""

    heading: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class GroupedBars:
    """A section's measures, grouped by base so that only like is compared with like."""

    groups: tuple[BarGroup, ...]
    previous_label: str  # what the mark on a bar is: "2021"


@dataclass(frozen=True)
class TrendChart:
    periods: tuple[str, ...]
    percents: tuple[int, ...]
    published: tuple[bool, ...]  # a figure from an earlier report, not computed


Chart = BarChart | GroupedBars | TrendChart


@dataclass(frozen=True)
class Figure:
    number: int
    title: str
    alt: str  # the chart's text alternative
    chart: Chart
    table: Table
    kind: ClassVar[str] = "figure"

    @property
    def anchor(self) -> str:
        return f"figure-{self.number}"

    @property
    def chart_kind(self) -> str:
        """barchart, groupedbars or trendchart: the page styles each at its own size."""
        return type(self.chart).__name__.lower()


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Question:
    """A subheading: a question of the form above its findings, or a part of the key
    messages."""

    text: str
    kind: ClassVar[str] = "question"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    finding: bool = False  # findings in a row make one list
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class TeamCommentary:
    markdown: str  # the team's text, or "" (then notice, if any, says what is missing)
    notice: str = ""
    kind: ClassVar[str] = "commentary"


@dataclass(frozen=True)
class ChangeTable:
    """What changed since last year: one row per finding's measure with a previous figure."""

    intro: str
    table: Table
    kind: ClassVar[str] = "change_table"


@dataclass(frozen=True)
class FigureGrid:
    """Small figures side by side: the trends of measures with three or more years."""

    intro: str
    figures: tuple[Figure, ...]
    kind: ClassVar[str] = "figure_grid"


Block = Paragraph | Question | Bullets | Figure | TeamCommentary | ChangeTable | FigureGrid


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.key.replace("_", "-")


@dataclass(frozen=True)
class Cover:
    """The cover's lines: the service (front matter `service`, else the outline's subtitle),
    the authors and the date of publication from the team's front matter."""

    service: str
    authors: str | None
    date: str | None


@dataclass(frozen=True)
class Report:
    time_period: str
    period_label: str
    title: str
    subtitle: str
    authors: str | None
    sections: tuple[Section, ...]
    audits: int
    produced_on: date
    rounding_rule: str
    front_matter: Cover | None = None  # from the team's commentary file

    @property
    def cover(self) -> Cover:
        """The front matter's cover, else the outline's subtitle and the authors."""
        return self.front_matter or Cover(self.subtitle, self.authors, None)

    @property
    def figures(self) -> Iterator[Figure]:
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Figure):
                    yield block
                elif isinstance(block, FigureGrid):
                    yield from block.figures


def section_headings(data: ReportData) -> dict[str, str]:
    """Every section of the report's outline (key -> heading), whether or not it has figures
    this year: the commentary file may write about any of them."""
    fields = _period_fields(data, "truncate")
    return {
        row.section: render(row.text, fields) for row in data.templates if row.kind == "section"
    }


def _audit_months(data: ReportData) -> str:
    first, last = data.period.first_month, data.period.last_month
    if first is None or last is None:
        return period_label(data.period.time_period)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _form_versions(versions: str) -> str:
    """'2022' -> '2022 version'; '2021, 2022' -> '2021 and 2022 versions'."""
    names = [name.strip() for name in versions.split(",") if name.strip()]
    if len(names) <= 1:
        return f"{names[0] if names else 'current'} version"
    return f"{', '.join(names[:-1])} and {names[-1]} versions"


def _period_fields(data: ReportData, rounding: str) -> dict[str, str]:
    fields = {
        "period": period_label(data.period.time_period),
        "audit_months": _audit_months(data),
        "la_name": data.la_name,
        "rounding_rule": ROUNDING_RULES[rounding],
        "audits": f"{data.period.audits:,}",
        "form_versions": _form_versions(data.period.form_versions),
    }
    assert set(fields) == set(PERIOD_FIELDS)
    return fields


class _Builder:
    def __init__(
        self, data: ReportData, commentary: Commentary, rounding: str, produced_on: date
    ) -> None:
        self.data, self.commentary, self.rounding = data, commentary, rounding
        self.produced_on = produced_on
        self.period_fields = _period_fields(data, rounding)
        self.figure_count = 0
        self.quoted: list[str] = []  # metrics the report's sentences print, in order
        self.printed: set[str] = set()  # metrics whose own figure a sentence prints

    def _value(self, metric_id: str) -> MetricValue | None:
        """The metric in the report's period; None when that year's forms could not record it
        (its question or answer option was not on them): no sentence, no chart point."""
        value = self.data.values.get(metric_id)
        return value if value is not None and value.is_available else None

    def _recorded_since(self, metric_id: str) -> str | None:
        """For a measure new on the form: the first year with its figure, when every earlier
        year on record could not record it (then there is nothing to compare with)."""
        history = self.data.history.get(metric_id, [])
        earlier = [v for v in history if v.time_period < self.data.period.time_period]
        if not earlier or any(v.is_available for v in earlier):
            return None
        recorded = [v.time_period for v in history if v.is_available]
        return period_label(recorded[0]) if recorded else None

    def _available(self, row: TemplateRow) -> bool:
        for metric_id, attribute in needed_figures(row):
            value = self._value(metric_id)
            if value is None or not getattr(figures(value), attribute):
                return False
        return True

    def _fields(self, row: TemplateRow) -> dict[str, object]:
        fields: dict[str, object] = dict(self.period_fields)
        fields.update(
            {m: figures(v) for m in referenced_metrics(row) if (v := self._value(m)) is not None}
        )
        if row.metric_ids and row.kind != "ranking" and (own := self._value(row.metric_ids[0])):
            fields.update(vars(figures(own)))
        if row.kind == "ranking":
            ranked = sorted(
                (self.data.values[m] for m in row.metric_ids),
                key=lambda v: (-(v.numerator or 0), row.metric_ids.index(v.metric_id)),
            )
            fields["ranked"] = [figures(v) for v in ranked]
        return fields

    def _text(self, row: TemplateRow) -> str:
        """The row's text, or its text_if_all when every audit of the base is counted."""
        own = self._value(row.metric_ids[0]) if row.metric_ids else None
        if (
            row.text_if_all
            and own is not None
            and own.denominator
            and own.numerator == own.denominator
        ):
            return row.text_if_all
        return row.text

    def sentence(self, row: TemplateRow) -> str:
        fields = self._fields(row)
        parts = [render(self._text(row), fields)]
        metric_id = row.metric_ids[0] if row.metric_ids else None
        period = self.data.period.time_period
        if metric_id is None or row.kind == "ranking":
            return parts[0]
        higher_is = self.data.directions[metric_id]
        if row.comparison and metric_id in self.data.previous:
            comparison = self.data.previous[metric_id]
            fields.update(comparison_fields("previous", comparison, period, higher_is))
            parts.append(render(row.comparison, fields))
        if row.first_comparison and metric_id in self.data.first:
            comparison = self.data.first[metric_id]
            fields.update(comparison_fields("first", comparison, period, higher_is))
            parts.append(render(row.first_comparison, fields))
        if (
            row.not_recorded_before
            and metric_id not in self.data.previous
            and (since := self._recorded_since(metric_id))
        ):
            parts.append(render(row.not_recorded_before, {**fields, "recorded_since": since}))
        return " ".join(part for part in parts if part)

    def _figure(self, title: str, alt: str, chart: BarChart | TrendChart, table: Table) -> Figure:
        self.figure_count += 1
        return Figure(self.figure_count, title, alt, chart, table)

    def breakdown_figure(self, row: TemplateRow) -> Figure | None:
        """A metric by age band (or district): for a count of audits, each category's share
        of them; for a percentage, the percentage within each category."""
        metric_id, topic = row.metric_ids[0], row.breakdown_topic or "age_band"
        value = self._value(metric_id)
        categories = self.data.breakdowns.get((metric_id, topic), [])
        total = sum(c.numerator for c in categories)
        if value is None or total == 0:
            return None
        title = render(row.text, self.period_fields)
        topic_label = TOPIC_LABELS.get(topic, topic)
        period = self.period_fields["period"]
        if value.denominator is None:
            unit = value.unit  # audits (or selections)
            shown = [(c, whole_percent(c.numerator, total, self.rounding)) for c in categories]
            header: tuple[str, ...] = (topic_label, unit.capitalize(), f"% of {unit}")
            rows = [(c.label, f"{c.numerator:,}", f"{share}%") for c, share in shown]
            rows.append(("Total", f"{total:,}", ""))
            axis = f"Share of {unit}"
            alt = f"Bar chart: {unit} by {topic_label.lower()}, {period}: " + "; ".join(
                f"{c.label} {c.numerator:,} ({share}%)" for c, share in shown
            )
        else:
            shown = [
                (c, whole_percent(c.numerator, c.denominator, self.rounding))
                for c in categories
                if c.denominator
            ]
            header = (topic_label, "Count", "Out of", "%")
            rows = [
                (c.label, f"{c.numerator:,}", f"{c.denominator:,}", f"{share}%")
                for c, share in shown
            ]
            axis = ""
            alt = f"Bar chart: {value.description} by {topic_label.lower()}, {period}: " + (
                "; ".join(f"{c.label} {share}%" for c, share in shown)
            )
        chart = BarChart(
            labels=tuple(c.label for c, _ in shown),
            percents=tuple(share for _, share in shown),
            value_labels=tuple(f"{c.numerator:,} ({share}%)" for c, share in shown),
            horizontal=False,
            axis_label=axis,
        )
        numeric = (False, *(True for _ in header[1:]))
        return self._figure(title, alt, chart, Table(header, tuple(rows), numeric))

    def _previous_percent(self, metric_id: str) -> int | None:
        """Last year's whole percent of the metric, where the previous figure is last
        year's."""
        comparison = self.data.previous.get(metric_id)
        period = self.data.period.time_period
        if comparison is None or not _is_year_before(comparison.period, period):
            return None
        return comparison.reported_percent

    def metrics_figure(self, row: TemplateRow, section_metrics: list[str]) -> Figure | None:
        """The section's measures as bars grouped by base and unit (of 240 audits, of 167
        health plans ...), coloured by whether higher is better, worse or neutral, last year's
        figure marked on each bar; the figures printed only when a sentence does not print
        them all already."""
        chosen = list(row.metric_ids) or section_metrics
        values = [
            v
            for m in chosen
            if (v := self._value(m)) is not None and v.reported_percent is not None
        ]
        if not values:
            return None
        title = render(row.text, self.period_fields)
        labelled = not all(v.metric_id in self.printed for v in values)
        groups: dict[tuple[int | None, str], list[MetricValue]] = {}
        for v in values:
            groups.setdefault((v.denominator, v.unit), []).append(v)
        last_year = _year_before(self.data.period.time_period)
        chart = GroupedBars(
            groups=tuple(
                BarGroup(
                    heading=f"Out of {base or 0:,} {unit}",
                    bars=tuple(
                        Bar(
                            label=textwrap.fill(v.label, LABEL_WIDTH),
                            percent=v.reported_percent or 0,
                            higher_is=self.data.directions.get(v.metric_id, "neutral"),
                            previous=self._previous_percent(v.metric_id),
                            value_label=f"{v.reported_percent}%" if labelled else "",
                        )
                        for v in members
                    ),
                )
                for (base, unit), members in groups.items()
            ),
            previous_label=last_year,
        )
        rows = tuple(
            (
                v.label,
                f"{v.numerator or 0:,}",
                f"{v.denominator or 0:,}",
                f"{v.reported_percent}%",
                "" if (p := self._previous_percent(v.metric_id)) is None else f"{p}%",
                _HIGHER_IS[self.data.directions.get(v.metric_id, "neutral")],
            )
            for v in values
        )
        notes = tuple(_missing_note(v) for v in values if v.missing_answers)
        if any(v.unit == "selections" for v in values):
            notes += ("Shares of selections: one audit can reference several aspects.",)
        alt = f"Bar chart: {title}: " + "; ".join(self._bar_alt(v, last_year) for v in values)
        table = Table(
            ("Measure", "Count", "Out of", "%", last_year, "Higher is"),
            rows,
            (False, True, True, True, True, False),
            notes,
        )
        return self._figure(title, alt, chart, table)

    def _bar_alt(self, value: MetricValue, last_year: str) -> str:
        """'Not signed by the child 65% of 240 audits (2021: 60%), lower is better'."""
        text = f"{value.label} {value.reported_percent}% of {value.denominator or 0:,} {value.unit}"
        previous = self._previous_percent(value.metric_id)
        if previous is not None:
            text += f" ({last_year}: {previous}%)"
        if self.data.directions.get(value.metric_id) == "worse":
            text += ", lower is better"
        return text

    def _trend_figure(self, history: list[MetricValue]) -> Figure:
        description = history[-1].description
        chart = TrendChart(
            periods=tuple(period_label(v.time_period) for v in history),
            percents=tuple(v.reported_percent or 0 for v in history),
            published=tuple(v.value_source == "published" for v in history),
        )
        rows = tuple(
            (
                period_label(v.time_period),
                f"{v.reported_percent}%",
                "" if v.numerator is None else f"{v.numerator:,}",
                "" if v.denominator is None else f"{v.denominator:,}",
                "published report" if v.value_source == "published" else "audits",
            )
            for v in history
        )
        alt = f"Line chart: {description}, by year: " + "; ".join(
            f"{period} {percent}%" + (" (published)" if published else "")
            for period, percent, published in zip(
                chart.periods, chart.percents, chart.published, strict=True
            )
        )
        table = Table(
            ("Year", "%", "Count", "Out of", "Source"), rows, (False, True, True, True, False)
        )
        return self._figure(description, alt, chart, table)

    def trend_figures(self) -> tuple[Figure, ...]:
        """A trend for each measure the findings quote with TREND_YEARS or more years on
        record (two points say no more than the what-changed table)."""
        found = []
        for metric_id in self.quoted:
            history = [
                v for v in self.data.history.get(metric_id, []) if v.reported_percent is not None
            ]
            if len(history) >= TREND_YEARS:
                found.append(self._trend_figure(history))
        return tuple(found)

    def change_table(self, row: TemplateRow) -> ChangeTable | None:
        """Every finding's measure with a previous figure: this year, the previous year
        (computed or published), the change in points between the printed percentages, what
        it means and the trend test's verdict in the mart's words."""
        if not self.data.changes:
            return None
        period = self.period_fields["period"]
        rows = tuple(
            (
                _sentence_case(self._description(c.metric_id)),
                f"{c.reported_percent}%",
                _previous_cell(c),
                signed_points(c.previous.reported_change_points),
                direction(c.previous, c.higher_is),
                significance_words(c.previous),
            )
            for c in self.data.changes
        )
        notes = []
        findings = [r.metric_ids[0] for r in self.data.templates if r.kind == "finding"]
        new = [
            _sentence_case(self._description(m))
            for m in dict.fromkeys(findings)
            if self._recorded_since(m) == period and self._value(m) is not None
        ]
        if new:
            notes.append(f"New on the {period} form, so not compared: " + "; ".join(new) + ".")
        table = Table(
            ("Measure", period, "Previous", "Change", "Direction", "Significance"),
            rows,
            (False, True, True, True, False, False),
            tuple(notes),
        )
        return ChangeTable(render(row.text, self.period_fields), table)

    def _description(self, metric_id: str) -> str:
        history = self.data.history.get(metric_id)
        return history[-1].description if history else metric_id

    def significant_changes(self) -> list[str]:
        return [
            _key_change(c, self._description(c.metric_id))
            for c in self.data.changes
            if c.previous.significance in SIGNIFICANT
        ]

    def largest_changes(self) -> list[str]:
        """The largest changes that are not significant (or could not be tested), beyond
        the in-line band, by size."""
        others = sorted(
            (
                c
                for c in self.data.changes
                if c.previous.significance not in SIGNIFICANT
                and abs(c.previous.reported_change_points) > IN_LINE_POINTS
            ),
            key=lambda c: c.change_rank,
        )
        return [_key_change(c, self._description(c.metric_id)) for c in others[:LARGEST_CHANGES]]

    def _block(self, row: TemplateRow, section_metrics: list[str]) -> Block | None:
        """The block a row makes, or None when the period has nothing to print for it."""
        if row.kind in ("finding", "ranking", "text"):
            if not self._available(row):
                return None
            if row.kind != "ranking":
                section_metrics += [m for m in referenced_metrics(row) if m not in section_metrics]
            text = self.sentence(row)
            return Paragraph(text) if row.kind == "text" else Bullets((text,), finding=True)
        if row.kind == "covered_sections":
            return Bullets(tuple(self.data.covered_sections))
        if row.kind == "breakdown_chart":
            return self.breakdown_figure(row)
        if row.kind == "metrics_chart":
            return self.metrics_figure(row, section_metrics)
        if row.kind == "trend_charts":
            trends = self.trend_figures()
            return FigureGrid(render(row.text, self.period_fields), trends) if trends else None
        if row.kind == "change_table":
            return self.change_table(row)
        raise ValueError(str(TemplateError(row, f"unknown kind {row.kind!r}")))

    def _listed(self, row: TemplateRow, items: list[str]) -> list[Block]:
        """A heading (the row's text) over a list, or nothing when the list is empty."""
        if not items:
            return []
        return [Question(render(row.text, self.period_fields)), Bullets(tuple(items))]

    def key_blocks(self, row: TemplateRow) -> list[Block]:
        """The key messages' generated parts: the significant and the largest changes, and
        the team's recommendations (their own words, from the commentary file)."""
        if row.kind == "significant_changes":
            return self._listed(row, self.significant_changes())
        if row.kind == "largest_changes":
            return self._listed(row, self.largest_changes())
        recommendations = self.commentary.sections.get("recommendations", "")
        if not recommendations:
            return []
        return [Question(render(row.text, self.period_fields)), TeamCommentary(recommendations)]

    def build(self) -> Report:
        problems = [
            str(TemplateError(row, problem))
            for row in self.data.templates
            for problem in check_row(row, self.data.directions)
        ]
        if problems:
            raise ValueError("the report's templates cannot be rendered:\n" + "\n".join(problems))
        rows = self.data.templates
        for row in rows:
            if row.kind in ("finding", "text", "ranking") and self._available(row):
                self.quoted += [m for m in referenced_metrics(row) if m not in self.quoted]
                if row.kind != "ranking":
                    self.printed.update(referenced_metrics(row))
        title = subtitle = ""
        sections: list[Section] = []
        pending_question: Question | None = None  # printed only if a finding follows
        section_metrics: list[str] = []
        placed_commentary: set[str] = set()
        for row in rows:
            if row.kind in ("title", "subtitle"):
                text = render(row.text, self.period_fields)
                title, subtitle = (text, subtitle) if row.kind == "title" else (title, text)
                continue
            if row.kind == "section":
                sections.append(Section(row.section, render(row.text, self.period_fields)))
                pending_question, section_metrics = None, []
                continue
            if not sections:
                raise ValueError(str(TemplateError(row, "comes before the first section row")))
            section = sections[-1]
            if row.kind == "question":
                pending_question = Question(render(row.text, self.period_fields))
                continue
            if row.kind == "commentary":
                placed_commentary.add(section.key)
                section.blocks.append(
                    TeamCommentary(
                        self.commentary.sections.get(section.key, ""),
                        render(row.text, self.period_fields),
                    )
                )
                continue
            if row.kind in KEY_KINDS:
                section.blocks += self.key_blocks(row)
                continue
            block = self._block(row, section_metrics)
            if block is None:
                continue
            if pending_question is not None and row.kind in ("finding", "ranking", "text"):
                section.blocks.append(pending_question)
            pending_question = None  # a question heads the findings that follow it, or none
            last = section.blocks[-1] if section.blocks else None
            if row.kind in ("finding", "ranking") and isinstance(last, Bullets) and last.finding:
                section.blocks[-1] = Bullets((*last.items, *block.items), finding=True)  # type: ignore[union-attr]
            else:
                section.blocks.append(block)
        for section in sections:
            text = self.commentary.sections.get(section.key)
            if text and section.key not in placed_commentary:
                section.blocks.append(TeamCommentary(text))
        kept = tuple(s for s in sections if any(_has_content(b) for b in s.blocks))
        return Report(
            time_period=self.data.period.time_period,
            period_label=period_label(self.data.period.time_period),
            title=title,
            subtitle=subtitle,
            authors=self.commentary.authors,
            sections=kept,
            audits=self.data.period.audits,
            produced_on=self.produced_on,
            rounding_rule=ROUNDING_RULES[self.rounding],
            front_matter=Cover(
                service=self.commentary.service or subtitle,
                authors=self.commentary.authors,
                date=self.commentary.date,
            ),
        )


KEY_KINDS = ("significant_changes", "largest_changes", "recommendations_summary")
_HIGHER_IS = {"better": "better", "worse": "worse", "neutral": "neither"}


def _year_before(period: str) -> str:
    """The label of the year before a period: '2022' -> '2021', '202223' -> '2021-22'."""
    year = int(period[:4]) - 1
    return period_label(f"{year}{str(year + 1)[2:]}" if len(period) == 6 else str(year))


def _is_year_before(earlier: str, period: str) -> bool:
    return period_label(earlier) == _year_before(period)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _previous_cell(change: Change) -> str:
    """'83% (2021)', or '66% (2019, published)' for a figure from an earlier report."""
    source = ", published" if change.previous.value_source == "published" else ""
    return f"{change.previous.reported_percent}% ({period_label(change.previous.period)}{source})"


def _key_change(change: Change, description: str) -> str:
    """'Improved significantly: health plan available on ICS, 69% (up from 53% in 2021).'"""
    said = _sentence_case(direction(change.previous, change.higher_is))
    if change.previous.significance in SIGNIFICANT:
        said += " significantly"
    elif change.previous.not_testable_reason:
        said += f", not tested ({change.previous.not_testable_reason.replace('_', ' ')})"
    points = change.previous.reported_change_points
    way = "up" if points > 0 else "down"
    return (
        f"{said}: {_lower_first(description)}, {change.reported_percent}% ({way} from "
        f"{change.previous.reported_percent}% in {period_label(change.previous.period)})."
    )


def _lower_first(text: str) -> str:
    """'Health plan on ICS' -> 'health plan on ICS'; 'IRO satisfied' stays as it is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _missing_note(value: MetricValue) -> str:
    audits = "1 audit" if value.missing_answers == 1 else f"{value.missing_answers:,} audits"
    return f"{audits} gave no answer to “{value.label}”."


def _has_content(block: Block) -> bool:
    if isinstance(block, TeamCommentary):
        return bool(block.markdown or block.notice)
    return True


def build_report(
    data: ReportData, commentary: Commentary, rounding: str, produced_on: date
) -> Report:
    """The report of one period. Raises ValueError naming the row of report_sentences.csv
    whose template cannot be rendered."""
    return _Builder(data, commentary, rounding, produced_on).build()
