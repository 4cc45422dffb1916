"""Hook specifications: the extension points of etstats, grouped by lifecycle.

Every hook is named ``etstats_*``. Registration hooks receive a ``register`` callable and are
called when the core needs the registry (once per use of a plugin manager); notification hooks
run after a pipeline step has been committed and their return value is ignored. Hooks are
synchronous and always called with keyword arguments. See docs/hooks.md for one section per
hook with its exact signature and an example.

.. versionadded:: 0.1
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from etstats.ingest.artifacts import Artifact
    from etstats.model.stats import StatsRound
    from etstats.reconciliation.model import Reconciliation
    from etstats.storage.base import Storage

hookspec = pluggy.HookspecMarker("etstats")
hookimpl = pluggy.HookimplMarker("etstats")

StorageFactory = Callable[..., "Storage"]
"""``factory(url: str, **options) -> Storage``."""
Deliver = Callable[[int, "Storage"], None]
"""``deliver(round_id: int, storage: Storage) -> None``."""

# -- registration -------------------------------------------------------------------------


@hookspec
def etstats_register_storage(register: Callable[[str, StorageFactory], None]) -> None:
    """Register storage backends.

    Call ``register(scheme, factory)`` once per backend. ``scheme`` is the URL scheme it serves
    (``"sqlite"`` also covers bare file paths; ``"postgresql"`` also ``postgres://``);
    ``factory(url, **options)`` opens and migrates the store and returns an
    :class:`etstats.storage.base.Storage`. The factory imports its driver lazily. When two
    plugins register one scheme, the first registration wins (built-ins are registered first).

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_deliveries(register: Callable[[str, Deliver], None]) -> None:
    """Register delivery targets (where stored rounds are posted).

    Call ``register(name, deliver)``. ``deliver(round_id, storage)`` sends one stored round
    somewhere (a Discord channel, an HTTP endpoint), reading what it needs from ``storage``;
    it returns nothing and raises :class:`etstats.errors.EtStatsError` on failure. Or register
    an :class:`etstats.outbox.OutboxTarget`: posts are then enqueued in the store inside the
    round's transaction and a drain worker delivers them. A target is used when named, e.g.
    ``etstats ingest --deliver discord``.

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_commands(register: argparse._SubParsersAction[Any]) -> None:
    """Add subcommands to the ``etstats`` command line.

    ``register`` is the ``argparse`` subparsers object: call
    ``register.add_parser(name, help=...)`` and ``set_defaults(func=...)`` where ``func(args)``
    returns the exit code (0 ok, 1 findings, 2 usage, 3 unreadable input, 4 config/storage).

    :param register: the argparse subparsers action.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_register_sources(register: Callable[[str, Callable[[], Any]], None]) -> None:
    """Register artifact sources (places new artifacts come from).

    Call ``register(name, source)`` where ``source()`` returns an iterable of
    :class:`etstats.ingest.artifacts.Artifact` (for example files fetched over SSH or from an
    HTTP spool). ``etstats ingest --source NAME`` ingests what a source yields.

    :param register: the registration callable.

    Return value is ignored.

    .. versionadded:: 0.1
    """


# -- pipeline notifications -----------------------------------------------------------------


@hookspec
def etstats_artifact_received(artifact: Artifact) -> None:
    """A new artifact was archived (and parsed or rejected) in one committed transaction.

    Not called for bytes the store already had (a duplicate changes nothing), except when the
    same bytes arrive under a smaller file name, which the archive then adopts.

    :param artifact: the raw artifact (``kind``, ``name``, ``data``, ``sha256``,
        ``received_at`` in UTC, ``server``).

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_parsed(round: StatsRound, source: str) -> None:
    """A stats file was parsed (findings attached) and stored.

    :param round: the parsed stats file (values as written; a round-2 file is cumulative).
    :param source: the artifact's file name.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_reconciled(result: Reconciliation) -> None:
    """A round was reconciled across the sources stored for it.

    Called again whenever a late artifact re-links the round.

    :param result: the round's :class:`etstats.reconciliation.model.Reconciliation`, in the
        ingest path's lean form (:class:`~etstats.reconciliation.model.LeanReconciliation`,
        the form stored): ``verdict``, ``counts()``, ``findings``, ``players`` and every
        comparison whose verdict is not ``agree`` are those of the full form; of the agreeing
        comparisons only the ``dead-time`` ones are built, the others are counted in
        ``check_counts``. Call :func:`etstats.reconciliation.reconcile` on the round's files
        for every comparison.

    Return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def etstats_round_stored(round_id: int, storage: Storage) -> None:
    """A round's rows were committed (created, or re-linked by a late artifact).

    :param round_id: the store's id of the round (stable across re-links that keep any of its
        artifacts).
    :param storage: the :class:`etstats.storage.base.Storage` holding it.

    Return value is ignored.

    .. versionadded:: 0.1
    """
