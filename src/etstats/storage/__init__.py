"""Storage: the interface, migrations and the built-in SQLite/PostgreSQL backends."""
