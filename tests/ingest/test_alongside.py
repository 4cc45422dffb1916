"""A batch's writes behind this process's work (:mod:`etstats.ingest.alongside`).

:class:`Behind` in a thread: the work runs once, elsewhere, overlapping its creator; its
failure reaches the waiter (once), a failing creator keeps its own error, and the work never
outlives a wait. Without ``background`` it is a plain call. :func:`writes_alongside`: the
writes run once, in this thread, where the block starts them or else on leaving; their
failure reaches the caller and a failing block keeps its own error."""

from __future__ import annotations

import threading
import time

import pytest

from etstats.ingest.alongside import Behind, writes_alongside


@pytest.mark.parametrize("background", [True, False])
def test_the_work_runs_once_and_is_done_after_wait(background: bool) -> None:
    done: list[str] = []

    def work() -> None:
        done.append(threading.current_thread().name)

    behind = Behind(work, background, "test")
    behind.wait()
    behind.wait()  # a second wait is nothing
    assert len(done) == 1
    assert (done[0] != threading.current_thread().name) is background


def test_in_the_background_the_creator_runs_while_the_work_waits() -> None:
    """The work blocks until its creator lets it go: only possible if they overlap."""
    creator_ran = threading.Event()
    seen: list[bool] = []
    behind = Behind(lambda: seen.append(creator_ran.wait(10)), True, "test")
    creator_ran.set()
    behind.wait()
    assert seen == [True]


@pytest.mark.parametrize("background", [True, False])
def test_a_failed_work_reaches_the_caller(background: bool) -> None:
    def work() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        Behind(work, background, "test").wait()


def test_the_creators_own_failure_goes_on() -> None:
    """A creator failing meanwhile waits quietly for the work (it must not outlive what it
    writes into) and its own error is the one raised."""

    def work() -> None:
        raise OSError("disk full")

    def creator() -> None:
        behind = Behind(work, True, "test")
        try:
            raise KeyError("engine")
        except BaseException:
            behind.wait_quietly()
            raise

    with pytest.raises(KeyError):
        creator()


def test_wait_quietly_returns_only_once_the_work_is_done() -> None:
    done: list[str] = []

    def work() -> None:
        time.sleep(0.05)  # not a timing assertion: a thread left running would not be done
        done.append(threading.current_thread().name)

    behind = Behind(work, True, "test")
    behind.wait_quietly()
    assert len(done) == 1
    assert done[0] != threading.current_thread().name


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


def test_the_writes_run_once_here_where_the_block_starts_them() -> None:
    done: list[str] = []
    with writes_alongside(lambda: done.append(threading.current_thread().name)) as start:
        assert done == []
        start()
        assert done == [threading.current_thread().name]
        start()  # a second start is nothing
    assert done == [threading.current_thread().name]


def test_a_failed_write_reaches_the_caller() -> None:
    def write() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), writes_alongside(write) as start:
        start()


def test_the_blocks_own_failure_goes_on() -> None:
    done: list[bool] = []

    def block(start_first: bool) -> None:
        with writes_alongside(lambda: done.append(True)) as start:
            if start_first:
                start()
            raise KeyError("engine")

    with pytest.raises(KeyError):
        block(True)
    assert done == [True]
    with pytest.raises(KeyError):
        block(False)  # a block failing before it started the writes writes nothing
    assert done == [True]


def test_writes_never_started_run_on_leaving_and_are_finished() -> None:
    """A block that returns early (nothing to reconcile) still gets its writes, done in
    this thread before the block is left: a write still running then would race the batch's
    next statements."""
    done: list[str] = []

    def write() -> None:
        time.sleep(0.05)  # not a timing assertion: a thread left running would not be done
        done.append(threading.current_thread().name)

    with writes_alongside(write):
        pass
    assert done == [threading.current_thread().name]
