"""careaudit: the Dagster code location for the Care Plan Audit warehouse."""
