"""Opening hours as a search shows them: the next opening, a week's slots, "open on that day".

Rules repeat a lot (a search shows dozens of channels with a handful of distinct rules) and
evaluating one costs tens of microseconds: each rule is evaluated once per hour and each
asked window is cut from that (`window_slots`, `next_slot`).
"""

from __future__ import annotations

import bisect
import itertools
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from carteblanche.directory import hours
from carteblanche.directory.models import Channel, ItinerantStop
from carteblanche.directory.search.results import TIMED_KINDS, ChannelView, DaySlots, StopView
from carteblanche.territories.geo import great_circle_km
from carteblanche.territories.models import Commune

HORIZON_DAYS = 14


def local_now(at: datetime | None) -> datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=hours.PARIS)
    return moment.astimezone(hours.PARIS)


def evaluate(rule: str, start: datetime, days: int) -> tuple[list[hours.Slot] | None, bool]:
    try:
        return hours.open_slots(rule, start, days), False
    except hours.OpeningHoursError:
        return None, True
    except (OverflowError, ValueError):  # a date at the edge of the calendar: nothing to say
        return None, False


# (rule, hour, days) -> the open slots from that hour over `days` + 1 days (and their ends).
_SLOTS_CACHE: dict[tuple[str, datetime, int], tuple[list[hours.Slot] | None, bool, list[datetime]]] = {}
_SLOTS_CACHE_SIZE = 20_000


def _hour_slots(rule: str, start: datetime, days: int) -> tuple[datetime, list[hours.Slot] | None, bool, list]:
    """(aware start, slots of the hour's wider window, invalid, their ends) from the cache."""
    start = start if timezone.is_aware(start) else start.replace(tzinfo=hours.PARIS)
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0).astimezone(hours.PARIS)
    key = (rule, hour, days)
    cached = _SLOTS_CACHE.get(key)
    if cached is None:
        if len(_SLOTS_CACHE) >= _SLOTS_CACHE_SIZE:
            _SLOTS_CACHE.clear()
        slots, invalid = evaluate(rule, hour, days + 1)
        ends = [slot.end for slot in slots] if slots else []
        if any(later < earlier for earlier, later in itertools.pairwise(ends)):
            ends = []  # not in order (never seen): `next_slot` then cuts the whole window
        cached = _SLOTS_CACHE[key] = (slots, invalid, ends)
    return start, *cached


def window_slots(rule: str, start: datetime, days: int = HORIZON_DAYS) -> tuple[list[hours.Slot] | None, bool]:
    """(slots, invalid): None slots when unknown; a malformed stored rule counts as unknown, never a crash.

    Same answer as `hours.open_slots(rule, start, days)`: open intervals are maximal runs of one
    state, so the runs of a wider window cut to [start, start + days) are that window's runs.
    """
    start, slots, invalid, _ends = _hour_slots(rule, start, days)
    if slots is None:
        return None, invalid
    end = start + timedelta(days=days)
    paris = hours.PARIS
    window = [
        hours.Slot(max(slot.start, start).astimezone(paris), min(slot.end, end).astimezone(paris), slot.comment)
        for slot in slots
        if slot.end > start and slot.start < end
    ]
    return window, False


def next_slot(rule: str, start: datetime, days: int = HORIZON_DAYS) -> tuple[hours.Slot | None, bool, bool]:
    """(first slot of `window_slots(rule, start, days)`, hours known, invalid), without cutting the others."""
    start, slots, invalid, ends = _hour_slots(rule, start, days)
    if slots is None:
        return None, False, invalid
    if not ends and slots:
        window, _invalid = window_slots(rule, start, days)
        return (window[0] if window else None), True, False
    position = bisect.bisect_right(ends, start)  # the first slot still running after `start`
    if position == len(slots):
        return None, True, False
    slot = slots[position]
    end = start + timedelta(days=days)
    if not slot.start < end:
        return None, True, False
    paris = hours.PARIS
    return (
        hours.Slot(max(slot.start, start).astimezone(paris), min(slot.end, end).astimezone(paris), slot.comment),
        True,
        False,
    )


def week(rule: str, start: datetime, days: int = 7) -> list[DaySlots]:
    """Each day's slots from the start of today (a morning already past still shows)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    slots, _invalid = window_slots(rule, midnight, days)
    if slots is None:
        return []
    by_day: dict[date, list[hours.Slot]] = {start.date() + timedelta(days=i): [] for i in range(days)}
    for slot in slots:
        if slot.start.date() in by_day:
            by_day[slot.start.date()].append(slot)
    return [DaySlots(day, day_slots) for day, day_slots in by_day.items()]


def channel_view(channel: Channel, at: datetime, *, with_week: bool = False) -> ChannelView:
    if channel.kind not in TIMED_KINDS:
        return ChannelView(channel=channel, next_opening=None, hours_known=bool(channel.opening_hours))
    rule = channel.effective_opening_hours
    next_opening, known, invalid = next_slot(rule, at)
    return ChannelView(
        channel=channel,
        next_opening=next_opening,
        hours_known=known,
        hours_invalid=invalid,
        week=week(rule, at) if with_week else [],
    )


def stop_view(stop: ItinerantStop, commune: Commune | None, at: datetime, distance: float | None = None) -> StopView:
    if distance is None and commune is not None and commune.has_point:
        distance = great_circle_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
    next_visit, known, _invalid = next_slot(stop.schedule, at, days=62)  # monthly visits: two months ahead
    return StopView(
        stop=stop,
        distance_km=distance,
        in_commune=commune is not None and stop.commune_id == commune.code,
        next_visit=next_visit,
        schedule_known=known,
    )


def open_on(rule: str, day: date) -> bool | None:
    start = datetime.combine(day, time.min, tzinfo=hours.PARIS)
    first, known, _invalid = next_slot(rule, start, days=1)
    if not known:
        return None
    return first is not None and first.start.date() == day  # the first slot of the day, if any
