"""Opening hours in the OpenStreetMap `opening_hours` syntax: validate and evaluate.

Pure module (no Django). Public holidays of France are honoured (`PH off`), which
opening-hours-py only does when built with ``country="FR"``. An empty rule means
"hours unknown" and is never treated as open or closed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import opening_hours

from carteblanche.territories.geo import PARIS


class OpeningHoursError(ValueError):
    """The rule is not valid OpenStreetMap opening_hours syntax."""


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime
    end: datetime
    comment: str = ""


@lru_cache(maxsize=20_000)
def parse(rule: str) -> opening_hours.OpeningHours:
    """Parse once, reuse: rules repeat a lot across places."""
    try:
        return opening_hours.OpeningHours(rule, country="FR", timezone=PARIS)
    except (opening_hours.ParserError, SyntaxError, ValueError) as exc:  # type: ignore[attr-defined]  # not in the stub
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntaxe invalide"
        raise OpeningHoursError(f"Horaires invalides « {rule} » : {first_line}") from exc


def validate(rule: str) -> None:
    """Raise OpeningHoursError with a readable message when the rule cannot be parsed."""
    if rule.strip():
        parse(rule.strip())


def is_valid(rule: str) -> bool:
    try:
        validate(rule)
    except OpeningHoursError:
        return False
    return True


def _aware(moment: datetime) -> datetime:
    """The moment in Paris time; a naive one is read as Paris time (a wall-clock time that does
    not exist, in the spring-forward gap, becomes the instant an hour later, as clocks show it)."""
    return _paris(moment if moment.tzinfo else moment.replace(tzinfo=PARIS))


def _paris(moment: datetime) -> datetime:
    """Through UTC: opening-hours-py refuses a Paris time that falls in the spring-forward gap."""
    return moment.astimezone(UTC).astimezone(PARIS)


def is_open(rule: str, at: datetime) -> bool | None:
    """True/False, or None when the hours are unknown."""
    if not rule.strip():
        return None
    return parse(rule.strip()).is_open(_aware(at))


def open_slots(rule: str, start: datetime, days: int = 14) -> list[Slot] | None:
    """The open intervals between `start` and `start + days`, or None when hours are unknown."""
    if not rule.strip():
        return None
    begin = _aware(start)
    end = _paris(begin + timedelta(days=days))  # 14 days after 02:30 may land in the clocks' gap
    slots = []
    for slot_start, slot_end, state, comment in parse(rule.strip()).intervals(begin, end):
        if state == opening_hours.State.OPEN and slot_end is not None:
            slots.append(Slot(slot_start.astimezone(PARIS), min(slot_end, end).astimezone(PARIS), comment or ""))
    return slots


def next_opening(rule: str, start: datetime, days: int = 14) -> Slot | None:
    """The first open slot that is still running or starts after `start`, within `days`."""
    slots = open_slots(rule, start, days)
    return slots[0] if slots else None
