"""Sample-data designs: the exact answers a synthetic export must contain, written as data.

A design (``designs/<name>.yaml``) names a form version, how many audits there are, when they
were completed and, for every question on that form, how many audits give each answer. The
generator only shuffles who gives which answer, so the figures the design implies are exactly
the figures the generated file yields. This module reads a design and checks it against the form
catalogue before anything is written, so an inconsistent design fails with a message that names
the question and the numbers instead of producing a file that quietly misses a figure.

``answers`` has one entry per question on the form (identity columns excepted), in one of these
shapes (``blank`` is a reserved key meaning "no answer given although asked"):

    question: {code: count, ...}                       exact counts (text questions: value: count)
    question: {by: earlier, groups: {code|code: {code: count}}}    counts per answer of `earlier`
    multi:    {"code;code": count, ...}                exact combinations of selected options
    multi:    {selections: {code: total}, blank: n}    per-option totals spread over those asked

A follow-up question (``asked_when`` in the catalogue) is answered exactly by the audits whose
trigger answer asks it, so its counts must add up to that many; everyone else leaves it blank.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orchestration.lib.catalogue import FormCatalogue, Question

BLANK = "blank"
"""Reserved answer key: the question was asked but left blank (a missing answer)."""

Answer = tuple[str, ...]
"""The codes an audit selected for a question (one for single choice, the value for text);
the empty tuple is a blank cell."""

GroupKey = frozenset[Answer] | None
"""Which answers of the `by` question a group covers; None: every audit asked."""

IDENTITY_COLUMNS = (
    "response_id",
    "started_at",
    "completed_at",
    "iro_email",
    "iro_name",
    "child_id",
    "child_name",
    "review_date",
)
"""Catalogue questions the generator fills from synthetic identities, not from the design."""


class DesignError(ValueError):
    """A design that cannot be turned into a file that meets it."""


@dataclass(frozen=True)
class CountsSpec:
    """Exactly ``count`` audits give each answer, within each group of an earlier answer."""

    by: str | None
    groups: tuple[tuple[GroupKey, Mapping[Answer, int]], ...]

    def marginal(self) -> dict[Answer, int]:
        """Audits per answer over all groups: what later questions can be conditioned on."""
        totals: dict[Answer, int] = {}
        for _, counts in self.groups:
            for answer, count in counts.items():
                totals[answer] = totals.get(answer, 0) + count
        return totals


@dataclass(frozen=True)
class SelectionsSpec:
    """How often each option of a multi-select is chosen, spread over the audits asked.

    Every audit asked selects at least one option (or only an exclusive one), apart from
    ``blank`` audits, so the question counts as answered for all the others.
    """

    totals: Mapping[str, int]
    blank: int


AnswerSpec = CountsSpec | SelectionsSpec


@dataclass(frozen=True)
class Resubmission:
    """An earlier submission for one audit, replaced by a later one with different answers.

    ``changes`` maps a question to (final code, earlier code): the generator picks an audit whose
    final answers match, so keeping the earlier row instead would change the figures.
    """

    changes: Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class Design:
    """Everything needed to generate one export file, validated against the catalogue."""

    name: str
    form_version: str
    file_name: str
    seed: int
    audits: int
    completed_from: dt.date
    completed_to: dt.date
    closed_days: tuple[dt.date, ...]
    review_lag_days: tuple[int, int]
    minutes_to_complete: tuple[int, int]
    iros: int
    answers: Mapping[str, AnswerSpec]
    resubmissions: tuple[Resubmission, ...]
    earlier_by_minutes: tuple[int, int]


class _DesignLoader(yaml.SafeLoader):
    """YAML 1.1 reads yes/no/on/off as booleans; answer codes must stay strings."""


_DesignLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_design_yaml(path: Path) -> Any:
    """A design file as plain data, answer codes such as yes and no kept as strings."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_DesignLoader)


def load_design(path: Path, catalogue: FormCatalogue) -> Design:
    """Read and validate one design file."""
    return parse_design(read_design_yaml(path), catalogue, name=path.name)


