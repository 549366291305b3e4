"""Turn exported cells into typed values: dates, and answer labels into catalogue codes.

Work is done per distinct value, not per row: an export has thousands of rows but only a
handful of distinct answers per question, so labels are resolved once and mapped in bulk.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from orchestration.lib.catalogue import FormCatalogue, Question
from orchestration.lib.ingest.normalise import normalise
from orchestration.lib.ingest.shown import is_safe, quoted, shape

# UK day-first first, then ISO: an ambiguous date is read day-first, never guessed otherwise.
DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)

MULTI_SEPARATOR = ";"
NOT_A_TIME = np.datetime64("NaT", "us")


def parse_distinct_datetimes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct cell values (text, datetime or None) as datetimes. Returns (parsed,
    invalid) per value: invalid marks a non-blank value that is not a real date in an accepted
    format (31/02/2022 is invalid, never rolled over)."""
    parsed = np.full(len(values), NOT_A_TIME, dtype="datetime64[us]")
    text = {}
    for index, value in enumerate(values):
        if isinstance(value, datetime):
            parsed[index] = np.datetime64(value, "us")
        elif value is not None and str(value).strip():
            text[index] = str(value).strip()
    pending = pd.Series(text, dtype=object)
    for fmt in DATETIME_FORMATS:
        if pending.empty:
            break
        attempt = pd.to_datetime(pending, format=fmt, errors="coerce")
        hit = attempt.notna().to_numpy()
        parsed[pending.index[hit]] = attempt[hit].to_numpy(dtype="datetime64[us]")
        pending = pending[~hit]
    invalid = np.zeros(len(values), dtype=bool)
    invalid[pending.index.to_numpy(dtype=np.int64)] = True
    return parsed, invalid


def parse_datetimes(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parse cells as datetimes, once per distinct value: (values, invalid) per cell."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    parsed, invalid = parse_distinct_datetimes(np.array([None, *uniques], dtype=object))
    return parsed[codes + 1], invalid[codes + 1]


@dataclass(frozen=True)
class Resolution:
    """What one distinct cell value means for a question. An unrecognised value's problem and
    shown form name it only as shown.py allows: the catalogue's text as it is, anything else
    by its shape (a selection at a time, for a multi-select)."""

    codes: tuple[str, ...]
    status: str  # answered | blank | unrecognised
    problem: str | None = None
    shown: str | None = None  # the value as a finding shows it


class AnswerResolver:
    """Resolves a question's cells on one form version to option codes."""

    def __init__(self, catalogue: FormCatalogue, question: Question, form_version: str) -> None:
        self.question = question
        self.form_version = form_version
        self.options = catalogue.options_on(question, form_version)
        self.lookup: dict[str, str] = {}
        for option in self.options:
            for spelling in catalogue.aliases_for(option):
                self.lookup.setdefault(normalise(spelling), option.code)
        self.exclusive = {o.code for o in self.options if o.is_exclusive}
        self.labels = {o.code: o.label for o in self.options}
        self.known = catalogue.known_texts

    def _shown(self, value: str) -> str:
        """The value as a finding shows it: a multi-select selection by selection."""
        tokens = [t.strip() for t in value.split(MULTI_SEPARATOR) if normalise(t)]
        if is_safe(value, self.known):
            return value.strip()
        if self.question.question_type == "single" or len(tokens) == 1:
            return shape(value.strip())
        return "; ".join(t if is_safe(t, self.known) else f"[{shape(t)}]" for t in tokens)

    def _unrecognised(self, value: str, tokens: list[str], index: int) -> Resolution:
        offered = ", ".join(f'"{o.label}"' for o in self.options)
        token = tokens[index].strip()
        if len(tokens) == 1:
            what = quoted(token, self.known)
        elif is_safe(token, self.known):
            what = f'"{token}" (selection {index + 1} of {len(tokens)})'
        else:
            what = f"selection {index + 1} of {len(tokens)} ({shape(token)})"
        return Resolution(
            (),
            "unrecognised",
            f"{what} is not an answer the {self.form_version} form offers (it offers {offered}); "
            "the answer is treated as missing",
            self._shown(value),
        )

    def resolve(self, value: object) -> Resolution:
        text = "" if value is None or pd.isna(value) else str(value)
        if not normalise(text):
            return Resolution((), "blank")
        if self.question.question_type == "single":
            code = self.lookup.get(normalise(text))
            return Resolution((code,), "answered") if code else self._unrecognised(text, [text], 0)
        tokens = [t for t in text.split(MULTI_SEPARATOR) if normalise(t)]
        if not tokens:  # only separators (";", " ; ;"): nothing was selected
            return Resolution((), "blank")
        codes: list[str] = []
        for index, token in enumerate(tokens):
            code = self.lookup.get(normalise(token))
            if code is None:
                return self._unrecognised(text, tokens, index)
            if code not in codes:
                codes.append(code)
        if len(codes) > 1 and self.exclusive & set(codes):
            # Every selection is one the form offers: the catalogue's text, safe to quote.
            only = self.labels[next(iter(self.exclusive & set(codes)))]
            return Resolution(
                (),
                "unrecognised",
                f'"{text}" combines "{only}" with other options; the answer is treated as missing',
                text,
            )
        return Resolution(tuple(codes), "answered")
