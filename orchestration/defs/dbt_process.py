"""dbt runs in a process group of its own, and a step that ends before dbt does stops that group.

dagster-dbt 0.29 starts dbt with `subprocess.Popen` in the caller's process group, and only
when an interrupt lands while it is reading dbt's output does it forward SIGINT (to dbt alone)
and wait. An interrupt that lands anywhere else (while the step handles an event, or a second
signal during that wait) ends the step with dbt still building on the warehouse: a SIGTERM to
`careaudit refresh` once left `dbt build` running to completion after careaudit had exited.
So dbt is started through `careaudit-dbt` (dbt_leader.py), which makes itself the leader of
a new process group and then becomes dbt, and `dbt_events` stops the whole group (dbt and
anything it started) whenever the step leaves before dbt has finished.
"""

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from dagster_dbt import DbtCliInvocation
from dagster_dbt.core.dbt_cli_event import DbtCliEventMessage

# How long dbt has after SIGINT to cancel its queries and exit before its group is killed.
# dbt stops the sample's build in about a second; a DuckDB query it cannot cancel is killed,
# which DuckDB survives (an uncommitted transaction is rolled back when the file next opens).
STOP_GRACE_S = 10.0


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the process's group; the process alone if it has not made its group yet."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:  # no such group: the group is gone, or not made yet
        if process.poll() is None:
            process.send_signal(signum)


def stop_process_group(process: subprocess.Popen, grace_s: float = STOP_GRACE_S) -> None:
    """SIGINT to the group (dbt cancels its queries and exits), then SIGKILL to whatever of
    it is left after the grace period or if a second interrupt cuts the wait short."""
    try:
        if process.poll() is None:
            _signal_group(process, signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace_s)
    finally:
        _signal_group(process, signal.SIGKILL)
        process.wait()


@contextmanager
def dbt_events(invocation: DbtCliInvocation) -> Iterator[Iterator[DbtCliEventMessage]]:
    """The invocation's events, read by the step. If the step leaves before they end (an
    interrupt, an error, the step being closed), dbt's process group is stopped first and its
    remaining output read to the end: dagster-dbt's reader answers being closed midway by
    yielding again, which Python reports on stderr as an ignored RuntimeError."""
    invocation.termination_timeout_seconds = STOP_GRACE_S  # its own wait after SIGINT
    events = invocation.stream_raw_events()
    try:
        # Handed on through a generator of its own: closing that one (`yield from` does when
        # the step is closed) leaves dagster-dbt's reader open, to be read to the end below.
        yield (event for event in events)
    except BaseException:
        stop_process_group(invocation.process)
        with suppress(Exception):  # dbt's failure: the step is ending for another reason
            for _ in events:
                pass
        raise
