"""Open windows of an opening-hours rule over the plan's horizon, computed once per rule and day.

Evaluating an OSM rule over 14 days is the engine's most expensive step after routing, and the
same few rules recur across places and plans ("Mo-Fr 09:00-12:00,13:30-17:00; PH off"). So the
intervals are computed once per (rule, local day of `now`, horizon) from local midnight, over one
more day than the horizon, and each plan clips them to [now, now + horizon]: the answer equals
`directory.hours.open_slots(rule, now, days)` (tests/orientation/test_opening.py compares them),
and it does not fail when now + horizon falls in the spring-forward gap (02:00-03:00), where the
opening_hours library rejects the bound.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from carteblanche.directory import hours as opening_hours
from carteblanche.mobility.travel import TimeWindow
from carteblanche.territories.geo import PARIS


@lru_cache(maxsize=8192)
def _day_windows(rule: str, day: date, days: int) -> tuple[tuple[TimeWindow, ...], tuple[datetime, ...]] | None:
    """(open windows from local midnight of `day` over days + 1 days, their ends); None = unknown or invalid."""
    try:
        slots = opening_hours.open_slots(rule, datetime.combine(day, time(0), tzinfo=PARIS), days + 1)
    except opening_hours.OpeningHoursError:
        return None  # a bad rule is as good as unknown: never shown as open
    if slots is None:
        return None
    windows = tuple(TimeWindow(s.start, s.end) for s in slots)
    return windows, tuple(w.end for w in windows)


def open_windows(rule: str, now: datetime, days: int) -> list[TimeWindow] | None:
    """The open windows between `now` and `now + days` (Paris time), or None when the hours are unknown."""
    begin = now if now.tzinfo else now.replace(tzinfo=PARIS)
    local = begin.astimezone(PARIS)
    cached = _day_windows(rule, local.date(), days)
    if cached is None:
        return None
    windows, ends = cached
    end = begin + timedelta(days=days)  # the same bound as open_slots
    out: list[TimeWindow] = []
    for window in windows[bisect_right(ends, begin) :]:
        if window.start >= end:
            break
        if window.start < begin or window.end > end:
            window = TimeWindow(max(window.start, local), min(window.end, end).astimezone(PARIS))
        out.append(window)
    return out
