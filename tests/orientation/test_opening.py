"""Open windows cached per (rule, day) equal the direct evaluation of the rule (orientation/opening.py)."""

import random
from datetime import UTC, datetime, timedelta

from carteblanche.directory import hours
from carteblanche.orientation.opening import open_windows
from carteblanche.territories.geo import PARIS

RULES = (
    "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
    "Mo-Fr 08:30-12:30; PH off",
    "Tu,Th 14:00-17:00; PH off",
    "We[1] 09:00-12:00",
    "Mo-Fr 22:00-02:00",
    "24/7",
    "Mo-Su 00:00-24:00",
    "Mo-Sa 08:00-20:00; PH off",
    'Tu 09:00-12:00 "sur rendez-vous"; Th 14:00-16:00',
    "Mo 09:30-11:30; week 2-52/2 We 14:00-15:00",
)


def _direct(rule, now, days):
    slots = hours.open_slots(rule, now, days)
    return None if slots is None else [(s.start, s.end) for s in slots]


def _cached(rule, now, days):
    windows = open_windows(rule, now, days)
    return None if windows is None else [(w.start, w.end) for w in windows]


def test_equal_to_open_slots_at_many_instants():
    rng = random.Random(5)
    moments = [datetime(2026, 3, 10, 8, 0, tzinfo=PARIS), datetime(2026, 10, 20, 0, 0, tzinfo=PARIS)]
    moments += [datetime(2026, 1, 1, tzinfo=PARIS) + timedelta(minutes=rng.randrange(365 * 1440)) for _ in range(120)]
    moments.append(datetime(2026, 5, 1, 7, 15, tzinfo=UTC))  # another time zone
    moments.append(datetime(2026, 5, 1, 9, 15))  # naive = Paris
    checked = 0
    for now in moments:
        for rule in RULES:
            for days in (1, 14):
                try:
                    expected = _direct(rule, now, days)
                except TypeError:
                    continue  # now + days in the spring-forward gap: the library rejects it (see below)
                got = _cached(rule, now, days)
                assert got == expected, (rule, now, days)
                assert got is None or all(a.tzinfo is not None and b.tzinfo is not None for a, b in got)
                checked += 1
    assert checked > 2000


def test_unknown_and_invalid_rules_are_unknown():
    now = datetime(2026, 3, 10, 8, 0, tzinfo=PARIS)
    assert open_windows("", now, 14) is None
    assert open_windows("n'importe quoi 25:00", now, 14) is None


def test_horizon_ending_in_the_spring_forward_gap():
    """now + 14 days is 02:30 on the last Sunday of March, a time clocks skip: both paths agree."""
    now = datetime(2026, 3, 15, 2, 30, tzinfo=PARIS)
    windows = open_windows("Mo-Fr 09:00-17:00", now, 14)
    assert [(w.start, w.end) for w in windows] == [
        (s.start, s.end) for s in hours.open_slots("Mo-Fr 09:00-17:00", now, 14)
    ]
    assert windows and windows[0].start == datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)
    assert windows[-1].end == datetime(2026, 3, 27, 17, 0, tzinfo=PARIS)
