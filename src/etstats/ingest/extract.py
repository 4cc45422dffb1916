"""Parse one artifact with the right parser and read its link facts.

The link facts of an artifact are the (map, round number) it belongs to and its *anchor*: the
UTC time it is linked by. Stats and endstats files carry only their file name's server-local
timestamp, turned into UTC with the server's configured timezone; Lua gametimes carry Unix
round start/end times (UTC by definition). See docs/storage.md, "Round linking".
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from attrs import frozen

from etstats.artifacts import parse_artifact_bytes
from etstats.errors import ParseError
from etstats.ingest.artifacts import Artifact, ArtifactKind
from etstats.model.gametimes import Gametimes
from etstats.model.legacy_gametimes import LegacyGametimes
from etstats.model.stats import StatsRound
from etstats.timezones import local_to_unix, zone


@frozen
class LinkFacts:
    """Where an artifact belongs: (map, round number) and its anchor time."""

    map_name: str
    """Map, trimmed and lowercased."""
    round_number: int
    anchor_unix: int
    """Stats/endstats: the file name's time in UTC; Lua: ``round_end_unix`` (Unix seconds)."""
    start_unix: int | None = None
    """Lua only: ``round_start_unix`` (Unix seconds)."""


@frozen
class ParsedArtifact:
    """An artifact's model (StatsRound, EndstatsRound, LegacyGametimes, Gametimes) and facts."""

    kind: ArtifactKind
    model: Any
    """An :data:`etstats.artifacts.ArtifactModel`, as ``kind`` says."""
    facts: LinkFacts


def normalise_map(name: str) -> str:
    return name.strip().lower()


def parse_artifact(artifact: Artifact, *, timezone: str = "UTC") -> ParsedArtifact:
    """Parse ``artifact`` by kind and compute its link facts.

    :raises ParseError: the bytes are not a valid artifact of its kind, or it lacks what is
        needed to link it (a stats/endstats file name with a timestamp).
    """
    kind = artifact.kind
    name = artifact.name
    if kind in (ArtifactKind.STATS, ArtifactKind.ENDSTATS):
        return _parse_text_file(artifact, zone(timezone))
    if kind in (ArtifactKind.GAMETIMES, ArtifactKind.GAMETIMES_LEGACY):
        model = parse_artifact_bytes(kind, artifact.data, name)
        if isinstance(model, LegacyGametimes):
            meta = model.meta
            rnd = meta.round if meta.round in (1, 2) else 2  # 0 = unknown: the R2 rule
            facts = LinkFacts(
                normalise_map(meta.map), rnd, meta.round_end_unix, meta.round_start_unix
            )
            return ParsedArtifact(ArtifactKind.GAMETIMES_LEGACY, model, facts)
        if not isinstance(model, Gametimes):  # parse_artifact_bytes gives one of the two
            raise TypeError(f"{name}: not a gametimes model")
        rnd = model.round if model.round in (1, 2) else 2
        facts = LinkFacts(
            normalise_map(model.map), rnd, model.round_end_unix, model.round_start_unix
        )
        return ParsedArtifact(ArtifactKind.GAMETIMES, model, facts)
    raise ParseError(
        "not a recognised artifact (expected a stats file, an endstats file or a gametimes "
        "JSON file)",
        source=name,
    )


def _parse_text_file(artifact: Artifact, tz: ZoneInfo) -> ParsedArtifact:
    from etstats.parsing.filenames import parse_stats_filename

    name = artifact.name
    parts = parse_stats_filename(name)
    if parts is None:
        raise ParseError(
            "cannot link a stats/endstats file without its name's timestamp",
            source=name,
            expected="YYYY-MM-DD-HHMMSS-<map>-round-<N>[-endstats].txt",
            actual=name,
        )
    anchor = local_to_unix(parts.timestamp, tz)
    model = parse_artifact_bytes(artifact.kind, artifact.data, name)
    if isinstance(model, StatsRound):
        from etstats.parsing.stats_truncation import truncation_error

        cut = truncation_error(model.findings, name)
        if cut is not None:  # a cut file never becomes the data of a round
            raise cut
    facts = LinkFacts(normalise_map(parts.map_name), parts.round_number, anchor)
    return ParsedArtifact(artifact.kind, model, facts)
