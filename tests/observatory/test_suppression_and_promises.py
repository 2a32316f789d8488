"""Small-cell suppression and promise verdicts, on hand-computed cases."""

from datetime import date

from carteblanche.observatory.selectors import verdict
from carteblanche.observatory.suppression import HIDDEN, share_or_none, suppress_row


def test_a_single_small_cell_hides_a_second_one_so_the_total_does_not_reveal_it():
    row = suppress_row({"acceptees": 3, "refusees": 12, "reorientees": 7, "expirees": 0})
    assert row["acceptees"] is HIDDEN
    assert row["reorientees"] is HIDDEN  # the smallest other non-zero cell
    assert row["refusees"] == 12
    assert row["expirees"] == 0  # zero reveals nobody


def test_two_small_cells_hide_each_other():
    row = suppress_row({"a": 1, "b": 4, "c": 20})
    assert row == {"a": HIDDEN, "b": HIDDEN, "c": 20}


def test_rows_without_small_cells_are_published_whole():
    assert suppress_row({"a": 5, "b": 0, "c": 9}) == {"a": 5, "b": 0, "c": 9}


def test_no_share_on_fewer_than_five_answers():
    assert share_or_none(3, 4) is None
    assert share_or_none(4, 5) == 0.8


def _verdict(current, today=date(2027, 1, 1)):
    return verdict(
        initial=0.5,
        initial_date=date(2026, 1, 1),
        target=0.9,
        target_date=date(2028, 1, 1),
        current=current,
        today=today,
    )


def test_a_promise_is_kept_when_the_target_is_reached():
    assert _verdict(0.9) == ("tenue", 1.0)


def test_a_promise_on_its_schedule_is_not_yet_kept_and_one_behind_is_at_risk():
    # Half of the time has passed: half of the way (0.7) is on schedule.
    state, progress = _verdict(0.75)
    assert state == "pas encore" and abs(progress - 0.625) < 1e-9
    state, progress = _verdict(0.6)
    assert state == "en risque" and abs(progress - 0.25) < 1e-9


def test_a_promise_without_a_value_is_not_measured():
    assert _verdict(None) == ("pas encore mesurée", None)
