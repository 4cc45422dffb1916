"""Plugin manager: built-in plugins, then ``etstats`` entry points, then explicit plugins.

Environment switches:

* ``ETSTATS_LOAD_PLUGINS="a,b"``: load only these entry-point plugins (``""`` loads none);
* ``ETSTATS_DISABLE_PLUGINS="a,b"``: block these plugins by name;
* ``ETSTATS_TRACE_PLUGINS=1``: print every hook call and result to stderr.

Nothing here runs at import time: call :func:`get_plugin_manager`.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

import pluggy

from etstats import hookspecs
from etstats.errors import AdapterUnavailable, PluginError

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "etstats"

DEFAULT_PLUGINS: tuple[str, ...] = ("etstats.storage.builtin",)
"""Core behaviour implemented as plugins (imported by name, in this order)."""


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def get_plugin_manager(
    plugins: Iterable[object | str] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh plugin manager with the hook specs, default plugins, entry points and ``plugins``.

    ``plugins`` are modules/objects or dotted module names requested explicitly: if one
    cannot be imported because its extra is missing, :class:`AdapterUnavailable` is raised.
    Auto-discovered entry points with missing extras are skipped with a log message.
    """
    pm = pluggy.PluginManager("etstats")
    pm.add_hookspecs(hookspecs)
    for name in _env_list("ETSTATS_DISABLE_PLUGINS") or []:
        pm.set_blocked(name)
    for dotted in DEFAULT_PLUGINS:
        _register(pm, importlib.import_module(dotted), dotted)
    if load_entry_points:
        load_entry_point_plugins(pm)
    for plugin in plugins:
        if isinstance(plugin, str):
            _register(pm, import_adapter(plugin), plugin)
        else:
            _register(pm, plugin, None)
    pm.check_pending()
    if os.environ.get("ETSTATS_TRACE_PLUGINS") in {"1", "true", "yes"}:
        pm.trace.root.setwriter(lambda msg: print(msg, end="", file=sys.stderr))
        pm.enable_tracing()
    return pm


def _register(pm: pluggy.PluginManager, plugin: object, name: str | None) -> None:
    if name is not None and pm.is_blocked(name):
        return
    if pm.is_registered(plugin):
        return
    pm.register(plugin, name=name)


def import_adapter(dotted: str) -> ModuleType:
    """Import a plugin module; a missing optional dependency becomes AdapterUnavailable."""
    try:
        return importlib.import_module(dotted)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise AdapterUnavailable(
            f"plugin {dotted!r} needs {missing!r}, which is not installed; "
            f"install the matching extra, e.g. pip install 'etstats[all]'"
        ) from exc


def load_entry_point_plugins(pm: pluggy.PluginManager) -> list[str]:
    """Load the ``etstats`` entry points allowed by the environment; returns the loaded names."""
    allowed = _env_list("ETSTATS_LOAD_PLUGINS")
    loaded: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
        except ImportError as exc:
            log.info("etstats plugin %r skipped: %s (install its extra to enable it)", ep.name, exc)
            continue
        except Exception as exc:  # a broken third-party plugin must not break the library
            raise PluginError(f"plugin {ep.name!r} failed to load: {exc}") from exc
        pm.register(plugin, name=ep.name)
        loaded.append(ep.name)
    return loaded
