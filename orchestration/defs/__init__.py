"""Dagster wiring: the assets, checks, jobs, schedules, sensors and resources the code location
declares (orchestration/definitions.py assembles them). Each module only declares; the work is
done by orchestration/lib, which has no Dagster imports."""

# Who answers for every asset and check careaudit declares (shown in the Dagster UI).
OWNERS = ["team:careaudit-data"]
