"""What a batch does, decided before anything is written: each content loads once, each name
holds its latest loadable content, and a refused file changes nothing that is loaded."""

from orchestration.ingest.plan import plan_batch


def plan(landed, current, refused=()):
    asked = []

    def loadable(sha: str) -> bool:
        asked.append(sha)
        return sha not in refused

    result = plan_batch(landed, current, loadable)
    return {d.source_file: (d.status, d.duplicate_of) for d in result.decisions}, result, asked


def test_new_files_load_and_known_ones_are_unchanged_without_being_parsed() -> None:
    statuses, result, asked = plan({"a.csv": "X", "b.csv": "Y"}, {"a.csv": "X"})

    assert statuses == {"a.csv": ("unchanged", None), "b.csv": ("loaded", None)}
    assert result.loads == {"Y": "b.csv"}
    assert asked == ["Y"]


def test_one_content_under_two_names_loads_once() -> None:
    statuses, result, asked = plan({"a.csv": "X", "copy/a.csv": "X"}, {})

    assert statuses == {"a.csv": ("loaded", None), "copy/a.csv": ("duplicate", "a.csv")}
    assert result.loads == {"X": "a.csv"}
    assert asked == ["X"]


def test_a_copy_of_a_loaded_file_is_a_duplicate_from_its_first_run() -> None:
    statuses, result, _ = plan({"b.csv": "X"}, {"a.csv": "X"})

    assert statuses == {"b.csv": ("duplicate", "a.csv")}
    assert result.loads == {} and result.retired_names == {}


def test_a_correction_retires_the_earlier_content() -> None:
    statuses, result, _ = plan({"a.csv": "Y"}, {"a.csv": "X"})

    assert statuses == {"a.csv": ("replaced", None)}
    assert result.retired_names == {"a.csv": "X"}
    assert result.loads == {"Y": "a.csv"}


def test_content_moved_to_another_name_stays_loaded_under_it() -> None:
    statuses, result, _ = plan({"a.csv": "Y", "b.csv": "X"}, {"a.csv": "X"})

    assert statuses == {"a.csv": ("replaced", None), "b.csv": ("loaded", None)}
    assert result.retired_names == {"a.csv": "X"}
    assert result.loads == {"Y": "a.csv", "X": "b.csv"}


def test_a_refused_correction_retires_nothing() -> None:
    statuses, result, _ = plan({"a.csv": "Z", "b.csv": "X"}, {"a.csv": "X"}, refused={"Z"})

    assert statuses == {"a.csv": ("refused", None), "b.csv": ("duplicate", "a.csv")}
    assert result.retired_names == {} and result.loads == {}


def test_a_name_corrected_to_a_copy_of_another_loaded_file_gives_up_its_rows() -> None:
    statuses, result, asked = plan({"a.csv": "Y"}, {"a.csv": "X", "b.csv": "Y"})

    assert statuses == {"a.csv": ("duplicate", "b.csv")}
    assert result.retired_names == {"a.csv": "X"}
    assert asked == []  # Y is known to load: it is loaded
