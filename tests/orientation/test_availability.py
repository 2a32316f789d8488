from datetime import timedelta

import pytest

from carteblanche.orientation.availability import AvailabilityError, parse_availability
from tests.orientation.factories import NOW


def test_tuesday_morning_gives_two_windows_over_fourteen_days():
    windows = parse_availability("mardi 9-12").windows(NOW)
    assert [(w.start.day, w.start.hour, w.end.hour) for w in windows] == [(12, 9, 12), (19, 9, 12)]
    assert all(w.start.weekday() == 1 for w in windows)


def test_week_means_monday_to_friday_and_busy_parts_are_removed():
    free = parse_availability("sauf semaine 8-18").windows(NOW)
    weekday_windows = [w for w in free if w.start.weekday() < 5]
    assert weekday_windows and all(w.start.hour >= 18 for w in weekday_windows)
    assert any(w.start.weekday() == 5 and w.start.hour == 8 for w in free)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le mardi de 9h à 12h", "mardi de 9 h à 12 h"),
        ("semaine 8-18", "en semaine de 8 h à 18 h"),
        ("du lundi au mercredi 14h-17h30", "du lundi au mercredi de 14 h à 17 h 30"),
        ("samedi matin", "samedi de 8 h à 12 h"),
        ("week-end", "le week-end de 8 h à 19 h"),
    ],
)
def test_plain_french_is_understood(text, expected):
    assert parse_availability(text).describe() == expected


def test_empty_means_any_time_within_the_horizon():
    windows = parse_availability("").windows(NOW)
    assert windows[0].start == NOW
    assert windows[-1].end <= NOW + timedelta(days=14)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("lundi 25-30", "25 h"),
        ("mardi 12-9", "fin doit venir après"),
        ("blorp 9-12", "jour"),
        ("mardi 9h70-10", "n'existe pas"),
    ],
)
def test_impossible_availability_says_what_to_change(text, fragment):
    with pytest.raises(AvailabilityError) as error:
        parse_availability(text)
    assert fragment in str(error.value)
    assert "par exemple" in str(error.value)
