"""Model of a c0rnp0rn stats file (one file per round).

Field names carry their unit (``_seconds``, ``_ms``, ``_minutes``, ``_percent``). See
docs/formats.md for the file layout and each field's exact meaning.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import field, frozen, validators

from etstats._sealing import sealed_builder
from etstats.model.common import Finding, Provenance, strip_colours

WEAPON_NAMES: tuple[str, ...] = (
    "WS_KNIFE",
    "WS_KNIFE_KBAR",
    "WS_LUGER",
    "WS_COLT",
    "WS_MP40",
    "WS_THOMPSON",
    "WS_STEN",
    "WS_FG42",
    "WS_PANZERFAUST",
    "WS_BAZOOKA",
    "WS_FLAMETHROWER",
    "WS_GRENADE",
    "WS_MORTAR",
    "WS_MORTAR2",
    "WS_DYNAMITE",
    "WS_AIRSTRIKE",
    "WS_ARTILLERY",
    "WS_SATCHEL",
    "WS_GRENADELAUNCHER",
    "WS_LANDMINE",
    "WS_MG42",
    "WS_BROWNING",
    "WS_CARBINE",
    "WS_KAR98",
    "WS_GARAND",
    "WS_K43",
    "WS_MP34",
    "WS_SYRINGE",
)
"""ET:Legacy ``extWeaponStats_t`` names, indexed by WS index 0..27 (the weapon-mask bit)."""

WEAPON_COUNT = len(WEAPON_NAMES)

SPLASH_WEAPONS: frozenset[int] = frozenset({8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
"""WS indexes whose hits may exceed shots (splash/area damage)."""

TAB_FIELDS_38: tuple[str, ...] = (
    "damage_given",
    "damage_received",
    "team_damage_given",
    "team_damage_received",
    "gibs",
    "self_kills",
    "team_kills",
    "team_gibs",
    "time_played_percent",
    "xp",
    "killing_spree",
    "death_spree",
    "kill_assists",
    "kill_steals",
    "headshot_kills",
    "objectives_stolen",
    "objectives_returned",
    "dynamites_planted",
    "dynamites_defused",
    "times_revived",
    "bullets_fired",
    "dpm",
    "time_played_minutes",
    "tank_meatshield",
    "time_dead_ratio",
    "time_dead_minutes",
    "kd_ratio",
    "useful_kills",
    "denied_playtime",
    "multikill_2x",
    "multikill_3x",
    "multikill_4x",
    "multikill_5x",
    "multikill_6x",
    "useless_kills",
    "full_selfkills",
    "repairs_constructions",
    "revives_given",
)
"""The 38 TAB fields of c0rnp0rn3/7/8, in file order, under the spec's (slomix) key names."""

FLOAT_TAB_FIELDS: frozenset[str] = frozenset(
    {
        "time_played_percent",
        "dpm",
        "time_played_minutes",
        "tank_meatshield",
        "time_dead_ratio",
        "time_dead_minutes",
        "kd_ratio",
    }
)
"""TAB fields written with ``%0.1f``; every other TAB field is an integer."""

TAB_LAYOUTS: dict[int, tuple[str, ...]] = {
    38: TAB_FIELDS_38,
    37: TAB_FIELDS_38[:37],
    36: TAB_FIELDS_38[:36],
    # The 2024 variant had no denied time: TAB[28..32] are the five multikill counters.
    33: TAB_FIELDS_38[:28] + TAB_FIELDS_38[29:34],
}
"""Field names of each known TAB layout, keyed by its field count."""

PER_ROUND_TAB_FIELDS: frozenset[str] = frozenset(
    {
        "xp",
        "killing_spree",
        "death_spree",
        "kill_assists",
        "kill_steals",
        "headshot_kills",
        "objectives_stolen",
        "objectives_returned",
        "dynamites_planted",
        "dynamites_defused",
        "times_revived",
        "useful_kills",
        "denied_playtime",
        "multikill_2x",
        "multikill_3x",
        "multikill_4x",
        "multikill_5x",
        "multikill_6x",
        "useless_kills",
        "full_selfkills",
        "repairs_constructions",
        "revives_given",
        "time_dead_minutes",
    }
)
"""Fields the Lua script counts itself: per-round even in a round-2 file (never subtract)."""

RATIO_TAB_FIELDS: frozenset[str] = frozenset(
    {"time_played_percent", "dpm", "tank_meatshield", "time_dead_ratio", "kd_ratio"}
)
"""Derived ratios: recomputed in a differential, never subtracted."""


