"""The report's sentences: templates from seeds/catalogue/report_sentences.csv filled in with
figures, and the comparison with earlier years worded from the trend marts.

A template names its figures with placeholders: `{n}`, `{base}`, `{pct}`, `{missing}` and
`{label}` for the row's metric, `{<metric_id>.pct}` (and .n, .base, ...) for any other metric,
`{ranked[0].label}` ... for the metrics of a ranking row ordered by count, and `{period}`,
`{audit_months}`, `{la_name}`, `{rounding_rule}` anywhere. A sentence whose figures are not all
there (a question not on that year's form, or a measure the form could not record) is left
out rather than printed with a gap or a 0%. A row printing `{n}` and `{base}` has a
`text_if_all`, printed when every audit of the base is counted ("in all 41 cases", never
"41 of these 41 cases (100%)").

A comparison sentence is printed only when the metric has an earlier period with a figure, is
attached to the figure it compares (a row with a comparison prints no other measure's
figures), and says:
- the direction, from the change between the whole percentages the report prints (a change
  of IN_LINE_POINTS or less is "in line": whole percentages differ by one through rounding);
- "improvement" or "decline" from the metric's higher_is (metrics.csv: better, worse;
  neutral gives "increase" or "decrease"); for a measure where higher is worse the movement
  comes first, so a rise reads as one: "up from last year's 60% (5 percentage points): a
  decline" (`{previous_trend}`), never "a decline from last year's 60%";
- "significant" only when the trend mart's two-proportion test says so.
A measure new on the form (every earlier year on record could not record it) prints the row's
`not_recorded_before` instead ("This was not recorded before {recorded_since}.").
"""

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestration.lib.report.data import Comparison, MetricValue, TemplateRow

IN_LINE_POINTS = 1
METRIC_FIELDS = ("n", "base", "pct", "missing", "label")
PERIOD_FIELDS = ("period", "audit_months", "la_name", "rounding_rule", "audits", "form_versions")
COMPARISON_FIELDS = ("compared", "trend", "ref", "pct", "period", "change")
NEW_MEASURE_FIELDS = ("recorded_since",)
ROUNDING_RULES = {
    "truncate": "rounded down, as earlier reports printed them (95.8% is shown as 95%)",
    "half_up": "rounded to the nearest whole number, halves up (95.5% is shown as 96%)",
}
SIGNIFICANT = {"significant_increase", "significant_decrease"}
_WORDS = {  # higher_is -> (word for a rise, word for a fall)
    "better": ("improvement", "decline"),
    "worse": ("decline", "improvement"),
    "neutral": ("increase", "decrease"),
}
_VERBS = {"improvement": "improved", "decline": "declined"}
_VERBS.update({"increase": "increased", "decrease": "decreased"})
IN_LINE = "in line"


class TemplateError(ValueError):
    """A row of report_sentences.csv that cannot be rendered, and why."""

    def __init__(self, row: TemplateRow, problem: str) -> None:
        super().__init__(
            f"seeds/catalogue/report_sentences.csv, sort_order {row.sort_order} "
            f"({row.section}, {row.kind}): {problem}"
        )


@dataclass(frozen=True)
class Figures:
    """A metric's placeholders: what `{metric_id.pct}` and friends print."""

    n: str
    base: str
    pct: str
    missing: str
    label: str


def figures(value: MetricValue) -> Figures:
    """A field is empty where the metric has no such figure (a count has no base or pct)."""
    return Figures(
        n=_count(value.numerator),
        base=_count(value.denominator),
        pct="" if value.reported_percent is None else str(value.reported_percent),
        missing=str(value.missing_answers),
        label=value.label,
    )


def _count(number: int | None) -> str:
    return "" if number is None else f"{number:,}"


def _fields(template: str) -> Iterable[str]:
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            yield field


def _names(template: str) -> set[str]:
    """The placeholders of a template; none when it is not a valid one (reported apart)."""
    try:
        return set(_fields(template))
    except ValueError:
        return set()


def _split(field: str) -> tuple[str, str | None]:
    """'care_plan_reflects_needs.pct' -> ('care_plan_reflects_needs', 'pct');
    'ranked[0].n' -> ('ranked[0]', 'n'); 'pct' -> ('pct', None)."""
    root, _, attribute = field.partition(".")
    return root, attribute or None


def referenced_metrics(row: TemplateRow) -> list[str]:
    """The metrics a row prints, its own first, in the order they appear."""
    found = list(row.metric_ids)
    for metric_id, _ in needed_figures(row):
        if metric_id not in found:
            found.append(metric_id)
    return found


