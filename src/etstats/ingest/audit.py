"""The reconciliation/linking report of a store (``etstats audit``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from etstats.ingest.spool import Spool, first
from etstats.storage.base import ArtifactRecord, Storage, StoredRound

PAGE = 1000
"""Rows read per query: the audit walks the store in pages, so its memory stays flat
whatever the store's size (only what it reports is kept)."""


def audit_report(storage: Storage) -> dict[str, Any]:
    """What the store holds and how well it links and reconciles, as plain data.

    Keys: ``rounds`` (counts by start source and linked sources), ``verdicts`` (reconciled
    rounds per verdict), ``conflicts`` (rounds whose verdict is ``conflict``), ``rejected``
    (artifacts with their errors), ``link_notes`` (artifacts the linker refused to link or
    left out, with the reason), ``unlinked`` (accepted artifacts in no round) and
    ``round2`` (stats round 2s: ``differenced`` against a stored round 1, ``orphans`` still
    holding cumulative R1+R2 values, each with its map and stats file time).
    """
    with spooled_audit(storage) as report:
        return {k: list(v) if isinstance(v, Spool) else v for k, v in report.items()}


LISTS = ("conflicts", "rejected", "link_notes", "unlinked")
"""The report's lists that grow with the store (spooled by :func:`spooled_audit`)."""


@contextmanager
def spooled_audit(storage: Storage) -> Iterator[dict[str, Any]]:
    """:func:`audit_report` with its :data:`LISTS` as :class:`~etstats.ingest.spool.Spool`
    objects (temporary files, removed at the end of the ``with`` block): the memory of
    ``etstats audit`` stays flat whatever the number of rounds it lists. Write it with
    :func:`etstats.ingest.spool.write_json` or :func:`report_lines`."""
    spools = {name: Spool() for name in LISTS}
    try:
        yield _collect(storage, spools)
    finally:
        for spool in spools.values():
            spool.close()


def _collect(storage: Storage, spools: dict[str, Spool]) -> dict[str, Any]:
    rounds = _RoundTally()
    after: int | None = None
    while page := storage.rounds_page(after, PAGE):
        for r in page:
            rounds.add(r)
        after = page[-1].id
    verdicts: Counter[str] = Counter()
    conflicts = spools["conflicts"]
    after = None
    while vpage := storage.verdicts_page(after, PAGE):
        verdicts.update(v for _, v, _, _ in vpage)
        wanted = {rid: errors for rid, v, errors, _ in vpage if v == "conflict"}
        if wanted:
            for row in storage.table_rows("rounds", list(wanted)):
                conflicts.append(
                    {
                        "round_id": row[0],
                        "map": row[2],
                        "round": row[3],
                        "round_start_unix": row[4],
                        "errors": wanted[row[0]],
                    }
                )
        after = vpage[-1][0]
    arts = _ArtifactTally({o["stats"] for _, o in rounds.orphans}, spools)
    apage_after: tuple[int, str] | None = None
    while apage := storage.artifacts_page(apage_after, PAGE):
        accepted = [a.sha256 for a in apage if a.status == "accepted"]
        arts.add(apage, storage.linked_shas(accepted) if accepted else set())
        apage_after = (apage[-1].received_unix, apage[-1].sha256)
    orphans = [dict(o, stats=arts.names.get(o["stats"], "")) for _, o in sorted(rounds.orphans)]
    return {
        "round2": {"total": rounds.r2, "differenced": rounds.r2_differenced, "orphans": orphans},
        "rounds": rounds.counts(),
        "verdicts": dict(sorted(verdicts.items())),
        "conflicts": conflicts,
        "rejected": spools["rejected"],
        "link_notes": spools["link_notes"],
        "unlinked": spools["unlinked"],
    }


_Key = tuple[int, str, int, int]


