"""Model of an endstats award file (``...-round-N-endstats.txt``, spec section 9).

An endstats file holds award lines (``<award>\\t<player>\\t<value text>``) and "versus" lines
(``<opponent>\\t<kills>\\t<deaths>``) grouped in one block per player, optionally introduced by a
``VS_HEADER\\t<name>\\t<GUID>`` line. Every field here is derived from the file's text alone;
interpretations that depend on the position of a line (the duplicated "Longest killing spree",
the mislabelled "Most objectives stolen") are reported as findings, see docs/formats/endstats.md.
"""

from __future__ import annotations

import enum

from attrs import field, frozen

from etstats.model.common import Finding, Provenance

KNOWN_AWARDS: tuple[str, ...] = (
    "Most damage given",
    "Most damage received",
    "Most team damage given",
    "Most team damage received",
    "Most teamkills",
    "Most selfkills",
    "Most deaths",
    "Most kills per minute",
    "Quickest multikill w/ light weapons",
    "Farthest riflenade kill",
    "Most light weapon kills",
    "Most pistol kills",
    "Most rifle kills",
    "Most riflenade kills",
    "Most sniper kills",
    "Most knife kills",
    "Most air support kills",
    "Most mine kills",
    "Most grenade kills",
    "Most panzer kills",
    "Most mortar kills",
    "Most panzer deaths",
    "Mortarmagnet",
    "Most multikills",
    "Most MG42 kills",
    "Most MG42 deaths",
    "Most revives",
    "Most revived",
    "Best K/D ratio",
    "Most dynamites planted",
    "Most dynamites defused",
    "Most doublekills",
    "Longest killing spree",
    "Longest death spree",
    "Most objectives stolen",
    "Most objectives returned",
    "Most corpse gibs",
    "Most kill assists",
    "Most killsteals",
    "Most headshot kills",
    "Most damage per minute",
    "Tank/Meatshield (Refuses to die)",
    "Most useful kills (>Half respawn time left)",
    "Full respawn king",
    "Least time dead (What spawn?)",
    "Most playtime denied",
    "Most useless kills",
    "Highest light weapons accuracy",
    "Highest headshot accuracy",
    "Most headshots",
    "Most bullets fired",
)
"""Every award name the endstats script can write, in its internal (writing) order."""

AWARD_ORDER: dict[str, int] = {name: i for i, name in enumerate(KNOWN_AWARDS)}
"""Position of each known award in the writing order."""

VS_HEADER = "VS_HEADER"
"""First cell of a versus block header line."""


class AwardUnit(enum.StrEnum):
    """Unit of one number parsed from an award's value text."""

    NUMBER = "number"
    """A bare number; its meaning comes from the award name (HP, count, kills/min, K/D...)."""
    SECONDS = "seconds"
    PERCENT = "percent"
    MINUTES = "minutes"
    METRES = "metres"
    KILLS = "kills"
    RATIO = "ratio"
    """The tank/meatshield ratio ((damage received ÷ deaths) ÷ 130)."""


@frozen
class AwardValue:
    """One number of an award's value text, with its unit."""

    value: float
    unit: AwardUnit


@frozen
class EndstatsAward:
    """One award line: ``<name>\\t<player_name>\\t<value_text>``."""

    name: str
    """Award name as written (e.g. ``"Most damage given"``)."""
    player_name: str
    """Winner's name, colour codes already stripped by the script."""
    value_text: str
    """Value exactly as written (``"3214"``, ``"113 seconds"``, ``"3 kills in 2.15s"``...)."""
    values: tuple[AwardValue, ...] = ()
    """Numbers parsed from :attr:`value_text` with their units; empty if the text has no
    known form. ``"3 kills in 2.15s"`` gives (3 kills, 2.15 seconds); ``"P.PP percent, M.MM
    min"`` gives (P percent, M minutes)."""
    line: int | None = field(default=None, eq=False)
    """1-based line number in the source (ignored by ``==``)."""

    @property
    def known(self) -> bool:
        """True if :attr:`name` is one of :data:`KNOWN_AWARDS`."""
        return self.name in AWARD_ORDER

    @property
    def value(self) -> float | None:
        """The first parsed number (the award's main value), ``None`` if none."""
        return self.values[0].value if self.values else None

    def value_in(self, unit: AwardUnit) -> float | None:
        """The first parsed number with ``unit``, ``None`` if there is none."""
        for v in self.values:
            if v.unit is unit:
                return v.value
        return None


class SubjectSource(enum.StrEnum):
    """How the subject (the player a versus row is about) was determined."""

    HEADER = "header"
    """Given by a ``VS_HEADER`` line (name and full GUID)."""
    INFERRED = "inferred"
    """No header: deduced from block order and kill/death symmetry (one solution only)."""
    UNKNOWN = "unknown"
    """No header and no unique deduction: subject and block are unknown."""


@frozen
class VersusRow:
    """One versus line: what the subject did against one opponent (R2 files: R2 only)."""

    opponent_name: str
    kills: int
    """Times the subject killed the opponent."""
    deaths: int
    """Times the subject was killed by the opponent."""
    subject_name: str | None = None
    """The subject's clean name; ``None`` when unknown."""
    subject_guid: str | None = None
    """The subject's full 32-character GUID (only from a ``VS_HEADER`` line)."""
    subject_source: SubjectSource = SubjectSource.UNKNOWN
    block: int | None = None
    """0-based index of the row's block in the file; ``None`` when the blocks are unknown."""
    line: int | None = field(default=None, eq=False)
    """1-based line number in the source (ignored by ``==``)."""


@frozen
class VersusHeader:
    """A ``VS_HEADER\t<name>\t<GUID>`` line: the subject of the block that follows it."""

    subject_name: str
    subject_guid: str
    """Full 32-character uppercase GUID as written."""
    line: int | None = field(default=None, eq=False)


@frozen
class EndstatsRound:
    """A parsed endstats file."""

    awards: tuple[EndstatsAward, ...] = ()
    """Award lines in file order, duplicates and unknown names included."""
    versus: tuple[VersusRow, ...] = ()
    """Versus rows in file order."""
    vs_headers: tuple[VersusHeader, ...] = ()
    """``VS_HEADER`` lines in file order; a row's :attr:`VersusRow.block` indexes this tuple
    when its subject came from a header (blocks with no rows keep their header here)."""
    provenance: Provenance | None = field(default=None, eq=False)
    findings: tuple[Finding, ...] = field(default=(), eq=False)

    @property
    def map_name(self) -> str | None:
        """Map from the file name (an endstats file has no header), if known."""
        return self.provenance.file_map if self.provenance is not None else None

    @property
    def round_number(self) -> int | None:
        """Round number from the file name, if known."""
        return self.provenance.file_round if self.provenance is not None else None

    def award(self, name: str) -> EndstatsAward | None:
        """The first award named ``name``, or ``None``."""
        for a in self.awards:
            if a.name == name:
                return a
        return None
