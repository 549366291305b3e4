"""Disclosure control: no count from 1 to 5 is shown, and no hidden count (nor a small count
that is never shown, such as the audits *not* counted) can be worked out from what is shown.

Each case is checked against an attacker written independently of the engine: one that
solves the published totals for every hidden cell by enumerating the possible values."""

from itertools import product

import pytest

from orchestration.lib.publish.disclosure import (
    CellTable,
    Relation,
    exposed_cells,
    recoverable_cells,
    suppress,
)


def table(values, relations, published=None, protected=()):
    return CellTable(
        values=values,
        published=frozenset(published if published is not None else values),
        protected=frozenset(protected),
        relations=tuple(Relation(total, tuple(parts)) for total, parts in relations),
    )


def attacker_recovers(t: CellTable, hidden: set, cell) -> bool:
    """Brute force: every assignment of 0..limit to the unknown cells that satisfies all the
    relations; the cell is recovered when all of them give it the same value."""
    unknown = sorted((hidden | (set(t.values) - t.published)), key=repr)
    limit = max(t.values.values())
    seen = set()
    for guess in product(range(limit + 1), repeat=len(unknown)):
        values = {**t.values, **dict(zip(unknown, guess, strict=True))}
        if all(values[r.total] == sum(values[p] for p in r.parts) for r in t.relations):
            seen.add(values[cell])
            if len(seen) > 1:
                return False
    return True


def test_a_breakdown_with_one_small_category_hides_the_next_smallest_too():
    # Total 40 = A 3 + B 17 + C 20: hiding A alone would leave A = 40 - 17 - 20.
    t = table({"total": 40, "A": 3, "B": 17, "C": 20}, [("total", ["A", "B", "C"])])
    hidden = suppress(t)
    assert hidden == {"A", "B"}
    assert not attacker_recovers(t, set(hidden), "A")
    assert not attacker_recovers(t, set(hidden), "B")


def test_without_secondary_suppression_the_small_cell_is_recoverable():
    t = table({"total": 40, "A": 3, "B": 17, "C": 20}, [("total", ["A", "B", "C"])])
    assert attacker_recovers(t, {"A"}, "A")
    assert exposed_cells(t, {"A"}) == {"A"}


def test_a_small_count_that_is_never_shown_is_protected_too():
    # 37 of 40 children said yes: showing both reveals the 3 who did not.
    t = table(
        {"base": 40, "yes": 37, "not yes": 3},
        [("base", ["yes", "not yes"])],
        published={"base", "yes"},
        protected={"not yes"},
    )
    assert suppress(t) == {"yes"}
    assert not attacker_recovers(t, {"yes"}, "not yes")


def test_an_unprotected_derived_count_may_be_small():
    # Audits outside a question's base (not applicable, missing) are not suppressed for.
    t = table(
        {"audits": 40, "answered": 37, "outside": 3},
        [("audits", ["answered", "outside"])],
        published={"audits", "answered"},
    )
    assert suppress(t) == set()


def test_a_total_shared_by_two_breakdowns_stays_shown_and_each_breakdown_is_protected():
    values = {"T": 30, "a1": 3, "a2": 27, "d1": 10, "d2": 12, "d3": 8}
    t = table(values, [("T", ["a1", "a2"]), ("T", ["d1", "d2", "d3"])])
    hidden = suppress(t)
    assert hidden == {"a1", "a2"}
    for cell in hidden:
        assert not attacker_recovers(t, set(hidden), cell)


def test_a_hidden_total_needs_a_hidden_category_as_well():
    # The total is small itself: its categories would add up to it.
    t = table({"T": 4, "a": 0, "b": 4, "c": 0}, [("T", ["a", "b", "c"])])
    hidden = suppress(t)
    assert {"T", "b"} <= hidden
    assert not attacker_recovers(t, set(hidden), "T")


def test_nested_counts_are_protected_through_their_parts():
    # On the 2023 form parents' views "not recorded" is exactly "not asked" + "declined":
    # showing 12 and 9 would reveal the 3 who declined.
    values = {"no": 12, "not asked": 9, "declined": 3}
    t = table(values, [("no", ["not asked", "declined"])])
    hidden = suppress(t)
    assert hidden == {"declined", "not asked"}
    assert not attacker_recovers(t, set(hidden), "declined")


def test_a_part_that_is_never_shown_keeps_its_siblings_uncertain():
    # On older forms a plain "no" (never shown on its own) is part of "not recorded" too, so
    # 12 - 9 only bounds "declined" and "plain no" together.
    values = {"no": 12, "not asked": 9, "declined": 3, "plain no": 0}
    t = table(
        values,
        [("no", ["not asked", "declined", "plain no"])],
        published={"no", "not asked", "declined"},
        protected={"plain no"},
    )
    assert suppress(t) == {"declined"}
    assert not attacker_recovers(t, {"declined"}, "declined")


# A 2x2 table with margins: rows r1, r2 of cells a, b and c, d; columns c1, c2 of a, c and b, d;
# the total T of both the rows and the columns.
TWO_BY_TWO = {"r1": 13, "r2": 30, "c1": 20, "c2": 23, "T": 43, "a": 3, "b": 10, "c": 17, "d": 13}
TWO_BY_TWO_RELATIONS = [
    ("r1", ["a", "b"]),
    ("r2", ["c", "d"]),
    ("c1", ["a", "c"]),
    ("c2", ["b", "d"]),
    ("T", ["r1", "r2"]),
    ("T", ["c1", "c2"]),
]


def test_interlocking_breakdowns_are_solved_exactly():
    # Hiding one row's two cells is not enough when the column totals are shown (the classic
    # case that "two per row" rules miss).
    t = table(TWO_BY_TWO, TWO_BY_TWO_RELATIONS)
    assert recoverable_cells(t, {"a", "b"}) == {"a", "b"}
    hidden = suppress(t)
    assert exposed_cells(t, hidden) == set()
    assert "a" in hidden and len(hidden) >= 4


@pytest.mark.parametrize("seed", range(20))
def test_random_breakdowns_leave_nothing_recoverable(seed):
    import random

    rng = random.Random(seed)
    categories = [rng.choice([0, 1, 2, 4, 6, 9, 15]) for _ in range(4)]
    total = sum(categories)
    first = rng.randint(0, total)
    second = rng.randint(0, total - first)
    other = [first, second, total - first - second]  # a second breakdown of the same total
    values = {"T": total, **{f"a{i}": v for i, v in enumerate(categories)}}
    values |= {f"d{i}": v for i, v in enumerate(other)}
    t = table(values, [("T", [f"a{i}" for i in range(4)]), ("T", [f"d{i}" for i in range(3)])])
    hidden = suppress(t)
    assert all(not 1 <= values[cell] <= 5 for cell in t.published - hidden)
    for cell in hidden:
        assert not attacker_recovers(t, set(hidden), cell), (values, hidden, cell)


def test_the_result_does_not_depend_on_the_order_cells_and_relations_are_given_in():
    import random

    values, relations = TWO_BY_TWO, TWO_BY_TWO_RELATIONS
    expected = suppress(table(values, relations))
    rng = random.Random(7)
    for _ in range(10):
        shuffled = dict(rng.sample(sorted(values.items()), len(values)))
        order = [(total, rng.sample(parts, len(parts))) for total, parts in relations]
        assert suppress(table(shuffled, rng.sample(order, len(order)))) == expected
