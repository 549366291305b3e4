"""The command line: `careaudit` (commands.py), its clean stops (stop_signals.py, plain_exit.py)
and the Dagster instance it runs in (instance.py); `careaudit-dbt` (dbt_leader.py, standard
library only, so it starts dbt at once)."""
