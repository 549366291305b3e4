"""Synthetic exports at national scale: N audits over M months and K authorities.

The bundled sample is designed answer by answer to reproduce a report; a benchmark needs
millions of audits instead, drawn at random but reproducibly from a seed. This mode writes
what a regional hub receives: one folder per authority, named by its code, holding one CSV
export per month (`<la_code>/care_plan_audit_YYYY-MM.csv`), each on the form version in use
that month, with the catalogue's headers and labels (the same files an IRO's form tool writes).

The authorities are made up: codes shaped like ONS codes in a range no real authority uses
(E069xxxxx), each with its districts (North, South, ...) listed in the reference data
(seeds/catalogue/districts.csv, marked is_synthetic). The generator writes only those
authorities and districts, so its exports load as a real authority's do: every district is
recognised, not millions of findings. More authorities are a data change: add rows there.

Answers are realistic rather than uniform: each authority has its own answer mix per question
(a yes/no question is answered "yes" 55-90% of the time, the other options share the rest,
not-applicable options are rarer), about 2% of answers are left blank, a follow-up is blank
whenever the skip logic says it was not asked, multi-selects pick one or more options (an
exclusive option alone), and about 1% of audits have an earlier submission in the same file
that the final one supersedes. Everything is vectorised with numpy: a row is never a Python
loop over its answers, so two million audits take about a minute.
"""

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from orchestration.lib.catalogue import FormCatalogue, Question, load_catalogue
from orchestration.paths import CATALOGUE_DIR
from sample.identities import WORKDAY_MINUTES, WORKDAY_START, load_names

BLANK_RATE = 0.02
RESUBMISSION_RATE = 0.01
IROS_PER_AUTHORITY = 20
DISTRICTS = "districts"  # the reference data of the district question
DEFAULT_LAST_MONTH = dt.date(2025, 12, 1)
UK_DATETIME = "%d/%m/%Y %H:%M"
UK_DATE = "%d/%m/%Y"


@dataclass(frozen=True)
class ScalePlan:
    """How many audits each authority has in each month, and when each form was in use."""

    audits: int
    months: tuple[dt.date, ...]  # first day of each month, oldest first
    authorities: tuple[str, ...]  # la codes
    seed: int

    def files(self) -> Iterator[tuple[str, dt.date, int]]:
        """(la_code, month, audits) for every export, audits spread as evenly as possible,
        larger authorities getting more (fixed sizes from the seed)."""
        rng = np.random.default_rng([self.seed, 0])
        weights = rng.uniform(0.5, 1.5, len(self.authorities))
        cells = np.outer(weights, np.ones(len(self.months))).ravel()
        counts = _apportion(self.audits, cells / cells.sum())
        for n, (la, month) in enumerate(
            (la, month) for la in self.authorities for month in self.months
        ):
            yield la, month, int(counts[n])


