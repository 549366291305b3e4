"""Ingest: list the landing folder, read, recognise, validate, pseudonymise, plan, load."""
