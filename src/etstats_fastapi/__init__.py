"""HTTP API adapter for etstats (ingestion and diagnostics). Third-party imports are lazy."""