def _apportion(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole counts adding up to `total` in these shares (largest remainders)."""
    exact = shares * total
    counts = np.floor(exact).astype(np.int64)
    leftover = total - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:leftover]] += 1
    return counts


def authority_codes(count: int) -> tuple[str, ...]:
    """The first `count` synthetic authorities of the reference data."""
    listed = load_catalogue().references[DISTRICTS].synthetic_authorities()
    if count > len(listed):
        raise ValueError(
            f"the reference data lists {len(listed)} synthetic authorities "
            f"(seeds/catalogue/{DISTRICTS}.csv, is_synthetic), not {count}: add rows for more"
        )
    return tuple(listed[:count])


def month_range(months: int, last: dt.date = DEFAULT_LAST_MONTH) -> tuple[dt.date, ...]:
    """`months` consecutive months ending with `last`."""
    index = last.year * 12 + last.month - 1
    return tuple(dt.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1))


def form_version_in(catalogue: FormCatalogue, month: dt.date) -> str:
    """The newest form version first used on or before the month's last day (the oldest
    before any was)."""
    used = _first_used()
    in_use = [v for v in catalogue.versions if used[v] <= _month_end(month)]
    return in_use[-1] if in_use else catalogue.versions[0]


def _first_used() -> dict[str, dt.date]:
    with (CATALOGUE_DIR / "form_versions.csv").open(newline="", encoding="utf-8") as f:
        return {
            r["form_version"]: dt.date.fromisoformat(r["first_used"]) for r in csv.DictReader(f)
        }


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def write_scale_exports(
    out_dir: Path,
    audits: int,
    months: int,
    authorities: int,
    *,
    seed: int = 2024,
    last_month: dt.date = DEFAULT_LAST_MONTH,
    only_months: set[dt.date] | None = None,
) -> list[Path]:
    """Write the exports of `audits` audits over `months` months ending with `last_month`, for
    `authorities` authorities; `only_months` writes just those months' files (the same files a
    full run writes, so a benchmark can land one more month later)."""
    catalogue = load_catalogue()
    plan = ScalePlan(audits, month_range(months, last_month), authority_codes(authorities), seed)
    writer = _ExportWriter(catalogue, seed)
    written = []
    for la, month, count in plan.files():
        if only_months is not None and month not in only_months:
            continue
        path = out_dir / la / f"care_plan_audit_{month:%Y-%m}.csv"
        written.append(writer.write(path, la, month, count))
    return written


class _ExportWriter:
    """Draws and writes one export at a time; per-authority answer mixes are fixed by seed."""

    def __init__(self, catalogue: FormCatalogue, seed: int) -> None:
        self.catalogue = catalogue
        self.seed = seed
        self.names = load_names()

    def _authority_rng(self, la: str, purpose: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(la[3:]), purpose])

    def write(self, path: Path, la: str, month: dt.date, audits: int) -> Path:
        version = form_version_in(self.catalogue, month)
        rng = np.random.default_rng([self.seed, int(la[3:]), month.year, month.month])
        questions = self.catalogue.questions_on(version)
        resubmitted = rng.random(audits) < RESUBMISSION_RATE
        rows = audits + int(resubmitted.sum())
        # Earlier drafts repeat their audit's identity and answers, a little earlier.
        source = np.concatenate([np.arange(audits), np.flatnonzero(resubmitted)])
        identity = self._identities(rng, la, month, audits)
        earlier_by = np.concatenate(
            [np.zeros(audits, dtype=np.int64), rng.integers(30, 600, rows - audits)]
        )
        completed = identity["completed"][source] - earlier_by.astype("timedelta64[m]")
        started = completed - rng.integers(5, 45, rows).astype("timedelta64[m]")
        order = np.lexsort((source, completed))
        columns: dict[str, np.ndarray] = {
            "response_id": np.arange(1, rows + 1).astype(str),
            "started_at": _format(started[order], UK_DATETIME),
            "completed_at": _format(completed[order], UK_DATETIME),
        }
        for key in ("iro_email", "iro_name", "child_id", "child_name", "district"):
            columns[key] = identity[key][source][order]
        columns["review_date"] = _format(identity["review"][source][order], UK_DATE)
        answers = self._answers(rng, la, questions, version, audits)
        redrawn = self._answers(rng, la, questions, version, rows - audits)
        for question in questions:
            if question.is_choice:
                drafted = np.concatenate(
                    [answers[question.question_id], redrawn[question.question_id]]
                )
                columns[question.question_id] = drafted[order]
        header = [q.header_for(version) for q in questions]
        table = pa.table(
            [pa.array(columns[q.question_id], type=pa.string()) for q in questions], names=header
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        pa_csv.write_csv(
            table, path, pa_csv.WriteOptions(quoting_style="needed", include_header=True)
        )
        return path

    def _identities(
        self, rng: np.random.Generator, la: str, month: dt.date, audits: int
    ) -> dict[str, np.ndarray]:
        """Who and when: a working day and minute in the month, a review a few days before,
        a child of the authority (children are reviewed again in later months), an IRO."""
        days = np.arange(np.datetime64(month, "D"), np.datetime64(_month_end(month), "D") + 1)
        days = days[np.is_busday(days)]
        day = days[rng.integers(0, len(days), audits)]
        start = np.datetime64(f"2000-01-01T{WORKDAY_START:%H:%M}") - np.datetime64("2000-01-01")
        completed = (
            day.astype("datetime64[m]")
            + start.astype("timedelta64[m]")
            + rng.integers(0, WORKDAY_MINUTES, audits).astype("timedelta64[m]")
        )
        review = day - rng.integers(1, 21, audits).astype("timedelta64[D]")
        # A child pool large enough that one child rarely has two reviews on one day.
        child = 1_000_000 + rng.integers(0, 8_000_000, audits)
        firsts = np.array(self.names.child_first_names)
        lasts = np.array(self.names.surnames)
        child_names = np.char.add(
            np.char.add(firsts[rng.integers(0, len(firsts), audits)], " "),
            lasts[rng.integers(0, len(lasts), audits)],
        )
        roster = self._roster(la)
        iro = rng.integers(0, len(roster[0]), audits)
        reference = self.catalogue.references[DISTRICTS]
        districts = np.array([item.label for item in reference.of(la)])
        return {
            "completed": completed,
            "review": review,
            "child_id": child.astype(str),
            "child_name": child_names.astype(object),
            "iro_name": roster[0][iro],
            "iro_email": roster[1][iro],
            "district": districts[rng.integers(0, len(districts), audits)].astype(object),
        }

    def _roster(self, la: str) -> tuple[np.ndarray, np.ndarray]:
        rng = self._authority_rng(la, 1)
        firsts = rng.choice(self.names.iro_first_names, IROS_PER_AUTHORITY)
        lasts = rng.choice(self.names.surnames, IROS_PER_AUTHORITY)
        names = np.array([f"{f} {s}" for f, s in zip(firsts, lasts, strict=True)], dtype=object)
        emails = np.array(
            [
                f"{f}.{s}@{la.lower()}.{self.names.email_domain}".lower().replace(" ", "")
                for f, s in zip(firsts, lasts, strict=True)
            ],
            dtype=object,
        )
        return names, emails

    def _answers(
        self,
        rng: np.random.Generator,
        la: str,
        questions: list[Question],
        version: str,
        audits: int,
    ) -> dict[str, np.ndarray]:
        """Each choice question's cells as labels, in form order so follow-ups see their
        trigger's answer: blank where the skip logic says the form did not ask it."""
        codes: dict[str, np.ndarray] = {}
        cells: dict[str, np.ndarray] = {}
        for question in questions:
            if not question.is_choice:
                continue
            options = self.catalogue.options_on(question, version)
            mix = self._mix(
                la, question, [o.code for o in options], [o.excluded_from_answered for o in options]
            )
            if question.question_type == "single":
                drawn = rng.choice(len(options) + 1, size=audits, p=mix)
                code_of = np.array([o.code for o in options] + [""], dtype=object)
                label_of = np.array([o.label for o in options] + [""], dtype=object)
                chosen_codes, chosen_cells = code_of[drawn], label_of[drawn]
            else:
                chosen_codes, chosen_cells = _multi_select(rng, options, mix, audits)
            trigger = question.asked_when_question
            if trigger is not None:
                asked = np.isin(codes.get(trigger, np.full(audits, "")), question.asked_when_codes)
                chosen_codes = np.where(asked, chosen_codes, "")
                chosen_cells = np.where(asked, chosen_cells, "")
            codes[question.question_id] = chosen_codes
            cells[question.question_id] = chosen_cells
        return cells

    def _mix(
        self, la: str, question: Question, codes: list[str], not_applicable: list[bool]
    ) -> np.ndarray:
        """This authority's chance of each option, then of a blank: yes/no questions lean to
        "yes", other questions (age band, ...) get a random spread; not-applicable is rare."""
        rng = np.random.default_rng([self.seed, int(la[3:]), 2, question.sort_order])
        weights = rng.dirichlet(np.full(len(codes), 2.0))
        if len(codes) > 1 and codes[0] == "yes":
            yes = rng.uniform(0.55, 0.9)
            weights = np.concatenate([[yes], weights[1:] / weights[1:].sum() * (1 - yes)])
        weights = np.where(not_applicable, weights * 0.2, weights)
        weights = weights / weights.sum() * (1 - BLANK_RATE)
        return np.append(weights, BLANK_RATE)


