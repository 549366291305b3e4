"""One normalisation for every header and answer label, whatever form version it comes from.

Exports are typed by people and re-saved by Excel: case, surrounding and repeated white space,
trailing punctuation and typographic quotes vary, and none of them changes the meaning.
"""

import re
import unicodedata

_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_INNER_SPACE = re.compile(r"\s+")
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?]+$")


def _visible(text: str) -> str:
    """Without invisible format characters (zero-width spaces, soft hyphens, a byte order
    mark left inside a cell), which a copy and paste brings along and nobody can see."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def normalise(text: object) -> str:
    """The comparison key of a header or label: equal keys mean the same header or answer."""
    if text is None:
        return ""
    key = _visible(str(text)).translate(_TYPOGRAPHIC).replace("\u00a0", " ")
    key = _INNER_SPACE.sub(" ", key).strip().casefold()
    return _TRAILING_PUNCTUATION.sub("", key).strip()
