"""`careaudit-dbt`: the venv's dbt, as the leader of a process group of its own.

dbt keeps the pid this process had, so the group's id is the pid dagster-dbt started, and
stopping that group (dbt_process.py) stops dbt and anything dbt started, never careaudit.
Standard library only: it runs before every dbt command.
"""

import os
import sys
from pathlib import Path


def main() -> None:
    os.setpgid(0, 0)
    dbt = str(Path(sys.executable).with_name("dbt"))
    os.execv(dbt, [dbt, *sys.argv[1:]])
