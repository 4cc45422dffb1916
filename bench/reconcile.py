"""Benchmark: reconcile a synthetic season (default 100,000 rounds) on one core.

Builds a pool of truth rounds (``etstats.testing.reconcile_truth``), renders and parses each
once (stats file c0rnp0rn 7 or 8, gametimes v1 or legacy), then replicates the parsed models
across a season with distinct maps and times (so linking has real work: offset inference,
binary searches, R1 pairs) and times :func:`etstats.reconciliation` over all of them.
Parsing is not part of the timed section (see bench/ for the parsers' own benchmarks).

Usage: ``python bench/reconcile.py [--rounds N] [--pool K] [--floor-rounds M] [--gc-freeze]
[--stored]``;
prints rounds/s and comparisons/s (wall clock and CPU time of this one process: the machine
may be shared), the growth of the peak resident memory during the reconcile call, and the
object-creation floor: the time to construct the same result objects (every
``Comparison`` with its ``SourceValue`` and ``CauseAmount`` objects) without evaluating any
rule, through the public attrs constructors and through the engine's own sealed builders
(:mod:`etstats._sealing`), which bounds the throughput of any implementation that
returns them.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import attrs

from etstats.model.common import Provenance
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.parsing.gametimes import parse_any_gametimes
from etstats.parsing.stats_file import parse_stats_text
from etstats.reconciliation import LoadedArtifact
from etstats.reconciliation.engine import ReconcilePlan
from etstats.reconciliation.model import (
    CauseAmount,
    Comparison,
    Reconciliation,
    SourceValue,
    build_cause_amount,
    build_comparison,
    build_source_value,
)
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
        tr = simulate(
            i,
            pauses=i % 3,
            n_per_team=3 + i % 4,
            disconnect_dead=i % 5 == 0,
            end=("objective", "time_expired", "surrender_attackers")[i % 3],
        )
        _, stext = render_stats(tr, version=7 if i % 2 else 8)
        _, ltext = render_v1(tr) if i % 4 else render_legacy(tr, seed=i)
        stats = parse_stats_text(stext)
        lua = parse_any_gametimes(ltext)
        templates.append((tr, stats, lua))
    out: list[LoadedArtifact] = []
    for k in range(n_rounds):
        tr, stats, lua = templates[k % pool]
        shift = 1800 * k
        m = f"map{k % 97}"
        ts = local_name_time(tr) + timedelta(seconds=shift)
        prov = Provenance(
            sha256="0" * 64,
            size_bytes=0,
            path=f"{ts:%Y-%m-%d-%H%M%S}-{m}-round-1.txt",
            file_timestamp=ts,
            file_map=m,
            file_round=1,
        )
        out.append(LoadedArtifact("stats", prov.name, attrs.evolve(stats, provenance=prov)))
        if isinstance(lua, LegacyGametimes):  # render_legacy: a "gametime-*.json" file
            meta = attrs.evolve(
                lua.meta,
                map=m,
                round_start_unix=lua.meta.round_start_unix + shift,
                round_end_unix=lua.meta.round_end_unix + shift,
            )
            out.append(
                LoadedArtifact("gametimes-legacy", f"l{k}.json", attrs.evolve(lua, meta=meta))
            )
        else:
            g = attrs.evolve(
                lua,
                map=m,
                round_start_unix=lua.round_start_unix + shift,
                round_end_unix=lua.round_end_unix + shift,
            )
            out.append(LoadedArtifact("gametimes", f"g{k}.json", g))
    return out


def _rebuild(rounds: list[Reconciliation], fast: bool) -> float:
    """CPU seconds to construct every comparison object of ``rounds`` again (values copied
    from the engine's results; no rule is evaluated): the object-creation floor."""
    mk_sv: Any = build_source_value if fast else SourceValue
    mk_ca: Any = build_cause_amount if fast else CauseAmount
    mk_c: Any = build_comparison if fast else Comparison
    t0 = time.process_time()
    for r in rounds:
        out = []
        for c in r.comparisons:
            srcs = tuple([mk_sv(s.source, s.value, s.unit, s.raw, s.artifact) for s in c.sources])
            causes = tuple([mk_ca(x.code, x.low, x.high, x.evidence) for x in c.causes])
            out.append(
                mk_c(
                    c.check,
                    c.verdict,
                    c.rule,
                    srcs,
                    c.difference,
                    c.tolerance,
                    c.unit,
                    c.bound,
                    causes,
                    c.player,
                    c.player_name,
                    c.message,
                )
            )
    return time.process_time() - t0


def _stored_pass(artifacts: list[LoadedArtifact], lean: bool) -> tuple[float, int, int]:
    """CPU seconds, comparisons built and report bytes of one pass in one form."""
    from etstats.ingest.report_encoder import to_json

    c0 = time.process_time()
    built = size = 0
    for r in ReconcilePlan(artifacts).iter_rounds(lean=lean):
        built += len(r.comparisons)
        size += len(to_json(r))
    return time.process_time() - c0, built, size


def stored_forms(artifacts: list[LoadedArtifact]) -> None:
    """The ingest path's reconciliation share: full form + JSON against lean form + JSON,
    interleaved three times (best of each), the ratio measured in the same run."""
    rounds = len(ReconcilePlan(artifacts).plans)
    best: dict[bool, tuple[float, int, int]] = {}
    for _ in range(3):
        for lean in (False, True):
            run = _stored_pass(artifacts, lean)
            if lean not in best or run[0] < best[lean][0]:
                best[lean] = run
    for lean in (False, True):
        cpu, built, size = best[lean]
        print(
            f"stored form {'lean' if lean else 'full'}: {cpu / rounds * 1e6:,.0f} us CPU per "
            f"round (rules + report JSON), {built / rounds:.1f} comparisons built and "
            f"{size / rounds / 1000:.1f} KB of JSON per round"
        )
    print(f"stored form: lean is {best[False][0] / best[True][0]:.2f}x the full form's speed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=100_000)
    ap.add_argument("--pool", type=int, default=200)
    ap.add_argument(
        "--floor-rounds",
        type=int,
        default=5_000,
        help="rounds used to measure the object-creation floor (0: skip)",
    )
    ap.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after building the inputs, as a long-running caller may: "
        "full collections then skip them (off by default)",
    )
    ap.add_argument(
        "--stored",
        action="store_true",
        help="also time what the ingest path does per round: the full form plus its report "
        "JSON (as before) against the lean form plus its JSON, same rounds, same run",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    artifacts = build(args.rounds, args.pool)
    print(
        f"built {args.rounds} rounds ({len(artifacts)} artifacts) in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    if args.stored:
        stored_forms(artifacts)
    gc.collect()
    if args.gc_freeze:
        gc.freeze()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    c0 = time.process_time()
    plan = ReconcilePlan(artifacts)
    counts: Counter[str] = Counter()
    n_cmp = linked = n_rounds = 0
    for r in plan.iter_rounds():  # streamed: memory stays flat however long the season
        n_rounds += 1
        linked += bool(r.lua and r.stats)
        n_cmp += len(r.comparisons)
        counts.update(c.verdict.value for c in r.comparisons)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    print(
        f"reconciled {n_rounds} rounds ({linked} linked, {n_cmp} comparisons) "
        f"in {elapsed:.2f} s: {args.rounds / elapsed:,.0f} rounds/s, "
        f"{n_cmp / elapsed:,.0f} comparisons/s, peak memory growth {peak / 2**20:,.0f} MiB "
        f"(max RSS; inputs excluded)"
    )
    print(
        f"single core: {cpu:.2f} CPU s, {args.rounds / cpu:,.0f} rounds/s of CPU time "
        f"({cpu / args.rounds * 1e6:,.0f} us per round, "
        f"{cpu / max(n_cmp, 1) * 1e6:.2f} us per comparison)"
    )
    print(
        "verdicts:",
        dict(counts),
        "| unmatched:",
        len(plan.unmatched),
        "| UTC offsets:",
        plan.offsets,
    )
    k = min(args.floor_rounds, args.rounds)
    if k > 0:
        sample = list(ReconcilePlan(artifacts[: 2 * k]).iter_rounds())[:k]
        per = sum(len(r.comparisons) for r in sample) / len(sample)
        for label, fast in (("attrs __init__", False), ("fast builders", True)):
            t = min(_rebuild(sample, fast) for _ in range(3)) / len(sample)
            print(
                f"floor ({label}): constructing the {per:.0f} comparisons of a round "
                f"(with their sources and causes) alone takes {t * 1e6:,.0f} us: at most "
                f"{1 / t:,.0f} rounds/s before any rule runs"
            )


if __name__ == "__main__":
    main()
