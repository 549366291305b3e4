"""Keyed pseudonyms for identifiers: the same child gets the same pseudonym in every file, and
nobody without the key can recover the identifier or test a guess against it (unlike a plain
hash, which anyone can compute for every possible case number)."""

import hashlib
import hmac

import numpy as np
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
        return hmac.digest(self._key, message, hashlib.sha256).hex()

    def column(
        self, cells: np.ndarray, placeholders: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pseudonymise a column, hashing each distinct identifier once. Blanks stay None, and
        so do placeholders (values that identify nobody, compared case-insensitively, trailing
        punctuation ignored). Returns the pseudonyms and which cells held a placeholder."""
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        texts = [str(value).strip() for value in uniques]
        is_placeholder = [t.casefold().rstrip(".?!") in placeholders for t in texts]
        pseudonyms = np.empty(len(uniques) + 1, dtype=object)
        pseudonyms[1:] = [
            None if skip or not text else self.pseudonym(text)
            for text, skip in zip(texts, is_placeholder, strict=True)
        ]
        return pseudonyms[codes + 1], np.array([False, *is_placeholder])[codes + 1]
