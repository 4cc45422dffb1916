"""Parse workers (``jobs``): the store is the same as without them, a bad artifact still only
rejects itself, a killed worker falls back to parsing in process, a killed main process leaves
no worker behind, and no worker outlives the command (also on an error or Ctrl-C)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import examples

from etstats.cli import main
from etstats.errors import ParseError
from etstats.ingest.artifacts import Artifact
from etstats.ingest.extract import parse_artifact
from etstats.ingest.parse_pool import decode, encode
from etstats.ingest.pipeline import IngestResult, Pipeline
from etstats.ingest.worker_processes import JOBS_ENV, default_jobs
from etstats.storage.sqlite import SQLiteStorage
from etstats.storage.testing import snapshot
from etstats.testing.endstats_strategies import endstats_rounds
from etstats.testing.gametimes_strategies import gametimes
from etstats.testing.legacy_strategies import legacy_gametimes
from etstats.testing.reconcile_truth.play import simulate
from etstats.testing.reconcile_truth.render import render_v1
from etstats.testing.strategies import stats_rounds
from etstats.testing.synthetic import round_pair_artifacts, season

BAD = Artifact.from_bytes(b"not a stats file at all\n", "2026-01-01-120000-supply-round-1.txt")


def _artifacts() -> list[Artifact]:
    """A season with endstats, legacy and v1 gametimes kinds, R1/R2 pairs, a duplicate, the
    same bytes under a smaller name, and a file that does not parse."""
    arts = season(10)
    pair, _ = round_pair_artifacts(
        map_name="supply", r1_end_unix=1_767_225_600, gap_seconds=600, rng=random.Random(3)
    )
    for seed in (1, 2):
        name, text = render_v1(simulate(seed, start_unix=1_767_225_600 + 3600 * seed))
        pair.append(Artifact.from_bytes(text.encode(), name))
    first = arts[0]
    renamed = Artifact.from_bytes(first.data, "0_" + first.name, received_at=first.received_at)
    return [*arts, *pair, BAD, arts[4], renamed]


def _ingested(tmp_path: Path, name: str, arts: list[Artifact], jobs: int) -> SQLiteStorage:
    store = SQLiteStorage(str(tmp_path / name))
    summary = Pipeline(store, batch_size=5, jobs=jobs).ingest_many(arts)
    assert [r.sha256 for r in summary.results] == [a.sha256 for a in arts]
    return store


def test_codec_round_trips_every_kind() -> None:
    kinds = set()
    for a in _artifacts():
        if a is BAD:
            continue
        parsed = parse_artifact(a, timezone="Europe/Berlin")
        back = decode(encode(parsed))
        assert back == parsed
        assert type(back.model) is type(parsed.model)
        kinds.add(parsed.kind)
    assert len(kinds) == 4  # stats, endstats, legacy and v1 gametimes
    with pytest.raises(ParseError) as caught:
        parse_artifact(BAD)
    again = decode(encode(caught.value))
    assert type(again) is ParseError
    assert str(again) == str(caught.value)


def test_workers_give_the_same_store(tmp_path: Path) -> None:
    arts = _artifacts()
    alone = _ingested(tmp_path, "alone.db", arts, jobs=0)
    pooled = _ingested(tmp_path, "pooled.db", arts, jobs=2)
    assert snapshot(pooled) == snapshot(alone)
    shuffled = list(arts)
    random.Random(7).shuffle(shuffled)  # any order converges, with workers too
    other = _ingested(tmp_path, "shuffled.db", shuffled, jobs=2)
    assert snapshot(other) == snapshot(alone)
    other.close()
    rejected = [a.name for a in pooled.artifacts() if a.status == "rejected"]
    assert rejected == [BAD.name]  # the bad file rejects itself only
    assert multiprocessing.active_children() == []
    # re-ingest (nothing new: nothing to parse) and rebuild with workers: still the same
    summary = Pipeline(pooled, batch_size=5, jobs=2).ingest_many(arts)
    assert summary.count("stored") == 0
    Pipeline(pooled, batch_size=4, jobs=2).rebuild()
    assert snapshot(pooled) == snapshot(alone)
    assert multiprocessing.active_children() == []
    alone.close()
    pooled.close()


def test_a_killed_worker_falls_back_to_parsing_here(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    arts = season(12)
    alone = _ingested(tmp_path, "alone.db", arts, jobs=0)
    store = SQLiteStorage(str(tmp_path / "killed.db"))
    killed: list[int] = []

    def kill_workers(_result: IngestResult) -> None:
        workers = multiprocessing.active_children()
        if workers and not killed:
            for w in workers:
                os.kill(w.pid or 0, signal.SIGKILL)
                killed.append(w.pid or 0)

    with caplog.at_level(logging.WARNING, logger="etstats.ingest.parse_pool"):
        summary = Pipeline(store, batch_size=4, jobs=2).ingest_many(arts, progress=kill_workers)
    assert killed
    assert "a parse worker died" in caplog.text
    assert summary.count("stored") == len(arts)
    assert snapshot(store) == snapshot(alone)
    assert multiprocessing.active_children() == []
    alone.close()
    store.close()


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_no_worker_outlives_an_interrupted_command(
    tmp_path: Path, error: type[BaseException]
) -> None:
    store = SQLiteStorage(str(tmp_path / "stop.db"))
    seen: list[bool] = []

    def stop(_result: IngestResult) -> None:
        seen.append(bool(multiprocessing.active_children()))
        if len(seen) == 6:  # second batch committed, the third being parsed by the workers
            raise error("stop")

    with pytest.raises(error):
        Pipeline(store, batch_size=3, jobs=2).ingest_many(season(8), progress=stop)
    assert any(seen)  # the workers were running
    assert multiprocessing.active_children() == []
    assert len(store.artifacts()) == 6  # the committed batches, nothing of the next
    store.close()


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _gone(pids: set[int], patience_s: float = 60.0) -> bool:
    """Whether every process in ``pids`` has exited (waits up to ``patience_s`` seconds: a
    loaded machine may schedule them late; this is not a timing assertion)."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        if not {p for p in pids if _running(p)}:
            return True
        time.sleep(0.2)
    return False


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie. A process that exits while its ``stat``
    is read makes the read fail (``ProcessLookupError``, ``FileNotFoundError``): gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # the state follows the "(name)"