def _multi_select(
    rng: np.random.Generator, options: list, mix: np.ndarray, audits: int
) -> tuple[np.ndarray, np.ndarray]:
    """One or more options per audit (an exclusive option alone), written "A;B;" in form
    order; blank at the blank rate. A subset is a bit mask, looked up in a table of cells."""
    width = len(options)
    exclusive = np.array([o.is_exclusive for o in options])
    picked = rng.random((audits, width)) < np.clip(mix[:width] * 2, 0.05, 0.8)
    picked &= ~exclusive
    empty = ~picked.any(axis=1)
    fallback = rng.choice(width, size=audits, p=mix[:width] / mix[:width].sum())
    picked[np.flatnonzero(empty), fallback[empty]] = True  # may be exclusive: then alone
    mask = picked.astype(np.int64) @ (1 << np.arange(width))
    mask[rng.random(audits) < BLANK_RATE] = 0
    labels = [o.label for o in options]
    cells = np.array(
        ["".join(f"{labels[i]};" for i in range(width) if m >> i & 1) for m in range(1 << width)],
        dtype=object,
    )
    # Codes only matter for skip logic, which no question conditions on a multi-select.
    return np.where(mask == 0, "", "selected").astype(object), cells[mask]


def _format(values: np.ndarray, pattern: str) -> np.ndarray:
    """Datetimes as the form tool prints them (UK day first), via pandas' vectorised strftime."""
    return pd.DatetimeIndex(values).strftime(pattern).to_numpy(dtype=object)
