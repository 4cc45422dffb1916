"""Benchmark: reconcile a synthetic season (default 100,000 rounds) on one core.

Builds a pool of truth rounds (``etstats.testing.reconcile_truth``), renders and parses each
once (stats file c0rnp0rn 7 or 8, gametimes v1 or legacy), then replicates the parsed models
across a season with distinct maps and times (so linking has real work: offset inference,
binary searches, R1 pairs) and times :func:`etstats.reconcile.reconcile` over all of them.
Parsing is not part of the timed section (see bench/ for the parsers' own benchmarks).

Usage: ``python bench/reconcile.py [--rounds N] [--pool K]``; prints rounds/s, comparisons/s
and the growth of the peak resident memory during the reconcile call.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections import Counter
from datetime import timedelta

import attrs

from etstats.model.common import Provenance
from etstats.parsing.gametimes import parse_any_gametimes
from etstats.parsing.stats_file import parse_stats_text
from etstats.reconcile import LoadedArtifact
from etstats.reconcile.engine import ReconcilePlan
from etstats.testing.reconcile_truth import (
    local_name_time,
    render_legacy,
    render_stats,
    render_v1,
    simulate,
)


def build(n_rounds: int, pool: int) -> list[LoadedArtifact]:
    templates = []
    for i in range(pool):
        tr = simulate(i, pauses=i % 3, n_per_team=3 + i % 4, disconnect_dead=i % 5 == 0,
                      end=("objective", "time_expired", "surrender_attackers")[i % 3])
        _, stext = render_stats(tr, version=7 if i % 2 else 8)
        lname, ltext = render_v1(tr) if i % 4 else render_legacy(tr, seed=i)
        stats = parse_stats_text(stext)
        lua = parse_any_gametimes(ltext)
        templates.append((tr, stats, lua, lname.startswith("gametime-")))
    out: list[LoadedArtifact] = []
    for k in range(n_rounds):
        tr, stats, lua, legacy = templates[k % pool]
        shift = 1800 * k
        m = f"map{k % 97}"
        ts = local_name_time(tr) + timedelta(seconds=shift)
        prov = Provenance(sha256="0" * 64, size_bytes=0,
                          path=f"{ts:%Y-%m-%d-%H%M%S}-{m}-round-1.txt",
                          file_timestamp=ts, file_map=m, file_round=1)
        out.append(LoadedArtifact("stats", prov.name, attrs.evolve(stats, provenance=prov)))
        if legacy:
            meta = attrs.evolve(lua.meta, map=m,
                                round_start_unix=lua.meta.round_start_unix + shift,
                                round_end_unix=lua.meta.round_end_unix + shift)
            out.append(LoadedArtifact("gametimes-legacy", f"l{k}.json",
                                      attrs.evolve(lua, meta=meta)))
        else:
            g = attrs.evolve(lua, map=m, round_start_unix=lua.round_start_unix + shift,
                             round_end_unix=lua.round_end_unix + shift)
            out.append(LoadedArtifact("gametimes", f"g{k}.json", g))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=100_000)
    ap.add_argument("--pool", type=int, default=200)
    args = ap.parse_args()
    t0 = time.perf_counter()
    artifacts = build(args.rounds, args.pool)
    print(f"built {args.rounds} rounds ({len(artifacts)} artifacts) in "
          f"{time.perf_counter() - t0:.1f} s")
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    plan = ReconcilePlan(artifacts)
    counts: Counter[str] = Counter()
    n_cmp = linked = n_rounds = 0
    for r in plan.iter_rounds():  # streamed: memory stays flat however long the season
        n_rounds += 1
        linked += bool(r.lua and r.stats)
        n_cmp += len(r.comparisons)
        counts.update(c.verdict.value for c in r.comparisons)
    elapsed = time.perf_counter() - t0
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    print(f"reconciled {n_rounds} rounds ({linked} linked, {n_cmp} comparisons) "
          f"in {elapsed:.2f} s: {args.rounds / elapsed:,.0f} rounds/s, "
          f"{n_cmp / elapsed:,.0f} comparisons/s, peak memory growth {peak / 2**20:,.0f} MiB "
          f"(max RSS; inputs excluded)")
    print("verdicts:", dict(counts), "| unmatched:", len(plan.unmatched),
          "| UTC offsets:", plan.offsets)


if __name__ == "__main__":
    main()
