"""Ingestion: raw artifacts in, archived, parsed, linked, stored, reconciled, hooks notified."""