def parse_design(raw: Any, catalogue: FormCatalogue, name: str) -> Design:
    """Build a Design from parsed YAML and check it; raises DesignError listing every problem."""
    where = _Where(name)
    if not isinstance(raw, Mapping):
        raise DesignError(f"{name}: a design is a mapping of settings, got {type(raw).__name__}")
    version = str(_field(raw, "form_version", where))
    if version not in catalogue.versions:
        raise DesignError(f"{name}: form_version {version!r} is not one of {catalogue.versions}")
    questions = {q.question_id: q for q in catalogue.questions_on(version)}
    answers_raw = _field(raw, "answers", where)
    if not isinstance(answers_raw, Mapping):
        raise DesignError(f"{name}: answers must map question ids to their counts")
    problems = _unknown_questions(answers_raw, questions, version)
    answers = {
        qid: _parse_spec(spec, questions[qid], questions, where.at(f"answers.{qid}"))
        for qid, spec in answers_raw.items()
        if qid in questions
    }
    resub_raw = raw.get("resubmissions") or {}
    design = Design(
        name=name,
        form_version=version,
        file_name=str(_field(raw, "file", where)),
        seed=_count(_field(raw, "seed", where), where.at("seed")),
        audits=_count(_field(raw, "audits", where), where.at("audits")),
        completed_from=_date(_field(raw, "completed", where), "from", where),
        completed_to=_date(raw["completed"], "to", where),
        closed_days=_dates(raw.get("closed_days", []), where.at("closed_days")),
        review_lag_days=_range(_field(raw, "review_lag_days", where), where.at("review_lag_days")),
        minutes_to_complete=_range(
            _field(raw, "minutes_to_complete", where), where.at("minutes_to_complete")
        ),
        iros=_count(_field(raw, "iros", where), where.at("iros")),
        answers=answers,
        resubmissions=tuple(
            _parse_resubmission(item, where.at(f"resubmissions.submissions[{i}]"))
            for i, item in enumerate(resub_raw.get("submissions") or [])
        ),
        earlier_by_minutes=_range(
            resub_raw.get("earlier_by_minutes", [30, 30]),
            where.at("resubmissions.earlier_by_minutes"),
        ),
    )
    problems += validate(design, catalogue)
    if problems:
        raise DesignError(f"{name}: the design is inconsistent:\n  - " + "\n  - ".join(problems))
    return design


# ---- parsing: shape errors raise at once, naming where in the file they are ----


@dataclass(frozen=True)
class _Where:
    """A location in a design file (file name and key path), for error messages."""

    file: str
    keys: tuple[str, ...] = ()

    def at(self, key: str) -> "_Where":
        return _Where(self.file, (*self.keys, key))

    def error(self, message: str) -> DesignError:
        place = f"{self.file}: {'.'.join(self.keys)}" if self.keys else self.file
        return DesignError(f"{place}: {message}")


def _field(raw: Mapping[str, Any], key: str, where: _Where) -> Any:
    if key not in raw:
        raise where.error(f"missing required setting {key!r}")
    return raw[key]


def _count(value: Any, where: _Where) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise where.error(f"expected a whole number >= 0, got {value!r}")
    return value


def _range(value: Any, where: _Where) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise where.error(f"expected [low, high], got {value!r}")
    low, high = (_count(v, where) for v in value)
    if low > high:
        raise where.error(f"low {low} is above high {high}")
    return low, high


def _date(raw: Any, key: str, where: _Where) -> dt.date:
    value = raw.get(key) if isinstance(raw, Mapping) else None
    if not isinstance(value, dt.date):
        raise where.at(f"completed.{key}").error(f"expected a date (YYYY-MM-DD), got {value!r}")
    return value


def _dates(value: Any, where: _Where) -> tuple[dt.date, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dt.date) for v in value):
        raise where.error(f"expected a list of dates (YYYY-MM-DD), got {value!r}")
    return tuple(value)


def _answer_key(key: Any, question: Question, where: _Where) -> Answer:
    """A count's key as selected codes: 'blank' -> (), 'a;b' -> ('a', 'b') for a multi-select."""
    text = str(key).strip()
    if text == BLANK:
        return ()
    if question.question_type == "multi":
        return tuple(part.strip() for part in text.split(";") if part.strip())
    if not text:
        raise where.error("an empty answer key; write 'blank' for a missing answer")
    return (text,)


def _counts(raw: Any, question: Question, where: _Where) -> dict[Answer, int]:
    if not isinstance(raw, Mapping) or not raw:
        raise where.error(f"expected a mapping of answer -> count, got {raw!r}")
    counts: dict[Answer, int] = {}
    for key, value in raw.items():
        answer = _answer_key(key, question, where)
        if answer in counts:
            raise where.error(f"answer {key!r} is listed twice")
        counts[answer] = _count(value, where.at(str(key)))
    return counts


