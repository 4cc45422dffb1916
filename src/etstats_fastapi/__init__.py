"""HTTP adapter for etstats: signed ingest, the read and diagnostics API, and web pages.

:func:`etstats_fastapi.router.create_router` mounts into any FastAPI app;
:func:`etstats_fastapi.app.create_app` is the standalone app behind ``etstats serve``
(docs/http.md). Only :mod:`etstats_fastapi.plugin` is imported by the core, and it imports
FastAPI lazily.
"""