def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the workers")
    from tests.ingest.test_batch import run_and_kill

    workers: set[int] = set()

    def before_kill(pid: int) -> None:
        workers.update(_children(pid))

    run_and_kill(tmp_path, jobs=2, before_kill=before_kill)
    assert workers  # they were running when the main process died
    assert _gone(workers)


def test_cli_jobs_option_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for a in season(3):
        (folder / a.name).write_bytes(a.data)
    assert main(["ingest", "--jobs", "2", "--db", str(tmp_path / "a.db"), str(folder)]) == 0
    assert main(["rebuild", "--jobs", "1", "--db", str(tmp_path / "a.db")]) == 0
    monkeypatch.setenv(JOBS_ENV, "0")
    assert default_jobs() == 0
    assert main(["ingest", "--db", str(tmp_path / "b.db"), str(folder)]) == 0
    monkeypatch.setenv(JOBS_ENV, "many")
    assert main(["ingest", "--db", str(tmp_path / "c.db"), str(folder)]) == 4
    assert f"{JOBS_ENV} must be a whole number" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["ingest", "--jobs", "-1", "--db", str(tmp_path / "c.db"), str(folder)])
    assert usage.value.code == 2
    monkeypatch.delenv(JOBS_ENV)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert default_jobs() == 0  # one core: a worker would only take the main process's
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert default_jobs() == 1  # an idle core is what the (lowest-priority) worker uses
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(16)), raising=False)
    assert default_jobs() == 1  # the main process is the bound: more workers gain little
    one, two = SQLiteStorage(str(tmp_path / "a.db")), SQLiteStorage(str(tmp_path / "b.db"))
    derived = {k: v for k, v in snapshot(one).items() if k != "artifacts"}  # arrival time
    assert derived == {k: v for k, v in snapshot(two).items() if k != "artifacts"}
    one.close()
    two.close()