def _parse_spec(
    raw: Any, question: Question, questions: Mapping[str, Question], where: _Where
) -> AnswerSpec:
    """Recognise which of the documented shapes an answers entry has."""
    if isinstance(raw, Mapping) and "selections" in raw:
        totals = raw["selections"]
        if not isinstance(totals, Mapping) or not totals:
            raise where.error("selections must map option codes to totals")
        return SelectionsSpec(
            totals={str(k): _count(v, where.at(f"selections.{k}")) for k, v in totals.items()},
            blank=_count(raw.get(BLANK, 0), where.at(BLANK)),
        )
    if isinstance(raw, Mapping) and "by" in raw:
        by = str(raw["by"])
        if by not in questions:
            raise where.error(f"by: {by!r} is not a question on this form version")
        groups = raw.get("groups")
        if not isinstance(groups, Mapping) or not groups:
            raise where.error("a 'by' entry needs groups: {answer|answer: {code: count}}")
        return CountsSpec(
            by=by,
            groups=tuple(
                (
                    frozenset(
                        _answer_key(part, questions[by], where) for part in str(key).split("|")
                    ),
                    _counts(counts, question, where.at(f"groups.{key}")),
                )
                for key, counts in groups.items()
            ),
        )
    return CountsSpec(by=None, groups=((None, _counts(raw, question, where)),))


def _parse_resubmission(raw: Any, where: _Where) -> Resubmission:
    if not isinstance(raw, Mapping) or not raw:
        raise where.error("expected question: {final: code, earlier: code} entries")
    changes = {}
    for qid, change in raw.items():
        if not isinstance(change, Mapping) or set(change) != {"final", "earlier"}:
            raise where.at(str(qid)).error("expected {final: code, earlier: code}")
        changes[str(qid)] = (str(change["final"]), str(change["earlier"]))
    return Resubmission(changes=changes)


# ---- validation: every problem is collected, so one run shows them all ----


def _unknown_questions(
    answers: Mapping[str, Any], questions: Mapping[str, Question], version: str
) -> list[str]:
    problems = [
        f"answers.{qid}: not a question on form {version}"
        for qid in answers
        if qid not in questions
    ]
    problems += [
        f"answers.{qid}: filled from synthetic identities; remove it from answers"
        for qid in answers
        if qid in IDENTITY_COLUMNS
    ]
    problems += [
        f"answers.{qid}: missing; every question on form {version} needs counts"
        for qid in questions
        if qid not in IDENTITY_COLUMNS and qid not in answers
    ]
    return problems


def validate(design: Design, catalogue: FormCatalogue) -> list[str]:
    """Every way the design contradicts itself or the catalogue, as readable sentences."""
    problems: list[str] = []
    if design.audits < 1:
        problems.append("audits must be at least 1")
    if design.completed_from > design.completed_to:
        problems.append("completed.from is after completed.to")
    if design.review_lag_days[0] < 1:
        problems.append("review_lag_days must start at 1 or more: a review precedes its audit")
    marginals: dict[str, dict[Answer, int]] = {}
    for question in catalogue.questions_on(design.form_version):
        spec = design.answers.get(question.question_id)
        if spec is None:
            continue
        where = f"answers.{question.question_id}"
        problems += _check_codes(spec, question, design.form_version, catalogue, where)
        asked = _asked_count(question, design, marginals, where, problems)
        if isinstance(spec, CountsSpec):
            problems += _check_groups(spec, question, asked, marginals, where)
            marginal = spec.marginal()
            marginal[()] = marginal.get((), 0) + design.audits - asked
            marginals[question.question_id] = marginal
        else:
            problems += _check_selections(spec, question, asked, where)
    problems += _check_resubmissions(design, catalogue)
    return problems


def _asked_count(
    question: Question,
    design: Design,
    marginals: Mapping[str, Mapping[Answer, int]],
    where: str,
    problems: list[str],
) -> int:
    """How many audits the form asks this question (skip logic), from the trigger's counts."""
    trigger = question.asked_when_question
    if trigger is None:
        return design.audits
    if trigger not in marginals:
        problems.append(f"{where}: asked when {trigger} is answered, which needs exact counts")
        return design.audits
    return sum(marginals[trigger].get((code,), 0) for code in question.asked_when_codes)


def _check_codes(
    spec: AnswerSpec, question: Question, version: str, catalogue: FormCatalogue, where: str
) -> list[str]:
    """Answers must be options offered on this form version; multi-selects must be coherent."""
    if question.question_type == "text":
        return [] if isinstance(spec, CountsSpec) else [f"{where}: a text question takes counts"]
    options = {o.code: o for o in catalogue.options_on(question, version)}
    if isinstance(spec, SelectionsSpec):
        if question.question_type != "multi":
            return [f"{where}: selections are for multi-select questions only"]
        return [
            f"{where}: {code!r} is not an option on form {version} (options: {', '.join(options)})"
            for code in spec.totals
            if code not in options
        ]
    problems = []
    for _, counts in spec.groups:
        for answer in counts:
            unknown = [code for code in answer if code not in options]
            if unknown:
                problems.append(
                    f"{where}: {';'.join(unknown)!r} is not an option on form {version} "
                    f"(options: {', '.join(options)})"
                )
            elif question.question_type == "single" and len(answer) > 1:
                problems.append(f"{where}: {';'.join(answer)!r} selects several codes")
            elif len(set(answer)) != len(answer):
                problems.append(f"{where}: {';'.join(answer)!r} repeats a code")
            elif len(answer) > 1 and any(options[code].is_exclusive for code in answer):
                problems.append(f"{where}: {';'.join(answer)!r} combines an exclusive option")
    return problems