def _non_negative(_inst: object, attribute: object, value: int) -> None:
    if value < 0:
        raise ValueError(f"{getattr(attribute, 'name', '?')} must be >= 0, got {value}")


@frozen
class WeaponStats:
    """One weapon tuple of a player line: counts for WS index ``index``."""

    index: int = field(validator=[validators.ge(0), validators.lt(WEAPON_COUNT)])
    """WS index 0..27 (bit of the weapon mask)."""
    hits: int = 0
    """Damaging hits on enemies."""
    shots: int = 0
    """Fire attempts (hits on dead bodies are taken back for non-splash weapons)."""
    kills: int = 0
    """Enemy kills with this weapon."""
    deaths: int = 0
    """Times this player was killed *by* this weapon."""
    headshots: int = 0
    """Headshot hits (not kills)."""

    @property
    def name(self) -> str:
        """Engine name, e.g. ``"WS_MP40"``."""
        return WEAPON_NAMES[self.index]


@frozen
class TabStats:
    """The extended (TAB-separated) part of a player line.

    ``layout`` is the field count the line had (33, 36, 37 or 38). Fields the layout does not
    contain are ``None``. Units: ``*_percent``/``*_ratio`` fields are percent except
    ``kd_ratio`` and ``tank_meatshield`` (plain ratios); ``time_played_minutes`` and
    ``time_dead_minutes`` are minutes with one decimal; ``denied_playtime`` is whole seconds;
    ``dpm`` is damage per minute (always 0.0 in real files).
    """

    layout: int
    damage_given: int = 0
    damage_received: int = 0
    team_damage_given: int = 0
    team_damage_received: int = 0
    gibs: int = 0
    self_kills: int = 0
    team_kills: int = 0
    team_gibs: int = 0
    time_played_percent: float = 0.0
    xp: int = 0
    killing_spree: int = 0
    death_spree: int = 0
    kill_assists: int = 0
    kill_steals: int = 0
    headshot_kills: int = 0
    objectives_stolen: int = 0
    objectives_returned: int = 0
    dynamites_planted: int = 0
    dynamites_defused: int = 0
    times_revived: int = 0
    bullets_fired: int = 0
    dpm: float = 0.0
    time_played_minutes: float = 0.0
    tank_meatshield: float = 0.0
    time_dead_ratio: float = 0.0
    time_dead_minutes: float = 0.0
    kd_ratio: float = 0.0
    useful_kills: int = 0
    denied_playtime: int | None = None
    """Seconds (floored) the player's victims spent dead; ``None`` in 33-field files."""
    multikill_2x: int = 0
    multikill_3x: int = 0
    multikill_4x: int = 0
    multikill_5x: int = 0
    multikill_6x: int = 0
    useless_kills: int | None = None
    full_selfkills: int | None = None
    repairs_constructions: int | None = None
    revives_given: int | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of the fields present in this layout, in file order."""
        return TAB_LAYOUTS[self.layout]


@frozen
class PlayerStats:
    """One player line of a stats file."""

    guid: str
    """GUID as written: the first 8 characters of ``cl_guid``, uppercased (may be empty)."""
    raw_name: str
    """Name with ``^`` colour codes, as written."""
    rounds: int
    """``sess.rounds``: rounds completed in this session (not a round number)."""
    team: int
    """``sess.sessionTeam`` at the last snapshot: 1 Axis, 2 Allies, 3 spectator."""
    weapons: tuple[WeaponStats, ...] = ()
    """Weapon tuples in ascending WS index."""
    tab: TabStats | None = None
    """Extended fields; ``None`` when the line had no TAB section."""
    line: int | None = field(default=None, eq=False)
    """1-based line number in the source file (provenance; ignored by ``==``)."""

    @property
    def name(self) -> str:
        """Name without colour codes."""
        return strip_colours(self.raw_name)

    @property
    def weapon_mask(self) -> int:
        """Bit mask of the weapons present (bit j = WS index j)."""
        mask = 0
        for w in self.weapons:
            mask |= 1 << w.index
        return mask

    @property
    def is_bot(self) -> bool:
        """True for Omni-bot GUIDs and ``[BOT]``-prefixed names."""
        return self.guid.upper().startswith("OMNIBOT") or self.name.lstrip().upper().startswith(
            "[BOT]"
        )

    @property
    def kills(self) -> int:
        """Sum of weapon kills (enemy kills in the 28 weapon buckets)."""
        return sum(w.kills for w in self.weapons)

    @property
    def deaths(self) -> int:
        """Sum of weapon deaths (deaths to one of the 28 weapons; self/world kills excluded)."""
        return sum(w.deaths for w in self.weapons)

    @property
    def headshots(self) -> int:
        """Sum of weapon headshot hits (not headshot kills: see ``tab.headshot_kills``)."""
        return sum(w.headshots for w in self.weapons)

    @property
    def shots(self) -> int:
        """Sum of weapon shots."""
        return sum(w.shots for w in self.weapons)

    @property
    def hits(self) -> int:
        """Sum of weapon hits."""
        return sum(w.hits for w in self.weapons)


@frozen
class StatsHeader:
    """Line 1 of a stats file (backslash-separated, 8 or 9 fields)."""

    server_name: str
    """f1: ``sv_hostname`` with colour codes."""
    map_name: str
    """f2: BSP map name."""
    config: str
    """f3: ``g_customConfig`` (may be empty)."""
    round_number: int
    """f4: 1 or 2 (the script's flipped ``g_currentRound`` rule)."""
    defender_team: int
    """f5: 1 Axis defends, 2 Allies defends."""
    winner_team: int
    """f6: 1 Axis won, 2 Allies won, 0 none."""
    time_limit_seconds: int | None
    """f7 (``M:SS``) in seconds: the round's time limit; in R2 it is R1's clock."""
    clock_seconds: int | None
    """f8 (``M:SS``) in seconds: the stopwatch clock ``g_nextTimeLimit``, not a measurement."""
    playtime_ms: int | None = None
    """f9 (9-field headers only): measured playtime in milliseconds; ``None`` if absent.

    May be negative (shutdown path); a value <= 10,000 is taken as seconds by legacy readers.
    """
    field_count: int = 8
    """Number of header fields in the file: 8 (up to c0rnp0rn7) or 9 (c0rnp0rn8)."""

    @property
    def server_name_clean(self) -> str:
        """Server name without colour codes."""
        return strip_colours(self.server_name)


@frozen
class StatsRound:
    """A parsed stats file: header, players, provenance and validation findings."""

    header: StatsHeader
    players: tuple[PlayerStats, ...] = ()
    provenance: Provenance | None = field(default=None, eq=False)
    """Where the file came from (ignored by ``==``)."""
    findings: tuple[Finding, ...] = field(default=(), eq=False)
    """Validation results; never raised (ignored by ``==``)."""

    @property
    def map_name(self) -> str:
        return self.header.map_name

    @property
    def round_number(self) -> int:
        """Round number: the file name's ``-round-N`` when known, else header f4."""
        if self.provenance is not None and self.provenance.file_round is not None:
            return self.provenance.file_round
        return self.header.round_number

    @property
    def tab_layout(self) -> int | None:
        """TAB field count shared by the player lines (``None`` if no player has one)."""
        for p in self.players:
            if p.tab is not None:
                return p.tab.layout
        return None


# --- sealed builders (etstats._sealing): positional, unchecked, for parsers ---------------
# Each takes its fields in field order and runs no validator: the caller passes values the
# public constructor would accept unchanged (a parser that has already checked them).

build_weapon_stats: Callable[[int, int, int, int, int, int], WeaponStats] = sealed_builder(
    WeaponStats, prechecked=("index",)
)
"""``WeaponStats(index, hits, shots, kills, deaths, headshots)``; ``0 <= index < 28`` is the
caller's to ensure (a weapon-mask bit)."""
build_player_stats: Callable[
    [str, str, int, int, tuple[WeaponStats, ...], TabStats | None, int | None], PlayerStats
] = sealed_builder(PlayerStats)
"""``PlayerStats(guid, raw_name, rounds, team, weapons, tab, line)``."""
build_stats_header: Callable[
    [str, str, str, int, int, int, int | None, int | None, int | None, int], StatsHeader
] = sealed_builder(StatsHeader)
"""``StatsHeader(...)``, every field in field order."""
build_stats_round: Callable[
    [StatsHeader, tuple[PlayerStats, ...], Provenance | None, tuple[Finding, ...]], StatsRound
] = sealed_builder(StatsRound)
"""``StatsRound(header, players, provenance, findings)``."""
TAB_BUILDERS: dict[int, Callable[..., TabStats]] = {
    n: sealed_builder(TabStats, names, fixed={"layout": n}) for n, names in TAB_LAYOUTS.items()
}
"""Per TAB layout: ``TabStats`` from the layout's values in file order (``layout`` fixed, the
fields the layout lacks ``None``)."""
