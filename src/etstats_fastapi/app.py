"""The standalone app behind ``etstats serve``: the router at the root plus problem handlers.

To add etstats to an existing FastAPI site, include :func:`etstats_fastapi.router.create_router`
instead (docs/http.md).
"""

from __future__ import annotations

from typing import Any

from etstats_fastapi.runtime import MAX_BODY_BYTES, HttpSettings

__all__ = ["MAX_BODY_BYTES", "HttpSettings", "create_app"]


def create_app(settings: HttpSettings | None = None, **overrides: Any) -> Any:
    """A FastAPI app serving the etstats router at ``/``.

    ``overrides`` are :class:`HttpSettings` fields (``create_app(db_url=..., secrets=...)``).
    """
    import dataclasses

    from fastapi import FastAPI

    from etstats_fastapi.problems import install_problem_handlers
    from etstats_fastapi.router import create_router

    settings = dataclasses.replace(settings or HttpSettings(), **overrides)
    app = FastAPI(title="etstats", version="2", docs_url="/docs", redoc_url=None)
    install_problem_handlers(app)
    app.include_router(create_router(settings))
    return app
