"""Which published counts are one count and which add up, read from the real metric
catalogue: what disclosure control needs to know about every way to subtract."""

import pytest

from orchestration.lib.publish.metric_cells import ALL_AUDITS, NOT_ANSWERED, MetricCells
from orchestration.lib.publish.open_data import _metric_cells


@pytest.fixture(scope="module")
def cells(catalogue) -> MetricCells:
    return _metric_cells(catalogue)


def identity_with(cells: MetricCells, total, parts):
    for identity in cells.identities:
        if identity.total == total and set(identity.parts[:-1]) == set(parts):
            return identity
    raise AssertionError(f"no identity {total} = {parts}")


def test_figures_that_count_the_same_audits_are_one_cell(cells):
    # Immigration status captured: counted against all audits and against UASC cases.
    assert (
        cells.numerators["immigration_status_captured"]
        == (cells.numerators["uasc_immigration_status_captured"])
    )
    assert (
        cells.denominators["immigration_status_captured"]
        != (cells.denominators["uasc_immigration_status_captured"])
    )
    # Every metric on one question and basis shares its base.
    assert cells.denominators["parents_views_recorded"] == cells.denominators["parents_declined"]


def test_a_count_of_audits_has_no_base(cells):
    assert cells.numerators["audits_completed"] == ALL_AUDITS
    assert cells.denominators["audits_completed"] is None


def test_codes_that_roll_up_are_counted_inside_their_parent(cells):
    not_recorded = cells.numerators["parents_views_not_recorded"]
    assert not_recorded.codes == {"no", "no_not_asked", "no_declined"}
    identity = identity_with(
        cells,
        not_recorded,
        [cells.numerators["parents_not_asked"], cells.numerators["parents_declined"]],
    )
    assert identity.protected  # the rest (a plain "no") counts answers


def test_a_restricted_base_is_part_of_the_answered_base(cells):
    answered = cells.denominators["health_plan_on_ics"]
    not_on_ics = cells.denominators["health_plan_awaiting_or_not_uploaded"]
    assert not_on_ics.codes < answered.codes
    identity_with(cells, answered, [cells.numerators["health_plan_on_ics"], not_on_ics])


def test_the_audits_outside_a_base_are_not_protected_but_the_audits_not_counted_are(cells):
    base = cells.denominators["child_feels_life_improved"]
    assert not identity_with(cells, ALL_AUDITS, [base]).protected
    assert identity_with(cells, base, [cells.numerators["child_feels_life_improved"]]).protected
    # An all_audits base holds the audits with no answer too; the answered base is inside it.
    all_uasc = cells.denominators["uasc_children"]
    assert NOT_ANSWERED in all_uasc.codes


def test_selections_of_a_multi_select_add_up_to_all_selections(cells):
    shares = [m for m in cells.numerators if m.startswith("ed_aspect_share_")]
    base = cells.denominators[shares[0]]
    identity = identity_with(cells, base, [cells.numerators[m] for m in shares])
    assert cells.rest_cannot_occur(identity, {"2022"})  # the seven aspects are every option


def test_audits_selecting_none_of_some_codes_are_only_a_complement(cells):
    not_signed = cells.numerators["care_plan_not_signed_by_child"]
    assert not_signed.none_of
    base = cells.denominators["care_plan_not_signed_by_child"]
    identity = identity_with(cells, base, [not_signed])
    assert identity.protected
    assert not cells.rest_cannot_occur(identity, {"2022"})


def test_a_rest_no_form_in_the_period_offers_is_known_to_be_empty(cells):
    identity = identity_with(
        cells,
        cells.numerators["parents_views_not_recorded"],
        [cells.numerators["parents_not_asked"], cells.numerators["parents_declined"]],
    )
    assert cells.rest_cannot_occur(identity, {"2023"})  # the 2023 form has no plain "no"
    assert not cells.rest_cannot_occur(identity, {"2022"})
    assert not cells.rest_cannot_occur(identity, {"2022", "2023"})
