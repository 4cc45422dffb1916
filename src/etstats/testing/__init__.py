"""Public test helpers: Hypothesis strategies and the engine simulator.

Importing this package does not import Hypothesis; the strategy modules
(:mod:`etstats.testing.strategies` for stats files, ``endstats_strategies``,
``legacy_strategies``, ``gametimes_strategies``) need it installed.
"""
