"""The report's charts, drawn by matplotlib: inline SVG for the HTML page (vector, so it
prints sharply; text kept as text; nothing fetched when the page opens) and PNG for the
Dagster UI's preview.

Each SVG is made fit to sit inline in one page beside others: its ids are prefixed with the
figure's id (matplotlib names every group `figure_1`, `axes_1`, ...), and it carries its text
alternative as <title> and <desc> with role="img". The same data gives the same SVG (hash
salt per figure, no date), so a report only changes when its figures do.

matplotlib is imported when a chart is drawn, not when the Dagster definitions load.
"""

import io
import re
from html import escape
from typing import TYPE_CHECKING

from orchestration.lib.report.document import (
    Bar,
    BarChart,
    Chart,
    Figure,
    GroupedBars,
    TrendChart,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as PlotFigure

INK = "#1b1b1b"
BAR = "#1d4f91"  # dark blue: contrast 8.6:1 on white, prints well in greyscale
WORSE = "#b35900"  # dark orange, for a measure where higher is worse: distinct in greyscale too
NEUTRAL = "#8a8f94"  # grey: neither better nor worse
COLOURS = {"better": BAR, "worse": WORSE, "neutral": NEUTRAL}
LEGEND = {
    "better": "Higher is better",
    "worse": "Higher is worse",
    "neutral": "Neither better nor worse",
}
WORSE_NOTE = "(lower is better)"  # under the label of a measure where higher is worse
GRID = "#d9d9d9"
BAR_ROW = 0.2  # inches per bar of a grouped chart (per line of its label)
GROUP_GAP = 0.34  # inches between groups, where the next one's heading goes
TOP_SPACE = 0.2  # inches above the first group, for its heading
BOTTOM_SPACE = 0.55  # inches below the last group: the axis' labels and the legend
LABEL_SPACE = 2.0  # inches left of the bars for their labels
CHART_WIDTH = 6.4  # inches: a grouped chart spans the page's text column
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": "#8a8a8a",
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "svg.fonttype": "none",  # text stays text: selectable, searchable, read by screen readers
}


