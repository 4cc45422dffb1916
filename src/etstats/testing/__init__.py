"""Public test helpers: Hypothesis strategies, the engine simulator and synthetic artifacts
(:mod:`etstats.testing.synthetic`: well-formed stats, gametimes and endstats files for a
season, for ingest tests and benchmarks).

Importing this package does not import Hypothesis; the strategy modules
(:mod:`etstats.testing.strategies` for stats files, ``endstats_strategies``,
``legacy_strategies``, ``gametimes_strategies``) need it installed.
"""
