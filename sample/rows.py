"""Render submissions as an export's rows: the catalogue's headers, labels and cell types.

This is the part any generator mode shares: whatever decides the answers (an exact design or,
later, random distributions at scale), a submission becomes one row with one column per question
on its form version, headed as that version prints it, answers written as labels, multi-selects
joined by ";" with a trailing ";" as the form tool writes them.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from orchestration.lib.catalogue import FormCatalogue, Question
from sample.design import Answer
from sample.identities import Identity

Cell = str | int | dt.date | dt.datetime | None
"""A typed cell: writers decide how dates look (text in CSV, real dates in XLSX)."""


@dataclass(frozen=True)
class Submission:
    """One row of an export: a form tool response number, who and when, and the answers."""

    response_id: int
    identity: Identity
    answers: Mapping[str, Answer]

    def identity_cells(self) -> dict[str, Cell]:
        """The identity columns by question id (the identity's fields are named after them)."""
        return {"response_id": self.response_id, **asdict(self.identity)}


def headers(catalogue: FormCatalogue, version: str) -> list[str]:
    """Column headers of a form version's export, in form order."""
    return [q.header_for(version) for q in catalogue.questions_on(version)]


def render_rows(
    submissions: list[Submission], catalogue: FormCatalogue, version: str
) -> list[list[Cell]]:
    """Every submission as typed cells, in the order of ``headers``."""
    questions = catalogue.questions_on(version)
    labels = {
        q.question_id: {o.code: o.label for o in catalogue.options_on(q, version)}
        for q in questions
    }
    return [_row(sub, questions, labels) for sub in submissions]


def _row(
    submission: Submission, questions: list[Question], labels: Mapping[str, Mapping[str, str]]
) -> list[Cell]:
    """Answers from the design where given, identity columns otherwise, blank for the rest."""
    identity = submission.identity_cells()
    return [
        _answer_text(q, submission.answers[q.question_id], labels[q.question_id])
        if q.question_id in submission.answers
        else identity.get(q.question_id)
        for q in questions
    ]


def _answer_text(question: Question, answer: Answer, labels: Mapping[str, str]) -> Cell:
    """Codes as the export prints them: labels; multi-selects 'A;B;' in the form's option order."""
    if not answer:
        return None
    if question.question_type == "text":
        return answer[0]
    if question.question_type == "single":
        return labels[answer[0]]
    ordered = sorted(answer, key=list(labels).index)
    return "".join(f"{labels[code]};" for code in ordered)
