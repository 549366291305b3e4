"""Generate the bundled synthetic sample exports from their designs.

``write_sample`` turns every design in ``designs/`` into the export file it names. For one
design: answers are dealt out to exactly the counts it gives (``answers``), each audit gets a
synthetic child, IRO and timings (``identities``), a few audits get an earlier submission that
their final one supersedes, and the submissions are numbered in completion order, rendered with
the catalogue's headers and labels (``rows``) and written as CSV or XLSX (``writers``).

A later "scale" mode (many audits, months and authorities, random distributions) only needs its
own way of producing ``Submission`` lists; rendering and writing stay as they are.
"""

import datetime as dt
import hashlib
import random
from dataclasses import replace
from pathlib import Path

from orchestration.lib.catalogue import FormCatalogue, load_catalogue
from sample.answers import Answers, assign_answers
from sample.design import Design, DesignError, Resubmission, load_design
from sample.identities import (
    Identity,
    Names,
    children,
    completion_time,
    iro_roster,
    load_names,
    review_date_before,
    started_before,
    working_days,
    working_minutes,
)
from sample.rows import Submission, headers, render_rows
from sample.writers import write_export

DESIGNS_DIR = Path(__file__).with_name("designs")

Draft = tuple[Identity, Answers]
"""A submission before it is numbered: who and when, and what was answered."""


def write_sample(out_dir: Path) -> list[Path]:
    """Write every designed sample export into ``out_dir``, and their sha256 sums beside it
    (``<out_dir>.sha256``: the demo profile's development key applies to these files only);
    returns the files written."""
    catalogue = load_catalogue()
    names = load_names()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [
        write_design(load_design(path, catalogue), catalogue, names, out_dir)
        for path in sorted(DESIGNS_DIR.glob("*.yaml"))
    ]
    sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in written]
    out_dir.with_name(f"{out_dir.name}.sha256").write_text(
        "".join(sorted(sums, key=lambda line: line.split()[1]))
    )
    return written


def write_design(design: Design, catalogue: FormCatalogue, names: Names, out_dir: Path) -> Path:
    """Generate one design's submissions and write them as the export file it names."""
    submissions = build_submissions(design, catalogue, names)
    return write_export(
        out_dir / design.file_name,
        headers(catalogue, design.form_version),
        render_rows(submissions, catalogue, design.form_version),
        stamp=max(s.identity.completed_at for s in submissions),
    )


def build_submissions(design: Design, catalogue: FormCatalogue, names: Names) -> list[Submission]:
    """Final submissions for every audit plus the superseded earlier ones, in completion order."""
    identities = audit_identities(design, names)
    finals = list(zip(identities, assign_answers(design, catalogue), strict=True))
    drafts = finals + earlier_submissions(design, finals)
    drafts.sort(key=lambda d: (d[0].completed_at, d[0].child_id))
    return [
        Submission(response_id=n, identity=identity, answers=answers)
        for n, (identity, answers) in enumerate(drafts, start=1)
    ]


def audit_identities(design: Design, names: Names) -> list[Identity]:
    """One synthetic child per audit, audited by one of the design's IROs on a working day."""
    rng = random.Random(f"{design.seed}:identities")
    roster = iro_roster(names, design.iros)
    days = working_days(design.completed_from, design.completed_to, design.closed_days)
    identities = []
    for child_id, child_name in children(names, design.audits, rng):
        completed = completion_time(days, rng)
        iro = rng.choice(roster)
        identities.append(
            Identity(
                started_at=started_before(completed, design.minutes_to_complete, rng),
                completed_at=completed,
                iro_email=iro.email,
                iro_name=iro.name,
                child_id=child_id,
                child_name=child_name,
                review_date=review_date_before(completed, design.review_lag_days, rng),
            )
        )
    return identities


def earlier_submissions(design: Design, finals: list[Draft]) -> list[Draft]:
    """For each designed resubmission, an earlier draft of a matching audit with other answers."""
    rng = random.Random(f"{design.seed}:resubmissions")
    taken: set[int] = set()
    drafts = []
    for i, resubmission in enumerate(design.resubmissions):
        candidates = [
            n
            for n, (identity, answers) in enumerate(finals)
            if n not in taken
            and _matches_final(resubmission, answers)
            and _earlier_slots(identity, design)
        ]
        if not candidates:
            raise DesignError(
                f"{design.name}: resubmissions.submissions[{i}]: no other audit has the final "
                f"answers {dict(resubmission.changes)} and room for an earlier submission"
            )
        n = rng.choice(candidates)
        taken.add(n)
        drafts.append(_earlier_draft(finals[n], resubmission, design, rng))
    return drafts


def _matches_final(resubmission: Resubmission, answers: Answers) -> bool:
    return all(answers.get(q) == (final,) for q, (final, _) in resubmission.changes.items())


def _earlier_slots(identity: Identity, design: Design) -> list[dt.datetime]:
    """Working minutes an earlier draft can fall on: after the review day, within the period,
    ``earlier_by_minutes`` before the final submission."""
    low, high = design.earlier_by_minutes
    earliest = max(
        identity.completed_at - dt.timedelta(minutes=high),
        dt.datetime.combine(identity.review_date + dt.timedelta(days=1), dt.time()),
        dt.datetime.combine(design.completed_from, dt.time()),
    )
    latest = identity.completed_at - dt.timedelta(minutes=low)
    return working_minutes(earliest, latest, design.closed_days)


def _earlier_draft(
    final: Draft, resubmission: Resubmission, design: Design, rng: random.Random
) -> Draft:
    identity, answers = final
    completed = rng.choice(_earlier_slots(identity, design))
    earlier_identity = replace(
        identity,
        completed_at=completed,
        started_at=started_before(completed, design.minutes_to_complete, rng),
    )
    changed = {q: (earlier,) for q, (_, earlier) in resubmission.changes.items()}
    return earlier_identity, {**answers, **changed}
