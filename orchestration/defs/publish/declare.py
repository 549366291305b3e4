"""What every publish asset declares alike: its key under publish/, the publish group, the
owners, the dbt exposure naming what it reads, and (for one that reads the warehouse) the pool
that keeps it off the warehouse while a writer holds it; and how a blocking check lists the
problems it found."""

from collections.abc import Mapping, Sequence

import dagster as dg

from orchestration.defs import OWNERS
from orchestration.defs.resources import WAREHOUSE_POOL

MAX_LISTED_PROBLEMS = 50


def publish_asset(
    name: str,
    *,
    deps: Sequence[dg.AssetKey],
    kinds: set[str],
    description: str,
    exposure: str | None = None,
    metadata: Mapping[str, object] | None = None,
    reads_warehouse: bool = True,
):
    """The decorator of the asset publish/<name>. One that reads the warehouse joins its pool:
    not while a writer (dbt, ingest) holds it, nor while a release is being decided."""
    return dg.asset(
        key=dg.AssetKey(["publish", name]),
        deps=deps,
        group_name="publish",
        kinds=kinds,
        owners=OWNERS,
        metadata={**({"dbt_exposure": exposure} if exposure else {}), **(metadata or {})},
        pool=WAREHOUSE_POOL if reads_warehouse else None,
        description=description,
    )


def problem_list(problems: Sequence[object]) -> str:
    """The problems as a Markdown list for a check's metadata, the first 50 of them: enough to
    act on, and a check result stays small however broken the release."""
    listed = "\n".join(f"- {p}" for p in problems[:MAX_LISTED_PROBLEMS])
    if len(problems) > MAX_LISTED_PROBLEMS:
        listed += f"\n- ... and {len(problems) - MAX_LISTED_PROBLEMS} more"
    return listed or "none"
