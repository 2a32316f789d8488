"""France Services free-text hours -> OSM opening_hours, checked by evaluating the rules."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from carteblanche.directory import fs_hours, hours

FS_FILE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "france_services_2021.geojson"
)  # ../shared beside the checkout
WEEK = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"]


def days(default: str = "-", **overrides: str | None) -> dict[str, str | None]:
    values = {key: overrides.pop(key, default) for key in WEEK}
    return {**values, **overrides}


def test_full_week_with_lunch_break_and_saturday_closed():
    result = fs_hours.convert_days(days("9:00 - 12:00 / 13:30 - 17:00", h_samedi="-"))
    assert result.status == fs_hours.CONVERTED
    assert result.rule == "Mo-Fr 09:00-12:00,13:30-17:00; PH off"


def test_public_holiday_is_closed():
    rule = fs_hours.convert_days(days("09:00 - 12:00")).rule
    assert hours.is_open(rule, datetime(2026, 7, 13, 10, 0)) is True  # Monday
    assert hours.is_open(rule, datetime(2026, 7, 14, 10, 0)) is False  # Bastille Day, a Tuesday
    assert hours.is_open(rule, datetime(2026, 7, 19, 10, 0)) is False  # Sunday: not in the dataset


def test_not_communicated_is_unknown_with_reason():
    result = fs_hours.convert_days(days("Horaires non communiqués"))
    assert result.is_unknown and result.rule == ""
    assert result.reason == "horaires non communiqués"


def test_afternoon_by_appointment_without_times_becomes_a_note():
    result = fs_hours.convert_days(days("-", h_lundi="10:00 - 13:00 / Après-midi sur RDV"))
    assert result.rule == "Mo 10:00-13:00; PH off"
    assert "lundi : Après-midi sur RDV" in result.note


def test_timed_appointment_is_a_commented_range():
    result = fs_hours.convert_days(days("-", h_mardi="9:00 - 12:00 / Sur RDV : 14:00 - 17:00"))
    slots = hours.open_slots(result.rule, datetime(2026, 1, 5), days=7)
    assert [(s.start.hour, s.comment) for s in slots] == [(9, ""), (14, "sur rendez-vous")]


def test_first_saturday_of_the_month():
    result = fs_hours.convert_days(days("-", h_samedi="1er de chaque mois : 9:00 - 12:00"))
    assert result.rule == "Sa[1] 09:00-12:00; PH off"
    assert hours.is_open(result.rule, datetime(2026, 3, 7, 10, 0)) is True  # first Saturday of March
    assert hours.is_open(result.rule, datetime(2026, 3, 14, 10, 0)) is False


def test_first_and_third_wednesday():
    text = "1er mercredi du mois : 9:30 - 12:15 / 13:45 - 16:30 // 3ème mercredi du mois : 9:30 - 12:15"
    rule = fs_hours.convert_days(days("-", h_mercredi=text)).rule
    assert "We[1] 09:30-12:15" in rule and "We[3] 09:30-12:15" in rule
    assert hours.is_open(rule, datetime(2026, 4, 1, 15, 0)) is True  # 1st Wednesday, afternoon
    assert hours.is_open(rule, datetime(2026, 4, 15, 15, 0)) is False  # 3rd Wednesday, morning only
    assert hours.is_open(rule, datetime(2026, 4, 15, 10, 0)) is True
    assert hours.is_open(rule, datetime(2026, 4, 8, 10, 0)) is False


def test_except_last_saturday():
    rule = fs_hours.convert_days(days("-", h_samedi="Excepté dernier samedi du mois : 8:45 - 12:15")).rule
    assert hours.is_open(rule, datetime(2026, 1, 24, 9, 0)) is True
    assert hours.is_open(rule, datetime(2026, 1, 31, 9, 0)) is False


def test_incomplete_times_are_completed_only_from_the_same_record():
    known = fs_hours.completions(["9:00 - 12:00 / 13:00 - 16:00"])
    assert fs_hours.parse_ranges("9:00 -12: 13:00 -16:", known) == (("09:00", "12:00"), ("13:00", "16:00"))
    assert fs_hours.parse_ranges("9h - 12h") == (("09:00", "12:00"),)  # "12h" says 12:00; "12:" does not
    with pytest.raises(ValueError, match="heure incomplète « 17: »"):
        fs_hours.parse_ranges("09:00 - 12:30 / 14:00 - 17:")
    # two minute values for one hour in the record: nothing to complete from
    assert 17 not in fs_hours.completions(["14:00 - 17:00", "14:00 - 17:30"])


def test_incomplete_end_is_open_until_the_hour_then_unknown_for_that_hour():
    reading = fs_hours.read_ranges("09:00 - 12:30 / 14:00 - 17:")
    assert reading.ranges == (("09:00", "12:30"), ("14:00", "17:00"))
    assert reading.unknown == (("17:00", "18:00"),)
    assert reading.incomplete == ("17:",)
    start = fs_hours.read_ranges("9:00 - 12:30 / 14: - 16:30")
    assert start.ranges == (("09:00", "12:30"), ("15:00", "16:30")) and start.unknown == (("14:00", "15:00"),)


# Real records of ../shared/data/france_services_2021.geojson (MATRICULE in the test name).
def test_real_890_cauvaldor_bus_17_colon_is_17_00_as_its_monday_says():
    record = days(
        "09:00 - 12:30 / 14:00 - 17:",
        h_lundi="09:00 - 12:30 / 14:00 - 17:00",
        h_samedi="-",
    )
    result = fs_hours.convert_days(record)
    assert result.rule == "Mo-Fr 09:00-12:30,14:00-17:00; PH off"
    assert result.status == fs_hours.CONVERTED and result.to_check == ""


def test_real_696_friday_18_colon_is_18_30_as_the_other_days_say():
    record = days(
        "9: 12:30 / 13:30 18:30",
        h_lundi="9:00 - 12:00 / 14:00 - 17:00",
        h_vendredi="9: 12:30 / 13:30 18:",
        h_samedi="9:00 - 12:00",
    )
    rule = fs_hours.convert_days(record).rule
    assert hours.is_open(rule, datetime(2026, 3, 13, 18, 15)) is True  # a Friday


def test_real_900_17_colon_with_nothing_to_complete_is_flagged_not_guessed():
    record = days(
        "8:30 - 12:30 / 14:00 - 17:",
        h_lundi="8:30 - 12:30 / 14:00 - 16:30",
        h_samedi="-",
    )
    result = fs_hours.convert_days(record)
    assert result.status == fs_hours.PARTIAL
    assert result.to_check == "heure incomplète « 17: » (mardi, mercredi, jeudi, vendredi)"
    tuesday = datetime(2026, 3, 10, tzinfo=hours.PARIS)
    assert hours.is_open(result.rule, tuesday.replace(hour=16, minute=30)) is True
    state, comment = hours.parse(result.rule).state(tuesday.replace(hour=17, minute=30))
    assert str(state) == "unknown" and comment == fs_hours.INCOMPLETE
    assert hours.is_open(result.rule, tuesday.replace(hour=18, minute=30)) is False
    assert hours.is_open(result.rule, datetime(2026, 3, 9, 16, 45)) is False  # Monday closes at 16:30


def _state(rule: str, moment: datetime) -> str:
    return str(hours.parse(rule).state(moment.replace(tzinfo=hours.PARIS))[0])


def test_real_129_second_and_fourth_saturdays():
    record = days(
        "9:00 - 12:30 / 13:30 - 18:00",
        h_jeudi="9:00 - 12:30 / 13:30 - 19:00",
        h_vendredi="8:30 - 13:00 / 13:30 - 17:00",
        h_samedi="8:30 - 12:00",
        **{fs_hours.COMMENT: "Ouverture les 2ème et 4ème samedis du mois"},
    )
    result = fs_hours.convert_days(record)
    assert "Sa[2,4] 08:30-12:00" in result.rule and result.to_check == ""
    assert hours.is_open(result.rule, datetime(2026, 3, 14, 9, 0)) is True  # 2nd Saturday of March 2026
    assert hours.is_open(result.rule, datetime(2026, 3, 28, 9, 0)) is True  # 4th
    assert hours.is_open(result.rule, datetime(2026, 3, 7, 9, 0)) is False  # 1st
    assert hours.is_open(result.rule, datetime(2026, 3, 21, 9, 0)) is False  # 3rd


def test_real_460_afternoons_closed_in_school_holidays_are_unknown_not_open():
    record = days(
        "8:45 - 12:30 / 13:45 - 17:30",
        h_mardi="10:00 - 12:30 / 13:45 - 17:30",
        h_samedi="-",
        **{fs_hours.COMMENT: "Fermé les après-midis pendant les vacances scolaires"},
    )
    result = fs_hours.convert_days(record)
    assert result.to_check == "" and "SH" not in result.rule  # the evaluator does not know school holidays
    assert hours.is_open(result.rule, datetime(2026, 3, 10, 10, 30)) is True  # mornings stay open
    assert _state(result.rule, datetime(2026, 3, 10, 15, 0)) == "unknown"
    assert hours.parse(result.rule).state(datetime(2026, 3, 10, 15, 0, tzinfo=hours.PARIS))[1] == (
        "Fermé les après-midis pendant les vacances scolaires"
    )


def test_real_280_later_on_tuesday_outside_school_holidays():
    record = days(
        "9:00 - 12:15 / 14:00 - 18:00",
        h_samedi="-",
        **{fs_hours.COMMENT: "Le mardi, jusqu'à 19:00 hors vacances scolaires"},
    )
    rule = fs_hours.convert_days(record).rule
    assert hours.is_open(rule, datetime(2026, 3, 10, 17, 0)) is True
    assert _state(rule, datetime(2026, 3, 10, 18, 30)) == "unknown"  # Tuesday
    assert _state(rule, datetime(2026, 3, 9, 18, 30)) == "closed"  # Monday


def test_real_201_one_week_a_month_makes_every_range_unknown():
    record = days(
        "9:45 - 12:15 / 13:30 - 16:00",
        h_samedi="-",
        **{fs_hours.COMMENT: "1 semaine par mois pour 2 tournées"},
    )
    rule = fs_hours.convert_days(record).rule
    assert _state(rule, datetime(2026, 3, 10, 10, 0)) == "unknown"
    assert hours.open_slots(rule, datetime(2026, 3, 9), days=28) == []  # never promised open


def test_real_88_identity_card_remark_changes_no_hours():
    record = days(
        "9:30 - 12:30 / 13:30 - 17:30",
        h_samedi="9:00 - 12:30",
        **{fs_hours.COMMENT: "CNI/Passeport seulement le samedi matin"},
    )
    result = fs_hours.convert_days(record)
    assert result.status == fs_hours.CONVERTED and result.to_check == ""
    assert result.rule == "Mo-Fr 09:30-12:30,13:30-17:30; Sa 09:00-12:30; PH off"


def test_real_345_market_days_cannot_be_placed_so_the_record_is_flagged():
    record = days(
        "9:30 - 12:30 / 13:30 - 16:00",
        h_vendredi="9:00 - 13:00",
        h_samedi="-",
        **{fs_hours.COMMENT: "Jours de marché : 9:30 - 13:00 / 14:00 - 16:00"},
    )
    result = fs_hours.convert_days(record)
    assert result.status == fs_hours.PARTIAL
    assert "Jours de marché" in result.to_check


def test_comment_contradicting_the_day_is_flagged():
    record = days("9:00 - 12:00", h_samedi="-", **{fs_hours.COMMENT: "Ouverture les 2ème et 4ème samedis du mois"})
    assert "samedis" in fs_hours.convert_days(record).to_check


def test_every_commented_record_of_the_file_is_applied_or_flagged():
    features = json.loads(FS_FILE.read_text(encoding="utf-8"))["features"]
    commented = [f["properties"] for f in features if (f["properties"].get(fs_hours.COMMENT) or "").strip()]
    assert len(commented) == 7
    outcomes = {}
    for props in commented:
        result = fs_hours.convert_days(props)
        before = fs_hours.convert_days({**props, fs_hours.COMMENT: ""})
        outcomes[str(props["MATRICULE"])] = (result.rule != before.rule, bool(result.to_check))
    assert outcomes == {
        "129": (True, False),
        "201": (True, False),
        "280": (True, False),
        "460": (True, False),
        "574": (True, False),
        "88": (False, False),  # a remark about identity cards
        "345": (False, True),  # market days not named
    }


@pytest.mark.parametrize("text", ["Selon planning bus", "8:30 - 12:00 / 13:30 16:00 -30", "113:30 - 18:30"])
def test_ambiguous_text_is_not_guessed(text):
    result = fs_hours.convert_days(days("-", h_lundi=text))
    assert result.is_unknown
    assert result.rule == ""


def test_one_unreadable_day_keeps_the_others_and_says_which():
    result = fs_hours.convert_days(days("09:00 - 12:00", h_samedi="Selon planning bus"))
    assert result.status == fs_hours.PARTIAL
    assert "samedi" in result.reason
    saturday = datetime(2026, 1, 10, 10, 0)
    assert hours.parse(result.rule).is_unknown(saturday.replace(tzinfo=hours.PARIS))
    assert hours.is_open(result.rule, datetime(2026, 1, 9, 10, 0)) is True


def test_every_rule_of_the_national_dataset_is_valid_and_share_is_measured():
    features = json.loads(FS_FILE.read_text(encoding="utf-8"))["features"]
    report = fs_hours.conversion_report(features)
    assert report.total == len(features) == 908
    assert report.converted + report.partial + report.unknown == report.total
    assert report.share_converted > 0.8
    for feature in features:
        rule = fs_hours.convert_days(feature["properties"]).rule
        assert hours.is_valid(rule), rule


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 3, 15, 2, 30, tzinfo=hours.PARIS),  # + 14 days = 29 March 02:30, a time clocks skip
        datetime(2026, 3, 29, 2, 30),  # naive, itself in the gap
        datetime(2026, 10, 25, 2, 30, tzinfo=hours.PARIS),  # autumn: 02:30 happens twice
    ],
)
def test_slots_across_the_clock_changes(start):
    slots = hours.open_slots("Mo-Su 09:00-12:00", start)
    assert len(slots) == 14
    assert all(s.start.hour == 9 and s.end.hour == 12 for s in slots)  # wall-clock hours in Paris, both sides
    assert hours.next_opening("Mo-Su 09:00-12:00", start) == slots[0]
    assert hours.is_open("Mo-Su 00:00-04:00", start) is True
