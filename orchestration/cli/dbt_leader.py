"""`careaudit-dbt`: the venv's dbt, as the leader of a process group of its own, run in the
warehouse's folder.

dbt keeps the pid this process had, so the group's id is the pid dagster-dbt started, and
stopping that group (dbt_process.py) stops dbt and anything dbt started, never careaudit.

dbt parses the project again from scratch whenever its `--vars` or its profile's connection
differ from the saved parse's, and both would hold the data dir's warehouse path: every new
data dir (a first refresh, a benchmark, each test) would pay a full parse. So dbt runs in the
warehouse's folder and is given the warehouse by its file name: one saved parse of the
project (target/partial_parse.msgpack) serves every data dir with the same settings.
Standard library only: it runs before every dbt command.
"""

import json
import os
import sys
from pathlib import Path

VARS = "--vars"


def in_warehouse_folder(
    args: list[str], environ: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    """dbt's arguments and environment with the warehouse named relative to its folder, after
    moving into that folder (created if missing, as for a parse before any refresh);
    unchanged when no `--vars` names an absolute warehouse path."""
    if VARS not in args[:-1]:
        return args, environ
    at = args.index(VARS) + 1
    variables = json.loads(args[at])
    path = Path(str(variables.get("warehouse_path", "")))
    if not path.is_absolute():
        return args, environ
    # dbt finds profiles.yml, and places relative target and log paths, by its working
    # directory (dagster-dbt's: the project's): keep them there.
    here = os.getcwd()
    env = {"DBT_PROFILES_DIR": environ.get("DBT_PROJECT_DIR", here), **environ}
    for name in ("DBT_PROFILES_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH"):
        if name in env:
            env[name] = os.path.join(here, env[name])
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(path.parent)
    variables["warehouse_path"] = path.name
    return [*args[:at], json.dumps(variables, sort_keys=True), *args[at + 1 :]], env


def main() -> None:
    os.setpgid(0, 0)
    dbt = str(Path(sys.executable).with_name("dbt"))
    args, env = in_warehouse_folder(sys.argv[1:], dict(os.environ))
    os.execve(dbt, [dbt, *args], env)
