"""A batch's row writes beside its reconciliation (:mod:`etstats.ingest.alongside`): in a
thread they overlap the block, their failure reaches the caller, a failing block keeps its
own error, and writes the block never started still run."""

from __future__ import annotations

import threading
import time

import pytest

from etstats.ingest.alongside import Behind, writes_alongside


@pytest.mark.parametrize("background", [True, False])
def test_the_writes_run_once_and_are_done_on_leaving(background: bool) -> None:
    done: list[str] = []

    def write() -> None:
        done.append(threading.current_thread().name)

    with writes_alongside(write, background) as start:
        start()
        start()  # a second start is nothing
    assert len(done) == 1
    assert (done[0] != threading.current_thread().name) is background


def test_in_the_background_the_block_runs_while_the_writes_wait() -> None:
    """The writes block until the block lets them go: only possible if they overlap."""
    block_ran = threading.Event()
    seen: list[bool] = []
    with writes_alongside(lambda: seen.append(block_ran.wait(10)), True) as start:
        start()
        block_ran.set()
    assert seen == [True]


@pytest.mark.parametrize("background", [True, False])
def test_a_failed_write_reaches_the_caller(background: bool) -> None:
    def write() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), writes_alongside(write, background) as start:
        start()


def test_the_blocks_own_failure_goes_on() -> None:
    def write() -> None:
        raise OSError("disk full")

    def block() -> None:
        with writes_alongside(write, True) as start:
            start()
            raise KeyError("engine")

    with pytest.raises(KeyError):
        block()


def test_writes_never_started_run_on_leaving_and_are_finished() -> None:
    """A block that returns early (nothing to reconcile) still gets its writes, done before
    the block is left: a write still running then would race the batch's next statements."""
    done: list[str] = []

    def write() -> None:
        time.sleep(0.05)  # not a timing assertion: a thread left running would not be done
        done.append(threading.current_thread().name)

    with writes_alongside(write, True):
        pass
    assert done == [threading.current_thread().name]


def test_behind_keeps_its_failure_for_wait() -> None:
    """A failure in the thread is raised by :meth:`Behind.wait` (once), not by
    :meth:`Behind.wait_quietly`; without ``background`` the work fails at once, as a call."""

    def write() -> None:
        raise OSError("disk full")

    behind = Behind(write, True, "test")
    behind.wait_quietly()
    with pytest.raises(OSError, match="disk full"):
        behind.wait()
    behind.wait()  # raised once
    with pytest.raises(OSError, match="disk full"):
        Behind(write, False, "test")
