"""SIGTERM and SIGINT to a careaudit command: outside a run the first raises StopRequested where
the command is (later ones do not cut its clean-up short); during a run Dagster's own handlers
interrupt the running step, and the command still learns afterwards which signal arrived."""

import os
import signal
import time

import dagster as dg
import pytest

from orchestration.cli.stop_signals import StopRequested, stop_signals


def send(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.2)  # Python runs the handler at the next instruction; sleep is interrupted


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_first_stop_signal_raises_and_later_ones_are_only_recorded(signum):
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    with stop_signals() as signals:
        with pytest.raises(StopRequested) as stop:
            send(signum)
        send(signal.SIGTERM)  # a second one while the command cleans up: no raise

        assert (stop.value.signum, stop.value.name) == (signum, signal.Signals(signum).name)
        assert signals.received().signum == signum
    assert {s: signal.getsignal(s) for s in before} == before


def test_without_a_signal_nothing_is_received():
    with stop_signals() as signals:
        assert signals.received() is None


@dg.op
def stopped_midway() -> None:
    send(signal.SIGTERM)
    time.sleep(5)  # not reached: the interrupt ends the step


@dg.job
def one_step() -> None:
    stopped_midway()


def test_a_signal_that_dagster_turns_into_an_interrupt_is_still_known_afterwards():
    with stop_signals() as signals, dg.instance_for_test() as instance:
        result = one_step.execute_in_process(instance=instance, raise_on_error=False)

        (failure,) = result.get_step_failure_events()
        assert failure.step_failure_data.error_source.value == "INTERRUPT"
        assert signals.received().name == "SIGTERM"
