"""The scale benchmark: the pipeline against a hand-written floor, at three sizes. Not a test.

    .venv/bin/python benchmarks/scale.py --sizes S M [--work-dir DIR] [--keep]   # make bench
    .venv/bin/python benchmarks/scale.py --sizes L                               # make bench SIZE=L

For each size it measures wall time and peak memory (the summed RSS of the whole process
tree: careaudit, its dbt subprocesses, ..., sampled every 50 ms with psutil) of
  (a) a full `careaudit refresh` from an empty data dir,
  (a') for S, the same refresh again with nothing new (it must say so and do nothing),
  (b) an incremental refresh after one more month lands on top of (a),
  (c) the floor: benchmarks/floor.sql, one DuckDB script computing fct_metrics from the same
      CSV files, whose result must equal marts.fct_metrics after (a), row for row; and (c')
      the same at the pipeline's DuckDB memory limit, for a like-for-like ratio;
and, separately, the fixed start-up costs: importing the Dagster definitions, and a dbt
invocation that builds nothing. It prints a table with the ratios (a)/(c) and (b)/(a),
PASS/MISS for each target (TARGETS below), the per-audit slope from M to L, and writes the table
as CSV and Markdown under benchmarks/results/ (git-ignored; the run quoted in docs/development.md
is committed as benchmarks/scale_results.md).

Sizes: S is the bundled sample (one authority; its 2021 export is XLSX, which the floor
cannot read, so S has no floor and no incremental month); M is 100,000 audits over 60
months and 5 authorities; L is 2,000,000 audits over 120 months and 10 authorities (about
90 million answers). Authorities land in folders named by their code
(CAREAUDIT_AUTHORITY_FOLDERS=true). Generated data lives under --work-dir (default: a
temporary folder) and is deleted afterwards unless --keep.
"""

import argparse
import contextlib
import csv
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the sample/ package

from orchestration.defs.transform import dbt_args
from orchestration.paths import DBT_PROJECT_DIR, REPO_ROOT, SAMPLE_EXTRACTS_DIR
from orchestration.settings import Settings
from sample.scale import month_range, write_scale_exports

BIN = Path(sys.executable).parent
RESULTS = Path(__file__).with_name("results")
FLOOR_SQL = Path(__file__).with_name("floor.sql")
SEEDS = REPO_ROOT / "seeds" / "catalogue"
SAMPLE_SECONDS = 0.05
KEY = "benchmark-key-not-a-secret"
COMPARED = "la_code, time_period, metric_id, numerator, denominator, missing_answers"


@dataclass(frozen=True)
class Size:
    name: str
    audits: int
    months: int
    authorities: int


SIZES = {
    "S": Size("S", 0, 0, 1),
    "M": Size("M", 100_000, 60, 5),
    "L": Size("L", 2_000_000, 120, 10),
}


@dataclass
class Measured:
    seconds: float
    peak_rss_bytes: int


@dataclass
class Row:
    size: str
    audits: int
    files: int
    full: Measured | None = None
    noop: Measured | None = None  # S: the same refresh again, with nothing new
    incremental: Measured | None = None
    floor: Measured | None = None
    floor_capped: Measured | None = None  # the floor at the pipeline's DuckDB memory limit
    floor_equal: str = "n/a"
    notes: list[str] = field(default_factory=list)


