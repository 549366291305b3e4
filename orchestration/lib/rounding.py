"""Whole percentages, made one way in Python (the dbt macro `whole_percent` makes them the same
way in SQL; a test checks the two agree on every figure of the sample).

Exact integer arithmetic: 100 x numerator / denominator truncated, or rounded half up, never
through a floating-point value that could land a hair below a whole number.
"""

from typing import Literal

Rounding = Literal["half_up", "truncate"]


def whole_percent(numerator: int, denominator: int, rounding: str) -> int:
    """100 x numerator / denominator as a whole number: `truncate` (as the 2022 report printed
    them: 95.8 -> 95) or `half_up` (69.5 -> 70). Percentages are never negative."""
    if rounding == "truncate":
        return (100 * numerator) // denominator
    if rounding == "half_up":
        return (200 * numerator + denominator) // (2 * denominator)
    raise ValueError(f"unknown percent rounding {rounding!r}")
