"""A large export made from the bundled 2022 sample: its rows repeated, each repeat a new child
and response, so the audits stay realistic (the sample's answer mix, labels and dates) at any
size. For the ingest benchmark and for tests that need an ingest to take a while."""

import csv
from pathlib import Path

from orchestration.paths import SAMPLE_EXTRACTS_DIR

SOURCE = SAMPLE_EXTRACTS_DIR / "care_plan_audit_2022-08.csv"
CHILD_HEADER = "Child's ICS number"
RESPONSE_HEADER = "ID"
FIRST_CHILD = 20_000_000


def write_scaled_export(path: Path, rows: int) -> Path:
    """Write a CSV export of `rows` audits on the 2022 form, like the bundled sample's."""
    with SOURCE.open(newline="", encoding="utf-8") as f:
        header, *sample = list(csv.reader(f))
    child, response = header.index(CHILD_HEADER), header.index(RESPONSE_HEADER)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for number in range(rows):
            row = list(sample[number % len(sample)])
            row[child] = str(FIRST_CHILD + number)
            row[response] = str(number + 1)
            writer.writerow(row)
    return path
