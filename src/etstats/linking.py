"""The stats<->Lua linking rule, shared by ``etstats reconcile`` and the ingest pipeline.

A stats file and a Lua (gametimes) file describe the same round when the stats file's time
falls in a short window after the Lua round end **and each is the other's only candidate**.
Two candidates on either side mean two plays of the map within seconds: nothing is linked
and both sides are reported, never guessed.

The callers differ only in how they find the candidates (their clocks):

* :func:`etstats.reconciliation.matching.link_lua` reads the stats file-name time as if UTC
  and infers the server's UTC offset from the data;
* :func:`etstats.ingest.linker.plan_rounds` converts it with the server's configured
  timezone, within one (server, map, round number) group.

Both then call :func:`pair_uniquely`, the one place the rule is written.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from attrs import frozen

A = TypeVar("A", bound=Hashable)
B = TypeVar("B", bound=Hashable)


@frozen
class UniquePairs(Generic[A, B]):
    """The result of :func:`pair_uniquely`."""

    links: dict[A, B]
    """Each linked ``a`` and its one ``b``."""
    ambiguous_a: dict[A, tuple[B, ...]]
    """Each ``a`` with several candidates, and those candidates (sorted)."""
    ambiguous_b: dict[B, tuple[A, ...]]
    """Each ``b`` that was the only candidate of some ``a`` but is a candidate of several,
    and those ``a`` (sorted)."""

    def ambiguous(self) -> set[A | B]:
        """Every item on either side that took part in an ambiguity (each ``a`` and ``b`` with
        several candidates, and all those candidates)."""
        out: set[A | B] = set()
        for a, bs in self.ambiguous_a.items():
            out.add(a)
            out.update(bs)
        for b, as_ in self.ambiguous_b.items():
            out.add(b)
            out.update(as_)
        return out


def pair_uniquely(candidates: Mapping[A, Iterable[B]]) -> UniquePairs[A, B]:
    """Link each ``a`` to its candidate ``b`` when both are unique both ways.

    ``candidates[a]`` lists the ``b`` within the window of ``a`` (the relation must be the
    same seen from ``b``: ``a`` is a candidate of ``b`` exactly when ``b`` is one of ``a``).
    Items of either side must be orderable (ambiguities are reported sorted).
    """
    distinct: dict[A, list[B]] = {}
    by_b: dict[B, list[A]] = {}
    for a, bs in candidates.items():
        unique = list(dict.fromkeys(bs))
        if unique:
            distinct[a] = unique
        for b in unique:
            by_b.setdefault(b, []).append(a)
    links: dict[A, B] = {}
    ambiguous_a: dict[A, tuple[B, ...]] = {}
    ambiguous_b: dict[B, tuple[A, ...]] = {}
    for a, bs in distinct.items():
        if len(bs) > 1:
            ambiguous_a[a] = tuple(sorted(bs))  # type: ignore[type-var]
            continue
        b = bs[0]
        if len(by_b[b]) > 1:
            ambiguous_b[b] = tuple(sorted(by_b[b]))  # type: ignore[type-var]
            continue
        links[a] = b
    return UniquePairs(links, ambiguous_a, ambiguous_b)


__all__ = ["UniquePairs", "pair_uniquely"]
