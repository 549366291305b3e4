"""Where the printed report's pages break, worked out before the browser prints it, so the
contents can give each section's page number (Chromium prints no target-counter()).

The page is laid out as report.css prints it (A4, 10 pt Arial-metric text, the sizes below
mirror its @media print rules): every block is measured (text wrapped with the font's own
widths, charts at their SVG size) and placed greedily; where the next block does not fit, a
page starts there and the page marks it `page-start` (break-before: page). Nothing is ever
split (a heading goes with what follows it, a list breaks only between items), so the
browser breaks exactly where this says as long as no block is taller than measured: heights
are rounded up (SAFETY), and text is measured in Liberation Sans, Arial's metrics (or the
wider DejaVu Sans where it is missing, which only adds room).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt

from orchestration.lib.report.document import (
    Block,
    Bullets,
    ChangeTable,
    Figure,
    FigureGrid,
    Paragraph,
    Question,
    Report,
    Section,
    Table,
    TeamCommentary,
)

MM = 72 / 25.4  # points
PAGE_HEIGHT = 297 * MM - 2 * 16 * MM  # A4 less the top and bottom margins (@page)
PAGE_WIDTH = 210 * MM - 2 * 15 * MM
SAFETY = 1.04  # every height is taken this much taller than measured
WIDTH_SAFETY = 1.02  # and every line of text this much wider
# Sections that open a page whatever room is left: the cover stands alone, the key messages
# are one page, what changed starts on the next.
OPENS_PAGE = ("key_messages", "what_changed")
CHANGE_COLUMNS = (0.40, 0.07, 0.14, 0.08, 0.11, 0.20)  # report.css: .changes col widths


@dataclass(frozen=True)
class _Text:
    size: float  # font size, pt
    leading: float  # line height, pt
    bold: bool = False


BODY = _Text(10, 13.5)
H2 = _Text(14, 17.5, bold=True)
H3 = _Text(10.5, 13.125, bold=True)
CAPTION = _Text(10, 13.5, bold=True)
NOTE = _Text(8, 10.8)
TABLE = _Text(8, 10.8)
TABLE_HEAD = _Text(8, 10.8, bold=True)
PROVENANCE = _Text(8.5, 11.475)


@dataclass
class _Unit:
    """Something the page never splits, with its margins (collapsing with its neighbours')."""

    height: float
    anchor: tuple[int, int | None]  # (id of the block or section, list item) it starts with
    top: float = 0.0
    bottom: float = 0.0
    keep_with_next: bool = False  # a heading


@dataclass
class Layout:
    """Section key -> the printed page it starts on; the blocks (or list items) that open a
    page; the number of pages."""

    pages: dict[str, int] = field(default_factory=dict)
    starts: set[tuple[int, int | None]] = field(default_factory=set)
    page_count: int = 1

    def opens_page(self, thing: object, item: int | None = None) -> bool:
        return (id(thing), item) in self.starts


@cache
def _font(bold: bool):  # matplotlib's FT2Font, imported when a report is laid out
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    weight = "bold" if bold else "normal"
    return FT2Font(findfont(FontProperties(family="Liberation Sans", weight=weight)))


@cache
def _width(word: str, size: float, bold: bool) -> float:
    font = _font(bold)
    font.set_size(size, 72)
    font.set_text(word, 0.0)
    return font.get_width_height()[0] / 64 * WIDTH_SAFETY


def lines(text: str, width: float, style: _Text = BODY) -> int:
    """Lines the text wraps to in a column of the width (pt), breaking between words."""
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        used = 0.0
        space = _width(" ", style.size, style.bold)
        for word in paragraph.split():
            word_width = _width(word, style.size, style.bold)
            if used and used + space + word_width > width:
                count += 1
                used = word_width
            else:
                used += (space if used else 0) + word_width
    return count


def _text_height(text: str, width: float, style: _Text) -> float:
    return lines(text, width, style) * style.leading


def _svg_height(svg: str, width: float) -> float:
    """The chart's height on the page: its SVG size in pt, scaled down to fit the width."""
    found = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if found is None:
        raise ValueError("a chart's SVG has no size in pt")
    natural_width, natural_height = float(found.group(1)), float(found.group(2))
    return natural_height * min(1.0, width / natural_width)


def _table_height(table: Table, columns: tuple[float, ...]) -> float:
    """A table of fixed column widths (fractions of the page): each row as tall as its
    tallest cell, with its padding (0.7 mm top and bottom) and rule."""
    padding, rule = 1.4 * MM, 0.75
    widths = [PAGE_WIDTH * share - 2.4 * MM for share in columns]

    def row(cells: tuple[str, ...], style: _Text) -> float:
        tallest = max(lines(c, w, style) for c, w in zip(cells, widths, strict=True))
        return tallest * style.leading + padding + rule

    return row(table.header, TABLE_HEAD) + sum(row(r, TABLE) for r in table.rows) + 0.75


def _notes_height(table: Table, width: float) -> float:
    return sum(1.5 * MM + _text_height(note, width, NOTE) for note in table.notes)


def _markdown_parts(markdown: str) -> Iterator[tuple[str, str]]:
    """('p' | 'li' | 'h', text) of the team's Markdown, in order."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    in_item = 0
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "inline":
            opener = tokens[index - 1].type
            kind = "h" if opener == "heading_open" else "li" if in_item else "p"
            yield kind, token.content


def _commentary_height(markdown: str) -> float:
    """The team's text in its bordered box (margins 3 mm, 4 mm padding, 3 pt rule)."""
    width = PAGE_WIDTH - 4 * MM - 3
    height = 0.0
    for kind, text in _markdown_parts(markdown):
        if kind == "li":
            height += _text_height(text, width - 5 * MM, BODY) + 1 * MM
        elif kind == "h":
            height += _text_height(text, width, H3) + 4 * MM
        else:
            height += _text_height(text, width, BODY) + 2 * MM
    return height


class _Measure:
    def __init__(self, svgs: dict[int, str]) -> None:
        self.svgs = svgs

    def figure(self, figure: Figure, width: float) -> float:
        return (
            _text_height(f"Figure {figure.number}. {figure.title}", width, CAPTION)
            + 1.5 * MM
            + _svg_height(self.svgs[figure.number], width)
            + _notes_height(figure.table, width)
        )

    def units(self, block: Block) -> list[_Unit]:
        anchor = (id(block), None)
        if isinstance(block, Paragraph):
            return [_Unit(_text_height(block.text, PAGE_WIDTH, BODY), anchor, 0, 2 * MM)]
        if isinstance(block, Question):
            height = _text_height(block.text, PAGE_WIDTH, H3)
            return [_Unit(height, anchor, 3 * MM, 1 * MM, keep_with_next=True)]
        if isinstance(block, Bullets):
            width = PAGE_WIDTH - 5 * MM
            return [
                _Unit(
                    _text_height(item, width, BODY),
                    (id(block), index) if index else anchor,
                    1 * MM if index else 0,
                    2 * MM if index == len(block.items) - 1 else 0,
                )
                for index, item in enumerate(block.items)
            ]
        if isinstance(block, Figure):
            return [_Unit(self.figure(block, PAGE_WIDTH), anchor, 3 * MM, 3 * MM)]
        if isinstance(block, FigureGrid):
            column = (PAGE_WIDTH - 2 * 5 * MM) / 3
            heights = [self.figure(f, column) for f in block.figures]
            rows = [max(heights[i : i + 3]) for i in range(0, len(heights), 3)]
            intro = _text_height(block.intro, PAGE_WIDTH, BODY) + 2 * MM
            return [_Unit(intro + sum(rows) + 3 * MM * (len(rows) - 1), anchor, 0, 2 * MM)]
        if isinstance(block, ChangeTable):
            height = (
                _text_height(block.intro, PAGE_WIDTH, BODY)
                + 2 * MM
                + _table_height(block.table, CHANGE_COLUMNS)
                + _notes_height(block.table, PAGE_WIDTH)
            )
            return [_Unit(height, anchor, 0, 2 * MM)]
        if isinstance(block, TeamCommentary):
            if block.markdown:
                return [_Unit(_commentary_height(block.markdown), anchor, 3 * MM, 3 * MM)]
            if block.notice:
                return [_Unit(_text_height(block.notice, PAGE_WIDTH, BODY), anchor, 0, 2 * MM)]
            return []
        raise TypeError(f"no measure for {type(block).__name__}")

    def section(self, section: Section) -> list[_Unit]:
        heading = _text_height(section.heading, PAGE_WIDTH, H2) + 1 * MM + 2
        units = [_Unit(heading, (id(section), None), 6 * MM, 3 * MM, keep_with_next=True)]
        for block in section.blocks:
            units += self.units(block)
        return units


def _groups(units: list[_Unit]) -> Iterator[list[_Unit]]:
    """Units the page keeps together: headings with what follows them."""
    group: list[_Unit] = []
    for unit in units:
        group.append(unit)
        if not unit.keep_with_next:
            yield group
            group = []
    if group:
        yield group


def paginate(report: Report, svgs: dict[int, str]) -> Layout:
    """The printed pages of the report: the cover is page 1; svgs: each figure's chart, by
    figure number, as the page shows it."""
    measure = _Measure(svgs)
    layout = Layout()
    page, used, margin = 1, PAGE_HEIGHT, 0.0  # the cover fills page 1
    for section in report.sections:
        for number, group in enumerate(_groups(measure.section(section))):
            forced = number == 0 and section.key in OPENS_PAGE
            height = 0.0
            below = margin
            for unit in group:
                height += max(below, unit.top) + unit.height * SAFETY
                below = unit.bottom
            if forced or used + height > PAGE_HEIGHT:
                page += 1
                layout.starts.add(group[0].anchor)
                used = height - max(margin, group[0].top) + group[0].top
            else:
                used += height
            margin = below
            if number == 0:
                layout.pages[section.key] = page
    layout.page_count = page
    return layout
