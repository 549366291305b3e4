"""The audit form catalogue (questions, headers per form version, answer options), loaded once.

The catalogue lives in `seeds/catalogue/*.csv` so that dbt (as seeds) and Python (ingest, the
sample generator) read the same data: a new form version or a renamed header is a change to
those files, not to code. So is the reference data a free-text field is checked against (the
districts of each authority): form_question_references names a question's reference file, and
a cell that matches no row of it for the file's authority is stored as not recorded.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from orchestration.lib.ingest.normalise import normalise
from orchestration.paths import CATALOGUE_DIR


@dataclass(frozen=True)
class AnswerOption:
    question_id: str
    code: str
    label: str
    since_version: str | None
    until_version: str | None
    rolls_up_to: str | None
    is_exclusive: bool
    excluded_from_answered: bool
    sort_order: int


@dataclass(frozen=True)
class Question:
    question_id: str
    section_id: str
    question_type: str  # id | datetime | text | date | single | multi
    is_required: bool
    required_because: str | None  # why a row without it is rejected, for the finding
    pii: str | None  # identifier | drop | None
    reference: str | None  # the reference file its cells must match (districts), or None
    since_version: str | None
    until_version: str | None
    asked_when_question: str | None
    asked_when_codes: tuple[str, ...]
    default_header: str
    sort_order: int
    headers: dict[str, str] = field(default_factory=dict)
    options: tuple[AnswerOption, ...] = ()

    @property
    def is_choice(self) -> bool:
        return self.question_type in ("single", "multi")

    def header_for(self, form_version: str) -> str:
        return self.headers.get(form_version, self.default_header)


@dataclass(frozen=True)
class ReferenceItem:
    """One row of a reference file: an item of one authority (a district of Hampshire)."""

    la_code: str
    code: str  # what is stored and published as the breakdown (an ONS code for a district)
    label: str  # what is shown, and what an export spells
    aliases: tuple[str, ...]  # other spellings an export may use
    is_synthetic: bool  # an item of the scale generator's made-up authorities


@dataclass(frozen=True)
class Reference:
    """A reference file (seeds/catalogue/<name>.csv): the recognised values of a free-text
    field, per authority."""

    name: str
    items: tuple[ReferenceItem, ...]

    @property
    def path(self) -> str:
        """Where the data team adds an item, as messages name it."""
        return f"seeds/catalogue/{self.name}.csv"

    def of(self, la_code: str) -> list[ReferenceItem]:
        return [item for item in self.items if item.la_code == la_code]

    def lookup(self, la_code: str) -> dict[str, str]:
        """normalised spelling (label, code or alias) -> code, for one authority."""
        found: dict[str, str] = {}
        for item in self.of(la_code):
            for spelling in (item.label, item.code, *item.aliases):
                found.setdefault(normalise(spelling), item.code)
        return found

    def synthetic_authorities(self) -> list[str]:
        """The made-up authorities the scale generator may write exports for, in file order."""
        return list(dict.fromkeys(item.la_code for item in self.items if item.is_synthetic))


@dataclass(frozen=True)
class FormCatalogue:
    versions: tuple[str, ...]  # oldest first, by first_used
    sections: dict[str, str]  # section_id -> title, in form order
    questions: tuple[Question, ...]
    common_aliases: dict[str, tuple[str, ...]]  # code -> aliases for the standard options
    option_aliases: dict[tuple[str, str], tuple[str, ...]]  # (question_id, code) -> aliases
    references: dict[str, Reference] = field(default_factory=dict)  # by file name

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.question_id == question_id:
                return q
        raise KeyError(f"no question {question_id!r} in the form catalogue")

    def _within(self, version: str, since: str | None, until: str | None) -> bool:
        rank = self.versions.index(version)
        return (since is None or rank >= self.versions.index(since)) and (
            until is None or rank <= self.versions.index(until)
        )

    def questions_on(self, version: str) -> list[Question]:
        """Questions printed on a form version, in form order."""
        return [
            q for q in self.questions if self._within(version, q.since_version, q.until_version)
        ]

    def options_on(self, question: Question, version: str) -> list[AnswerOption]:
        """Answer options a form version offers for a question."""
        return [
            o for o in question.options if self._within(version, o.since_version, o.until_version)
        ]

    def aliases_for(self, option: AnswerOption) -> tuple[str, ...]:
        """Every spelling that means this option: its label, its own aliases, the common ones."""
        return (
            option.label,
            *self.option_aliases.get((option.question_id, option.code), ()),
            *self.common_aliases.get(option.code, ()),
        )

    @cached_property
    def known_texts(self) -> frozenset[str]:
        """Every text the catalogue and its reference data hold, normalised: headers of every
        form version, answer labels and aliases, reference labels, codes and aliases. A cell
        equal to one of them is the catalogue's text, not something a person wrote."""
        texts = {q.header_for(v) for v in self.versions for q in self.questions_on(v)}
        for question in self.questions:
            for option in question.options:
                texts.update((option.code, *self.aliases_for(option)))
        texts.update(alias for aliases in self.common_aliases.values() for alias in aliases)
        for reference in self.references.values():
            for item in reference.items:
                texts.update((item.code, item.label, *item.aliases))
        return frozenset(normalise(text) for text in texts) - {""}


