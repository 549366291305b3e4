"""A release is all or nothing, whatever moment a refresh is killed.

After the bundled sample is published (240 audits in 2022), a new export lands (12 more,
with spreadsheet formulas typed into District) and `careaudit refresh` runs, stopped at each
publish step in turn (tests/pipeline/stop_at.py): as each output is staged, as the open-data
candidate is written, as the manifest is written, as the release is moved in beside the
current one. A stopped process writes nothing more, so what is on disk then is what a kill at
that moment leaves: each time, every published output is still the first release's, byte for
byte, and the version check passes. The refresh is then killed (SIGKILL) at its last step
before the switch; the next one is killed just after its switch, and every output is then the
new release's. The refresh after that completes with every output on its own data version,
and no published CSV holds a live formula.

(Each stop could be a kill of its own refresh, at the cost of a whole refresh, dbt build
included, per step; a stop shows the same files at the same moment.)
"""

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib.publish.manifest import html_version_tag, read_manifest
from orchestration.lib.publish.manifest import release_problems as version_check
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from orchestration.settings import DEVELOPMENT_KEY
from tests.exports import answered_audit, write_export
from tests.pipeline.conftest import SAMPLE_ENV
from tests.support import careaudit_env, live_formulas, run_careaudit

pytestmark = pytest.mark.slow

