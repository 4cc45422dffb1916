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


@define
class IngestTally:
    """Files seen, results per status, the rounds written and the first ``max_errors``
    rejection messages of a run."""

    max_errors: int = 20
    files: int = 0
    statuses: Counter[str] = Factory(Counter)
    round_ids: set[int] = Factory(set)
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
