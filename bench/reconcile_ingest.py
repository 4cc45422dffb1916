"""Benchmark: the ingest path's reconciliation step alone, this tree against a baseline.

``python bench/reconcile_ingest.py DIR [--timezone TZ] [--baseline-src SRC] [--reps N]``
ingests DIR once (a throw-away SQLite store) while recording the arguments of every
:func:`etstats.ingest.reconcile_step.reconcile_round` call (parsed artifacts, names, the
round 1 of a round 2), then replays the calls in fresh processes, the baseline's ``src``
(e.g. main's, from ``git archive main src``) and this tree's alternately, ``N`` times each.
Each replay first puts every round-2 differential in :mod:`etstats.differential.memo`, as
the ingest path leaves it, then times (CPU seconds of the one process) the calls: engine
(lean form) plus the stored report's JSON. Prints the best time of each and the ratio, and
checks whether both wrote the same verdicts, counts and report texts (not since the stored
form B: a tree with ``report_encoder.stored_report`` stores that, older trees the lean
form's ``to_json``). ``--encode-only``: the calls run once untimed and only the stored text
of their results is timed (each tree's encoder on its own engine's results).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE_SRC = Path(__file__).resolve().parent.parent / "src"


def _record(directory: str, calls_path: str, db: str) -> None:
    from etstats.cli import run
    from etstats.ingest import batch_reconcile
    from etstats.ingest.reconcile_step import reconcile_round as original

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def recording(*args: Any, **kw: Any) -> Any:
        calls.append((args, kw))
        return original(*args, **kw)

    # the batch end calls it by this module-level name
    batch_reconcile.reconcile_round = recording  # type: ignore[attr-defined]
    sys.argv = ["etstats", "ingest", "--db", db, directory]
    with contextlib.suppress(SystemExit):
        run()
    with open(calls_path, "wb") as f:
        pickle.dump(calls, f)


def _replay(calls_path: str, out_path: str, reps: int, encode_only: bool = False) -> None:
    from etstats.differential import memo
    from etstats.ingest import report_encoder
    from etstats.ingest.reconcile_step import reconcile_round

    # the text the tree stores: form B where it exists, else the lean form's
    to_json = getattr(report_encoder, "stored_report", report_encoder.to_json)

    memo.MEMO_SIZE = 1 << 30  # every differential found, as during the ingest
    with open(calls_path, "rb") as f:
        calls = pickle.load(f)  # noqa: S301 - written by this script's own --record
    for args, kw in calls:
        if kw.get("r1") is not None and args[0] is not None:
            memo.shared_round2_differential(kw["r1"][1], args[0].model)
    best = float("inf")
    texts: list[str] = []
    if encode_only:
        results = [reconcile_round(*args, **kw) for args, kw in calls]
        objects = [r[4] for r in results if r is not None]
        for _ in range(reps):
            start = time.process_time()
            texts = [to_json(o) for o in objects]
            best = min(best, time.process_time() - start)
        with open(out_path, "w", encoding="utf-8") as f:
            f.write("\n".join(texts))
        print(f"{best:.4f} {len(objects)}")
        return
    for _ in range(reps):
        texts = []  # the text only: holding the result objects would make every GC pass dearer
        start = time.process_time()
        for args, kw in calls:
            r = reconcile_round(*args, **kw)
            texts.append("-" if r is None else f"{r[0]} {r[1]} {r[2]} {r[3]}")
        best = min(best, time.process_time() - start)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(texts))
    print(f"{best:.4f} {len(calls)}")


def _child(src: Path, *args: str) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?")
    parser.add_argument("--timezone", default=None, help="sets ETSTATS_TIMEZONE")
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--reps", type=int, default=3, help="replays per process (best kept)")
    parser.add_argument("--rounds", type=int, default=2, help="processes per tree")
    parser.add_argument(
        "--encode-only", action="store_true", help="time only the stored report's JSON text"
    )
    parser.add_argument("--record", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--replay", nargs=3, help=argparse.SUPPRESS)
    a = parser.parse_args()
    if a.record:
        _record(*a.record)
        return
    if a.replay:
        _replay(a.replay[0], a.replay[1], int(a.replay[2]), a.encode_only)
        return
    if not a.directory:
        parser.error("DIRECTORY is required")
    if a.timezone:
        os.environ["ETSTATS_TIMEZONE"] = a.timezone
    with tempfile.TemporaryDirectory() as tmp:
        calls = f"{tmp}/calls.pkl"
        env = dict(os.environ, PYTHONPATH=str(HERE_SRC))
        subprocess.run(
            [sys.executable, __file__, "--record", a.directory, calls, f"{tmp}/x.db"],
            env=env,
            check=True,
            capture_output=True,
        )
        trees = [("this tree", HERE_SRC)]
        if a.baseline_src is not None:
            trees.insert(0, ("baseline", a.baseline_src.resolve()))
        best: dict[str, float] = {}
        n = 0
        for _ in range(a.rounds):
            for label, src in trees:
                only = ["--encode-only"] if a.encode_only else []
                replay = ["--replay", calls, f"{tmp}/{label}.txt", str(a.reps), *only]
                cpu, n = _child(src, *replay)
                best[label] = min(best.get(label, cpu), cpu)
        for label, _ in trees:
            per_call = best[label] / n * 1e6
            print(f"{label:>10}: {n} calls, {best[label]:.3f} s CPU, {per_call:.0f} µs/call")
        if a.baseline_src is not None:
            same = (
                Path(f"{tmp}/baseline.txt").read_bytes()
                == Path(f"{tmp}/this tree.txt").read_bytes()
            )
            ratio = best["baseline"] / best["this tree"]
            print(f"ratio: {ratio:.2f}x less CPU; verdicts and report texts identical: {same}")


if __name__ == "__main__":
    main()
