"""The search's filters, written once: what a result shows and why a candidate is left out.

A candidate (a service at a place, at its stops, or through its remote channels) is judged
from its rows: the service (age range, zone, languages), its channels (kind, hours, place
access, covered communes) and its itinerant stops. The search judges full rows before
building a result, and light rows of the next candidates before loading them in full
(`loading.LightRows`): both call `shown` then `rejection`, so both decide and count alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from carteblanche.directory.models import Channel, ItinerantStop, Place, Service
from carteblanche.directory.search import slots
from carteblanche.directory.search.loading import area_of
from carteblanche.directory.search.results import REMOTE_KINDS, TIMED_KINDS
from carteblanche.territories.geo import great_circle_km
from carteblanche.territories.models import Commune

# An itinerant stop farther than this from the commune is not shown.
NEARBY_STOP_KM = 15.0
# Stops shown per result, nearest first.
STOPS_SHOWN = 3
# The reasons a rejected candidate is counted under ("" : rejected, not counted).
INELIGIBLE, ACCESSIBILITY_UNKNOWN, HOURS_UNKNOWN = "ineligible", "accessibility_unknown", "hours_unknown"


@dataclass(frozen=True, slots=True)
class Filters:
    """What the person asked besides the need."""

    commune: Commune
    kinds: frozenset[str] = frozenset()
    open_on: date | None = None
    accessible: bool | None = None
    language: str | None = None
    age: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.kinds or self.open_on or self.accessible or self.language or self.age is not None)

    @property
    def light_rows_decide(self) -> bool:
        """Filters that reject many candidates and that light rows can judge (age rarely rejects)."""
        return bool(self.kinds or self.open_on or self.accessible or self.language)

    @property
    def without_place(self) -> bool:
        """Filters that can reject stops and remote channels (those have no place to be accessible)."""
        return bool(self.kinds or self.open_on or self.language)


@dataclass(slots=True)
class Shown:
    """What a result would show: its channels, its stops (with their distance) and its place."""

    channels: list[Channel]
    stops: list[tuple[ItinerantStop, float | None]]
    place: Place | None


def shown(
    commune: Commune,
    channels: Iterable[Channel],
    stops: Iterable[ItinerantStop],
    *,
    place_id: int | None,
    remote: bool,
) -> Shown:
    """A nearby result shows what is at its place and the stops near the commune; a remote one,
    its channels without a trip that serve the commune (no stops)."""
    if remote:
        wanted = [c for c in channels if c.kind in REMOTE_KINDS and serves_commune(c, commune)]
        return Shown(wanted, [], None)
    at_place = [c for c in channels if c.place_id == place_id] if place_id is not None else []
    return Shown(
        [c for c in at_place if c.kind != Channel.Kind.ITINERANT],
        near_stops(stops, commune),
        at_place[0].place if at_place else None,
    )


def near_stops(
    stops: Iterable[ItinerantStop], commune: Commune, *, limit: int = STOPS_SHOWN
) -> list[tuple[ItinerantStop, float | None]]:
    """The stops in or near the commune (`NEARBY_STOP_KM`), in the commune first, then nearest."""
    scored = []
    for stop in stops:
        inside = stop.commune_id == commune.code
        distance = (
            great_circle_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
            if commune.has_point
            else None
        )
        if inside or (distance is not None and distance <= NEARBY_STOP_KM):
            scored.append((not inside, distance if distance is not None else math.inf, stop.id, stop, distance))
    scored.sort(key=lambda item: item[:3])
    return [(stop, distance) for *_key, stop, distance in scored[:limit]]


def rejection(filters: Filters, service: Service, candidate: Shown) -> str | None:
    """None when the candidate is shown, else why not: `INELIGIBLE`, `ACCESSIBILITY_UNKNOWN`,
    `HOURS_UNKNOWN` (counted, the page says how many), or "" (not counted)."""
    channels, stops, place = candidate.channels, candidate.stops, candidate.place
    if not channels and not stops:
        return ""
    if not is_eligible(service, commune=filters.commune, age=filters.age):
        return INELIGIBLE
    if filters.language and not speaks(service, filters.language):
        return ""
    kinds = filters.kinds
    if kinds and not any(c.kind in kinds for c in channels) and not (Channel.Kind.ITINERANT in kinds and stops):
        return ""
    if filters.accessible and place is not None and place.wheelchair_accessible is not True:
        return ACCESSIBILITY_UNKNOWN if place.wheelchair_accessible is None else ""
    if filters.open_on is not None:
        day = filters.open_on
        states = [slots.open_on(c.effective_opening_hours, day) for c in channels if c.kind in TIMED_KINDS]
        states += [slots.open_on(stop.schedule, day) for stop, _distance in stops]
        if not any(states):
            return HOURS_UNKNOWN if states and all(state is None for state in states) else ""
    return None


def _commune_codes(commune: Commune) -> set[str]:
    return {code for code in (commune.code, commune.epci_id, commune.department_id, commune.region_code) if code}


def is_eligible(service: Service, *, commune: Commune, age: int | None) -> bool:
    """Age range (when an age is given) and eligibility zone (empty zone: no restriction)."""
    if age is not None:
        if service.age_min is not None and age < service.age_min:
            return False
        if service.age_max is not None and age > service.age_max:
            return False
    zone = {str(code).upper() for code in (service.zone_eligibilite or [])}
    if not zone or zone & {"FR", "FRANCE"}:
        return True
    return bool(zone & {code.upper() for code in _commune_codes(commune)})


def serves_commune(channel: Channel, commune: Commune) -> bool:
    """Home visits and call-backs may cover only some communes."""
    if channel.kind not in (Channel.Kind.HOME_VISIT, Channel.Kind.CALLBACK):
        return True
    area = area_of(channel)
    return not area or commune.code in area


def speaks(service: Service, language: str) -> bool:
    spoken = {code.lower() for code in (service.languages or [])}
    if language == "fr" and not spoken:
        return True  # French is the language of the public service when nothing else is said
    return language in spoken
