"""The simulator's three clocks, kept apart exactly like the engine keeps them apart.

* ``level_ms`` is ``level.time`` / the ``levelTime`` given to ``et_RunFrame`` (server time, ms).
  It keeps running during pauses and is advanced by the init frames of every map load or
  ``map_restart`` without real time passing.
* ``real_ms`` is real (wall) time elapsed since the simulated process started (ms). It does
  not advance during init frames.
* ``uptime_ms`` (what ``et.trap_Milliseconds()`` returns) is process uptime: ``real_ms`` plus
  an arbitrary offset, so it never equals ``level_ms``.
* ``wall_unix`` (what ``os.time()`` returns in the simulated VMs) is a UTC epoch base plus
  ``real_ms // 1000`` seconds.
"""

from __future__ import annotations

from attrs import define

FRAME_MS = 50
"""One server frame at ``sv_fps 20`` (ms)."""


@define
class SimClock:
    """Mutable clock state of one simulated server process."""

    level_ms: int = 123_450
    """Server time (ms) at the start of the simulation; arbitrary, not zero."""
    real_ms: int = 0
    """Real time elapsed since process start (ms)."""
    wall_base_unix: int = 1_770_843_000
    """UTC epoch seconds at process start."""
    uptime_offset_ms: int = 4_567_891
    """Process uptime (ms) at the start of the simulation."""

    def advance(self, ms: int) -> None:
        """Advance level time and real time together by ``ms`` milliseconds."""
        self.level_ms += ms
        self.real_ms += ms

    def advance_level_only(self, ms: int) -> None:
        """Advance level time only (init frames of a map load or restart)."""
        self.level_ms += ms

    @property
    def uptime_ms(self) -> int:
        """Process uptime in ms (``trap_Milliseconds``)."""
        return self.uptime_offset_ms + self.real_ms

    @property
    def wall_unix(self) -> int:
        """Wall clock, UTC epoch seconds (``os.time()``)."""
        return self.wall_base_unix + self.real_ms // 1000
