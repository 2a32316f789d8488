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
    return {key: overrides.get(key, default) for key in WEEK}


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


def test_truncated_and_sloppy_times_are_read_when_unambiguous():
    assert fs_hours.parse_ranges("09:00 - 12:30 / 14:00 - 17:") == (("09:00", "12:30"), ("14:00", "17:00"))
    assert fs_hours.parse_ranges("9:00 -12: 13:00 -16:") == (("09:00", "12:00"), ("13:00", "16:00"))


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
