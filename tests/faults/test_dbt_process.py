"""dbt runs in a process group of its own, and a step that ends before dbt does stops the
whole group: dbt and whatever dbt started, however the step ends, and within a bounded time
even when something in the group ignores SIGINT."""

import contextlib
import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation
from packaging.version import Version

from orchestration.defs.dbt_process import dbt_events, stop_process_group

# Stands in for dbt: leads a process group as careaudit-dbt makes dbt do, starts a child of its
# own (as dbt may), and logs JSON events until it is stopped; the first event names the child.
FAKE_DBT = """
import json, os, signal, subprocess, sys, time
os.setpgid(0, 0)
if sys.argv[1] == "ignore-sigint":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "300"])
while True:
    event = {"info": {"name": "Note", "level": "info", "msg": str(child.pid)}, "data": {}}
    print(json.dumps(event), flush=True)
    time.sleep(0.05)
"""


def start_fake_dbt(tmp_path: Path, *, ignore_sigint: bool = False) -> DbtCliInvocation:
    """Started the way dagster-dbt starts dbt (DbtCliInvocation.run, its own reader)."""
    return DbtCliInvocation.run(
        args=[sys.executable, "-c", FAKE_DBT, "ignore-sigint" if ignore_sigint else "obey"],
        env=dict(os.environ),
        manifest={},
        dagster_dbt_translator=DagsterDbtTranslator(),
        project_dir=tmp_path,
        target_path=tmp_path / "target",
        raise_on_error=True,
        context=None,
        adapter=None,
        cli_version=Version("1.11.0"),
    )


def group_members(pgid: int, within_s: float = 5.0) -> list[int]:
    """The live processes of the group once SIGKILL has had `within_s` to take effect (the
    dead stay zombies until their parent reaps them, so killpg(pgid, 0) would see them)."""
    deadline = time.monotonic() + within_s
    while True:
        members = []
        for process in psutil.process_iter(["status"]):
            with contextlib.suppress(psutil.Error):
                if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                    members.append(process.pid)
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.05)


@pytest.fixture
def unraisable(monkeypatch) -> list[str]:
    """What Python reports as ignored exceptions (e.g. a generator ignoring GeneratorExit)."""
    reported: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(repr(u.exc_value)))
    return reported


def test_an_interrupt_while_the_step_handles_an_event_stops_dbt_and_its_child(tmp_path, unraisable):
    invocation = start_fake_dbt(tmp_path)
    with pytest.raises(DagsterExecutionInterruptedError), dbt_events(invocation) as events:
        child = int(next(events).raw_event["info"]["msg"])
        assert os.getpgid(child) == invocation.process.pid  # dbt's group, not careaudit's
        raise DagsterExecutionInterruptedError()  # as a signal landing in the step's code

    assert invocation.process.returncode == -signal.SIGINT  # dbt was asked first
    assert group_members(invocation.process.pid) == []
    gc.collect()
    assert unraisable == []


def test_a_step_closed_midway_stops_dbt(tmp_path, unraisable):
    invocation = start_fake_dbt(tmp_path)

    def step():
        with dbt_events(invocation) as events:
            yield from events

    running = step()
    next(running)
    running.close()

    assert invocation.process.returncode is not None
    assert group_members(invocation.process.pid) == []
    gc.collect()
    assert unraisable == []


def test_a_group_that_ignores_sigint_is_killed_after_the_grace_period(tmp_path):
    invocation = start_fake_dbt(tmp_path, ignore_sigint=True)
    time.sleep(0.5)  # it has made its group and ignores SIGINT
    started = time.monotonic()

    stop_process_group(invocation.process, grace_s=1.0)

    assert 1.0 <= time.monotonic() - started < 5
    assert invocation.process.returncode == -signal.SIGKILL
    assert group_members(invocation.process.pid) == []
    invocation.process.stdout.close()


def test_a_second_interrupt_during_the_grace_period_kills_the_group_at_once(tmp_path):
    invocation = start_fake_dbt(tmp_path, ignore_sigint=True)
    time.sleep(0.5)
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    signal.setitimer(signal.ITIMER_REAL, 0.3)  # the second Ctrl-C, 0.3 s into a 60 s grace
    try:
        with pytest.raises(KeyboardInterrupt):
            stop_process_group(invocation.process, grace_s=60)
    finally:
        signal.signal(signal.SIGALRM, previous)

    assert invocation.process.returncode == -signal.SIGKILL
    assert group_members(invocation.process.pid) == []
    invocation.process.stdout.close()


def test_careaudit_dbt_is_dbt_leading_a_group_of_its_own():
    careaudit_dbt = Path(sys.executable).with_name("careaudit-dbt")
    probe = subprocess.run(
        [careaudit_dbt, "--version"], capture_output=True, text=True, check=True, timeout=120
    )
    assert "installed: 1.11" in probe.stdout  # it became dbt, with the arguments given
