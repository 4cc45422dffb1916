"""Benchmark: ingest throughput with a Discord target that is down, against no target.

The same synthetic season is ingested into fresh SQLite stores, interleaved (so a busy
shared machine slows both alike):

* ``no target``: the pipeline without delivery (the baseline);
* ``discord down``: ``--deliver`` to a webhook whose server refuses every connection, with a
  drain worker running beside ingest (as in ``etstats watch``), retrying all the while.

Ingest only writes outbox rows inside its own transactions, so the ratio should stay near
1.0. Reconciliation is off (the numbers measure ingest and the outbox).

Usage::

    .venv/bin/python bench/discord_down.py [--rounds 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

from etstats.ingest.artifacts import Artifact
from etstats.ingest.pipeline import Pipeline
from etstats.outbox import OutboxTarget
from etstats.outbox.worker import start_worker
from etstats.storage.sqlite import SQLiteStorage
from etstats.testing.synthetic import season
from etstats_discord.config import TargetConfig
from etstats_discord.sink import DiscordSink


def _dead_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_once(arts: list[Artifact], folder: Path, with_target: bool) -> float:
    store = SQLiteStorage(str(folder / f"{time.monotonic_ns()}.db"))
    worker = None
    deliver: list[OutboxTarget] = []
    if with_target:
        url = f"http://127.0.0.1:{_dead_port()}/api/v10/webhooks/1/token"
        sink = DiscordSink(TargetConfig("discord", url, budget_seconds=0.5, timeout_seconds=0.2))
        deliver = [OutboxTarget("discord", lambda: sink)]
        worker = start_worker(store, {"discord": sink}, interval=0.5)
    t0 = time.perf_counter()
    Pipeline(store, deliver=deliver, reconcile=False).ingest_many(arts)
    elapsed = time.perf_counter() - t0
    if worker is not None:
        worker.stop()
    store.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    arts = list(season(args.rounds))
    base: list[float] = []
    down: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            base.append(run_once(arts, Path(tmp), False))
            down.append(run_once(arts, Path(tmp), True))
    b, d = min(base), min(down)
    print(f"{len(arts)} artifacts, best of {args.repeat}")
    print(f"no target:    {b:6.2f} s  {len(arts) / b:7.0f} artifacts/s")
    print(f"discord down: {d:6.2f} s  {len(arts) / d:7.0f} artifacts/s")
    print(f"ratio (discord down / no target): {d / b:.2f}")


if __name__ == "__main__":
    main()
