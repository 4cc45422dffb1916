"""Hook specifications: the extension points of etstats, grouped by lifecycle.

Every hook is named ``etstats_*``. Registration hooks receive a ``register`` callable and are
called once per plugin manager; notification hooks run after a pipeline step and their return
value is ignored. Hooks are synchronous and always called with keyword arguments.
See docs/hooks.md for one section per hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from etstats.ingest.artifacts import Artifact
    from etstats.model.stats import StatsRound
    from etstats.reconcile.model import Reconciliation

hookspec = pluggy.HookspecMarker("etstats")
hookimpl = pluggy.HookimplMarker("etstats")

# -- registration -------------------------------------------------------------------------


@hookspec
def etstats_register_storage(register: Callable[..., None]) -> None:
    """Register storage backends.

    Call ``register(scheme, factory)`` once per backend: ``scheme`` is the URL scheme it serves
    (``"sqlite"``, ``"postgresql"``), ``factory(url: str)`` returns an
    :class:`etstats.storage.base.Storage`. The factory must import its driver lazily.

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_deliveries(register: Callable[..., None]) -> None:
    """Register delivery targets (where finished rounds are posted).

    Call ``register(name, deliver)`` where ``deliver(reconciliation)`` sends one reconciled
    round somewhere (a Discord channel, an HTTP endpoint) and returns nothing; it may raise
    :class:`etstats.errors.EtStatsError` on failure.

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_commands(register: Any) -> None:
    """Add subcommands to the ``etstats`` command line.

    ``register`` is the ``argparse`` subparsers object: call
    ``register.add_parser(name, help=...)`` and ``set_defaults(func=...)`` where ``func(args)``
    returns the exit code.

    :param register: the argparse subparsers action.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_sources(register: Callable[..., None]) -> None:
    """Register artifact sources (places new artifacts come from).

    Call ``register(name, source)`` where ``source()`` yields
    :class:`etstats.ingest.artifacts.Artifact` objects (for example files fetched over SSH).

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


# -- pipeline notifications -----------------------------------------------------------------


@hookspec
def etstats_artifact_received(artifact: Artifact) -> None:
    """An artifact (raw bytes plus kind and name) entered the ingestion pipeline.

    Called before parsing, after the raw bytes were archived.

    :param artifact: the raw artifact.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_parsed(round: StatsRound, source: str) -> None:
    """A stats file was parsed (findings attached).

    :param round: the parsed stats file.
    :param source: where it came from (path or artifact name).

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_reconciled(result: Reconciliation) -> None:
    """A round was reconciled across all sources available for it.

    :param result: the reconciliation report of the round.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_stored(round_id: int, storage: Any) -> None:
    """A round's rows were committed to storage.

    :param round_id: the store's id of the round.
    :param storage: the :class:`etstats.storage.base.Storage` that holds it.

    Return value is ignored.

    .. versionadded:: 0.1
    """
