"""The publish assets: internal files, reporting.duckdb, open data, the data catalogue, and the
release that switches them together."""
