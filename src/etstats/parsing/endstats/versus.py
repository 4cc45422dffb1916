"""Deduce the subjects of versus blocks written without ``VS_HEADER`` lines.

Older endstats files list one block per player (client-slot order) with no header: each row is
``<opponent>\\t<kills>\\t<deaths>`` and the blocks follow each other with no separator. The
subject of a block is recovered from two facts of the writer:

* inside a block, opponents are distinct and sorted by kills, descending;
* the data is symmetric: row (opponent O, k, d) in S's block has the mirror row
  (opponent S, d, k) in O's block.

:func:`infer_blocks` searches every segmentation of the rows into blocks and every assignment
of one distinct subject per block that satisfies both facts, requiring every name that appears
as an opponent to own exactly one block. It answers only when there is exactly one solution;
otherwise (none, several, or the search budget exhausted) it answers ``None`` and the caller
marks the rows' subject unknown. It never guesses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

VsTriple = tuple[str, int, int]
"""(opponent name, kills, deaths) of one row."""

DEFAULT_BUDGET = 200_000
"""Maximum row checks before giving up (keeps hostile input cheap: well under a second)."""


class _Search:
    """Depth-first search over (block start, subject) with a work budget.

    By symmetry a subject's block has exactly as many rows as there are rows naming him as an
    opponent, so the length of a block follows from its subject.
    """

    def __init__(self, rows: Sequence[VsTriple], budget: int) -> None:
        self.rows = rows
        self.budget = budget
        self.solutions: list[list[tuple[int, int, str]]] = []
        self.size = Counter(opp for opp, _, _ in rows)
        # A row (o, k, d) can belong to subject s only if some row (s, d, k) exists.
        by_counts: dict[tuple[int, int], set[str]] = {}
        for opp, k, d in rows:
            by_counts.setdefault((k, d), set()).add(opp)
        self.cands = [frozenset(by_counts.get((d, k), set()) - {opp}) for opp, k, d in rows]
        self.blocks: dict[str, dict[str, tuple[int, int]]] = {}
        """Placed blocks: subject -> {opponent: (kills, deaths)}."""
        self.mentions: dict[str, list[tuple[str, int, int]]] = {}
        """Rows of placed blocks by opponent: opponent -> [(owner, kills, deaths)]."""

    def _fits(self, subject: str, start: int, end: int) -> dict[str, tuple[int, int]] | None:
        block: dict[str, tuple[int, int]] = {}
        previous = None
        for j in range(start, end):
            self.budget -= 1
            opp, k, d = self.rows[j]
            if opp == subject or opp in block or subject not in self.cands[j]:
                return None
            if previous is not None and k > previous:
                return None
            previous = k
            block[opp] = (k, d)
            placed = self.blocks.get(opp)
            if placed is not None and placed.get(subject) != (d, k):
                return None
        for owner, k, d in self.mentions.get(subject, ()):
            self.budget -= 1
            if block.get(owner) != (d, k):
                return None
        return block

    def run(self, pos: int, used: list[tuple[int, int, str]]) -> None:
        if len(self.solutions) > 1 or self.budget <= 0:
            return
        n = len(self.rows)
        if pos == n:
            if len(self.blocks) == len(self.size):
                self.solutions.append(list(used))
            return
        for subject in sorted(self.cands[pos]):
            if subject in self.blocks:
                continue
            end = pos + self.size[subject]
            if end > n:
                continue
            block = self._fits(subject, pos, end)
            if block is None:
                if self.budget <= 0:
                    return
                continue
            self.blocks[subject] = block
            for opp, (k, d) in block.items():
                self.mentions.setdefault(opp, []).append((subject, k, d))
            used.append((pos, end, subject))
            self.run(end, used)
            used.pop()
            for opp in block:
                self.mentions[opp].pop()
            del self.blocks[subject]
            if len(self.solutions) > 1 or self.budget <= 0:
                return


def infer_blocks(
    rows: Sequence[VsTriple], *, budget: int = DEFAULT_BUDGET
) -> list[tuple[int, str]] | None:
    """Block index and subject name of every row, or ``None`` if not uniquely deducible.

    :param rows: the header-less versus rows in file order.
    :param budget: maximum row checks.
    """
    if not rows:
        return []
    search = _Search(rows, budget)
    search.run(0, [])
    if len(search.solutions) != 1 or search.budget <= 0:
        return None
    out: list[tuple[int, str]] = [(0, "")] * len(rows)
    for block, (start, end, subject) in enumerate(search.solutions[0]):
        for j in range(start, end):
            out[j] = (block, subject)
    return out
