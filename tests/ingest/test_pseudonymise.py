"""Identifiers become keyed pseudonyms: stable for the same child, useless without the key."""

import hashlib
import hmac

import numpy as np
import pytest

from orchestration.lib.ingest.pseudonymise import Pseudonymiser


def test_a_pseudonym_is_the_hmac_sha256_of_the_identifier_under_the_key() -> None:
    expected = hmac.new(b"key-one", b"ics0042", hashlib.sha256).hexdigest()

    assert Pseudonymiser("key-one").pseudonym("ICS0042") == expected
    assert expected != hashlib.sha256(b"ics0042").hexdigest()  # not a plain, guessable hash


def test_a_different_key_gives_a_different_pseudonym() -> None:
    assert Pseudonymiser("key-one").pseudonym("ICS0042") != Pseudonymiser("key-two").pseudonym(
        "ICS0042"
    )


def test_different_identifiers_get_different_pseudonyms() -> None:
    pseudonymiser = Pseudonymiser("key-one")

    assert pseudonymiser.pseudonym("ICS0042") != pseudonymiser.pseudonym("ICS0043")


@pytest.mark.parametrize("written", ["ICS0042", "ics0042", "  Ics0042 ", "\u00a0ICS0042\t"])
def test_the_same_identifier_gets_one_pseudonym_whatever_its_case_and_outer_space(
    written: str,
) -> None:
    pseudonymiser = Pseudonymiser("key-one")

    assert pseudonymiser.pseudonym(written) == pseudonymiser.pseudonym("ICS0042")


def test_a_pseudonym_never_contains_the_identifier() -> None:
    identifiers = ["1234567", "ICS0042", "iro.one@council.example"]
    pseudonymiser = Pseudonymiser("key-one")

    for identifier in identifiers:
        pseudonym = pseudonymiser.pseudonym(identifier)
        assert len(pseudonym) == 64
        assert identifier.casefold() not in pseudonym.casefold()


def test_a_column_is_pseudonymised_cell_by_cell_and_blanks_stay_blank() -> None:
    pseudonymiser = Pseudonymiser("key-one")
    cells = np.array(["ICS0042", None, " ics0042 ", "", "   ", "ICS0043"], dtype=object)

    column, placeholder = pseudonymiser.column(cells)

    assert len(column) == len(cells)
    assert not placeholder.any()
    assert column[0] == column[2] == pseudonymiser.pseudonym("ICS0042")
    assert column[5] == pseudonymiser.pseudonym("ICS0043")
    assert column[[1, 3, 4]].tolist() == [None, None, None]


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        Pseudonymiser("")


def test_placeholders_are_not_pseudonymised() -> None:
    pseudonymiser = Pseudonymiser("key-one")
    cells = np.array(["ICS0042", "Unknown", "n/a.", None], dtype=object)

    column, placeholder = pseudonymiser.column(cells, frozenset({"unknown", "n/a"}))

    assert column.tolist() == [pseudonymiser.pseudonym("ICS0042"), None, None, None]
    assert placeholder.tolist() == [False, True, True, False]
