"""Decide what a batch of landed files does to the warehouse, before anything is written.

The rules, whatever order files arrive in:
- a content (sha256) is loaded once, under the first name that holds it; another name holding
  the same content is a duplicate and loads nothing;
- a name holds the rows of the content last landed under it: when a file's content changes
  to one that can be loaded (it parses, or it is already loaded under another name), the
  earlier content's rows are retired, unless another landed file still holds that content,
  which is then loaded under that file's name;
- a refused file changes nothing that is loaded: a broken correction leaves the earlier
  version's rows in place.
Files no longer in the landing folder stay loaded: the archive holds them.

The rules see one batch. With one file per batch (ingest partitioned by file), content moved
from a.csv to b.csv is first a duplicate of a.csv and loads under b.csv in the batch after
a.csv's correction retires it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Decision:
    source_file: str
    file_sha256: str
    status: str  # loaded | replaced | unchanged | duplicate | refused
    duplicate_of: str | None = None  # the file whose rows hold this content
    retires: str | None = None  # sha256 of the earlier content of this name, now retired


@dataclass(frozen=True)
class Plan:
    decisions: list[Decision]
    loads: dict[str, str] = field(default_factory=dict)  # sha256 -> name it loads under
    retired_names: dict[str, str] = field(default_factory=dict)  # name -> its retired sha256


def plan_batch(
    landed: Mapping[str, str],
    current: Mapping[str, str],
    loadable: Callable[[str], bool],
) -> Plan:
    """`landed`: name -> sha256 of the files in this batch; `current`: name -> sha256 of the
    files whose rows are in the warehouse; `loadable(sha256)`: whether that content can be
    loaded (parses without refusal), asked lazily, at most once per content."""
    current_name_of = {sha: name for name, sha in current.items()}

    def valid(sha: str) -> bool:
        return sha in current_name_of or loadable(sha)

    retired = {
        name: current[name]
        for name, sha in sorted(landed.items())
        if name in current and current[name] != sha and valid(sha)
    }
    staying = {sha: name for name, sha in current.items() if name not in retired}
    loads: dict[str, str] = {}
    decisions = []
    for name, sha in sorted(landed.items()):
        retires = retired.get(name)
        if current.get(name) == sha:
            decisions.append(Decision(name, sha, "unchanged"))
        elif sha in staying:
            decisions.append(Decision(name, sha, "duplicate", staying[sha], retires))
        elif sha in loads:
            decisions.append(Decision(name, sha, "duplicate", loads[sha], retires))
        elif loadable(sha):
            loads[sha] = name
            decisions.append(
                Decision(name, sha, "replaced" if retires else "loaded", None, retires)
            )
        else:
            decisions.append(Decision(name, sha, "refused"))
    return Plan(decisions, loads, retired)
