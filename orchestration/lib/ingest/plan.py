"""Decide what a batch of landed (and withdrawn) files does to the warehouse: a pure function
of what the warehouse holds and what the batch brings, so the rules can be read, and tested,
without a database.

The state is two maps. `names`: every file name that counts (landed, not withdrawn) -> the
content (sha256) it holds now. `holders`: every content whose rows are in the warehouse -> the
one name its rows are recorded under. The rules, whatever order files arrive in:
- a name holds the content last landed under it that can be loaded (it parses, or it is
  loaded already); a refused file changes nothing that is loaded, so a broken correction
  leaves the earlier version counted;
- a withdrawn name holds nothing;
- a content's rows are in the warehouse exactly while some name holds it, loaded once
  whatever number of names hold it (the others are duplicates of its holder); when its holder
  lets go of it (corrected or withdrawn) and another name still holds it, its rows move to
  that name rather than leave;
- an export belongs to one authority: a name holding a content already held in another
  authority's folder is refused.
So the warehouse after any sequence of landings, corrections, copies and withdrawals holds
what loading the final set of names from scratch would. Files deleted from the landing folder
still count until they are withdrawn: deleting is not withdrawing (docs/ingest.md).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decision:
    source_file: str
    file_sha256: str
    status: str  # loaded | replaced | unchanged | duplicate | refused | withdrawn
    duplicate_of: str | None = None  # the name whose rows hold this content
    replaces: str | None = None  # sha256 this name held before the batch
    reason: str | None = None  # why refused, when the plan itself refuses it


@dataclass(frozen=True)
class Plan:
    decisions: list[Decision]
    names: dict[str, str]  # name -> sha256, for every name that counts after the batch
    holders: dict[str, str]  # sha256 -> name, for every content loaded after the batch
    removed: list[str] = field(default_factory=list)  # contents whose rows leave
    moved: dict[str, str] = field(default_factory=dict)  # sha256 -> new holder, rows kept


def first_holder(landed: Mapping[str, str], sha: str) -> str:
    """The name a new content's rows are loaded under: the first, in name order, holding it."""
    return min(name for name, held in landed.items() if held == sha)


def plan_batch(
    names: Mapping[str, str],
    holders: Mapping[str, str],
    landed: Mapping[str, str],
    loadable: Collection[str],
    authority: Mapping[str, str],
    withdraw: Collection[str] = (),
) -> Plan:
    """`names`, `holders`: the warehouse's state (module docstring); `landed`: name -> sha256
    of the files this batch read; `loadable`: the new contents that parsed; `authority`:
    name -> la_code for every name involved; `withdraw`: names to withdraw (each holding a
    content now)."""
    after = {name: sha for name, sha in names.items() if name not in withdraw}
    owner = {sha: authority[name] for sha, name in holders.items()}
    decisions = [Decision(name, names[name], "withdrawn") for name in sorted(withdraw)]
    changed: list[str] = []
    for name, sha in sorted(landed.items()):
        if after.get(name) == sha:
            decisions.append(Decision(name, sha, "unchanged"))
        elif sha not in holders and sha not in loadable:
            decisions.append(Decision(name, sha, "refused"))
        elif owner.setdefault(sha, authority[name]) != authority[name]:
            holder = holders.get(sha) or first_holder(landed, sha)
            decisions.append(Decision(name, sha, "refused", reason=_other_authority(holder)))
        else:
            after[name] = sha
            changed.append(name)
    counted = set(after.values())
    new_holders: dict[str, str] = {}
    for sha in sorted(counted):
        holder = holders.get(sha)
        if holder is None or after.get(holder) != sha:
            arriving = sorted(n for n in changed if after[n] == sha)
            holder = arriving[0] if arriving else min(n for n, s in after.items() if s == sha)
        new_holders[sha] = holder
    for name in changed:
        sha, before = after[name], names.get(name)
        if new_holders[sha] != name:
            decisions.append(Decision(name, sha, "duplicate", new_holders[sha], before))
        else:
            decisions.append(Decision(name, sha, "replaced" if before else "loaded", None, before))
    return Plan(
        decisions=sorted(decisions, key=lambda d: d.source_file),
        names=after,
        holders=new_holders,
        removed=sorted(set(holders) - counted),
        moved={
            sha: holder
            for sha, holder in new_holders.items()
            if sha in holders and holders[sha] != holder
        },
    )


def _other_authority(holder: str) -> str:
    return (
        f"is byte for byte the same file as {holder}, which is in another authority's "
        "folder: an export belongs to one authority, so check which folder it was put in"
    )
