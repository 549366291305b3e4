"""Statistical disclosure control: which counts the open data must not show.

Primary suppression hides every published count from 1 to 5. That is not enough on its own:
published counts add up (a total and its categories, a base and the audits counted in it, a
count and its parts), so a reader can recover a hidden count by subtraction, and can work out
counts that are never published at all (the audits *not* counted, the rest of a total) in the
same way. Secondary suppression therefore hides more published counts, until no hidden count,
and no small count that is never shown, is determined by what is published.

"Determined" is exact linear algebra over the additive relations, with the published counts as
knowns: a hidden count is determined when the relations leave it exactly one value. (Bounds
from counts being non-negative are not considered; that is the usual standard for published
statistics, and counts are never published as intervals here.) The caller says which cells
exist, which are published, which unpublished ones must not be recovered, and how they add
up: orchestration/lib/publish/metric_cells.py derives that from the metric catalogue.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

Cell = Hashable

SMALLEST_SAFE_COUNT = 6  # counts 1..5 are disclosive; 0 is not (it reveals nobody)
_TOLERANCE = 1e-9


def is_small(count: int) -> bool:
    """A count from 1 to 5: it could identify a child, so it is never published."""
    return 0 < count < SMALLEST_SAFE_COUNT


class DisclosureError(RuntimeError):
    """The figures cannot be protected by suppression (should not happen: raised rather than
    publishing anything unsafe)."""


@dataclass(frozen=True)
class Relation:
    """An identity a reader could use to subtract: total = sum of parts."""

    total: Cell
    parts: tuple[Cell, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class CellTable:
    """The counts of one release and how they add up.

    values: every cell's true count, published or derived (derived cells are the unpublished
    members of relations: complements, remainders). published: the cells the files show.
    protected: derived cells that must not be recoverable when small (e.g. the audits *not*
    counted by a metric); other derived cells (e.g. audits outside a question's base) may be.
    """

    values: Mapping[Cell, int]
    published: frozenset[Cell]
    protected: frozenset[Cell]
    relations: tuple[Relation, ...]
    # The same, numbered (cells in a stable order, by repr) for the work below.
    _cells: list[Cell] = field(init=False, repr=False, compare=False)
    _ids: dict[Cell, int] = field(init=False, repr=False, compare=False)
    _counts: list[int] = field(init=False, repr=False, compare=False)
    _shown: list[bool] = field(init=False, repr=False, compare=False)
    _sensitive: list[bool] = field(init=False, repr=False, compare=False)
    _relations: list[tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _totals: list[int] = field(init=False, repr=False, compare=False)  # relations it totals

    def __post_init__(self) -> None:
        cells = sorted(self.values, key=repr)
        ids = {cell: number for number, cell in enumerate(cells)}
        # In a canonical order, whatever order the caller built them in: which derivation the
        # elimination finds, and so which counts are hidden, must not depend on it.
        canonical = set()
        for relation in self.relations:
            missing = [cell for cell in relation.cells if cell not in ids]
            if missing:
                raise ValueError(f"relation {relation} refers to {missing[0]!r}: no count")
            canonical.add((ids[relation.total], *sorted(ids[part] for part in relation.parts)))
        relations = sorted(canonical)
        index: list[list[int]] = [[] for _ in cells]
        for number, members in enumerate(relations):
            for cell in members:
                index[cell].append(number)
        numbered = {
            "_cells": cells,
            "_ids": ids,
            "_counts": [self.values[cell] for cell in cells],
            "_shown": [cell in self.published for cell in cells],
            "_sensitive": [
                is_small(self.values[cell]) and (cell in self.published or cell in self.protected)
                for cell in cells
            ],
            "_relations": relations,
            "_totals": [
                sum(relations[n][0] == cell for n in index[cell]) for cell in range(len(cells))
            ],
        }
        for name, value in numbered.items():
            object.__setattr__(self, name, value)


def suppress(table: CellTable) -> frozenset[Cell]:
    """The published cells to hide: every small count; then, while a reader could still work
    out a hidden count (or a small unpublished one), more counts from the relations that give
    each one away (see _secondary). Each round handles every exposed cell whose giveaways are
    not already being hidden that round, so a release takes a few rounds, not one per cell."""
    hidden = {
        cell
        for cell in range(len(table._cells))
        if table._shown[cell] and is_small(table._counts[cell])
    }
    while exposed := sorted((solution := _Solution(table, hidden)).exposed()):
        chosen: set[int] = set()
        for cell in exposed:
            giveaways = solution.giveaways(cell)
            if not chosen.intersection(giveaways):
                chosen.add(_secondary(table, giveaways, cell))
        hidden |= chosen
    return frozenset(table._cells[cell] for cell in hidden)


def exposed_cells(table: CellTable, suppressed: Iterable[Cell]) -> set[Cell]:
    """Hidden counts, and small unpublished ones that must stay unknown, that the published
    counts determine: empty when the suppression is safe."""
    solution = _Solution(table, {table._ids[cell] for cell in suppressed})
    return {table._cells[cell] for cell in solution.exposed()}


def recoverable_cells(table: CellTable, suppressed: Iterable[Cell]) -> set[Cell]:
    """Every hidden cell (suppressed or derived) whose count a reader can compute exactly
    from the published counts and the relations."""
    solution = _Solution(table, {table._ids[cell] for cell in suppressed})
    return {table._cells[cell] for cell in solution.determined}


class _Solution:
    """What a reader can solve for. Each relation is an equation sum(a * cell) = 0 with a = +1
    for its total and -1 for its parts; the shown cells are known. A hidden cell is determined
    when some combination of the equations leaves it as the only unknown; that combination
    (weights per relation) says which shown counts give it away."""

    def __init__(self, table: CellTable, hidden: set[int]) -> None:
        self.table, self.hidden = table, hidden
        unknown = [cell in hidden or not table._shown[cell] for cell in range(len(table._cells))]
        self.unknowns = {
            number: [cell for cell in members if unknown[cell]]
            for number, members in enumerate(table._relations)
        }
        self.unknowns = {number: cells for number, cells in self.unknowns.items() if cells}
        # A cell in only one equation cannot help to determine any other: set that equation
        # aside, and decide the cell afterwards (determined when the rest of its equation is).
        # Repeating this leaves a small core for linear algebra.
        occurrences: dict[int, set[int]] = defaultdict(set)
        for number, cells in self.unknowns.items():
            for cell in cells:
                occurrences[cell].add(number)
        active = set(self.unknowns)
        self.set_aside: dict[int, int] = {}
        order: list[int] = []
        queue = [cell for cell, numbers in occurrences.items() if len(numbers) == 1]
        while queue:
            cell = queue.pop()
            if len(occurrences[cell]) != 1:
                continue
            (number,) = occurrences[cell]
            active.discard(number)
            self.set_aside[cell] = number
            order.append(cell)
            for member in self.unknowns[number]:
                occurrences[member].discard(number)
                if len(occurrences[member]) == 1:
                    queue.append(member)
        self.core = self._solve_core(sorted(active))
        self.determined = set(self.core)
        for cell in reversed(order):
            number = self.set_aside[cell]
            if all(m in self.determined for m in self.unknowns[number] if m != cell):
                self.determined.add(cell)
        self._combinations: dict[int, dict[int, float]] = {}

    def exposed(self) -> set[int]:
        return {
            cell for cell in self.determined if cell in self.hidden or self.table._sensitive[cell]
        }

    def _coefficient(self, number: int, cell: int) -> float:
        return 1.0 if self.table._relations[number][0] == cell else -1.0

    def _solve_core(self, numbers: list[int]) -> dict[int, dict[int, float]]:
        """Gauss-Jordan on the core equations, tracking each row as a combination of the
        equations: the determined cells, each with the combination that isolates it."""
        cells = sorted({cell for number in numbers for cell in self.unknowns[number]})
        if not cells:
            return {}
        column = {cell: index for index, cell in enumerate(cells)}
        matrix = np.zeros((len(numbers), len(cells) + len(numbers)))
        for row, number in enumerate(numbers):
            for cell in self.unknowns[number]:
                matrix[row, column[cell]] = self._coefficient(number, cell)
            matrix[row, len(cells) + row] = 1.0
        determined = {}
        for row, col in _reduce(matrix, len(cells)):
            if np.count_nonzero(np.abs(matrix[row, : len(cells)]) > _TOLERANCE) == 1:
                weights = matrix[row, len(cells) :]
                determined[cells[col]] = {
                    numbers[i]: weights[i] for i in np.flatnonzero(np.abs(weights) > _TOLERANCE)
                }
        return determined

    def combination(self, cell: int) -> dict[int, float]:
        """Weights per relation whose sum leaves cell as the only unknown (cell determined)."""
        if cell in self.core:
            return self.core[cell]
        if cell not in self._combinations:
            number = self.set_aside[cell]
            weights = defaultdict(float, {number: 1.0})
            for member in self.unknowns[number]:
                if member != cell:
                    for other, weight in self.combination(member).items():
                        weights[other] -= self._coefficient(number, member) * weight
            scale = 1.0 / self._coefficient(number, cell)
            self._combinations[cell] = {n: w * scale for n, w in weights.items()}
        return self._combinations[cell]

    def giveaways(self, cell: int) -> list[int]:
        """The shown counts the determining combination uses: hiding any one of them breaks
        it (another may remain, and is found on the next round)."""
        net: dict[int, float] = defaultdict(float)
        for number, weight in self.combination(cell).items():
            for member in self.table._relations[number]:
                if self.table._shown[member] and member not in self.hidden:
                    net[member] += weight * self._coefficient(number, member)
        return [member for member, value in net.items() if abs(value) > _TOLERANCE]


def _reduce(matrix: np.ndarray, columns: int) -> list[tuple[int, int]]:
    """Gauss-Jordan elimination in place over the first `columns` columns (the rest ride
    along); returns the (row, column) of each pivot."""
    rows = matrix.shape[0]
    pivots: list[tuple[int, int]] = []
    row = 0
    for col in range(columns):
        if row == rows:
            break
        best = row + int(np.argmax(np.abs(matrix[row:, col])))
        if abs(matrix[best, col]) < _TOLERANCE:
            continue
        matrix[[row, best]] = matrix[[best, row]]
        matrix[row] /= matrix[row, col]
        others = np.abs(matrix[:, col]) > _TOLERANCE
        others[row] = False
        matrix[others] -= np.outer(matrix[others, col], matrix[row])
        pivots.append((row, col))
        row += 1
    return pivots


def _secondary(table: CellTable, giveaways: list[int], exposed: int) -> int:
    """The shown count to hide next, among those that give the exposed cell away: a part
    rather than a total (the authority's own figures stay shown wherever they can), a
    non-zero count rather than a zero (hiding a zero protects little), then the smallest."""
    if not giveaways:
        raise DisclosureError(
            f"nothing shown gives {table._cells[exposed]!r} away, yet it is known"
        )
    return min(
        giveaways,
        key=lambda cell: (
            table._totals[cell] > 0,
            table._counts[cell] == 0,
            table._counts[cell],
            cell,
        ),
    )
