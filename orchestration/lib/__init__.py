"""The work careaudit does, free of Dagster (a test checks): ingest, publish, the annual report,
the catalogue and the warehouse. Unit-tested directly; orchestration/defs wires it into Dagster."""
