"""Fixtures for ingest tests: the catalogue, a landing folder and a warehouse in tmp_path."""

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.catalogue import FormCatalogue, load_catalogue
from orchestration.lib.ingest.recognise import known_header_keys
from orchestration.settings import Settings
from tests.support import default_settings

TEST_KEY = "test-key-not-secret-0001"


@pytest.fixture(scope="session")
def catalogue() -> FormCatalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def known_headers(catalogue: FormCatalogue) -> frozenset[str]:
    return known_header_keys(catalogue)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, landing: Path) -> Settings:
    """Settings for a warehouse in tmp_path, with a test key (replace() it to change the key)."""
    return replace(
        default_settings(tmp_path / "data"), landing_dir=landing, pseudonymisation_key=TEST_KEY
    )


@pytest.fixture
def query(settings: Settings) -> Callable[[str], list[tuple]]:
    """Run SQL against the test warehouse read-only, closing the connection straight after."""

    def run(sql: str) -> list[tuple]:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    return run
