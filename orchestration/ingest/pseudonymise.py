"""Keyed pseudonyms for identifiers: the same child gets the same pseudonym in every file, and
nobody without the key can recover the identifier or test a guess against it (unlike a plain
hash, which anyone can compute for every possible case number)."""

import hashlib
import hmac

import pandas as pd

# Only for the bundled synthetic sample: it protects nothing and says so in its name.
DEVELOPMENT_KEY = "careaudit-DEVELOPMENT-KEY-for-the-bundled-synthetic-sample-only"


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonymisation key must not be empty")
        self._key = key.encode("utf-8")

    def pseudonym(self, identifier: str) -> str:
        """HMAC-SHA256 of the identifier as people mean it: case and outer spaces ignored."""
        message = identifier.strip().casefold().encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def column(self, cells: pd.Series) -> pd.Series:
        """Pseudonymise a column, hashing each distinct identifier once; blanks stay blank."""
        text = cells.astype("string").str.strip()
        distinct = text.dropna().unique()
        return text.map({v: self.pseudonym(v) for v in distinct if v}).astype("object")
