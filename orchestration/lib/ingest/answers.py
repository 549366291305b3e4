"""The long table of answers: one row per audit, question and selected code, built in bulk.

A choice column is factorised into its distinct values, each distinct value is resolved once
(AnswerResolver), and the rows are then laid out with numpy: a multi-select row becomes one row
per selected code, a blank or unrecognised answer one row with no code. Only codes are kept:
the cell's text is not, since an unrecognised answer may be anything a person typed (a name).
Text columns are Arrow dictionary arrays, so millions of answer rows cost a few integer
arrays, not millions of Python strings; DuckDB reads them as they are.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from orchestration.lib.catalogue import FormCatalogue, Question
from orchestration.lib.ingest.grid import Column
from orchestration.lib.ingest.values import AnswerResolver

STATUSES = ("answered", "blank", "unrecognised")
_TEXT = pa.dictionary(pa.int32(), pa.string())
ANSWER_SCHEMA = pa.schema(
    [
        ("source_row", pa.int32()),
        ("question_id", _TEXT),
        ("answer_code", _TEXT),
        ("answer_status", _TEXT),
    ]
)
ANSWER_COLUMNS = ANSWER_SCHEMA.names


@dataclass(frozen=True)
class Unrecognised:
    """Cells of one column whose answer is not one the form offers."""

    positions: np.ndarray  # row positions within the column
    shown: np.ndarray  # the cell as a finding may show it (values.Resolution.shown)
    problems: np.ndarray  # why, per cell


def _dictionary(indices: np.ndarray, values: list[str | None]) -> pa.DictionaryArray:
    """A dictionary array; index -1 is null."""
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32), mask=indices < 0), pa.array(values, type=pa.string())
    )


def _batch(
    question_id: str,
    source_rows: np.ndarray,
    code_index: np.ndarray,
    codes: list[str | None],
    status_index: np.ndarray,
) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [
            pa.array(source_rows, type=pa.int32()),
            _dictionary(np.zeros(len(source_rows), dtype=np.int32), [question_id]),
            _dictionary(code_index, codes),
            _dictionary(status_index, list(STATUSES)),
        ],
        schema=ANSWER_SCHEMA,
    )


def resolve_column(
    resolver: AnswerResolver, column: Column | np.ndarray, source_rows: np.ndarray
) -> tuple[pa.RecordBatch, Unrecognised]:
    """A choice column's answer rows, and its unrecognised cells."""
    if not isinstance(column, Column):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        column = Column(codes + 1, np.array([None, *uniques], dtype=object))
    resolutions = [resolver.resolve(v) for v in column.values]
    value = column.codes
    codes_of_value = [r.codes or (None,) for r in resolutions]
    counts = np.array([len(c) for c in codes_of_value], dtype=np.int64)
    repeats = counts[value]  # answer rows per cell: one per selected code, at least one
    row_position = np.repeat(np.arange(len(value)), repeats)
    answer_value = value[row_position]
    first_answer = np.cumsum(repeats) - repeats
    nth_code = np.arange(int(repeats.sum())) - np.repeat(first_answer, repeats)
    vocabulary = [o.code for o in resolver.options]
    flat = np.array(
        [vocabulary.index(c) if c is not None else -1 for cs in codes_of_value for c in cs],
        dtype=np.int64,
    )
    first_code = np.cumsum(counts) - counts
    batch = _batch(
        resolver.question.question_id,
        source_rows[row_position],
        flat[first_code[answer_value] + nth_code],
        list(vocabulary),
        np.array([STATUSES.index(r.status) for r in resolutions])[answer_value],
    )
    bad = np.array([r.status == "unrecognised" for r in resolutions])[value]
    problems = np.array([r.problem for r in resolutions], dtype=object)
    shown = np.array([r.shown for r in resolutions], dtype=object)
    positions = np.flatnonzero(bad)
    return batch, Unrecognised(positions, shown[value[positions]], problems[value[positions]])


def absent_column(question: Question, source_rows: np.ndarray) -> pa.RecordBatch:
    """A question the file has no column for: every audit's answer is blank."""
    none = np.full(len(source_rows), -1, dtype=np.int64)
    return _batch(
        question.question_id,
        source_rows,
        none,
        [],
        np.full(len(source_rows), STATUSES.index("blank")),
    )


def resolvers(catalogue: FormCatalogue, form_version: str) -> dict[str, AnswerResolver]:
    return {
        q.question_id: AnswerResolver(catalogue, q, form_version)
        for q in catalogue.questions_on(form_version)
        if q.is_choice
    }
