"""Hypothesis strategies for endstats models (public: other bots' tests may use them).

* :func:`award_value_texts` — value texts in every form the script writes;
* :func:`awards` — award lines (known and unknown names) that parse back unchanged;
* :func:`endstats_rounds` — rounds whose versus blocks have ``VS_HEADER`` lines, for
  render → parse round trips;
* :func:`versus_matches` — a match (two teams, a kill matrix) whose header-less versus section
  has a known truth, for checking the subject inference never guesses wrong.
"""

from __future__ import annotations

import functools

from attrs import frozen
from hypothesis import strategies as st

from etstats.model.endstats import (
    AWARD_ORDER,
    KNOWN_AWARDS,
    VS_HEADER,
    EndstatsAward,
    EndstatsRound,
    SubjectSource,
    VersusHeader,
    VersusRow,
)
from etstats.parsing.endstats.reader import parse_award_value

_CELL_CHARS = st.characters(
    blacklist_characters="\t\n\r\x00", blacklist_categories=["Cs"], max_codepoint=0x2FF
)
_INT_LIKE = st.from_regex(r"[0-9]{1,9}", fullmatch=True)
_GUIDS = st.integers(0, 2**128 - 1).map("{:032X}".format)  # one draw, not 32 (size budget)


@functools.cache  # built once, not once per example (the size budget)
def cells(*, min_size: int = 0, max_size: int = 16) -> st.SearchStrategy[str]:
    """A cell text: no TAB, CR or LF (names may be empty or contain spaces)."""
    return st.text(_CELL_CHARS, min_size=min_size, max_size=max_size)


@functools.cache
def names() -> st.SearchStrategy[str]:
    """Player names that cannot be mistaken for an award name or ``VS_HEADER``."""
    return cells(max_size=12).filter(lambda s: s != VS_HEADER and s not in AWARD_ORDER)


@functools.cache
def _dec(places: int) -> st.SearchStrategy[str]:
    return st.integers(0, 10**6).map(lambda n: f"{n / 10**places:.{places}f}" if places else str(n))


@functools.cache
def award_value_texts() -> st.SearchStrategy[str]:
    """Value texts in the script's forms (plain, seconds, percent, multikill, metres...)."""
    two = _dec(2)
    return st.one_of(
        _dec(0),
        two,
        _dec(3),
        _dec(0).map(lambda n: f"{n} seconds"),
        two.map(lambda p: f"{p} percent"),
        st.tuples(two, two).map(lambda t: f"{t[0]} percent, {t[1]} min"),
        st.tuples(st.integers(3, 9), two).map(lambda t: f"{t[0]} kills in {t[1]}s"),
        two.map(lambda m: f"{m} m"),
        two.map(lambda r: f"Damage received vs death ratio: {r}x"),
    )


def _make_award(name: str, player: str, value_text: str) -> EndstatsAward:
    return EndstatsAward(name, player, value_text, parse_award_value(value_text))


@st.composite
def awards(draw: st.DrawFn) -> EndstatsAward:
    """One award line that parses back as an award (unknown names included)."""
    known = draw(st.booleans())
    player = draw(names())
    if known:
        name = draw(st.sampled_from(KNOWN_AWARDS))
        value = draw(st.one_of(award_value_texts(), cells(max_size=12)))
    else:
        name = draw(cells(min_size=1).filter(lambda s: bool(s.strip()) and s != VS_HEADER))
        value = draw(st.one_of(award_value_texts(), cells(max_size=12)))
        if _is_int(player) and _is_int(value):
            value += " x"  # would read as a versus row
    return _make_award(name, player, value)


def _is_int(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= len(text) <= 9


@st.composite
def endstats_rounds(draw: st.DrawFn) -> EndstatsRound:
    """A round with award lines and ``VS_HEADER`` versus blocks (possibly empty blocks)."""
    award_list = draw(st.lists(awards(), max_size=8))
    headers = draw(
        st.lists(
            st.builds(VersusHeader, names(), _GUIDS),
            max_size=5,
        )
    )
    rows: list[VersusRow] = []
    lead: bool = draw(st.booleans())
    if headers and lead:  # rows before the first header: subject unknown
        for opp, k, d in draw(st.lists(st.tuples(names(), _counts(), _counts()), max_size=2)):
            rows.append(VersusRow(opp, k, d))
    for index, header in enumerate(headers):
        for opp, k, d in draw(st.lists(st.tuples(names(), _counts(), _counts()), max_size=4)):
            rows.append(
                VersusRow(
                    opp, k, d, header.subject_name, header.subject_guid, SubjectSource.HEADER, index
                )
            )
    return EndstatsRound(
        awards=tuple(award_list),
        versus=tuple(rows),
        vs_headers=tuple(headers),
    )


@functools.cache
def _counts() -> st.SearchStrategy[int]:
    return st.integers(0, 999_999_999)


@frozen
class VersusMatch:
    """A match's truth: players in client-slot order, their teams, who killed whom."""

    players: tuple[str, ...]
    teams: tuple[int, ...]
    """1 or 2 per player."""
    kills: tuple[tuple[int, ...], ...]
    """``kills[a][b]``: times player a killed player b (0 for teammates)."""

    def rows(self) -> list[tuple[str, str, int, int]]:
        """(subject, opponent, kills, deaths) rows as the script writes them, block by block:
        opponents on the other team with an interaction, kills descending (stable order)."""
        out: list[tuple[str, str, int, int]] = []
        for a, subject in enumerate(self.players):
            block = [
                (self.players[b], self.kills[a][b], self.kills[b][a])
                for b in range(len(self.players))
                if self.teams[b] != self.teams[a] and self.kills[a][b] + self.kills[b][a] > 0
            ]
            block.sort(key=lambda r: -r[1])
            out.extend((subject, *r) for r in block)
        return out

    def text(self, newline: str = "\n") -> str:
        """The header-less versus section of this match."""
        return "".join(f"{o}\t{k}\t{d}{newline}" for _, o, k, d in self.rows())


@st.composite
def versus_matches(draw: st.DrawFn, max_players: int = 6) -> VersusMatch:
    """A random small match (2..``max_players`` players, distinct names)."""
    players = draw(st.lists(names().filter(bool), min_size=2, max_size=max_players, unique=True))
    n = len(players)
    teams = draw(st.lists(st.sampled_from((1, 2)), min_size=n, max_size=n))
    kills = [
        [draw(st.integers(0, 6)) if teams[a] != teams[b] else 0 for b in range(n)] for a in range(n)
    ]
    return VersusMatch(
        tuple(players),
        tuple(teams),
        tuple(tuple(r) for r in kills),
    )