def _bars(ax: "Axes", chart: BarChart) -> None:
    from matplotlib.ticker import PercentFormatter

    positions = range(len(chart.labels))
    if chart.horizontal:
        bars = ax.barh(positions, chart.percents, color=BAR, height=0.62)
        ax.set_yticks(list(positions), chart.labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.xaxis.grid(True, color=GRID, linewidth=0.6)
        ax.tick_params(axis="y", length=0)
    else:
        bars = ax.bar(positions, chart.percents, color=BAR, width=0.62)
        ax.set_xticks(list(positions), chart.labels)
        top = max(chart.percents, default=0)
        ax.set_ylim(0, max(10, top * 1.22))
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
        ax.set_ylabel(chart.axis_label)
        ax.yaxis.grid(True, color=GRID, linewidth=0.6)
        ax.tick_params(axis="x", length=0)
    ax.bar_label(bars, labels=list(chart.value_labels), padding=3, fontsize=8.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _grouped(plot: "PlotFigure", chart: GroupedBars) -> None:
    """One panel per base (its heading: 'Out of 240 audits'), sharing the 0-100% axis; each
    bar coloured by its direction, last year's figure a black mark across it, the figure
    (when printed) right of both, so no two labels can meet."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = [sum(_bar_lines(bar) for bar in group.bars) for group in chart.groups]
    height = _grouped_height(chart)
    bars_height = sum(rows) * BAR_ROW
    axes = plot.subplots(
        nrows=len(chart.groups),
        sharex=True,
        squeeze=False,
        # the gap between panels is the next group's heading: GROUP_GAP inches, whatever
        # the panels' heights (hspace is a fraction of their mean height)
        gridspec_kw={"height_ratios": rows, "hspace": GROUP_GAP / (bars_height / len(rows))},
    )[:, 0]
    plot.subplots_adjust(
        left=LABEL_SPACE / CHART_WIDTH,
        right=0.98,
        top=1 - TOP_SPACE / height,
        bottom=BOTTOM_SPACE / height,
    )
    for ax, group in zip(axes, chart.groups, strict=True):
        # each bar in the middle of as many rows as its label has lines, so none overlap
        slots = [_bar_lines(bar) for bar in group.bars]
        positions = [sum(slots[:i]) + slot / 2 for i, slot in enumerate(slots)]
        colours = [COLOURS[bar.higher_is] for bar in group.bars]
        ax.barh(positions, [bar.percent for bar in group.bars], color=colours, height=0.62)
        ax.set_yticks(
            positions,
            [
                bar.label + (f"\n{WORSE_NOTE}" if bar.higher_is == "worse" else "")
                for bar in group.bars
            ],
        )
        for position, bar in zip(positions, group.bars, strict=True):
            if bar.previous is not None:
                ax.plot([bar.previous] * 2, [position - 0.42, position + 0.42], color=INK, lw=2)
            if bar.value_label:
                end = max(bar.percent, bar.previous or 0)
                ax.text(end + 2, position, bar.value_label, va="center", fontsize=8.5)
        ax.set_ylim(sum(slots), 0)
        ax.set_title(group.heading, loc="left", fontsize=8.5, color="#505a5f", pad=2)
        ax.set_xlim(0, 112)
        ax.xaxis.grid(True, color=GRID, linewidth=0.6)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelbottom=ax is axes[-1])
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    kinds = {bar.higher_is for group in chart.groups for bar in group.bars}
    handles: list = [Patch(color=COLOURS[k], label=LEGEND[k]) for k in COLOURS if k in kinds]
    if any(bar.previous is not None for group in chart.groups for bar in group.bars):
        handles.append(
            Line2D(
                [], [], color=INK, marker="|", markersize=9, mew=2, lw=0, label=chart.previous_label
            )
        )
    plot.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(LABEL_SPACE / CHART_WIDTH, 0),
        ncol=len(handles),
        frameon=False,
        fontsize=8,
        handlelength=1.2,
        columnspacing=1.2,
    )


def _grouped_height(chart: GroupedBars) -> float:
    """Inches: the first heading, the bars (a row per line of their labels), a heading
    between groups, the axis and the legend below."""
    rows = sum(_bar_lines(bar) for group in chart.groups for bar in group.bars)
    return TOP_SPACE + rows * BAR_ROW + (len(chart.groups) - 1) * GROUP_GAP + BOTTOM_SPACE


def _bar_lines(bar: Bar) -> int:
    """Lines of a bar's label: its own, and the note of a measure where higher is worse."""
    return bar.label.count("\n") + 1 + (bar.higher_is == "worse")


def _year(period: str) -> int:
    """Where a period sits on the time axis: its first year ('2019', '2021-22' -> 2021), so
    a gap in the record shows as a gap."""
    return int(period[:4])


def _trend(ax: "Axes", chart: TrendChart) -> None:
    positions = [_year(period) for period in chart.periods]
    ax.plot(positions, chart.percents, color=BAR, linewidth=1.6, zorder=2)
    for x, percent, published in zip(positions, chart.percents, chart.published, strict=True):
        ax.plot(
            [x],
            [percent],
            marker="o",
            markersize=6,
            markeredgewidth=1.6,
            color=BAR,
            markerfacecolor="white" if published else BAR,
            zorder=3,
        )
        ax.annotate(
            f"{percent}%",
            (x, percent),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=8.5,
        )
    ax.set_xticks(positions, list(chart.periods))
    ax.set_xlim(min(positions) - 0.5, max(positions) + 0.5)
    ax.set_ylim(0, 112)
    ax.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
    ax.yaxis.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _size(chart: Chart) -> tuple[float, float]:
    """Inches, before the tight crop. The page shows a chart at this size (never larger),
    which is the width of its column on A4: the text prints at the size of the page's."""
    if isinstance(chart, TrendChart):
        return 3.2, 1.8
    if isinstance(chart, GroupedBars):
        return CHART_WIDTH, _grouped_height(chart)
    if chart.horizontal:  # every bar gets room for the longest label, so none overlap
        lines = max((label.count("\n") + 1 for label in chart.labels), default=1)
        return 4.3, 0.55 + len(chart.labels) * (0.13 * lines + 0.14)
    return 4.3, 2.4


def _draw(chart: Chart) -> "PlotFigure":
    from matplotlib.figure import Figure as PlotFigure

    plot = PlotFigure(figsize=_size(chart))
    if isinstance(chart, GroupedBars):
        _grouped(plot, chart)
        return plot
    ax = plot.subplots()
    if isinstance(chart, TrendChart):
        _trend(ax, chart)
    else:
        _bars(ax, chart)
    return plot


def _namespaced(svg: str, prefix: str) -> str:
    """Give every id (and every reference to one) the figure's prefix: many SVGs share the
    page, and matplotlib numbers the groups of each from 1."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{prefix}-\2"', svg)


def svg(figure: Figure) -> str:
    """The figure's chart as an <svg> element for an HTML page, with its text alternative."""
    from matplotlib import rc_context

    prefix = figure.anchor
    with rc_context({**STYLE, "svg.hashsalt": prefix}):
        plot = _draw(figure.chart)
        buffer = io.StringIO()
        plot.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = _namespaced(text, prefix)
    opening = text.index(">") + 1
    labelled = (
        f' role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="chart"'
        if 'role="img"' not in text[:opening]
        else ""
    )
    return (
        text[: opening - 1]
        + labelled
        + ">"
        + f'<title id="{prefix}-title">{escape(figure.title)}</title>'
        + f'<desc id="{prefix}-desc">{escape(figure.alt)}</desc>'
        + text[opening:]
    )


def png(figure: Figure, dpi: int = 96) -> bytes:
    """The figure's chart as PNG (the Dagster UI shows images, not SVG, in Markdown)."""
    from matplotlib import rc_context

    with rc_context(STYLE):
        plot = _draw(figure.chart)
        buffer = io.BytesIO()
        plot.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()
