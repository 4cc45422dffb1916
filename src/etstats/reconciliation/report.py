"""Readable tables for a :class:`ReconcileReport` (one table per round, then a summary)."""

from __future__ import annotations

from etstats.reconciliation.model import (
    VERDICT_ORDER,
    Comparison,
    ReconcileReport,
    Reconciliation,
    Verdict,
)

_MARK = {
    Verdict.AGREE: "ok",
    Verdict.TOLERATED: "~",
    Verdict.EXPLAINED: "expl",
    Verdict.CONFLICT: "CONFLICT",
}


def _num(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.0f}" if abs(v - round(v)) < 1e-6 else f"{v:.1f}"


def _row(c: Comparison) -> list[str]:
    values = " vs ".join(f"{s.source}={_num(s.value)}" for s in c.sources)
    bound = "" if c.bound is None else f"[{_num(c.bound[0])},{_num(c.bound[1])}]"
    causes = ",".join(x.code for x in c.causes) if c.verdict is not Verdict.AGREE else ""
    return [
        c.check,
        c.player_name or c.player or "(round)",
        _MARK[c.verdict],
        _num(c.difference) + ("" if c.unit == "s" else f" {c.unit}"),
        bound,
        causes,
        values,
    ]


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[-1] = 0
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


def format_round(r: Reconciliation, *, show_agree: bool = False) -> str:
    head = f"== {r.map} R{r.round}"
    parts = []
    if r.stats:
        parts.append(f"stats {r.stats}" + (f" (R1 {r.stats_r1})" if r.stats_r1 else ""))
    if r.lua:
        lag = "" if r.link_lag_seconds is None else f", lag {r.link_lag_seconds:.0f} s"
        parts.append(f"{r.lua_kind} {r.lua}{lag}")
    if r.endstats:
        parts.append(f"endstats {r.endstats}")
    counts = r.counts()
    lines = [
        head + "  " + "; ".join(parts),
        "   " + ", ".join(f"{k} {n}" for k, n in counts.items() if n),
    ]
    rows = [_row(c) for c in r.comparisons if show_agree or c.verdict is not Verdict.AGREE]
    if rows:
        lines.extend(
            "   " + x
            for x in _table(
                rows, ["check", "player", "verdict", "diff", "bound", "causes", "values"]
            )
        )
    for f in r.findings:
        lines.append(f"   note [{f.code}] {f.message}")
    return "\n".join(lines)


def format_summary(report: ReconcileReport) -> str:
    lines = [
        "== summary",
        f"   rounds {len(report.rounds)}; UTC offset "
        + (", ".join(f"{o / 3600:+g} h" for o in report.utc_offset_seconds) or "n/a")
        + f" ({report.offset_source})",
    ]
    vc = report.verdict_counts()
    lines.append("   verdicts: " + ", ".join(f"{v.value} {vc[v.value]}" for v in VERDICT_ORDER))
    cc = report.cause_counts()
    if cc:
        lines.append("   causes: " + ", ".join(f"{k} {n}" for k, n in cc.items()))
    by_check: dict[str, dict[str, int]] = {}
    for c in report.comparisons():
        by_check.setdefault(c.check, {v.value: 0 for v in VERDICT_ORDER})[c.verdict.value] += 1
    rows = [[k, *(str(d[v.value]) for v in VERDICT_ORDER)] for k, d in sorted(by_check.items())]
    if rows:
        lines.extend("   " + x for x in _table(rows, ["check", *(v.value for v in VERDICT_ORDER)]))
    for u in report.unmatched:
        lines.append(f"   unmatched {u.kind} {u.name}: {u.reason}")
    for a in report.ambiguities:
        lines.append(f"   AMBIGUOUS {a.artifact}: {a.reason} ({', '.join(a.candidates)})")
    for f in report.findings:
        lines.append(f"   [{f.severity.value}] {f.code} {f.source}: {f.message}")
    return "\n".join(lines)


def format_report(report: ReconcileReport, *, show_agree: bool = False) -> str:
    """All round tables followed by the summary."""
    parts = [format_round(r, show_agree=show_agree) for r in report.rounds]
    parts.append(format_summary(report))
    return "\n\n".join(parts) + "\n"


__all__ = ["format_report", "format_round", "format_summary"]
