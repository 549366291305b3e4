"""Recognise an export's form version from its headers, and map each column to a question.

A file is on the form version whose headers it carries best: every required question must be
there, and the version matching the most columns wins (a 2023 file also carries every 2022
header, so the larger match decides). When no version fits, the refusal names the closest one,
what is missing and what is unrecognised, because that is what a person needs to fix the file.
An unrecognised header is named by its column and shape, never quoted: a header cell may hold
anything a person typed (shown.py).
"""

from collections import Counter
from dataclasses import dataclass

from orchestration.lib.catalogue import FormCatalogue, Question
from orchestration.lib.ingest.normalise import normalise
from orchestration.lib.ingest.refusal import RefusedFileError
from orchestration.lib.ingest.shown import header as shown_header


@dataclass(frozen=True)
class FormMatch:
    form_version: str
    columns: dict[int, Question]  # column position -> question
    missing: list[Question]  # on the form version but not in the file
    unknown: dict[int, str]  # column position -> header on no question of the version

    @property
    def unknown_headers(self) -> list[str]:
        return list(self.unknown.values())

    @property
    def missing_required(self) -> list[Question]:
        return [q for q in self.missing if q.is_required]


def known_header_keys(catalogue: FormCatalogue) -> frozenset[str]:
    """Every header of every form version, normalised: what marks a row as the header row."""
    return frozenset(
        normalise(q.header_for(v)) for v in catalogue.versions for q in catalogue.questions_on(v)
    )


def column_name(position: int) -> str:
    """A column as a spreadsheet names it: 0 -> "A", 26 -> "AA"; past Excel's last column
    (XFD) too, for a CSV row that is wider than any workbook."""
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _match(headers: list[str], catalogue: FormCatalogue, version: str) -> FormMatch:
    expected = {normalise(q.header_for(version)): q for q in catalogue.questions_on(version)}
    columns: dict[int, Question] = {}
    unknown: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = normalise(header)
        if key in expected:
            columns[position] = expected[key]
        elif key:
            unknown[position] = header
    found = {q.question_id for q in columns.values()}
    missing = [q for q in expected.values() if q.question_id not in found]
    return FormMatch(version, columns, missing, unknown)


def _quoted(headers: list[str]) -> str:
    return "; ".join(f'"{h}"' for h in headers)


def _refusal(match: FormMatch, source_file: str, known: frozenset[str]) -> RefusedFileError:
    version = match.form_version
    total = len(match.columns) + len(match.missing)
    closest = f"{version} form, {len(match.columns)} of its {total} headers found"
    named = "; ".join(shown_header(p, h, known) for p, h in match.unknown.items())
    unrecognised = f"; unrecognised headers: {named}" if match.unknown else ""
    if len(match.columns) * 2 >= total:
        required = [q.header_for(version) for q in match.missing_required]
        others = [q.header_for(version) for q in match.missing if not q.is_required]
        return RefusedFileError(
            source_file,
            "missing_required_column",
            f"lacks the required column{'s' if len(required) > 1 else ''} {_quoted(required)} "
            f"(closest form version: {closest})"
            + (f"; other missing headers: {_quoted(others)}" if others else "")
            + unrecognised,
        )
    return RefusedFileError(
        source_file,
        "no_form_version",
        f"has headers that match no form version (closest: {closest}); missing headers: "
        f"{_quoted([q.header_for(version) for q in match.missing])}{unrecognised}",
    )


def _repeated_questions(headers: list[str], catalogue: FormCatalogue, source_file: str) -> None:
    """Two columns with one question's header: which holds the answers cannot be told. (Two
    unknown columns with one header are just ignored, like any unknown column.)"""
    known = known_header_keys(catalogue)
    keys = [normalise(h) for h in headers]
    repeated = sorted(k for k, n in Counter(keys).items() if n > 1 and k in known)
    if repeated:
        first = repeated[0]
        positions = [column_name(p) for p, k in enumerate(keys) if k == first]
        header = next(h for h, k in zip(headers, keys, strict=True) if k == first)
        raise RefusedFileError(
            source_file,
            "repeated_column",
            f'has the column "{header}" {len(positions)} times (columns '
            f"{', '.join(positions)}), so which holds the answers cannot be told: delete the "
            "extra column"
            + (f" (also repeated: {len(repeated) - 1} more)" if repeated[1:] else ""),
        )


def recognise_form(headers: list[str], catalogue: FormCatalogue, source_file: str) -> FormMatch:
    """The form version of a file with these headers, or a refusal saying why there is none."""
    _repeated_questions(headers, catalogue, source_file)
    matches = [_match(headers, catalogue, version) for version in catalogue.versions]
    usable = [m for m in matches if not m.missing_required]
    if usable:
        # Most columns matched wins; on a tie, the version the file misses least of.
        return max(usable, key=lambda m: (len(m.columns), -len(m.missing)))
    closest = max(matches, key=lambda m: (len(m.columns) - len(m.missing), len(m.columns)))
    raise _refusal(closest, source_file, catalogue.known_texts)
