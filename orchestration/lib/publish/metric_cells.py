"""Which published counts are the same count, and which add up: derived from the metric
catalogue, so that disclosure control knows every way a reader could subtract.

A metric's numerator and denominator are counts of a set of audits (or of selections): the
audits whose answer to a question is one of some codes. Two figures that count the same set
are one cell (the numerators of immigration_status_captured and
uasc_immigration_status_captured; the base shared by every metric on a question). Sets nest:
for a single-select question the codes partition the answers, so a count is the sum of the
counts it contains plus a remainder (parents' views "no" = "not asked" + "declined" + plain
"no"); a base is its numerator plus the audits not counted; all audits are a question's base
plus the audits outside it. A new metric or basis in the catalogue gets its relations here
without code changes.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import combinations

NOT_ANSWERED = "(not answered)"  # in an all_audits base: the form had the question, no answer


@dataclass(frozen=True, repr=False)
class Count:
    """A set of things counted: audits (or selections) whose answer to a question is one of
    `codes`; `none_of` counts audits selecting none of `codes` on a multi-select, within the
    base `within`. question_id None with no codes: every audit."""

    question_id: str | None
    unit: str
    codes: frozenset[str] = frozenset()
    none_of: bool = False
    within: "Count | None" = None
    # Only the audits on these form versions (empty: every audit of the period): the base of
    # a metric that some of a period's forms could not record counts the others only.
    versions: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        # Stable across processes (sets of strings iterate in a random order): disclosure
        # control breaks ties by repr, and the same data must give the same release.
        codes = "|".join(sorted(self.codes))
        rule = f"none of {codes} within {self.within!r}" if self.none_of else codes
        scope = f", on forms {'|'.join(sorted(self.versions))}" if self.versions else ""
        return f"Count({self.question_id}, {self.unit}, {rule}{scope})"

    def on_forms(self, versions: Iterable[str]) -> "Count":
        """The same count over the audits on these form versions only."""
        within = self.within.on_forms(versions) if self.within is not None else None
        return replace(self, versions=frozenset(versions), within=within)


ALL_AUDITS = Count(question_id=None, unit="audits")


@dataclass(frozen=True, repr=False)
class Rest:
    """The unpublished remainder of a total after some of its parts: derived, never shown."""

    total: Count
    parts: frozenset[Count]

    def __repr__(self) -> str:
        return f"Rest({self.total!r} - {' - '.join(map(repr, _ordered(self.parts)))})"


@dataclass(frozen=True)
class Identity:
    """total = sum(parts), the last of which is a Rest; protected: the Rest must not be
    recovered when small, because it counts answers (e.g. the audits *not* counted by a
    metric), as opposed to audits outside a question's answered base (not applicable, not
    asked, missing), which are not a finding about the children."""

    total: Count
    parts: tuple[Count | Rest, ...]
    protected: bool


@dataclass(frozen=True)
class MetricDefinition:
    metric_id: str
    question_id: str | None
    numerator_rule: str  # selected | not_selected | count_audits
    numerator_codes: tuple[str, ...]
    unit: str  # audits | selections
    population: str  # all_audits | answered
    restrict_to_codes: tuple[str, ...]


@dataclass(frozen=True)
class AnswerOption:
    code: str
    rolls_up_to: str | None
    excluded_from_answered: bool
    form_versions: frozenset[str]  # the form versions that offer it


@dataclass(frozen=True)
class MetricCells:
    """What each metric publishes (numerator, and denominator unless it counts audits) and
    how all those counts add up."""

    numerators: Mapping[str, Count]
    denominators: Mapping[str, Count | None]
    identities: tuple[Identity, ...]
    options: Mapping[str, list[AnswerOption]]
    # Metrics whose numerator counts audits *not* selecting codes: on a form that cannot
    # record the metric such audits exist, so over a subset of forms it is another count.
    not_selected: frozenset[str] = frozenset()

    def identity(self, total: Count, part: Count) -> Identity | None:
        """The identity total = part + rest, if the catalogue has it."""
        for identity in self.identities:
            if identity.total == total and identity.parts[:-1] == (part,):
                return identity
        return None

    def rest_cannot_occur(self, identity: Identity, form_versions: Iterable[str]) -> bool:
        """Whether no audit on these form versions can be in the identity's rest: its codes
        are none the forms offer (the 2023 form has no plain "no" beside "not asked" and
        "declined"), so the parts add up to the total exactly, as any reader of the form knows.
        """
        total, (*parts, _) = identity.total, identity.parts
        versions = set(form_versions)
        if not versions or total.question_id is None or any(part.none_of for part in parts):
            return False
        offered = {o.code for o in self.options[total.question_id] if o.form_versions & versions}
        rest = total.codes.difference(*(part.codes for part in parts))
        return not rest & (offered | {NOT_ANSWERED})


def metric_cells(
    metrics: Iterable[MetricDefinition],
    question_types: Mapping[str, str],
    options: Mapping[str, list[AnswerOption]],
) -> MetricCells:
    metrics = list(metrics)
    numerators: dict[str, Count] = {}
    denominators: dict[str, Count | None] = {}
    for metric in metrics:
        numerators[metric.metric_id], denominators[metric.metric_id] = _counts(
            metric, question_types, options
        )
    identities: dict[tuple[Count, frozenset], Identity] = {}

    def add(total: Count, parts: Iterable[Count]) -> None:
        parts = frozenset(parts)
        if total in parts or (total, parts) in identities:
            return
        identities[(total, parts)] = Identity(
            total, (*_ordered(parts), Rest(total, parts)), _counts_answers(total, parts, options)
        )

    bases = {base for base in denominators.values() if base is not None}
    for metric_id, numerator in numerators.items():
        base = denominators[metric_id]
        if base is not None:
            add(base, [numerator])
    if ALL_AUDITS in numerators.values():
        for base in _ordered(bases):
            if base.unit == "audits":
                add(ALL_AUDITS, [base])
    families: dict[tuple[str | None, str], set[Count]] = defaultdict(set)
    for count in [*numerators.values(), *bases]:
        if count.question_id is not None and not count.none_of:
            families[(count.question_id, count.unit)].add(count)
    for (question_id, unit), family in sorted(families.items(), key=repr):
        if unit == "selections" or question_types[question_id] == "single":
            for total, parts in _partitions(family):
                add(total, parts)
    not_selected = frozenset(m.metric_id for m in metrics if m.numerator_rule == "not_selected")
    return MetricCells(numerators, denominators, tuple(identities.values()), options, not_selected)


def _counts(
    metric: MetricDefinition,
    question_types: Mapping[str, str],
    options: Mapping[str, list[AnswerOption]],
) -> tuple[Count, Count | None]:
    if metric.numerator_rule == "count_audits":
        return ALL_AUDITS, None
    question_id = metric.question_id
    assert question_id is not None, f"{metric.metric_id} has no question"
    question_options = options[question_id]
    # Counting selections of a single-select question is counting audits.
    unit = "audits" if question_types[question_id] == "single" else metric.unit

    def expand(codes: Iterable[str]) -> frozenset[str]:
        wanted = set(codes)
        return frozenset(
            o.code for o in question_options if o.code in wanted or o.rolls_up_to in wanted
        )

    if metric.population == "all_audits":
        base_codes = frozenset(o.code for o in question_options) | {NOT_ANSWERED}
    else:
        base_codes = frozenset(o.code for o in question_options if not o.excluded_from_answered)
        if metric.restrict_to_codes:
            base_codes &= expand(metric.restrict_to_codes)
    base = Count(question_id, unit, base_codes)
    matching = expand(metric.numerator_codes) & base_codes
    if metric.numerator_rule == "selected":
        return Count(question_id, unit, matching), base
    if question_types[question_id] == "single":
        return Count(question_id, unit, base_codes - matching), base
    return Count(question_id, unit, matching, none_of=True, within=base), base


def _counts_answers(
    total: Count, parts: frozenset[Count], options: Mapping[str, list[AnswerOption]]
) -> bool:
    """Whether the rest of total after parts counts answers (e.g. the audits that did *not*
    say yes), which disclosure control protects, rather than only audits outside a question's
    answered base (not applicable, not answered, no such question), which it does not."""
    if total.question_id is None:
        return False
    if any(part.none_of for part in parts):
        return True
    answered = {o.code for o in options[total.question_id] if not o.excluded_from_answered}
    rest = total.codes.difference(*(part.codes for part in parts))
    return bool(rest & answered)


def _partitions(family: set[Count]) -> list[tuple[Count, list[Count]]]:
    """For each count, the largest counts nested in it, when they do not overlap (so they add
    up to it, with a remainder): single selects and selection counts are additive in codes."""
    found = []
    for total in _ordered(family):
        inside = [c for c in family if c.codes < total.codes]
        largest = [c for c in inside if not any(c.codes < other.codes for other in inside)]
        if largest and all(a.codes.isdisjoint(b.codes) for a, b in combinations(largest, 2)):
            found.append((total, _ordered(largest)))
    return found


def _ordered(counts: Iterable[Count]) -> list[Count]:
    return sorted(counts, key=repr)
