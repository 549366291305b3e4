"""SIGTERM and SIGINT to a `careaudit` command: where they arrive, and knowing that they did.

Outside a run, either signal raises StopRequested wherever the command is. While a run
executes in process, Dagster swaps in handlers of its own that turn the signal into an
interrupt of the running step (dbt_process.py stops dbt's process group when that step is dbt)
and record the run as failed; its result does not say that a signal was the cause. So every
signal is also recorded through signal.set_wakeup_fd, which Python's C-level handling writes
to whichever Python handler is installed, and the command asks afterwards which arrived.
"""

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequested(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, like KeyboardInterrupt, so that no
    `except Exception` holds it up."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


class StopSignals:
    """The stop signals received so far. Only the first raises StopRequested: once a stop is
    under way (or known of), later signals are recorded and do not cut the clean-up short."""

    def __init__(self, wakeup_fd: int) -> None:
        self._wakeup_fd = wakeup_fd
        self._received: list[int] = []
        self._stopping = False

    def _read(self) -> None:
        with suppress(BlockingIOError):
            while chunk := os.read(self._wakeup_fd, 64):
                self._received += [n for n in chunk if n in STOP_SIGNALS]

    def received(self) -> StopRequested | None:
        """The first stop signal received, if any, whichever handler was installed then."""
        self._read()
        if not self._received:
            return None
        self._stopping = True
        return StopRequested(self._received[0])

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        self._read()
        if not self._stopping:
            self._stopping = True
            raise StopRequested(signum)


@contextmanager
def stop_signals() -> Iterator[StopSignals]:
    """Within: SIGINT and SIGTERM raise StopRequested the first time (and are recorded in any
    case); the previous handlers and wakeup fd are restored on leaving."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    signals = StopSignals(read_fd)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    try:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signals.handle)
        yield signals
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read_fd)
        os.close(write_fd)
