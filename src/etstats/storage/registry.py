"""Open a store from a URL through the backends plugins registered."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from etstats.errors import ConfigError
from etstats.storage.base import Storage

DEFAULT_URL = "etstats.db"
"""Store used when no ``--db``/``ETSTATS_DB`` is given: ``./etstats.db`` (SQLite)."""


_PARAM_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|sslpassword)\s*=\s*('[^']*'|[^\s&]*)")


def redact_url(url: str) -> str:
    """``url`` with every password replaced by ``***``: the ``user:secret@`` part of a URL,
    and ``password=`` in a query string or a ``key=value`` connection string. Print store
    URLs only through this (CLI, logs, bot status)."""
    text = url
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:  # the last "@" ends the user info, even if the secret holds "/"
        userinfo, at, location = rest.rpartition("@")
        if ":" in userinfo:
            text = f"{head}://{userinfo.split(':', 1)[0]}:***{at}{location}"
    return _PARAM_SECRET.sub(lambda m: f"{m.group(1)}=***", text)


def url_scheme(url: str) -> str:
    """``sqlite`` for bare paths and ``sqlite:`` URLs, else the URL scheme
    (``postgres`` is an alias of ``postgresql``)."""
    head, sep, _ = url.partition("://")
    if not sep or len(head) < 2:  # a bare path (or a Windows drive letter)
        return "sqlite"
    head = head.lower()
    return "postgresql" if head == "postgres" else head


def storage_factories(pm: Any = None) -> dict[str, Callable[..., Storage]]:
    """URL scheme -> factory, as registered through ``etstats_register_storage``."""
    if pm is None:
        from etstats.plugins import get_plugin_manager

        pm = get_plugin_manager()
    found: dict[str, Callable[..., Storage]] = {}

    def register(scheme: str, factory: Callable[..., Storage]) -> None:
        found.setdefault(scheme.lower(), factory)

    pm.hook.etstats_register_storage(register=register)
    return found


def open_storage(url: str | None = None, *, pm: Any = None, **options: Any) -> Storage:
    """Open (and migrate) the store at ``url``; the default is ``./etstats.db``.

    :raises ConfigError: no registered backend serves the URL's scheme.
    :raises StorageError: the backend could not open it.
    """
    url = url or DEFAULT_URL
    scheme = url_scheme(url)
    factories = storage_factories(pm)
    if scheme not in factories:
        known = ", ".join(sorted(factories)) or "none"
        raise ConfigError(f"no storage backend for {scheme!r} URLs (registered: {known})")
    return factories[scheme](url, **options)