def needed_figures(row: TemplateRow) -> list[tuple[str, str]]:
    """(metric id, field) of every figure the row's text prints: the row is left out when
    one of them is missing in the period. Comparisons are checked separately: they are
    printed only when there is an earlier period."""
    needed = []
    for field in _fields(row.text):
        root, attribute = _split(field)
        if attribute is None and root in METRIC_FIELDS and row.metric_ids:
            needed.append((row.metric_ids[0], root))
        elif attribute is not None and root.startswith("ranked["):
            needed += [(metric_id, attribute) for metric_id in row.metric_ids]
        elif attribute is not None:
            needed.append((root, attribute))
    return needed


def check_row(row: TemplateRow, directions: Mapping[str, str]) -> list[str]:
    """Problems with a row (directions: every metric of the catalogue -> higher_is): unknown
    placeholders, a metric field on a row without a metric, a ranking index beyond the ranked
    metrics, bad format syntax; and wording that would mislead: a comparison printed after
    another measure's figure, "a decline from" for a measure where higher is worse (it reads
    as a fall), "41 of these 41" where every audit is counted."""
    problems = []
    own = set(METRIC_FIELDS) if len(row.metric_ids) == 1 and row.kind != "ranking" else set()
    period = set(PERIOD_FIELDS)
    allowed = {
        "text": period | own,
        "text_if_all": period | own,
        "comparison": {f"previous_{f}" for f in COMPARISON_FIELDS} | period | own,
        "first_comparison": {f"first_{f}" for f in COMPARISON_FIELDS} | period | own,
        "not_recorded_before": set(NEW_MEASURE_FIELDS) | period | own,
    }
    others: set[str] = set()  # metrics other than the row's own whose figures it prints
    for column, names in allowed.items():
        template = getattr(row, column)
        try:
            fields = list(_fields(template))
        except ValueError as error:
            problems.append(f"{column} is not a valid template ({error}): {template!r}")
            continue
        for field in fields:
            root, attribute = _split(field)
            if attribute is None and root in names:
                continue
            if root.startswith("ranked["):
                index = root.removeprefix("ranked[").removesuffix("]")
                if row.kind != "ranking":
                    problems.append(f"{{{field}}} is only for ranking rows")
                elif not index.isdigit() or int(index) >= len(row.metric_ids):
                    problems.append(f"{{{field}}}: this row ranks {len(row.metric_ids)} metrics")
                elif attribute not in METRIC_FIELDS:
                    problems.append(f"{{{field}}}: a metric has {', '.join(METRIC_FIELDS)}")
                continue
            if attribute is not None and root in directions and attribute in METRIC_FIELDS:
                if root not in row.metric_ids:
                    others.add(root)
                continue
            if attribute is not None and root in directions:
                problems.append(f"{{{field}}}: a metric has {', '.join(METRIC_FIELDS)}")
            elif attribute is not None:
                problems.append(f"{{{field}}}: no metric {root!r} in the metric catalogue")
            else:
                problems.append(
                    f"{column} has unknown placeholder {{{field}}} (allowed: "
                    + ", ".join(f"{{{name}}}" for name in sorted(names))
                    + ", {<metric_id>.pct} ...)"
                )
    if row.comparison or row.first_comparison or row.not_recorded_before:
        problems += _comparison_problems(row, directions, others)
    if own and row.kind == "finding" and not row.text_if_all and {"n", "base"} <= _names(row.text):
        problems.append(
            "prints {n} and {base}: give text_if_all for when they are equal "
            '("all 41", never "41 of these 41")'
        )
    return problems


def _comparison_problems(
    row: TemplateRow, directions: Mapping[str, str], others: set[str]
) -> list[str]:
    if len(row.metric_ids) != 1:
        return ["a comparison needs exactly one metric_id"]
    problems = []
    if others:
        problems.append(
            "a comparison must follow the figure it compares: this row also prints "
            + ", ".join(sorted(others))
            + " (give that measure a row of its own)"
        )
    if directions.get(row.metric_ids[0]) == "worse":
        for prefix, template in (("previous", row.comparison), ("first", row.first_comparison)):
            if f"{prefix}_compared" in _names(template):
                problems.append(
                    f"{{{prefix}_compared}} reads backwards for {row.metric_ids[0]}, where "
                    f'higher is worse ("a decline from 60%" for a rise): use {{{prefix}_trend}}'
                )
    return problems


