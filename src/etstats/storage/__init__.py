"""Storage: the interface, migrations and the built-in SQLite/PostgreSQL backends.

Open a store with :func:`etstats.storage.registry.open_storage` (``./etstats.db`` by default).
"""
