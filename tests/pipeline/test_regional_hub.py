"""A regional hub (CAREAUDIT_AUTHORITY_FOLDERS) on a generated hub of three authorities: each
gets its own pack, holding nothing of another authority, with the figures the same files give
when loaded alone; the region gets aggregated, disclosure-controlled figures."""

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.authorities import read_register
from tests.pipeline.conftest import HUB_ENV
from tests.support import careaudit_env, run_careaudit

pytestmark = pytest.mark.slow

HEX_TOKEN = re.compile(r"[0-9a-f]{32,64}")
TEXT_SUFFIXES = (".csv", ".md", ".html", ".json")


def _codes(hub_landing: Path) -> list[str]:
    return sorted(p.name for p in hub_landing.iterdir() if p.is_dir())


def _pack(hub_run: Path, la_code: str) -> Path:
    return hub_run / "publish" / "authorities" / la_code


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _identifying(warehouse: Path, la_code: str) -> set[str]:
    """Everything that would identify the authority's rows: its pseudonyms (children,
    officers), audits, files and districts, from the hub's own warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cells = con.execute(
            "select child_pseudonym, iro_pseudonym, audit_id, file_sha256, district_code "
            "from marts.fct_audits where la_code = ?",
            [la_code],
        ).fetchall()
    return {cell for row in cells for cell in row if cell}


def _texts(path: Path) -> list[str]:
    """A pack file's content as text: a text file whole; every cell of every table of a
    Parquet or DuckDB file."""
    if path.suffix in TEXT_SUFFIXES:
        return [path.read_text(encoding="utf-8")]
    with duckdb.connect() as con:
        if path.suffix == ".parquet":
            return [str(row) for row in con.execute(f"select * from '{path}'").fetchall()]
        assert path.suffix == ".duckdb", path
        con.execute(f"attach '{path}' as pack (read_only)")
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'pack'"
        ).fetchall()
        return [
            str(row) for (table,) in tables for row in con.execute(f"from pack.{table}").fetchall()
        ]


def test_each_authority_has_a_pack_of_real_files(hub_run, hub_landing):
    for code in _codes(hub_landing):
        pack = _pack(hub_run, code)
        names = {p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file()}
        assert {
            "internal/metrics.csv",
            "internal/metrics.parquet",
            "internal/metric_trends.csv",
            "internal/metric_breakdowns.csv",
            "internal/metric_benchmarks.csv",
            "internal/ingest_report.csv",
            "reporting.duckdb",
            "open_data/care_plan_audit_metrics.csv",
            "open_data/data_guidance.md",
            "report/care_plan_audit_2025.html",
            "report/care_plan_audit_2025.md",
        } <= names
        assert not any(p.is_symlink() for p in pack.rglob("*"))
        manifest = json.loads((hub_run / "publish" / "release.json").read_text())
        assert manifest["outputs"]["hub_packs"]["data_version"] == manifest["data_version"]
        assert manifest["files"][f"authorities/{code}/reporting.duckdb"]["output"] == "hub_packs"


def test_no_pack_holds_anything_of_another_authority(hub_run, hub_landing):
    register = read_register()
    codes = _codes(hub_landing)
    warehouse = hub_run / "warehouse.duckdb"
    identifying = {code: _identifying(warehouse, code) for code in codes}
    assert all(len(found) > 100 for found in identifying.values())
    for code in codes:
        others = [other for other in codes if other != code]
        names = [register[other].la_name for other in others]
        foreign = set().union(*(identifying[other] for other in others))
        districts = {cell for cell in foreign if not HEX_TOKEN.fullmatch(cell)}
        files = [p for p in _pack(hub_run, code).rglob("*") if p.is_file()]
        assert len(files) >= 18
        for path in files:
            for text in _texts(path):
                for word in (*others, *names, *districts):
                    assert word not in text, f"{word} in {path}"
                leaked = set(HEX_TOKEN.findall(text)) & foreign
                assert not leaked, f"{sorted(leaked)[:3]} of another authority in {path}"


def test_each_pack_holds_only_its_own_rows(hub_run, hub_landing):
    for code in _codes(hub_landing):
        internal = _pack(hub_run, code) / "internal"
        for table in ("metrics", "metric_trends", "metric_breakdowns", "metric_benchmarks"):
            rows = _rows(internal / f"{table}.csv")
            assert rows and {row["la_code"] for row in rows} == {code}, table
        with duckdb.connect(str(_pack(hub_run, code) / "reporting.duckdb"), read_only=True) as con:
            for table in ("metrics", "metric_trends", "metric_breakdowns", "metric_benchmarks"):
                assert con.execute(f"select distinct la_code from {table}").fetchall() == [(code,)]
        open_data = _rows(_pack(hub_run, code) / "open_data" / "care_plan_audit_metrics.csv")
        assert {row["new_la_code"] for row in open_data} == {code}


def test_each_pack_reports_the_findings_of_its_own_files_only(hub_run, hub_landing):
    codes = _codes(hub_landing)
    second = codes[1]  # the hub fixture puts a stray notes.txt in the second folder
    findings = {
        code: _rows(_pack(hub_run, code) / "internal" / "ingest_report.csv") for code in codes
    }
    assert [(f["source_file"], f["severity"]) for f in findings[second]] == [
        (f"{second}/notes.txt", "refused_file")
    ]
    assert all(findings[code] == [] for code in codes if code != second)


def test_the_packs_benchmarks_name_only_the_region(hub_run, hub_landing):
    register = read_register()
    codes = _codes(hub_landing)
    for code in codes:
        rows = _rows(_pack(hub_run, code) / "internal" / "metric_benchmarks.csv")
        assert {(r["la_name"], r["region_name"]) for r in rows} == {
            (register[code].la_name, register[code].region_name)
        }
        compared = [r for r in rows if r["position"] != "not_comparable"]
        assert compared and all(r["region_authorities"] == str(len(codes)) for r in compared)


GEOGRAPHY = {
    "geographic_level", "country_code", "country_name", "region_code", "region_name",
    "new_la_code", "old_la_code", "la_name",
}  # fmt: skip
COUNTS = ("audit_count", "audit_base_count")


def _figure(row: dict[str, str]) -> tuple[str, ...]:
    """A row's period and filters: the figure it gives, whoever's it is."""
    return tuple(v for k, v in row.items() if k not in GEOGRAPHY and not k.startswith("audit_"))


@pytest.mark.parametrize(
    "name", ["care_plan_audit_metrics", "care_plan_audit_metrics_by_characteristic"]
)
def test_a_count_suppressed_for_a_member_is_suppressed_for_the_region(hub_run, name):
    """Else the region's count less the other members' would give it away."""
    rows = _rows(hub_run / "publish" / "region" / "open_data" / f"{name}.csv")
    regional = {_figure(r): r for r in rows if r["geographic_level"] == "Regional"}
    suppressed = [
        (_figure(r), count)
        for r in rows
        if r["geographic_level"] == "Local authority"
        for count in COUNTS
        if r[count] == "c" and _figure(r) in regional
    ]
    assert suppressed  # the small first year has suppressed counts
    assert [regional[figure][count] for figure, count in suppressed] == ["c"] * len(suppressed)
    for figure, _ in suppressed:
        assert regional[figure]["audit_percent"] in ("c", "z", "x")


def test_the_region_pack_has_regional_and_authority_rows_with_disclosure_control(
    hub_run, hub_landing
):
    rows = _rows(hub_run / "publish" / "region" / "open_data" / "care_plan_audit_metrics.csv")
    levels = {(r["geographic_level"], r["new_la_code"]) for r in rows}
    assert levels == {("Regional", "")} | {
        ("Local authority", code) for code in _codes(hub_landing)
    }
    counts = [r[c] for r in rows for c in ("audit_count", "audit_base_count") if r[c].isdigit()]
    assert counts and not [n for n in counts if 1 <= int(n) <= 5]
    regional = {
        (r["time_period"], r["metric_code"]): r for r in rows if r["geographic_level"] == "Regional"
    }
    members = [r for r in rows if r["geographic_level"] == "Local authority"]
    # the region's audits completed are its members' added up
    for period in {p for p, _ in regional}:
        total = sum(
            int(r["audit_count"])
            for r in members
            if r["time_period"] == period and r["metric_code"] == "audits_completed"
        )
        assert regional[(period, "audits_completed")]["audit_count"] == str(total)


@pytest.fixture(scope="module")
def alone_runs(tmp_path_factory, hub_landing, hub_run) -> dict[str, Path]:
    """Each authority's folder refreshed alone, as a single authority configured by its
    register row (after the hub's run: the same files, the same key)."""
    register = read_register()
    runs = {}
    for code in _codes(hub_landing):
        authority = register[code]
        data_dir = tmp_path_factory.mktemp(f"alone_{code}")
        env = careaudit_env(
            CAREAUDIT_PSEUDONYMISATION_KEY=HUB_ENV["CAREAUDIT_PSEUDONYMISATION_KEY"],
            CAREAUDIT_LA_CODE=code,
            CAREAUDIT_OLD_LA_CODE=authority.old_la_code,
            CAREAUDIT_LA_NAME=authority.la_name,
            CAREAUDIT_REGION_CODE=authority.region_code,
            CAREAUDIT_REGION_NAME=authority.region_name,
        )
        result = run_careaudit(
            "refresh", "--landing", str(hub_landing / code), "--data-dir", str(data_dir), env=env
        )
        assert result.returncode == 0, result.stdout + result.stderr
        runs[code] = data_dir
    return runs


@pytest.mark.parametrize("table", ["metrics", "metric_trends", "metric_breakdowns"])
def test_each_authoritys_figures_are_those_its_files_give_loaded_alone(hub_run, alone_runs, table):
    for code, alone in alone_runs.items():
        in_hub = _rows(_pack(hub_run, code) / "internal" / f"{table}.csv")
        # (a warehouse holds the seeds' published history of the bundled sample's authority)
        by_itself = [
            row
            for row in _rows(alone / "publish" / "internal" / f"{table}.csv")
            if row["la_code"] == code
        ]
        assert len(by_itself) > 50
        assert in_hub == by_itself, f"{code} {table}"


def test_a_single_authority_gets_no_packs(alone_runs):
    for alone in alone_runs.values():
        assert not (alone / "publish" / "authorities").exists()
        assert not (alone / "publish" / "region").exists()
        manifest = json.loads((alone / "publish" / "release.json").read_text())
        assert not [f for f, e in manifest["files"].items() if e["output"] == "hub_packs"]
