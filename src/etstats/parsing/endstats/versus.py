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

from collections.abc import Sequence

VsTriple = tuple[str, int, int]
"""(opponent name, kills, deaths) of one row."""

DEFAULT_BUDGET = 200_000
"""Maximum search steps before giving up (keeps hostile input cheap)."""


class _Search:
    def __init__(self, rows: Sequence[VsTriple], budget: int) -> None:
        self.rows = rows
        self.names = sorted({r[0] for r in rows})
        self.budget = budget
        self.solutions: list[list[tuple[int, int, str]]] = []
        # Candidate subjects of each row: names owning a mirror row.
        self.cands: list[frozenset[str]] = []
        for i, (opp, k, d) in enumerate(rows):
            self.cands.append(
                frozenset(
                    o
                    for j, (o, kj, dj) in enumerate(rows)
                    if j != i and kj == d and dj == k and o != opp
                )
            )
        self.blocks: dict[str, tuple[int, int]] = {}

    def _block_has(self, owner: str, opp: str, k: int, d: int) -> bool:
        start, end = self.blocks[owner]
        return any(self.rows[j] == (opp, k, d) for j in range(start, end))

    def _consistent(self, subject: str, start: int, end: int) -> bool:
        for j in range(start, end):
            opp, k, d = self.rows[j]
            if opp in self.blocks and not self._block_has(opp, subject, d, k):
                return False
        # Blocks already placed that name this subject as an opponent must be mirrored here.
        for owner, (s, e) in self.blocks.items():
            for j in range(s, e):
                opp, k, d = self.rows[j]
                if opp == subject and not any(
                    self.rows[x] == (owner, d, k) for x in range(start, end)
                ):
                    return False
        return True

    def run(self, pos: int, used: list[tuple[int, int, str]]) -> None:
        if len(self.solutions) > 1 or self.budget <= 0:
            return
        self.budget -= 1
        n = len(self.rows)
        if pos == n:
            if len(self.blocks) == len(self.names):
                self.solutions.append(list(used))
            return
        if n - pos < len(self.names) - len(self.blocks):
            return  # every remaining name needs at least one row
        seen: set[str] = set()
        allowed: frozenset[str] | None = None
        for end in range(pos + 1, n + 1):
            opp, k, _ = self.rows[end - 1]
            if opp in seen or (end - 1 > pos and k > self.rows[end - 2][1]):
                break
            seen.add(opp)
            allowed = self.cands[end - 1] if allowed is None else allowed & self.cands[end - 1]
            if not allowed:
                break
            for subject in sorted(allowed - seen):
                if subject in self.blocks or not self._consistent(subject, pos, end):
                    continue
                self.blocks[subject] = (pos, end)
                used.append((pos, end, subject))
                self.run(end, used)
                used.pop()
                del self.blocks[subject]
                if len(self.solutions) > 1 or self.budget <= 0:
                    return


def infer_blocks(
    rows: Sequence[VsTriple], *, budget: int = DEFAULT_BUDGET
) -> list[tuple[int, str]] | None:
    """Block index and subject name of every row, or ``None`` if not uniquely deducible.

    :param rows: the header-less versus rows in file order.
    :param budget: maximum search steps.
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
