"""Plugin manager: built-in plugins, then ``etstats`` entry points, then explicit plugins.

Environment switches:

* ``ETSTATS_LOAD_PLUGINS="a,b"``: load only these entry-point plugins (``""`` loads none);
* ``ETSTATS_DISABLE_PLUGINS="a,b"``: block these plugins by name;
* ``ETSTATS_TRACE_PLUGINS=1``: print every hook call and result to stderr.

Nothing here runs at import time: call :func:`get_plugin_manager`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

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


class EtstatsPluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers which auto-discovered plugins were skipped."""

    def __init__(self) -> None:
        super().__init__("etstats")
        self.skipped: dict[str, str] = {}
        """Entry-point name -> why it was not loaded (a missing extra)."""


def get_plugin_manager(
    plugins: Iterable[object | str] = (), *, load_entry_points: bool = True
) -> EtstatsPluginManager:
    """A fresh plugin manager with the hook specs, default plugins, entry points and ``plugins``.

    ``plugins`` are modules/objects or dotted module names requested explicitly: if one
    cannot be imported because its extra is missing, :class:`AdapterUnavailable` is raised.
    Auto-discovered entry points with missing extras are skipped with a log message.
    """
    pm = EtstatsPluginManager()
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
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
    if os.environ.get("ETSTATS_TRACE_PLUGINS") in {"1", "true", "yes"}:
        pm.trace.root.setwriter(lambda msg: print(msg, end="", file=sys.stderr))
        pm.enable_tracing()
    return pm


def _register(pm: pluggy.PluginManager, plugin: object, name: str | None) -> None:
    if name is not None and pm.is_blocked(name):
        return
    if pm.is_registered(plugin):
        return
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name or plugin!r} breaks the hook contract: {exc}") from exc


def check_requires(plugin: object, name: str) -> None:
    """Raise :class:`AdapterUnavailable` if a module the plugin declares is not installed.

    Adapters import their third-party packages lazily, so importing ``plugin.py`` always
    works; they list those packages in ``ETSTATS_REQUIRES`` (import names) and their pip
    extra in ``ETSTATS_EXTRA`` so a missing extra is reported when the plugin is loaded.
    """
    extra = getattr(plugin, "ETSTATS_EXTRA", name)
    for module in getattr(plugin, "ETSTATS_REQUIRES", ()):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise AdapterUnavailable(
                f"plugin {name!r} needs {module!r}, which is not installed; "
                f"install it with: pip install 'etstats[{extra}]'"
            )


def import_adapter(dotted: str) -> ModuleType:
    """Import a plugin module explicitly requested by name.

    :raises AdapterUnavailable: the module or a package it declares is not installed.
    """
    try:
        module = importlib.import_module(dotted)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise AdapterUnavailable(
            f"plugin {dotted!r} needs {missing!r}, which is not installed; "
            f"install the matching extra, e.g. pip install 'etstats[all]'"
        ) from exc
    check_requires(module, dotted.split(".")[0].removeprefix("etstats_") or dotted)
    return module


def load_entry_point_plugins(pm: EtstatsPluginManager) -> list[str]:
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
            check_requires(plugin, ep.name)
        except ImportError as exc:  # AdapterUnavailable included
            reason = f"{exc} (install its extra: pip install 'etstats[{ep.name}]')"
            pm.skipped[ep.name] = reason
            log.info("etstats plugin %r skipped: %s", ep.name, reason)
            continue
        except Exception as exc:  # a broken third-party plugin must not break the library
            raise PluginError(f"plugin {ep.name!r} failed to load: {exc}") from exc
        _register(pm, plugin, ep.name)
        loaded.append(ep.name)
    return loaded


def registered(pm: pluggy.PluginManager, hook_name: str) -> dict[str, Any]:
    """Collect a registration hook into ``{name: object}`` (first registration wins).

    ``hook_name`` is ``"etstats_register_deliveries"``, ``"etstats_register_sources"`` or
    ``"etstats_register_storage"``.
    """
    found: dict[str, Any] = {}

    def register(name: str, obj: Any) -> None:
        found.setdefault(name, obj)

    getattr(pm.hook, hook_name)(register=register)
    return found
