"""What an ingest did, in words: the per-file table the Dagster UI shows on the ingest asset,
and the sentence a withdrawal prints. Free of Dagster, so it is tested directly."""

from collections import Counter

from orchestration.lib.ingest.run import FileOutcome

LISTED_FILES = 25


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _needs_a_look(outcome: FileOutcome) -> bool:
    return outcome.status in ("refused", "replaced", "skipped", "withdrawn") or outcome.findings > 0


def files_summary(outcomes: list[FileOutcome], months: dict[str, list[str]]) -> str:
    """The per-file Markdown table shown on the ingest asset in the Dagster UI: refused,
    replaced and files with findings first, at most LISTED_FILES rows. Dagster repeats a
    run's metadata on every partition it materialises, so an unbounded table over a hub's
    thousands of files would grow the event log with the square of their number."""
    lines = [
        "| file | status | months | form | format | rows read | loaded | rejected "
        "| missing answers | warnings | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ordered = sorted(outcomes, key=lambda o: not _needs_a_look(o))
    for o in ordered[:LISTED_FILES]:
        shape = " ".join(cell(v) for v in (o.file_format, o.encoding or o.sheet_name) if v)
        read = o.status in ("loaded", "replaced")  # the others were not read into rows now
        counts = (o.rows_read, o.rows_loaded, o.rows_rejected, o.missing_answers, o.warnings)
        lines.append(
            f"| {cell(o.source_file)} | {o.status} | {', '.join(months.get(o.source_file, []))} "
            f"| {cell(o.form_version)} | {shape} | "
            + " | ".join(str(n) if read else "" for n in counts)
            + f" | {cell(o.note)} |"
        )
    if rest := ordered[LISTED_FILES:]:
        statuses = Counter(o.status for o in rest)
        lines += [
            "",
            f"and {len(rest)} more file(s), with no findings: "
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            + ". Every finding is in ingest_report.csv.",
        ]
    return "\n".join(lines)


def withdrawal_summary(outcome: FileOutcome) -> str:
    """What a withdrawal did, in a sentence: the audits that left and the periods changed."""
    months = ", ".join(outcome.months_changed) or "none"
    return (
        f"{outcome.source_file}: WITHDRAWN, {outcome.audits_removed} audit(s) left the "
        f"warehouse; months whose figures change: {months}; {outcome.note}"
    )
