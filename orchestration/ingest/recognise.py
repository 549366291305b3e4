"""Recognise an export's form version from its headers, and map each column to a question.

A file is on the form version whose headers it carries best: every required question must be
there, and the version matching the most columns wins (a 2023 file also carries every 2022
header, so the larger match decides). When no version fits, the error names the closest one
and what is missing and unrecognised, because that is what a person needs to fix the file.
"""

from dataclasses import dataclass

from orchestration.catalogue import FormCatalogue, Question
from orchestration.ingest.normalise import normalise


class UnrecognisedFormError(ValueError):
    """The headers match no form version."""


@dataclass(frozen=True)
class FormMatch:
    form_version: str
    columns: dict[int, Question]  # column position -> question
    missing: list[Question]  # on the form version but not in the file
    unknown_headers: list[str]  # in the file but on no question of the version

    @property
    def missing_required(self) -> list[Question]:
        return [q for q in self.missing if q.is_required]


def known_header_keys(catalogue: FormCatalogue) -> frozenset[str]:
    """Every header of every form version, normalised: what marks a row as the header row."""
    return frozenset(
        normalise(q.header_for(v)) for v in catalogue.versions for q in catalogue.questions_on(v)
    )


def _match(headers: list[str], catalogue: FormCatalogue, version: str) -> FormMatch:
    expected = {normalise(q.header_for(version)): q for q in catalogue.questions_on(version)}
    columns: dict[int, Question] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        key = normalise(header)
        if key in expected:
            columns[position] = expected[key]
        elif key:
            unknown.append(header)
    found = {q.question_id for q in columns.values()}
    missing = [q for q in expected.values() if q.question_id not in found]
    return FormMatch(version, columns, missing, unknown)


def _describe(match: FormMatch) -> str:
    parts = [f"closest form version is {match.form_version}"]
    if match.missing:
        parts.append(
            "missing headers: "
            + "; ".join(f'"{q.header_for(match.form_version)}"' for q in match.missing)
        )
    if match.unknown_headers:
        parts.append("unrecognised headers: " + "; ".join(f'"{h}"' for h in match.unknown_headers))
    return ", ".join(parts)


def recognise_form(headers: list[str], catalogue: FormCatalogue) -> FormMatch:
    """The form version of a file with these headers, or an error saying why there is none."""
    keys = [normalise(h) for h in headers if normalise(h)]
    repeated = sorted({h for h in keys if keys.count(h) > 1})
    if repeated:
        raise UnrecognisedFormError("repeated headers: " + "; ".join(f'"{h}"' for h in repeated))
    matches = [_match(headers, catalogue, version) for version in catalogue.versions]
    usable = [m for m in matches if not m.missing_required]
    if usable:
        # Most columns matched wins; on a tie, the version the file misses least of.
        return max(usable, key=lambda m: (len(m.columns), -len(m.missing)))
    closest = max(matches, key=lambda m: (len(m.columns) - len(m.missing), len(m.columns)))
    raise UnrecognisedFormError(f"headers match no form version: {_describe(closest)}")
