"""Ingest: read an export, recognise its form version, normalise, pseudonymise, load to raw."""