STOP_AT = Path(__file__).with_name("stop_at.py")
STAGED = r"/staging/[^/]+/release/"
# Each publish step, by the file it puts in place (in the order a refresh reaches them).
PUBLISH_STEPS = {
    "annual report staged": STAGED + r"report/care_plan_audit_2022\.html$",
    "data catalogue staged": STAGED + r"catalogue/index\.html$",
    "internal files staged": STAGED + r"internal/metrics\.csv$",
    "open-data candidate written": r"/staging/[^/]+/open_data/care_plan_audit_metrics\.csv$",
    "reporting.duckdb staged": STAGED + r"reporting\.duckdb$",
    "open data staged": STAGED + r"open_data/care_plan_audit_metrics\.csv$",
    "manifest written": STAGED + r"release\.json$",
    "release moved in beside the current one": r"/releases/[^/]+$",
}
LAST_STEP_BEFORE_THE_SWITCH = "release moved in beside the current one"
SWITCHED = {"data/publish switched": r"/publish$"}
FORMULAS = [
    '=HYPERLINK("http://example.org/x","Hart")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
OLD_AUDITS, NEW_AUDITS = 240, 252


@dataclass(frozen=True)
class Published:
    """What data/publish showed at one moment."""

    release: Path
    files: dict[str, bytes]
    problems: list[str]


@dataclass(frozen=True)
class Refreshes:
    data_dir: Path
    first: Published
    stopped: dict[str, Published]  # at each publish step of the refresh killed before its switch
    switched: Published  # after the refresh killed just after its switch
    final: Published
    final_run: subprocess.CompletedProcess[str]


def published(data_dir: Path) -> Published:
    publish = data_dir / "publish"
    files = {
        path.relative_to(publish).as_posix(): path.read_bytes()
        for path in sorted(publish.rglob("*"))
        if path.is_file()
    }
    return Published(publish.resolve(), files, version_check(publish))


def refresh_killed_at(
    step: str,
    steps: dict[str, str],
    command: list[str],
    env: dict[str, str],
    work: Path,
    at_each_step: Callable[[str], None],
) -> None:
    """A refresh stopped at each of steps, at_each_step called while it is stopped, then
    continued; killed with SIGKILL when stopped at step."""
    marker = work / "stopped_at"
    log = work / ("refresh_killed_at_" + re.sub(r"\W+", "_", step) + ".log")
    with log.open("w") as output:
        refresh = subprocess.Popen(
            [sys.executable, str(STOP_AT), str(marker)]
            + [f"{name}={pattern}" for name, pattern in steps.items()]
            + ["--", *command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    while True:
        _, status = os.waitpid(refresh.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            refresh.returncode = os.waitstatus_to_exitcode(status)
            pytest.fail(f"the refresh ended before {step}:\n{log.read_text()}")
        at_each_step(marker.read_text())
        if marker.read_text() == step:
            os.kill(refresh.pid, signal.SIGKILL)
            os.waitpid(refresh.pid, 0)
            refresh.returncode = -signal.SIGKILL
            return
        os.kill(refresh.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def refreshes(sample_run, tmp_path_factory: pytest.TempPathFactory) -> Refreshes:
    sample_data, _ = sample_run
    root = tmp_path_factory.mktemp("killed_publish")
    data_dir, landing = root / "data", root / "landing"
    shutil.copytree(sample_data, data_dir, symlinks=True)
    shutil.copytree(SAMPLE_EXTRACTS_DIR, landing)
    # The sample's warehouse was pseudonymised with the development key: the new file must be.
    env = careaudit_env(**SAMPLE_ENV, CAREAUDIT_PSEUDONYMISATION_KEY=DEVELOPMENT_KEY)
    command = ["refresh", "--landing", str(landing), "--data-dir", str(data_dir)]
    first = published(data_dir)

    new_audits = [
        answered_audit("2022", n, "20/09/2022 10:30", district=FORMULAS[n % len(FORMULAS)])
        for n in range(1, NEW_AUDITS - OLD_AUDITS + 1)
    ]
    write_export(landing / "care_plan_audit_2022-09.csv", new_audits)
    stopped: dict[str, Published] = {}

    def look(step: str) -> None:
        stopped[step] = published(data_dir)

    refresh_killed_at(LAST_STEP_BEFORE_THE_SWITCH, PUBLISH_STEPS, command, env, root, look)
    [switched_step] = SWITCHED
    refresh_killed_at(switched_step, SWITCHED, command, env, root, lambda _: None)
    switched = published(data_dir)
    final_run = run_careaudit(*command, env=env)
    return Refreshes(data_dir, first, stopped, switched, published(data_dir), final_run)


def audits_in_2022(files: dict[str, bytes], data_dir: Path) -> dict[str, int]:
    """The 2022 audit count each published output gives."""

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(files[name].decode().splitlines()))

    [internal] = [
        int(r["numerator"])
        for r in rows("internal/metrics.csv")
        if (r["metric_id"], r["time_period"]) == ("audits_completed", "2022")
    ]
    [open_data] = [
        int(r["audit_count"])
        for r in rows("open_data/care_plan_audit_metrics.csv")
        if r["time_period"] == "2022" and r["metric"].startswith("Audits completed")
    ]
    database = data_dir / "copy_of_reporting.duckdb"
    database.write_bytes(files["reporting.duckdb"])
    with duckdb.connect(str(database), read_only=True) as con:
        [(bi,)] = con.execute(
            "select numerator from metrics "
            "where metric_id = 'audits_completed' and time_period = '2022'"
        ).fetchall()
    database.unlink()
    report = re.search(
        r"from the (\d+) audits of 2022", files["report/care_plan_audit_2022.md"].decode()
    )
    assert report is not None
    return {
        "internal": internal,
        "open data": open_data,
        "reporting.duckdb": bi,
        "report": int(report.group(1)),
    }


@pytest.mark.parametrize("step", PUBLISH_STEPS)
def test_a_refresh_killed_at_a_publish_step_leaves_every_output_on_the_last_release(
    refreshes, step
):
    at_step = refreshes.stopped[step]  # the refresh reached the step
    assert at_step.release == refreshes.first.release
    assert at_step.files == refreshes.first.files  # every published file, byte for byte
    assert at_step.problems == []
    assert set(audits_in_2022(at_step.files, refreshes.data_dir).values()) == {OLD_AUDITS}


def test_a_refresh_killed_just_after_its_switch_leaves_every_output_on_the_new_release(
    refreshes,
):
    switched = refreshes.switched
    assert switched.release != refreshes.first.release
    assert switched.problems == []
    assert set(audits_in_2022(switched.files, refreshes.data_dir).values()) == {NEW_AUDITS}


def test_the_next_refresh_completes_with_every_output_on_its_data_version(refreshes):
    result, final = refreshes.final_run, refreshes.final
    assert result.returncode == 0, result.stdout + result.stderr
    assert "had stopped mid-way; marked failed" in result.stderr
    assert final.problems == []
    assert set(audits_in_2022(final.files, refreshes.data_dir).values()) == {NEW_AUDITS}

    with dg.DagsterInstance.from_config(str(refreshes.data_dir / "dagster_home")) as instance:
        [run] = instance.get_runs(limit=1)
    manifest = read_manifest(final.release)
    assert manifest is not None
    assert manifest["data_version"] == run.run_id == manifest["run_id"]
    assert {o["data_version"] for o in manifest["outputs"].values()} == {run.run_id}
    assert html_version_tag(run.run_id).encode() in final.files["report/care_plan_audit_2022.html"]
    assert f"release:    {manifest['release']}" in result.stdout


def test_killed_refreshes_leave_nothing_behind_once_a_refresh_completes(refreshes):
    data_dir = refreshes.data_dir
    assert not list((data_dir / "staging").iterdir())
    releases = sorted(p.name for p in (data_dir / "releases").iterdir())
    assert len(releases) == 3  # the current release and the two before it
    assert releases[-1] == refreshes.final.release.name


def test_no_published_csv_holds_a_live_formula(refreshes):
    cells = [
        cell
        for name, content in refreshes.final.files.items()
        if name.endswith(".csv")
        for row in csv.reader(content.decode().splitlines())
        for cell in row
    ]
    assert live_formulas(cells) == []
