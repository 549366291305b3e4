"""How a `careaudit` command ends when it is stopped or the machine is at fault: one sentence on
stderr, a non-zero exit code, and its Dagster run recorded as failed, never a traceback.

- SIGTERM/SIGINT (stop_signals.py): the run is marked failed there and then (its steps and dbt
  were stopped already) and the exit code is 128 + the signal's number, as a shell reports it.
- A preflight refusal (preflight.py): exit code 2; nothing was changed.
- A fault of the machine met later (plain_errors.py): exit code 1.
"""

import sys
from collections.abc import Callable
from pathlib import Path

from orchestration.cli.instance import fail_runs_of_this_process, instance_home, open_instance
from orchestration.cli.stop_signals import StopRequested, StopSignals, stop_signals
from orchestration.lib.plain_errors import PlainError, explain

LEFT_AS_IS = "the warehouse is as the last completed step left it"
STOPPED = (
    "stopped by {signal} before it finished: nothing it started is still running, and "
    f"{LEFT_AS_IS} (run it again to finish)"
)


def say(command: str, sentence: str) -> None:
    print(f"careaudit {command}: {sentence}.", file=sys.stderr)


def _stopped(command: str, stop: StopRequested, data_dir: Path) -> int:
    if (instance_home(data_dir) / "dagster.yaml").exists():  # a run may have been made
        with open_instance(data_dir) as instance:
            fail_runs_of_this_process(instance, f"careaudit {command} was stopped by {stop.name}.")
    say(command, STOPPED.format(signal=stop.name))
    return 128 + stop.signum


def run_plainly(command: str, data_dir: Path, body: Callable[[StopSignals], int]) -> int:
    """Run the command's body, which may ask the signals whether a stop arrived during a run
    (and raise it), and end it plainly as described above."""
    with stop_signals() as signals:
        try:
            return body(signals)
        except StopRequested as stop:
            return _stopped(command, stop, data_dir)
        except PlainError as error:
            say(command, str(error))
            return 2
        except Exception as error:
            sentence = explain(error, data_dir, LEFT_AS_IS)
            if sentence is None:
                raise
            say(command, sentence)
            return 1