@pytest.mark.property
@settings(max_examples=examples(50))
@given(
    model=st.one_of(
        stats_rounds(), endstats_rounds(), gametimes(), legacy_gametimes(with_extras=True)
    )
)
def test_codec_rebuilds_any_model(model: object) -> None:
    back = decode(encode(model))
    assert back == model
    assert type(back) is type(model)


@pytest.mark.parametrize("jobs", [0, 2])
def test_a_failing_input_keeps_the_batches_before_it(tmp_path: Path, jobs: int) -> None:
    """An input that fails after two whole batches: both are stored and acknowledged, with
    workers as without (the second waited for the third's parse when the input failed)."""
    arts = season(4)  # 12 artifacts: batches of 5, 5, then the failure

    def failing() -> Iterator[Artifact]:
        yield from arts[:10]
        raise RuntimeError("source went away")

    store = SQLiteStorage(str(tmp_path / "f.db"))
    acknowledged: list[str] = []
    with pytest.raises(RuntimeError, match="went away"):
        Pipeline(store, batch_size=5, jobs=jobs).ingest_many(
            failing(), progress=lambda r: acknowledged.append(r.sha256)
        )
    assert acknowledged == [a.sha256 for a in arts[:10]]
    assert {a.sha256 for a in store.artifacts()} == set(acknowledged)
    assert multiprocessing.active_children() == []
    store.close()


def test_a_fresh_process_decodes_what_a_worker_encoded(tmp_path: Path) -> None:
    """The builders travel by name: a process that never encoded (the main process) finds
    them through the codec module's ``__getattr__``; an unknown name is an AttributeError."""
    import subprocess
    import sys

    import etstats.ingest.parse_pool as codec

    parsed = [parse_artifact(a, timezone="UTC") for a in _artifacts() if a is not BAD]
    (tmp_path / "in.bin").write_bytes(encode(parsed))
    script = (
        "import pickle, sys\n"
        "from etstats.ingest.parse_pool import decode\n"
        "value = decode(open(sys.argv[1], 'rb').read())\n"
        "open(sys.argv[2], 'wb').write(pickle.dumps(value))\n"
    )
    out = tmp_path / "out.bin"
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "in.bin"), str(out)], check=True)
    back = pickle.loads(out.read_bytes())  # noqa: S301 - written by this test
    assert back == parsed
    assert [type(b.model) for b in back] == [type(p.model) for p in parsed]
    with pytest.raises(AttributeError):
        codec._sealed_nowhere_CLS_Nothing  # noqa: B018


def test_workers_that_cannot_start_leave_the_work_to_this_process(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # workers are the default on two cores: a system without process or semaphore support
    # (sem_open refused, say) must still ingest everything, in process, saying why
    from etstats.ingest import worker_processes

    def refused(*_args: object) -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.delenv(JOBS_ENV, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(worker_processes.Claims, "new", classmethod(refused))
    folder = tmp_path / "files"
    folder.mkdir()
    arts = season(100)  # more than a batch of files: the workers would start early
    for a in arts:
        (folder / a.name).write_bytes(a.data)
    with caplog.at_level(logging.WARNING):
        assert main(["ingest", "--db", str(tmp_path / "a.db"), str(folder)]) == 0
    assert "cannot start 1 parse worker(s)" in caplog.text
    assert "parsing in this process" in caplog.text
    assert multiprocessing.active_children() == []
    store = SQLiteStorage(str(tmp_path / "a.db"))
    assert len(store.artifacts()) == len(arts) > 256
    store.close()
