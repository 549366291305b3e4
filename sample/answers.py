"""Hand out a design's exact answer counts to audits, at random but reproducibly.

Questions are answered in form order, so a follow-up sees its trigger's answers (skip logic)
and a ``by`` question sees the earlier answer it is conditioned on. Each question shuffles with
its own seeded generator: editing one question's counts leaves every other column unchanged.
"""

import random
from collections.abc import Iterable

from orchestration.lib.catalogue import FormCatalogue, Question
from sample.design import (
    Answer,
    AnswerSpec,
    CountsSpec,
    Design,
    DesignError,
    SelectionsSpec,
)

Answers = dict[str, Answer]
"""One audit's answers: question id -> selected codes (() when blank)."""


def is_asked(question: Question, answers: Answers) -> bool:
    """Whether the form shows this question, given the audit's earlier answers."""
    trigger = question.asked_when_question
    if trigger is None:
        return True
    given = answers.get(trigger, ())
    return len(given) == 1 and given[0] in question.asked_when_codes


def assign_answers(design: Design, catalogue: FormCatalogue) -> list[Answers]:
    """Every audit's answers, meeting the design's counts exactly."""
    audits: list[Answers] = [{} for _ in range(design.audits)]
    for question in catalogue.questions_on(design.form_version):
        spec = design.answers.get(question.question_id)
        if spec is None:
            continue
        asked = [audit for audit in audits if is_asked(question, audit)]
        for audit in audits:
            audit[question.question_id] = ()
        rng = random.Random(f"{design.seed}:{question.question_id}")
        _assign(spec, question, asked, rng)
    return audits


def _assign(spec: AnswerSpec, question: Question, asked: list[Answers], rng: random.Random) -> None:
    if isinstance(spec, CountsSpec):
        _assign_counts(spec, question.question_id, asked, rng)
    else:
        exclusive = {o.code for o in question.options if o.is_exclusive}
        _assign_selections(spec, question.question_id, exclusive, asked, rng)


def _assign_counts(
    spec: CountsSpec, question_id: str, asked: list[Answers], rng: random.Random
) -> None:
    """Within each group, shuffle the exact list of answers over the group's audits."""
    for group, counts in spec.groups:
        members = [a for a in asked if group is None or a[spec.by or ""] in group]
        values = _expand(counts.items())
        if len(values) != len(members):
            raise DesignError(
                f"{question_id}: {len(values)} answers for {len(members)} audits (validate first)"
            )
        rng.shuffle(values)
        for audit, value in zip(members, values, strict=True):
            audit[question_id] = value


def _expand(counts: Iterable[tuple[Answer, int]]) -> list[Answer]:
    return [answer for answer, count in counts for _ in range(count)]


def _assign_selections(
    spec: SelectionsSpec,
    question_id: str,
    exclusive: set[str],
    asked: list[Answers],
    rng: random.Random,
) -> None:
    """Spread per-option totals so each audit gets at least one option and none twice.

    Exclusive options and blanks go to audits of their own. Of the rest, one option token per
    audit first (so none is left empty), then every remaining token to a random audit that does
    not have that option yet: always possible while no total exceeds the audits available.
    """
    members = list(asked)
    rng.shuffle(members)
    alone = _expand([((code,), n) for code, n in spec.totals.items() if code in exclusive])
    alone += [()] * spec.blank
    for audit, value in zip(members, alone, strict=False):
        audit[question_id] = value
    rest = members[len(alone) :]
    tokens = [code for code, n in spec.totals.items() if code not in exclusive for _ in range(n)]
    rng.shuffle(tokens)
    chosen: list[set[str]] = [{code} for code in tokens[: len(rest)]]
    for code in tokens[len(rest) :]:
        rng.choice([s for s in chosen if code not in s]).add(code)
    order = list(spec.totals)
    for audit, codes in zip(rest, chosen, strict=True):
        audit[question_id] = tuple(sorted(codes, key=order.index))
