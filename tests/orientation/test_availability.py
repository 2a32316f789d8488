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


EVERY_DAY = "tous les jours de 8 h à 19 h"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Every phrasing the grammar documents (availability.py, docs/orientation.md), as people type them.
        ("tous les jours", EVERY_DAY),
        ("Tous les jours", EVERY_DAY),
        ("tous les jours 9-12", "tous les jours de 9 h à 12 h"),
        ("tous les jours le matin", "tous les jours de 8 h à 12 h"),
        ("chaque jour", EVERY_DAY),
        ("toute la semaine", EVERY_DAY),
        ("toujours", EVERY_DAY),
        ("n'importe quand", EVERY_DAY),
        ("toute la journée", EVERY_DAY),
        ("la journée", EVERY_DAY),
        ("en semaine", "en semaine de 8 h à 19 h"),
        ("jours de semaine", "en semaine de 8 h à 19 h"),
        ("le week-end", "le week-end de 8 h à 19 h"),
        ("le weekend", "le week-end de 8 h à 19 h"),
        ("lundi-vendredi", "en semaine de 8 h à 19 h"),
        ("du lundi au vendredi", "en semaine de 8 h à 19 h"),
        ("lun 9-12", "lundi de 9 h à 12 h"),
        ("les mardis après-midi", "mardi de 13 h 30 à 18 h"),
        ("mercredi aprem", "mercredi de 13 h 30 à 18 h"),
        ("jeudi matinée", "jeudi de 8 h à 12 h"),
        ("vendredi soirée", "vendredi de 18 h à 20 h"),
        ("samedi midi", "samedi de 12 h à 14 h"),
        ("mardi 9h30-12h", "mardi de 9 h 30 à 12 h"),
        ("mardi de 9h à 12h", "mardi de 9 h à 12 h"),
        ("je suis libre le mardi matin", "mardi de 8 h à 12 h"),
    ],
)
def test_every_documented_phrasing_parses(text, expected):
    assert parse_availability(text).describe() == expected


def test_every_day_gives_windows_on_each_of_the_fourteen_days():
    windows = parse_availability("tous les jours").windows(NOW)
    assert {w.start.weekday() for w in windows} == set(range(7))
    assert parse_availability("tous les jours, sauf dimanche").describe().startswith("tous les jours")
