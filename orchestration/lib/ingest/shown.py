"""How a cell is shown in a finding or a refusal's reason: as it is only when it cannot be
anything a person wrote about a child, else by its shape.

Findings and reasons go to the warehouse, the ingest report, the quarantine's reason files, the
Dagster event log and the terminal, and any cell (a header or sheet name included) may hold a
child's name, an email or a case number. Shown as they are:
- the catalogue's own text (headers of any form version, answer labels and aliases, reference
  labels and codes such as district names), compared as headers and answers are matched;
- the fixed placeholder words that stand for "no value" (`unknown`, `n/a`, ...);
- strictly date-shaped values (15/08/2022, 2022-08-15 10:32): the team needs to see the bad
  date, and a date alone names nobody.
Everything else is shown by its shape: "text of 2 words, 13 characters: letters and spaces".
A case number is digits only, so no rule shows a value merely for being a number.
"""

import re
import string
from datetime import datetime

from openpyxl.utils import get_column_letter

from orchestration.lib.ingest.normalise import normalise

# Cells that stand for "no value". In an identifier column they are rejected as placeholders;
# anywhere they are shown as they are: they identify nobody.
PLACEHOLDERS = frozenset(
    {"-", "--", "0", "n/a", "na", "nil", "none", "null", "tbc", "tbd", "unknown", "not known"}
)
_DATE_SHAPED = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?"
)
_MAX_SYMBOLS = 8


def as_text(value: object) -> str | None:
    """A cell as text: an XLSX datetime in ISO form, None when blank."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def shape(text: str) -> str:
    """What a text looks like without what it says: its words, characters and kinds of
    character ("text of 1 word, 8 characters: digits")."""
    kinds = []
    for kind, test in (
        ("letters", str.isalpha),
        ("digits", str.isdigit),
        ("spaces", str.isspace),
    ):
        if any(test(ch) for ch in text):
            kinds.append(kind)
    symbols = sorted({ch for ch in text if ch in string.punctuation})
    if symbols:
        listed = " ".join(symbols[:_MAX_SYMBOLS])
        more = len(symbols) - _MAX_SYMBOLS
        kinds.append(f"the symbols {listed}" + (f" and {more} more" if more > 0 else ""))
    others = sum(
        1
        for ch in text
        if not (ch.isalpha() or ch.isdigit() or ch.isspace() or ch in string.punctuation)
    )
    if others:
        kinds.append(_plural(others, "other character"))
    return (
        f"text of {_plural(len(text.split()), 'word')}, {_plural(len(text), 'character')}: "
        + _listed(kinds or ["nothing visible"])
    )


def is_safe(text: str, known: frozenset[str]) -> bool:
    """Whether a text may be shown as it is (see the module docstring)."""
    key = normalise(text)
    return (
        key in known
        or key.rstrip(".?!") in PLACEHOLDERS
        or _DATE_SHAPED.fullmatch(text.strip()) is not None
    )


def shown(value: object, known: frozenset[str]) -> str | None:
    """A cell as a finding shows it: as it is when safe, else its shape; None when blank."""
    text = as_text(value)
    if text is None or not text.strip():
        return None
    return text.strip() if is_safe(text, known) else shape(text.strip())


def quoted(value: object, known: frozenset[str]) -> str:
    """A cell as a reason names it: in quotes when safe, else "a value (<its shape>)"."""
    text = (as_text(value) or "").strip()
    return f'"{text}"' if is_safe(text, known) else f"a value ({shape(text)})"


def header(position: int, text: str, known: frozenset[str]) -> str:
    """A header cell as a reason names it: in quotes when safe, else by its column letter and
    shape (an unknown header is a cell like any other)."""
    if is_safe(text, known):
        return f'"{text}"'
    return f"column {get_column_letter(position + 1)} ({shape(text)})"
