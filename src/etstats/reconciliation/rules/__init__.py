"""Comparison rules: pure functions from source readings to :class:`Comparison` values.

* :mod:`.judge` turns a difference, its resolution and candidate causes into a verdict;
* :mod:`.player` compares one player across a stats file and a Lua source;
* :mod:`.internal` checks one stats file against itself (the three dead-time measures, ratios);
* :mod:`.round` compares round-level facts (duration, end reason, pauses, roster).
"""
