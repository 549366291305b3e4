"""Publishing: files, reporting.duckdb, open data with disclosure control, releases."""
