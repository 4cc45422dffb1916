"""Plain-SQL migrations (package data), one directory per backend dialect."""
