"""Synthetic but well-formed artifacts (stats, legacy gametimes, endstats) for tests and
benchmarks: a round's files carry consistent names, times and players.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from etstats.ingest.artifacts import Artifact
from etstats.model.stats import (
    TAB_FIELDS_38,
    PlayerStats,
    StatsHeader,
    StatsRound,
    TabStats,
    WeaponStats,
)

MAPS = ("supply", "etl_adlernest", "te_escape2", "sw_goldrush_te", "etl_frostbite")
STATS_DELAY_SECONDS = 3
"""The stats file is written 3 s after the Lua round end (intermission)."""
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def file_stamp(unix: int, tz: ZoneInfo) -> str:
    """The ``YYYY-MM-DD-HHMMSS`` part of a file name written at ``unix`` (seconds) in ``tz``."""
    return datetime.fromtimestamp(unix, tz).strftime("%Y-%m-%d-%H%M%S")


def random_guid(rng: random.Random) -> str:
    """A player GUID as the game writes it: 32 upper-case hex digits, drawn from ``rng``."""
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(32))


def stats_round(
    map_name: str, round_number: int, guids: list[str], rng: random.Random
) -> StatsRound:
    """A 38-field c0rnp0rn stats round with one line per GUID (8-character prefixes)."""
    players = []
    for i, guid in enumerate(guids):
        weapons = tuple(
            WeaponStats(
                index=w,
                hits=rng.randint(0, 50),
                shots=rng.randint(50, 200),
                kills=rng.randint(0, 9),
                deaths=rng.randint(0, 9),
                headshots=rng.randint(0, 5),
            )
            for w in sorted(rng.sample(range(28), 3))
        )
        values: dict[str, int | float] = {
            f: (
                round(rng.uniform(0, 20), 1)
                if f
                in {
                    "time_played_minutes",
                    "time_dead_minutes",
                    "kd_ratio",
                    "tank_meatshield",
                    "time_dead_ratio",
                    "time_played_percent",
                }
                else (0.0 if f == "dpm" else rng.randint(0, 3000))
            )
            for f in TAB_FIELDS_38
        }
        tab = TabStats(layout=38, **values)  # type: ignore[arg-type]
        players.append(
            PlayerStats(
                guid=guid[:8],
                raw_name=f"^{i % 10}player{i}",
                rounds=1,
                team=1 + i % 2,
                weapons=weapons,
                tab=tab,
            )
        )
    header = StatsHeader(
        server_name="^1Test ^7Server",
        map_name=map_name,
        config="",
        round_number=round_number,
        defender_team=1,
        winner_team=2,
        time_limit_seconds=600,
        clock_seconds=480,
    )
    return StatsRound(header=header, players=tuple(players))


def legacy_gametimes(
    map_name: str, round_number: int, start: int, end: int, guids: list[str], pauses: int = 0
) -> bytes:
    """A legacy (slomix) gametimes JSON file for one round."""
    pause_list = [
        {"n": n + 1, "start": start + 60 * (n + 1), "end": start + 60 * (n + 1) + 30, "sec": 30}
        for n in range(pauses)
    ]
    doc = {
        "meta": {
            "map": map_name,
            "round": round_number,
            "round_start_unix": start,
            "round_end_unix": end,
            "actual_duration_seconds": end - start - 30 * pauses,
            "warmup_seconds": 0,
            "pause_seconds": 30 * pauses,
            "pause_count": pauses,
            "server_ip": "",
            "server_port": "27960",
            "match_id": str(end),
            "spawn_stats": [
                {
                    "guid": g,
                    "name": f"player{i}",
                    "spawns": 3,
                    "deaths": 2,
                    "dead_seconds": 40,
                    "avg_respawn": 20,
                    "max_respawn": 25,
                }
                for i, g in enumerate(guids)
            ],
        },
        "payload": {
            "username": "ET:Legacy Stats",
            "content": "STATS_READY",
            "embeds": [
                {
                    "title": f"Round Complete: {map_name} R{round_number}",
                    "fields": [
                        {"name": "Map", "value": map_name, "inline": True},
                        {"name": "Round", "value": str(round_number), "inline": True},
                        {"name": "Lua_RoundStart", "value": str(start), "inline": True},
                        {"name": "Lua_RoundEnd", "value": str(end), "inline": True},
                        {
                            "name": "Lua_Pauses_JSON",
                            "value": json.dumps(pause_list),
                            "inline": False,
                        },
                    ],
                    "footer": {"text": "Slomix Lua Webhook v1.7.2"},
                }
            ],
        },
    }
    return json.dumps(doc, indent=2).encode("utf-8")


def endstats_text(guids: list[str], rng: random.Random) -> bytes:
    """An endstats file: a few awards and versus rows."""
    lines = [
        f"Most damage given\tplayer0\t{rng.randint(1000, 5000)}",
        f"Most kills per minute\tplayer1\t{rng.randint(1, 3)}.{rng.randint(10, 99)}",
    ]
    lines += [f"player{i}\t{rng.randint(0, 5)}\t{rng.randint(0, 5)}" for i in range(len(guids))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def round_artifacts(
    *,
    map_name: str,
    round_number: int,
    end_unix: int,
    rng: random.Random,
    players: int = 6,
    timezone: str = "UTC",
    server: str = "default",
    stats: bool = True,
    lua: bool = True,
    endstats: bool = True,
    pauses: int = 0,
    guids: Sequence[str] | None = None,
) -> list[Artifact]:
    """The artifacts one round leaves on a game server (names as the scripts write them);
    ``guids`` (32 hex digits each) are the players, ``players`` new random ones by default."""
    from etstats.render.stats_file import render_stats_bytes

    tz = ZoneInfo(timezone)
    guids = list(guids) if guids is not None else [random_guid(rng) for _ in range(players)]
    out: list[Artifact] = []

    def local(unix: int) -> str:
        return file_stamp(unix, tz)

    if stats:
        data = render_stats_bytes(stats_round(map_name, round_number, guids, rng))
        name = f"{local(end_unix + STATS_DELAY_SECONDS)}-{map_name}-round-{round_number}.txt"
        out.append(Artifact.from_bytes(data, name, server=server, received_at=RECEIVED))
    if lua:
        data = legacy_gametimes(map_name, round_number, end_unix - 600, end_unix, guids, pauses)
        name = f"gametime-{map_name}-R{round_number}-{end_unix}.json"
        out.append(Artifact.from_bytes(data, name, server=server, received_at=RECEIVED))
    if endstats:
        name = f"{local(end_unix + 1)}-{map_name}-round-{round_number}-endstats.txt"
        out.append(
            Artifact.from_bytes(
                endstats_text(guids, rng), name, server=server, received_at=RECEIVED
            )
        )
    return out


def season(
    rounds: int,
    *,
    seed: int = 0,
    players: int = 12,
    start_unix: int = 1_767_225_600,
    timezone: str = "UTC",
) -> list[Artifact]:
    """``rounds`` rounds (R1/R2 alternating over :data:`MAPS`, 15 minutes apart), each with a
    stats file, a Lua file and an endstats file."""
    rng = random.Random(seed)
    out: list[Artifact] = []
    for i in range(rounds):
        out += round_artifacts(
            map_name=MAPS[(i // 2) % len(MAPS)],
            round_number=1 + i % 2,
            end_unix=start_unix + 900 * i,
            rng=rng,
            players=players,
            timezone=timezone,
            pauses=i % 3,
        )
    return out


def evenings(
    rounds: int,
    *,
    seed: int = 0,
    start_unix: int = 1_767_225_600,
    groups: int = 20,
) -> list[Artifact]:
    """``rounds`` rounds played as a community plays them: one evening a day from 20:00 UTC,
    16 rounds (8 stopwatch maps, R1 then R2) 15 minutes apart, 10 players drawn from one of
    ``groups`` groups of 12 regulars (so careers, sessions and ladders have history). Each
    round leaves a stats file, a Lua file and an endstats file."""
    rng = random.Random(seed)
    regulars = [[random_guid(rng) for _ in range(12)] for _ in range(groups)]
    out: list[Artifact] = []
    for i in range(rounds):
        evening, k = divmod(i, 16)
        if k == 0:
            squad = rng.sample(regulars[rng.randrange(groups)], 10)
        end = start_unix + evening * 86_400 + 20 * 3600 + 900 * (k + 1)
        out += round_artifacts(
            map_name=MAPS[(k // 2 + evening) % len(MAPS)],
            round_number=1 + k % 2,
            end_unix=end,
            rng=rng,
            guids=squad,
            pauses=i % 3,
        )
    return out


def cumulative_round2(r1: StatsRound, r2_only: StatsRound) -> StatsRound:
    """The round-2 file the game writes after ``r1`` and a second round ``r2_only`` (same
    players, same line order): engine counters (weapon tuples and the cumulative TAB fields)
    hold R1 + R2, the Lua's per-round counters the R2 value."""
    import attrs

    from etstats.differential import CUMULATIVE_TAB_FIELDS

    players = []
    for p1, p2 in zip(r1.players, r2_only.players, strict=True):
        w1 = {w.index: w for w in p1.weapons}
        weapons = []
        for w in p2.weapons:
            a = w1.pop(w.index, None)
            weapons.append(
                w
                if a is None
                else WeaponStats(
                    index=w.index,
                    hits=a.hits + w.hits,
                    shots=a.shots + w.shots,
                    kills=a.kills + w.kills,
                    deaths=a.deaths + w.deaths,
                    headshots=a.headshots + w.headshots,
                )
            )
        weapons += w1.values()
        tab = p2.tab
        if tab is not None and p1.tab is not None:
            sums = {f: getattr(p1.tab, f) + getattr(tab, f) for f in CUMULATIVE_TAB_FIELDS}
            sums["time_played_minutes"] = round(sums["time_played_minutes"], 1)
            tab = attrs.evolve(tab, **sums)
        weapons.sort(key=lambda w: w.index)
        players.append(attrs.evolve(p2, weapons=tuple(weapons), tab=tab))
    return attrs.evolve(r2_only, players=tuple(players))


def round_pair_artifacts(
    *,
    map_name: str,
    r1_end_unix: int,
    gap_seconds: int,
    rng: random.Random,
    players: int = 3,
    server: str = "default",
    timezone: str = "UTC",
) -> tuple[list[Artifact], StatsRound]:
    """The stats files of a stopwatch map's R1 and R2 (``gap_seconds`` between the round
    ends), the R2 file cumulative as the game writes it; also returns the R2-only round the
    store should end up holding for the R2. File names carry ``timezone``'s wall clock."""
    from etstats.render.stats_file import render_stats_bytes

    guids = [random_guid(rng) for _ in range(players)]
    r1 = stats_round(map_name, 1, guids, rng)
    r2_only = stats_round(map_name, 2, guids, rng)
    out = []
    for rnd, end in (
        (r1, r1_end_unix),
        (cumulative_round2(r1, r2_only), r1_end_unix + gap_seconds),
    ):
        stamp = file_stamp(end + STATS_DELAY_SECONDS, ZoneInfo(timezone))
        name = f"{stamp}-{map_name}-round-{rnd.round_number}.txt"
        out.append(
            Artifact.from_bytes(render_stats_bytes(rnd), name, server=server, received_at=RECEIVED)
        )
    return out, r2_only