def _check_groups(
    spec: CountsSpec,
    question: Question,
    asked: int,
    marginals: Mapping[str, Mapping[Answer, int]],
    where: str,
) -> list[str]:
    """Counts must add up to the audits asked, group by group when conditioned on an answer."""
    total = sum(spec.marginal().values())
    if spec.by is None:
        if total != asked:
            return [f"{where}: counts sum to {total} but {_asked_of(question, asked)}"]
        return []
    if question.asked_when_question is not None:
        return [f"{where}: a follow-up question takes its audits from its trigger; drop 'by'"]
    if spec.by not in marginals:
        return [f"{where}: by {spec.by} must be an earlier question counted per answer"]
    by_counts = marginals[spec.by]
    problems = []
    seen: set[Answer] = set()
    for group, counts in spec.groups:
        key = group or frozenset()
        label = "|".join(";".join(a) or BLANK for a in sorted(key))
        if seen & key:
            problems.append(f"{where}: group {label} overlaps another group")
        problems += [
            f"{where}: group {label}: no audit answers {spec.by} {';'.join(a) or BLANK!r}"
            for a in sorted(key)
            if not by_counts.get(a)
        ]
        seen |= key
        size = sum(by_counts.get(answer, 0) for answer in key)
        given = sum(counts.values())
        if given != size:
            problems.append(
                f"{where}: group {label} counts sum to {given} but {size} audits "
                f"answered {spec.by} that way"
            )
    missed = [";".join(a) or BLANK for a, n in by_counts.items() if n and a not in seen]
    if missed:
        problems.append(f"{where}: no group for {spec.by} = {', '.join(missed)}")
    return problems


def _asked_of(question: Question, asked: int) -> str:
    """'the question is asked of 79 audits (emh_needs is yes)': the skip logic behind a number."""
    trigger = question.asked_when_question
    when = f" ({trigger} is {' or '.join(question.asked_when_codes)})" if trigger else ""
    return f"the question is asked of {asked} audits{when}"


def _check_selections(
    spec: SelectionsSpec, question: Question, asked: int, where: str
) -> list[str]:
    """Per-option totals must be spreadable: each audit asked gets at least one option."""
    exclusive = {o.code for o in question.options if o.is_exclusive}
    alone = sum(n for code, n in spec.totals.items() if code in exclusive) + spec.blank
    rest = asked - alone
    combinable = {code: n for code, n in spec.totals.items() if code not in exclusive}
    problems = []
    if rest < 0:
        problems.append(f"{where}: exclusive options and blanks ({alone}) exceed {asked} asked")
    if rest > 0 and sum(combinable.values()) < rest:
        problems.append(
            f"{where}: {sum(combinable.values())} selections cannot give each of the {rest} "
            "remaining audits at least one option"
        )
    if rest == 0 and sum(combinable.values()) > 0:
        problems.append(f"{where}: no audits left to hold the non-exclusive selections")
    problems += [
        f"{where}: {code} selected {n} times but only {rest} audits can select it"
        for code, n in combinable.items()
        if n > rest
    ]
    return problems


def _check_resubmissions(design: Design, catalogue: FormCatalogue) -> list[str]:
    """Only plain single-choice answers may change: a changed trigger would break skip logic."""
    on_form = {q.question_id: q for q in catalogue.questions_on(design.form_version)}
    depended_on = {q.asked_when_question for q in on_form.values()} | {
        spec.by for spec in design.answers.values() if isinstance(spec, CountsSpec)
    }
    problems = []
    for i, resubmission in enumerate(design.resubmissions):
        for qid, (final, earlier) in resubmission.changes.items():
            where = f"resubmissions.submissions[{i}].{qid}"
            question = on_form.get(qid)
            if question is None or question.question_type != "single":
                problems.append(f"{where}: not a single-choice question on this form version")
                continue
            if qid in depended_on:
                problems.append(f"{where}: other answers depend on it (skip logic or 'by')")
            codes = {o.code for o in catalogue.options_on(question, design.form_version)}
            problems += [
                f"{where}: {code!r} is not an option on form {design.form_version}"
                for code in (final, earlier)
                if code not in codes
            ]
            if final == earlier:
                problems.append(f"{where}: the earlier answer must differ from the final one")
    return problems
