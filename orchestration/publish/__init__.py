"""Publish: files and databases made from the reporting models, for BI tools and people."""
