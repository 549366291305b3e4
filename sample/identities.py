"""Synthetic identities and timings: who audited which child, and when.

These fill the columns the form tool and the IRO write about the audit itself (the
``IDENTITY_COLUMNS`` of the design). Everything is drawn from invented name lists
(``names.yaml``) and seeded random numbers, so no real person's data can appear.
"""

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

NAMES_FILE = Path(__file__).with_name("names.yaml")

WORKDAY_START = dt.time(8, 30)
WORKDAY_MINUTES = 9 * 60  # submissions fall between 08:30 and 17:30


@dataclass(frozen=True)
class Names:
    """The invented name lists every synthetic person is built from."""

    roster_seed: int
    email_domain: str
    iro_first_names: tuple[str, ...]
    child_first_names: tuple[str, ...]
    surnames: tuple[str, ...]


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Identity:
    """One submission's identity columns; field names are the catalogue's question ids."""

    started_at: dt.datetime
    completed_at: dt.datetime
    iro_email: str
    iro_name: str
    child_id: str
    child_name: str
    review_date: dt.date


def load_names(path: Path = NAMES_FILE) -> Names:
    """Read the name lists (plain YAML; no yes/no codes here)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Names(
        roster_seed=int(raw["roster_seed"]),
        email_domain=str(raw["email_domain"]),
        iro_first_names=tuple(raw["iro_first_names"]),
        child_first_names=tuple(raw["child_first_names"]),
        surnames=tuple(raw["surnames"]),
    )


def iro_roster(names: Names, count: int) -> list[Person]:
    """The first ``count`` IROs of one fixed roster, so the same IROs appear in every year."""
    rng = random.Random(names.roster_seed)
    size = min(len(names.iro_first_names), len(names.surnames))
    if count > size:
        raise ValueError(f"asked for {count} IROs but the name lists make at most {size}")
    firsts = rng.sample(names.iro_first_names, size)
    lasts = rng.sample(names.surnames, size)
    return [
        Person(name=f"{first} {last}", email=f"{first}.{last}@{names.email_domain}".lower())
        for first, last in zip(firsts[:count], lasts[:count], strict=True)
    ]


def children(names: Names, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Distinct (7-digit case number, name) pairs: one child per audit."""
    pairs = [(f, s) for f in names.child_first_names for s in names.surnames]
    if count > len(pairs):
        raise ValueError(f"asked for {count} children but the name lists make {len(pairs)}")
    case_numbers = rng.sample(range(1_000_000, 10_000_000), count)
    return [
        (str(number), f"{first} {last}")
        for number, (first, last) in zip(case_numbers, rng.sample(pairs, count), strict=True)
    ]


def working_days(start: dt.date, end: dt.date, closed: tuple[dt.date, ...] = ()) -> list[dt.date]:
    """Monday to Friday between two dates inclusive, less bank holidays: IROs' working days."""
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5 and day not in closed]


def completion_time(days: list[dt.date], rng: random.Random) -> dt.datetime:
    """A working-hours submission time, to the minute (the export shows no seconds)."""
    minute = rng.randrange(WORKDAY_MINUTES)
    start = dt.datetime.combine(rng.choice(days), WORKDAY_START)
    return start + dt.timedelta(minutes=minute)


def working_minutes(
    start: dt.datetime, end: dt.datetime, closed: tuple[dt.date, ...] = ()
) -> list[dt.datetime]:
    """Every whole minute of working hours on working days from ``start`` to ``end``, inclusive."""
    slots: list[dt.datetime] = []
    for day in working_days(start.date(), end.date(), closed):
        opens = dt.datetime.combine(day, WORKDAY_START)
        first = max(opens, start)
        last = min(opens + dt.timedelta(minutes=WORKDAY_MINUTES - 1), end)
        count = int((last - first).total_seconds() // 60) + 1
        slots += [first + dt.timedelta(minutes=m) for m in range(max(count, 0))]
    return slots


def review_date_before(
    completed: dt.datetime, lag_days: tuple[int, int], rng: random.Random
) -> dt.date:
    """A weekday review a few days before the audit: the audit follows the CLA review."""
    review = completed.date() - dt.timedelta(days=rng.randint(*lag_days))
    while review.weekday() >= 5:
        review -= dt.timedelta(days=1)
    return review


def started_before(
    completed: dt.datetime, minutes: tuple[int, int], rng: random.Random
) -> dt.datetime:
    """The form was opened a few minutes before it was submitted."""
    return completed - dt.timedelta(minutes=rng.randint(*minutes))