class _RoundTally:
    """Round counts, gathered one page at a time in any order."""

    def __init__(self) -> None:
        self.total = 0
        self.sources: Counter[str] = Counter()
        self.first_seen: dict[str, _Key] = {}  # start source -> smallest natural key
        self.flags: Counter[str] = Counter()
        self.r2 = 0
        self.r2_differenced = 0
        self.orphans: list[tuple[_Key, dict[str, Any]]] = []

    def add(self, r: StoredRound) -> None:
        key = (r.server_id, r.map_name, r.round_number, r.round_start_unix)
        self.total += 1
        self.sources[r.start_source] += 1
        seen = self.first_seen.get(r.start_source)
        if seen is None or key < seen:
            self.first_seen[r.start_source] = key
        stats, lua, end = bool(r.stats_sha256), bool(r.lua_sha256), bool(r.endstats_sha256)
        self.flags.update(
            {
                "with_stats": stats,
                "with_lua": lua,
                "with_endstats": end,
                "stats_and_lua": stats and lua,
                "stats_without_lua": stats and not lua,
                "lua_without_stats": lua and not stats,
            }
        )
        if r.round_number == 2 and stats:
            self.r2 += 1
            self.r2_differenced += r.r1_round_id is not None
            if r.values_scope == "cumulative_r1_r2":
                self.orphans.append(
                    (
                        key,
                        {
                            "round_id": r.id,
                            "map": r.map_name,
                            "stats_file_unix": r.stats_file_unix,
                            "stats": r.stats_sha256 or "",
                        },
                    )
                )

    def counts(self) -> dict[str, Any]:
        # start sources in the order they first appear in natural-key order (as a Counter
        # over the rounds sorted by natural key lists them)
        order = sorted(self.sources, key=lambda s: self.first_seen[s])
        out: dict[str, Any] = {
            "total": self.total,
            "by_start_source": {s: self.sources[s] for s in order},
        }
        for name in (
            "with_stats",
            "with_lua",
            "with_endstats",
            "stats_and_lua",
            "stats_without_lua",
            "lua_without_stats",
        ):
            out[name] = self.flags[name]
        return out


class _ArtifactTally:
    """Rejected, noted and unlinked artifacts, in receipt order; names of ``wanted``."""

    def __init__(self, wanted: set[str], spools: dict[str, Spool]) -> None:
        self.wanted = wanted
        self.names: dict[str, str] = {}
        self.rejected = spools["rejected"]
        self.link_notes = spools["link_notes"]
        self.unlinked = spools["unlinked"]

    def add(self, page: list[ArtifactRecord], linked: set[str]) -> None:
        for a in page:
            if a.sha256 in self.wanted:
                self.names[a.sha256] = a.name
            if a.status == "rejected":
                self.rejected.append({"name": a.name, "sha256": a.sha256, "error": a.error})
            if a.link_note:
                self.link_notes.append(
                    {"name": a.name, "sha256": a.sha256, "kind": a.kind, "note": a.link_note}
                )
            if a.status == "accepted" and a.sha256 not in linked:
                self.unlinked.append({"name": a.name, "sha256": a.sha256, "kind": a.kind})


def format_report(report: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    return "\n".join(report_lines(report))


def report_lines(report: Mapping[str, Any]) -> Iterator[str]:
    """:func:`format_report` line by line (its lists may be spools: read as written)."""
    r = report["rounds"]
    yield (
        f"rounds: {r['total']} ({r['with_stats']} with a stats file, {r['with_lua']} with Lua "
        f"timing, {r['with_endstats']} with endstats)"
    )
    yield (
        f"linking: {r['stats_and_lua']} stats+Lua, {r['stats_without_lua']} stats without Lua, "
        f"{r['lua_without_stats']} Lua without stats"
    )
    r2 = report["round2"]
    yield (
        f"round 2: {r2['differenced']} of {r2['total']} differenced against their "
        f"round 1 (R2-only values), {len(r2['orphans'])} orphan round 2 "
        "(cumulative R1+R2 values)"
    )
    for o in r2["orphans"][:50]:
        yield f"  orphan round 2: round {o['round_id']} {o['map']} {o['stats']}"
    if report["verdicts"]:
        yield "verdicts: " + ", ".join(f"{k} {v}" for k, v in report["verdicts"].items())
    else:
        yield "verdicts: none stored (no round was reconciled)"
    for c in report["conflicts"]:
        yield f"  conflict: round {c['round_id']} {c['map']} R{c['round']} ({c['errors']} error(s))"
    yield f"rejected artifacts: {len(report['rejected'])}"
    for a in first(report["rejected"], 50):
        yield f"  {a['error']}"
    yield f"artifacts not linked as they could be: {len(report['link_notes'])}"
    for a in first(report["link_notes"], 50):
        yield f"  {a['name']} ({a['kind']}): {a['note']}"
    yield f"unlinked artifacts: {len(report['unlinked'])}"
    for a in first(report["unlinked"], 50):
        yield f"  {a['name']} ({a['kind']})"
