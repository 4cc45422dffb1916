"""The report of a bulk run (``etstats ingest``, ``etstats rebuild``) counted as results
arrive, so the command's memory does not grow with its input (an
:class:`etstats.ingest.pipeline.IngestSummary` holds every result: about half a kilobyte
per file, 150 MB for a 100,000-round backfill)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from attrs import Factory, define

if TYPE_CHECKING:
    from etstats.ingest.pipeline import IngestResult


class IdSet:
    """A set of non-negative ints (round ids) as a bitmap in blocks of :attr:`BLOCK` ids:
    about one bit per id of the ranges used, where a ``set`` takes some 60 bytes per id
    (6 MB for a 100,000-round backfill)."""

    BLOCK = 1 << 15

    def __init__(self) -> None:
        self._blocks: dict[int, bytearray] = {}
        self._count = 0

    def add(self, value: int) -> None:
        block, bit = divmod(value, self.BLOCK)
        bits = self._blocks.get(block)
        if bits is None:
            bits = self._blocks[block] = bytearray(self.BLOCK // 8)
        byte, mask = bit >> 3, 1 << (bit & 7)
        if not bits[byte] & mask:
            bits[byte] |= mask
            self._count += 1

    def update(self, values: Iterable[int]) -> None:
        for value in values:
            self.add(value)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        block, bit = divmod(value, self.BLOCK)
        bits = self._blocks.get(block)
        return bits is not None and bool(bits[bit >> 3] & (1 << (bit & 7)))

    def __len__(self) -> int:
        return self._count


@define
class IngestTally:
    """Files seen, results per status, the rounds written and the first ``max_errors``
    rejection messages of a run."""

    max_errors: int = 20
    files: int = 0
    statuses: Counter[str] = Factory(Counter)
    round_ids: IdSet = Factory(IdSet)
    errors: list[str] = Factory(list)

    @classmethod
    def of(cls, results: Iterable[IngestResult], max_errors: int = 20) -> IngestTally:
        tally = cls(max_errors=max_errors)
        for result in results:
            tally.add(result)
        return tally

    def add(self, result: IngestResult) -> None:
        self.files += 1
        self.statuses[result.status] += 1
        self.round_ids.update(result.round_ids)
        if result.status == "rejected" and len(self.errors) < self.max_errors:
            self.errors.append(result.error or "")

    def count(self, status: str) -> int:
        return self.statuses[status]

    @property
    def rounds_touched(self) -> int:
        return len(self.round_ids)
