"""What a batch does, decided before anything is written: each name holds its latest loadable
content, each content loads once while any name holds it, a refused file changes nothing that
is loaded, and a withdrawn name holds nothing."""

from orchestration.lib.ingest.plan import plan_batch

LA = "E10000014"


def plan(names, holders, landed, loadable=(), withdraw=(), authority=None):
    every = {*names, *holders.values(), *landed, *withdraw}
    result = plan_batch(
        names, holders, landed, set(loadable), authority or dict.fromkeys(every, LA), withdraw
    )
    return {d.source_file: (d.status, d.duplicate_of) for d in result.decisions}, result


def test_new_files_load_and_known_ones_are_unchanged() -> None:
    statuses, result = plan({"a.csv": "X"}, {"X": "a.csv"}, {"a.csv": "X", "b.csv": "Y"}, {"Y"})

    assert statuses == {"a.csv": ("unchanged", None), "b.csv": ("loaded", None)}
    assert result.holders == {"X": "a.csv", "Y": "b.csv"}
    assert result.removed == [] and result.moved == {}


def test_one_content_under_two_names_loads_once_under_the_first() -> None:
    statuses, result = plan({}, {}, {"a.csv": "X", "copy/a.csv": "X"}, {"X"})

    assert statuses == {"a.csv": ("loaded", None), "copy/a.csv": ("duplicate", "a.csv")}
    assert result.names == {"a.csv": "X", "copy/a.csv": "X"}
    assert result.holders == {"X": "a.csv"}


def test_a_copy_of_a_loaded_file_is_a_duplicate_that_counts_as_a_name() -> None:
    statuses, result = plan({"a.csv": "X"}, {"X": "a.csv"}, {"b.csv": "X"})

    assert statuses == {"b.csv": ("duplicate", "a.csv")}
    assert result.names == {"a.csv": "X", "b.csv": "X"}
    assert result.removed == []


def test_a_correction_removes_the_earlier_content() -> None:
    statuses, result = plan({"a.csv": "X"}, {"X": "a.csv"}, {"a.csv": "Y"}, {"Y"})

    assert statuses == {"a.csv": ("replaced", None)}
    assert result.removed == ["X"]
    assert result.holders == {"Y": "a.csv"}


def test_content_moved_to_another_name_keeps_its_rows_under_that_name() -> None:
    statuses, result = plan({"a.csv": "X"}, {"X": "a.csv"}, {"a.csv": "Y", "b.csv": "X"}, {"Y"})

    assert statuses == {"a.csv": ("replaced", None), "b.csv": ("loaded", None)}
    assert result.removed == []
    assert result.moved == {"X": "b.csv"}


def test_a_refused_correction_changes_nothing() -> None:
    statuses, result = plan({"a.csv": "X"}, {"X": "a.csv"}, {"a.csv": "Z", "b.csv": "X"})

    assert statuses == {"a.csv": ("refused", None), "b.csv": ("duplicate", "a.csv")}
    assert result.names == {"a.csv": "X", "b.csv": "X"}
    assert result.removed == [] and result.moved == {}


def test_a_name_corrected_to_a_copy_of_another_loaded_file_gives_up_its_rows() -> None:
    statuses, result = plan(
        {"a.csv": "X", "b.csv": "Y"}, {"X": "a.csv", "Y": "b.csv"}, {"a.csv": "Y"}
    )

    assert statuses == {"a.csv": ("duplicate", "b.csv")}
    assert result.removed == ["X"]


def test_withdrawing_the_only_name_of_a_content_removes_its_rows() -> None:
    statuses, result = plan(
        {"a.csv": "X", "b.csv": "Y"}, {"X": "a.csv", "Y": "b.csv"}, {}, (), ["a.csv"]
    )

    assert statuses == {"a.csv": ("withdrawn", None)}
    assert result.names == {"b.csv": "Y"}
    assert result.removed == ["X"]


def test_a_content_stays_until_every_name_holding_it_is_withdrawn() -> None:
    names, holders = {"a.csv": "X", "b.csv": "X"}, {"X": "a.csv"}

    _, first = plan(names, holders, {}, (), ["a.csv"])
    _, second = plan(first.names, first.holders, {}, (), ["b.csv"])

    assert first.removed == [] and first.moved == {"X": "b.csv"}
    assert second.removed == ["X"] and second.names == {}


def test_a_copy_deleted_then_the_other_name_corrected_leaves_the_correction_alone() -> None:
    # a.csv and b.csv held X; a.csv is withdrawn (its file gone), b.csv corrected to Y:
    # nothing holds X any more, so none of its audits count.
    _, after_withdrawal = plan({"a.csv": "X", "b.csv": "X"}, {"X": "a.csv"}, {}, (), ["a.csv"])
    statuses, result = plan(after_withdrawal.names, after_withdrawal.holders, {"b.csv": "Y"}, {"Y"})

    assert statuses == {"b.csv": ("replaced", None)}
    assert result.removed == ["X"] and result.holders == {"Y": "b.csv"}


def test_a_copy_of_another_authoritys_file_is_refused() -> None:
    authority = {"E1/a.csv": "E1", "E2/a.csv": "E2"}
    statuses, result = plan(
        {"E1/a.csv": "X"}, {"X": "E1/a.csv"}, {"E2/a.csv": "X"}, authority=authority
    )

    assert statuses == {"E2/a.csv": ("refused", None)}
    assert "same file as E1/a.csv, which is in another authority's folder" in (
        result.decisions[0].reason or ""
    )
    assert result.names == {"E1/a.csv": "X"}
