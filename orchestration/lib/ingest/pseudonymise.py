"""Keyed pseudonyms for identifiers: the same child gets the same pseudonym in every file, and
nobody without the key can recover the identifier or test a guess against it (unlike a plain
hash, which anyone can compute for every possible case number)."""

import hashlib
import hmac

import numpy as np
import pandas as pd


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a pseudonymisation key must not be empty")
        self._key = key.encode("utf-8")

    def pseudonym(self, identifier: str) -> str:
        """HMAC-SHA256 of the identifier as people mean it: case and outer spaces ignored."""
        message = identifier.strip().casefold().encode("utf-8")
        return hmac.digest(self._key, message, hashlib.sha256).hex()

    def distinct(
        self, values: np.ndarray, placeholders: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pseudonyms of distinct values, and which are placeholders (values that identify
        nobody, compared case-insensitively, trailing punctuation ignored). Blanks and
        placeholders get no pseudonym (None)."""
        digest, key, sha256 = hmac.digest, self._key, hashlib.sha256
        folded = [
            (value if type(value) is str else "" if value is None else str(value))
            .strip()
            .casefold()
            for value in values
        ]
        is_placeholder = np.array(
            [bool(f) and f.rstrip(".?!") in placeholders for f in folded], dtype=bool
        )
        pseudonyms = np.array(
            [
                None if skip or not f else digest(key, f.encode("utf-8"), sha256).hex()
                for f, skip in zip(folded, is_placeholder, strict=True)
            ],
            dtype=object,
        )
        return pseudonyms, is_placeholder

    def column(
        self, cells: np.ndarray, placeholders: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pseudonymise a column, hashing each distinct identifier once: the pseudonyms, and
        which cells held a placeholder."""
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        pseudonyms, is_placeholder = self.distinct(
            np.array([None, *uniques], dtype=object), placeholders
        )
        return pseudonyms[codes + 1], is_placeholder[codes + 1]