def render(template: str, fields: Mapping[str, Any]) -> str:
    return template.format_map(fields)


def compared(comparison: Comparison, higher_is: str) -> str:
    """'a significant improvement from', 'in line with', 'a decline from', ...: for measures
    where higher is better (or neutral), whose word moves with the figure; check_row refuses
    it where higher is worse (use trend)."""
    change = comparison.reported_change_points
    significant = comparison.significance in SIGNIFICANT
    if abs(change) <= IN_LINE_POINTS and not significant:
        return "in line with"
    rise, fall = _WORDS[higher_is]
    word = rise if change > 0 else fall
    if significant:
        return f"a significant {word} from"
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word} from"


def trend(comparison: Comparison, higher_is: str, ref: str) -> str:
    """The movement first, then what it means, so it reads right whatever the direction:
    'up from last year's 60% (5 percentage points): a decline' (higher is worse), 'down from
    ... : a significant improvement', 'in line with last year's 62% (up 1 percentage point)'.
    A neutral measure's change is said without a verdict, unless it is significant."""
    change = comparison.reported_change_points
    significant = comparison.significance in SIGNIFICANT
    if abs(change) <= IN_LINE_POINTS and not significant:
        return f"in line with {ref} ({change_in_points(change)})"
    rise, fall = _WORDS[higher_is]
    word = rise if change > 0 else fall
    points = "percentage point" if abs(change) == 1 else "percentage points"
    movement = f"{'up' if change > 0 else 'down'} from {ref} ({abs(change)} {points})"
    if significant:
        return f"{movement}: a significant {word}"
    if higher_is == "neutral":
        return movement
    return f"{movement}: {'an' if word[0] in 'aeiou' else 'a'} {word}"


def direction(comparison: Comparison, higher_is: str) -> str:
    """What the change means, as the what-changed table and the key messages say it:
    'improved' or 'declined' (by higher_is), 'increased' or 'decreased' for a neutral
    measure, 'in line' within IN_LINE_POINTS unless the test finds it significant: the same
    rule as the sentences' wording."""
    change = comparison.reported_change_points
    if abs(change) <= IN_LINE_POINTS and comparison.significance not in SIGNIFICANT:
        return IN_LINE
    rise, fall = _WORDS[higher_is]
    return _VERBS[rise if change > 0 else fall]


def significance_words(comparison: Comparison) -> str:
    """The trend mart's verdict in its own words: 'significant increase', 'not significant',
    'not testable: fewer than 5 in a cell' (change_significance and not_testable_reason)."""
    words = comparison.significance.replace("_", " ")
    if comparison.not_testable_reason:
        return f"{words}: {comparison.not_testable_reason.replace('_', ' ')}"
    return words


def signed_points(points: int) -> str:
    """A change in points with its sign: '+4', '0', and a true minus sign (U+2212) before 3."""
    return f"+{points}" if points > 0 else f"\u2212{-points}" if points < 0 else "0"


def change_in_points(points: int) -> str:
    if points == 0:
        return "no change"
    unit = "percentage point" if abs(points) == 1 else "percentage points"
    return f"{'up' if points > 0 else 'down'} {abs(points)} {unit}"


def period_label(time_period: str) -> str:
    """'2022' as it is; a financial year '202223' as '2022-23'."""
    if len(time_period) == 6 and time_period.isdigit():
        return f"{time_period[:4]}-{time_period[4:]}"
    return time_period


def _is_year_before(earlier: str, period: str) -> bool:
    return (
        earlier[:4].isdigit() and period[:4].isdigit() and int(earlier[:4]) + 1 == int(period[:4])
    )


def comparison_fields(
    prefix: str, comparison: Comparison, period: str, higher_is: str
) -> dict[str, str]:
    """previous_* or first_* placeholders of a comparison sentence."""
    percent = f"{comparison.reported_percent}%"
    label = period_label(comparison.period)
    if _is_year_before(comparison.period, period):
        ref = f"last year's {percent}"
    else:
        ref = f"the {percent} recorded in {label}"
    return {
        f"{prefix}_compared": compared(comparison, higher_is),
        f"{prefix}_trend": trend(comparison, higher_is, ref),
        f"{prefix}_ref": ref,
        f"{prefix}_pct": str(comparison.reported_percent),
        f"{prefix}_period": label,
        f"{prefix}_change": change_in_points(comparison.reported_change_points),
    }
