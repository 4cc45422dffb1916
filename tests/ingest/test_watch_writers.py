"""``watch`` against real writers: slow, stalling, still-open files (issue 11).

The writers are separate processes writing real files in chunks, with stalls longer than the
scan interval and than the settle time. Nothing here asserts a duration: the checks are on
what ends up stored, which the settle time, the open-for-writing check, truncation detection
and the winner rule must make right whatever the timing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.helpers import need

from etstats.ingest.artifacts import Artifact, ArtifactKind
from etstats.ingest.open_files import open_for_writing, proc_available
from etstats.ingest.pipeline import Pipeline
from etstats.ingest.watch import Watcher
from etstats.storage.base import Storage
from etstats.testing.synthetic import season

WRITER = r"""
import sys, time
from pathlib import Path
hold, stall = sys.argv[1] == "hold", float(sys.argv[2])
for item in sys.argv[3:]:
    path, src, cuts = item.split("|")
    data = Path(src).read_bytes()
    points = [int(c) for c in cuts.split(",")] + [len(data)]
    handle = open(path, "wb") if hold else None
    start = 0
    for end in points:
        if hold:
            handle.write(data[start:end]); handle.flush()
        else:
            with open(path, "ab") as f:
                f.write(data[start:end])
        start = end
        time.sleep(stall)
    if handle is not None:
        handle.close()
"""


def _cuts(data: bytes) -> str:
    """Cut points: mid-line, right after a newline (undetectable alone), mid-line again."""
    first_nl = data.find(b"\n") + 1
    return ",".join(str(c) for c in (first_nl // 2, first_nl, (first_nl + len(data)) // 2))


def _write_slowly(
    tmp_path: Path, folder: Path, arts: list[Artifact], *, hold: bool, stall: float
) -> subprocess.Popen[bytes]:
    items = []
    for a in arts:
        src = tmp_path / f"src-{a.sha256[:12]}"
        src.write_bytes(a.data)
        items.append(f"{folder / a.name}|{src}|{_cuts(a.data)}")
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, "hold" if hold else "close", str(stall), *items]
    )


def _watch_until_done(
    watcher: Watcher, writer: subprocess.Popen[bytes], interval: float, settle: float
) -> None:
    while writer.poll() is None:
        watcher.scan()
        time.sleep(interval)
    assert writer.returncode == 0
    time.sleep(settle + interval)
    watcher.scan()
    time.sleep(settle + interval)
    watcher.scan()


def _check_every_round_from_its_complete_file(store: Storage, arts: list[Artifact]) -> None:
    stats = {a.sha256 for a in arts if a.kind is ArtifactKind.STATS}
    luas = {a.sha256 for a in arts if a.kind is not ArtifactKind.STATS}
    rounds = store.rounds()
    assert len(rounds) == len(stats)
    assert {r.stats_sha256 for r in rounds} == stats
    assert {r.lua_sha256 for r in rounds} == luas


@pytest.mark.slow
@pytest.mark.parametrize("hold", [True, False], ids=["held-open", "closed-between-chunks"])
def test_slow_writers_never_get_a_partial_file_stored(
    store: Storage, tmp_path: Path, hold: bool
) -> None:
    """Stalls (0.4 s) longer than the scan interval (0.05 s) and the settle time (0.2 s).

    ``held-open``: the writer keeps the file open across stalls (what the Lua script does
    within one write): the open-for-writing check keeps every partial version out.
    ``closed-between-chunks``: a writer that closes the file between chunks is invisible to
    that check, so partial versions are taken; a mid-line cut is rejected as truncated, a
    cut at a line boundary is stored first and loses to the complete file by the winner rule.
    """
    if hold:
        need(proc_available(), "/proc (Linux) to see files open for writing")
    arts = [a for a in season(1, players=3) if a.kind is not ArtifactKind.ENDSTATS]
    folder = tmp_path / "gamestats"
    folder.mkdir()
    watcher = Watcher(Pipeline(store), [folder], settle_seconds=0.2)
    writer = _write_slowly(tmp_path, folder, arts, hold=hold, stall=0.4)
    try:
        _watch_until_done(watcher, writer, interval=0.05, settle=0.2)
    finally:
        writer.kill()
        writer.wait()
    _check_every_round_from_its_complete_file(store, arts)
    stored_partials = [
        a
        for a in store.artifacts()
        if a.status == "accepted" and a.sha256 not in {x.sha256 for x in arts}
    ]
    if hold:
        assert store.artifacts()
        assert not stored_partials
        assert all(a.status == "accepted" for a in store.artifacts())


def test_open_for_writing_sees_another_process(tmp_path: Path) -> None:
    need(proc_available(), "/proc (Linux) to see files open for writing")
    path = tmp_path / "x.txt"
    path.write_bytes(b"")
    with (
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys,time; f=open(sys.argv[1],'ab'); print('open', flush=True); "
                "time.sleep(60)",
                str(path),
            ],
            stdout=subprocess.PIPE,
        ) as holder,
        path.open("rb"),
    ):
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"open\n"
        assert open_for_writing([path]) == {path}  # our own reader does not count
        holder.kill()
        holder.wait()
        assert open_for_writing([path]) == set()


def test_a_rejected_file_is_not_retried_until_it_changes(store: Storage, tmp_path: Path) -> None:
    stats = season(1, players=2)[0]
    folder = tmp_path / "gamestats"
    folder.mkdir()
    path = folder / stats.name
    path.write_bytes(stats.data[:-10])  # cut mid-line
    warnings: list[str] = []
    watcher = Watcher(Pipeline(store), [folder], settle_seconds=0, warn=warnings.append)
    [first] = watcher.scan()
    assert first.status == "rejected"
    assert watcher.scan() == []  # remembered: no retry, no crash loop
    assert watcher.scan() == []
    path.write_bytes(stats.data)
    [second] = watcher.scan()
    assert second.status == "stored"
    assert warnings == []


def test_a_fifo_in_a_watched_folder_is_skipped_with_one_warning(
    store: Storage, tmp_path: Path
) -> None:
    import os

    folder = tmp_path / "gamestats"
    folder.mkdir()
    os.mkfifo(folder / "2026-01-01-000000-supply-round-1.txt")
    stats = season(1, players=2)[0]
    (folder / stats.name).write_bytes(stats.data)
    warnings: list[str] = []
    watcher = Watcher(Pipeline(store), [folder], settle_seconds=0, warn=warnings.append)
    [result] = watcher.scan()
    assert result.status == "stored"
    assert watcher.scan() == []
    assert len(warnings) == 1
    assert "a FIFO, not a regular file" in warnings[0]