def _rows(directory: Path, name: str) -> Iterator[dict[str, str]]:
    with (directory / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _opt(value: str) -> str | None:
    return value or None


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def _reference(directory: Path, name: str) -> Reference:
    return Reference(
        name,
        tuple(
            ReferenceItem(
                la_code=row["la_code"],
                code=row["code"],
                label=row["label"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                is_synthetic=_flag(row["is_synthetic"]),
            )
            for row in _rows(directory, name)
        ),
    )


# The seeds load_catalogue reads (and with them the reference files form_question_references
# names): ingest depends on them, and the Dagster lineage says so.
FORM_FILES = (
    "form_versions",
    "form_sections",
    "form_questions",
    "form_question_headers",
    "form_answer_options",
    "form_answer_aliases",
    "form_question_references",
)


def catalogue_files(directory: Path = CATALOGUE_DIR) -> tuple[str, ...]:
    """The seeds (seeds/catalogue/<name>.csv) ingest reads: the form files and the reference
    files their questions are checked against (districts)."""
    references = sorted({row["reference"] for row in _rows(directory, "form_question_references")})
    return (*FORM_FILES, *references)


@cache
def load_catalogue(directory: Path = CATALOGUE_DIR) -> FormCatalogue:
    """Read the form catalogue seeds into typed objects (cached: they never change in a run)."""
    versions = sorted(_rows(directory, "form_versions"), key=lambda r: r["first_used"])
    headers: dict[str, dict[str, str]] = {}
    for row in _rows(directory, "form_question_headers"):
        headers.setdefault(row["question_id"], {})[row["form_version"]] = row["header"]
    options: dict[str, list[AnswerOption]] = {}
    for row in _rows(directory, "form_answer_options"):
        options.setdefault(row["question_id"], []).append(
            AnswerOption(
                question_id=row["question_id"],
                code=row["answer_code"],
                label=row["answer_label"],
                since_version=_opt(row["since_version"]),
                until_version=_opt(row["until_version"]),
                rolls_up_to=_opt(row["rolls_up_to"]),
                is_exclusive=_flag(row["is_exclusive"]),
                excluded_from_answered=_flag(row["excluded_from_answered"]),
                sort_order=int(row["sort_order"]),
            )
        )
    references = {
        row["question_id"]: row["reference"] for row in _rows(directory, "form_question_references")
    }
    common: dict[str, list[str]] = {}
    specific: dict[tuple[str, str], list[str]] = {}
    for row in _rows(directory, "form_answer_aliases"):
        if row["question_id"]:
            specific.setdefault((row["question_id"], row["answer_code"]), []).append(row["alias"])
        else:
            common.setdefault(row["answer_code"], []).append(row["alias"])
    questions = tuple(
        Question(
            question_id=row["question_id"],
            section_id=row["section_id"],
            question_type=row["question_type"],
            is_required=_flag(row["is_required"]),
            required_because=_opt(row["required_because"]),
            pii=_opt(row["pii"]),
            reference=references.get(row["question_id"]),
            since_version=_opt(row["since_version"]),
            until_version=_opt(row["until_version"]),
            asked_when_question=_opt(row["asked_when_question"]),
            asked_when_codes=tuple(c for c in row["asked_when_codes"].split("|") if c),
            default_header=row["default_header"],
            sort_order=int(row["sort_order"]),
            headers=headers.get(row["question_id"], {}),
            options=tuple(sorted(options.get(row["question_id"], []), key=lambda o: o.sort_order)),
        )
        for row in sorted(_rows(directory, "form_questions"), key=lambda r: int(r["sort_order"]))
    )
    return FormCatalogue(
        versions=tuple(r["form_version"] for r in versions),
        sections={
            r["section_id"]: r["section_title"]
            for r in sorted(_rows(directory, "form_sections"), key=lambda r: int(r["sort_order"]))
        },
        questions=questions,
        common_aliases={k: tuple(v) for k, v in common.items()},
        option_aliases={k: tuple(v) for k, v in specific.items()},
        references={name: _reference(directory, name) for name in sorted(set(references.values()))},
    )