def measure(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run a command; wall time and the peak of the summed RSS of its process tree."""
    peak = 0
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                total = 0
                with contextlib.suppress(psutil.Error):
                    for proc in [root, *root.children(recursive=True)]:
                        with contextlib.suppress(psutil.Error):  # it may have just ended
                            total += proc.memory_info().rss
                peak = max(peak, total)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({code}); see {log}")
    return Measured(elapsed, peak)


def refresh_env(data_dir: Path, landing: Path, authority_folders: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CAREAUDIT_DATA_DIR": str(data_dir),
        "CAREAUDIT_LANDING_DIR": str(landing),
    }
    if authority_folders:
        env["CAREAUDIT_AUTHORITY_FOLDERS"] = "true"
        env["CAREAUDIT_PSEUDONYMISATION_KEY"] = KEY
    return env


def refresh(env: dict[str, str], log: Path) -> Measured:
    return measure([str(BIN / "careaudit"), "refresh", "--quiet"], env, log)


MEMORY_CAP = "2GB"  # CAREAUDIT_DUCKDB_MEMORY_LIMIT's default: the floor again at that cap


def run_floor(landing_glob: str, out: Path, log: Path, memory_limit: str = "") -> Measured:
    """The floor in its own process, writing its fct_metrics to Parquet for the comparison;
    with `memory_limit`, at that DuckDB memory limit (spilling as the pipeline does)."""
    limit = f"con.execute(\"set memory_limit = '{memory_limit}'\")\n" if memory_limit else ""
    script = (
        "import sys, duckdb\n"
        "sql = open(sys.argv[1]).read().replace('{landing}', sys.argv[2])"
        ".replace('{seeds}', sys.argv[3])\n"
        "con = duckdb.connect()\n" + limit + ""
        "con.execute(sql)\n"
        "con.execute(f\"copy floor_metrics to '{sys.argv[4]}' (format parquet)\")\n"
    )
    command = [sys.executable, "-c", script, str(FLOOR_SQL), landing_glob, str(SEEDS), str(out)]
    return measure(command, dict(os.environ), log)


def floor_equals_pipeline(floor_parquet: Path, warehouse: Path) -> str:
    """'equal', or how many rows differ, comparing counts exactly and percents to 1e-9."""
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as warehouse (read_only)")
    compared = f"{COMPARED}, round(percent, 9) as percent"
    differing = con.execute(
        f"""
        select count(*) from (
            (select {compared} from '{floor_parquet}'
             except all select {compared} from warehouse.marts.fct_metrics)
            union all
            (select {compared} from warehouse.marts.fct_metrics
             except all select {compared} from '{floor_parquet}')
        )"""
    ).fetchone()[0]
    rows = con.execute("select count(*) from warehouse.marts.fct_metrics").fetchone()[0]
    return f"equal ({rows} rows)" if differing == 0 else f"DIFFERENT ({differing} rows)"


def startup(work: Path) -> tuple[float, float]:
    """Seconds to import the Dagster definitions (dbt manifest included), and for a dbt
    invocation that selects nothing (dbt's own start-up, partial parsing)."""
    env = refresh_env(work / "startup", SAMPLE_EXTRACTS_DIR, False)
    dagster = measure(
        [sys.executable, "-c", "import orchestration.definitions"], env, work / "import.log"
    )
    dbt = measure(
        dbt_args(
            [
                str(BIN / "dbt"),
                "ls",
                "--quiet",
                "--select",
                "dim_sections",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            Settings.from_env().with_folders(None, str(work / "startup")),
        ),
        env,
        work / "dbt.log",
    )
    return dagster.seconds, dbt.seconds


def run_size(size: Size, work: Path, row: Row) -> None:
    """Measure one size into `row`, step by step (a failure keeps the steps measured)."""
    print(f"[{size.name}] preparing", flush=True)
    data_dir, landing = work / "data", work / "landing"
    if size.name == "S":
        env = refresh_env(data_dir, SAMPLE_EXTRACTS_DIR, False)
        row.files = len(list(SAMPLE_EXTRACTS_DIR.iterdir()))
        row.full = refresh(env, work / "full.log")
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
        row.audits = con.execute("select count(*) from marts.fct_audits").fetchone()[0]
        con.close()
        print(f"[{size.name}] (a') the same refresh again, nothing new", flush=True)
        row.noop = refresh(env, work / "noop.log")
        row.notes.append("bundled sample; its 2021 export is XLSX: no floor, no new month")
        return
    started = time.perf_counter()
    files = write_scale_exports(landing, size.audits, size.months + 1, size.authorities)
    new_month = month_range(1)[0]
    arriving = [p for p in files if p.name.endswith(f"{new_month:%Y-%m}.csv")]
    held = work / "arriving"
    for path in arriving:
        (held / path.parent.name).mkdir(parents=True, exist_ok=True)
        path.rename(held / path.parent.name / path.name)
    print(f"[{size.name}] generated {len(files)} files in {time.perf_counter() - started:.0f} s")
    env = refresh_env(data_dir, landing, True)
    row.files = len(files) - len(arriving)
    print(f"[{size.name}] (a) full refresh", flush=True)
    row.full = refresh(env, work / "full.log")
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    row.audits = con.execute("select count(*) from marts.fct_audits").fetchone()[0]
    con.close()
    print(f"[{size.name}] (c) floor", flush=True)
    floor_out = work / "floor_metrics.parquet"
    row.floor = run_floor(str(landing / "*" / "*.csv"), floor_out, work / "floor.log")
    row.floor_equal = floor_equals_pipeline(floor_out, data_dir / "warehouse.duckdb")
    print(f"[{size.name}] (c') floor at the pipeline's memory cap ({MEMORY_CAP})", flush=True)
    row.floor_capped = run_floor(
        str(landing / "*" / "*.csv"), floor_out, work / "floor_capped.log", MEMORY_CAP
    )
    print(f"[{size.name}] (b) incremental refresh: {len(arriving)} files of {new_month:%Y-%m}")
    for path in arriving:
        shutil.move(held / path.parent.name / path.name, path)
    row.incremental = refresh(env, work / "incremental.log")


TARGETS = (
    "targets: S (a) < 10 s, S (a') nothing new < 5 s; L (a) <= 2.0 x (c), peak < 4 GB; "
    "L (b) <= 5% of (a)"
)


def verdicts(rows: list[Row]) -> list[str]:
    lines = []
    by = {r.size: r for r in rows}
    if "S" in by and by["S"].full:
        s = by["S"].full.seconds
        lines.append(f"S full refresh {s:.1f} s (< 10 s): {'PASS' if s < 10 else 'MISS'}")
    if "S" in by and by["S"].noop:
        s = by["S"].noop.seconds
        lines.append(f"S nothing new {s:.1f} s (< 5 s): {'PASS' if s < 5 else 'MISS'}")
    for r in rows:
        if r.size == "S" or not (r.full and r.floor and r.incremental):
            continue
        ratio = r.full.seconds / r.floor.seconds
        share = r.incremental.seconds / r.full.seconds
        gb = max(r.full.peak_rss_bytes, r.incremental.peak_rss_bytes) / 1e9
        target = r.size == "L"
        label = "" if target else " (the targets are for L; shown for reference)"
        lines.append(
            f"{r.size} full/floor {ratio:.2f} (<= 2.0): {'PASS' if ratio <= 2 else 'MISS'}{label}"
        )
        lines.append(f"{r.size} peak memory {gb:.2f} GB (< 4 GB): {'PASS' if gb < 4 else 'MISS'}")
        lines.append(
            f"{r.size} incremental/full {share:.1%} (<= 5%): {'PASS' if share <= 0.05 else 'MISS'}"
        )
        if r.floor_capped:
            capped = r.full.seconds / r.floor_capped.seconds
            lines.append(
                f"{r.size} full/floor at the {MEMORY_CAP} cap {capped:.2f} (like for like, "
                f"floor {r.floor_capped.seconds:.1f} s, peak "
                f"{r.floor_capped.peak_rss_bytes / 1e9:.2f} GB)"
            )
    if "M" in by and "L" in by and by["M"].full and by["L"].full:
        m, big = by["M"], by["L"]
        per_m = m.full.seconds / m.audits * 1e6
        per_l = big.full.seconds / big.audits * 1e6
        growth = per_l / per_m
        verdict = "PASS (linear or better)" if growth <= 1.25 else "MISS (worse than linear)"
        lines.append(
            f"time per audit M {per_m:.0f} us, L {per_l:.0f} us: L/M {growth:.2f}: {verdict}"
        )
    return lines


def table(rows: list[Row], dagster_s: float, dbt_s: float) -> tuple[list[str], list[list[str]]]:
    header = [
        "size", "audits", "files", "(a) full s", "(a) peak GB", "(a') nothing new s",
        "(b) incremental s", "(b) peak GB", "(c) floor s", "(c) peak GB",
        f"(c') floor at {MEMORY_CAP} s", "(a)/(c)", "(b)/(a)", "floor = fct_metrics",
    ]  # fmt: skip
    body = []
    for r in rows:

        def s(m: Measured | None) -> str:
            return f"{m.seconds:.1f}" if m else "n/a"

        def gb(m: Measured | None) -> str:
            return f"{m.peak_rss_bytes / 1e9:.2f}" if m else "n/a"

        ratio = f"{r.full.seconds / r.floor.seconds:.2f}" if r.full and r.floor else "n/a"
        share = (
            f"{r.incremental.seconds / r.full.seconds:.1%}" if r.full and r.incremental else "n/a"
        )
        body.append(
            [r.size, f"{r.audits:,}", str(r.files), s(r.full), gb(r.full), s(r.noop),
             s(r.incremental), gb(r.incremental), s(r.floor), gb(r.floor), s(r.floor_capped),
             ratio, share, r.floor_equal]
        )  # fmt: skip
    return header, body


def write_results(header: list[str], body: list[list[str]], notes: list[str]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    sizes = "".join(r[0] for r in body)
    with (RESULTS / f"scale-{sizes}-{stamp}.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(body)
    markdown = RESULTS / f"scale-{sizes}-{stamp}.md"
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    markdown.write_text("\n".join(lines + [""] + [f"- {n}" for n in notes]) + "\n")
    return markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["S", "M"])
    parser.add_argument("--work-dir", type=Path, help="where data is generated (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep generated data and warehouses")
    args = parser.parse_args()
    base = args.work_dir or Path(tempfile.mkdtemp(prefix="careaudit-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        dagster_s, dbt_s = startup(base)
        for name in args.sizes:
            work = base / name
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            rows.append(Row(name, 0, 0))
            try:
                run_size(SIZES[name], work, rows[-1])
            except (RuntimeError, OSError, duckdb.Error) as error:  # report it, go on
                print(f"[{name}] FAILED: {error}", flush=True)
                rows[-1].notes.append(f"FAILED: {error}")
            if not args.keep:
                shutil.rmtree(work / "landing", ignore_errors=True)
    finally:
        if not args.keep:  # generated data, warehouses and logs: gigabytes at L
            for name in [*args.sizes, "startup"]:
                shutil.rmtree(base / name, ignore_errors=True)
            if not args.work_dir:
                shutil.rmtree(base, ignore_errors=True)
    header, body = table(rows, dagster_s, dbt_s)
    notes = [
        f"start-up, included in every refresh above: Dagster definitions import {dagster_s:.1f} s"
        f", a dbt invocation that builds nothing {dbt_s:.1f} s",
        *verdicts(rows),
        *[f"{r.size}: {n}" for r in rows for n in r.notes],
        TARGETS,
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB; load average at the end "
        f"{os.getloadavg()[0]:.1f}",
        f"command: {' '.join([Path(sys.executable).name, *sys.argv])}",
    ]
    widths = [max(len(c) for c in col) for col in zip(header, *body, strict=True)]
    print()
    for line in [header, *body]:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
    print("\n".join(notes))
    print(f"written: {write_results(header, body, notes)} (and .csv)")


if __name__ == "__main__":
    main()
