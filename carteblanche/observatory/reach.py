"""Reach of competent services from each commune, by travel profile. Pure module (no Django).

The observatory's headline indicator: can the people of a commune reach a service competent for a
family of needs within 10, 20 or 30 minutes — by car, without a car, without a car and without
internet? Trips come from the same `MobilityContext` as the orientation plans (walking, public
transport, on-demand transport, solidarity mobility, a driven trip), so the map and the plans
never disagree. Besides a trip, a commune is served when an itinerant counter stops in it, when
a service visits people at home there, or remotely (phone for everyone, online only for the
profiles with internet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from carteblanche.mobility.travel import (
    MobilityContext,
    Point,
    TimeWindow,
    TravelMeans,
    TripPlanner,
    crow_km,
)
from carteblanche.orientation.engine import NeedRequest, ServiceOffer, covered_needs

THRESHOLDS_MINUTES = (10, 20, 30)
# No trip of the longest threshold covers more crow-fly distance (90 km/h at most in the road model).
MAX_CROW_KM = 50.0
PHONE_KINDS = frozenset({"phone", "callback"})
INTERNET_KINDS = frozenset({"online", "video"})


class Profile(StrEnum):
    CAR = "voiture"
    NO_CAR = "sans-voiture"
    NO_CAR_NO_INTERNET = "sans-voiture-sans-internet"


PROFILE_LABELS = {
    Profile.CAR: "avec une voiture",
    Profile.NO_CAR: "sans voiture",
    Profile.NO_CAR_NO_INTERNET: "sans voiture et sans internet",
}
PROFILE_MEANS = {
    Profile.CAR: TravelMeans(has_car=True),
    Profile.NO_CAR: TravelMeans(has_car=False),
    Profile.NO_CAR_NO_INTERNET: TravelMeans(has_car=False),
}
PROFILE_INTERNET = {Profile.CAR: True, Profile.NO_CAR: True, Profile.NO_CAR_NO_INTERNET: False}


class Way(StrEnum):
    """How a commune is best served, from the most to the least direct."""

    HERE = "permanence-dans-la-commune"  # an itinerant counter stops in the commune
    TRIP = "trajet"  # a counter or a stop reachable within the threshold
    HOME = "a-domicile"  # a service visits people at home there
    REMOTE = "a-distance"  # phone (or online, with internet) only
    NONE = "aucun"


WAY_LABELS = {
    Way.HERE: "permanence dans la commune",
    Way.TRIP: "trajet",
    Way.HOME: "visite à domicile",
    Way.REMOTE: "à distance seulement",
    Way.NONE: "aucun service",
}


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    point: Point
    population: int
    epci_code: str = ""


@dataclass(frozen=True, slots=True)
class Access:
    """One commune, one family of needs, one travel profile."""

    minutes: float | None  # quickest door-to-door trip to a counter or a stop elsewhere; None = none
    itinerant_here: bool = False
    home_visit: bool = False
    remote: bool = False

    def way(self, threshold: float) -> Way:
        if self.itinerant_here:
            return Way.HERE
        if self.minutes is not None and self.minutes <= threshold:
            return Way.TRIP
        if self.home_visit:
            return Way.HOME
        if self.remote:
            return Way.REMOTE
        return Way.NONE

    def in_person(self, threshold: float) -> bool:
        """Met in person within the threshold: a trip, a stop in the commune or a home visit."""
        return self.way(threshold) in (Way.HERE, Way.TRIP, Way.HOME)

    def served(self, threshold: float) -> bool:
        return self.way(threshold) is not Way.NONE


def competent_offers(offers: Iterable[ServiceOffer], needs: Sequence[NeedRequest]) -> list[ServiceOffer]:
    """The services the orientation engine would consider for at least one of these needs."""
    return [offer for offer in offers if covered_needs(offer, needs)]


@dataclass(frozen=True, slots=True)
class Reachable:
    """What a family's competent services offer, independent of where the person lives."""

    destinations: tuple[tuple[Point, str], ...]  # counters and itinerant stops: (point, commune code)
    stop_communes: frozenset[str]  # communes where an itinerant counter stops
    home_anywhere: bool  # a home visit with no area limit
    home_communes: frozenset[str]
    phone: bool
    internet: bool


def reachable(offers: Iterable[ServiceOffer]) -> Reachable:
    destinations: dict[tuple[Point, str], None] = {}
    stops: set[str] = set()
    home_communes: set[str] = set()
    home_anywhere = phone = internet = False
    for offer in offers:
        for channel in offer.channels:
            if channel.kind == "home_visit":
                if channel.area_communes is None:
                    home_anywhere = True
                else:
                    home_communes |= channel.area_communes
            elif channel.kind in PHONE_KINDS:
                phone = phone or bool(channel.phone) or channel.kind == "callback"
            elif channel.kind in INTERNET_KINDS:
                internet = True
            if channel.location is not None:
                destinations[(channel.location.point, channel.location.commune_code)] = None
            for stop in channel.stops:
                destinations[(stop.point, stop.commune_code)] = None
                stops.add(stop.commune_code)
    return Reachable(tuple(destinations), frozenset(stops), home_anywhere, frozenset(home_communes), phone, internet)


def access_matrix(
    areas: Sequence[Area],
    families: Sequence[Reachable],
    profile: Profile,
    context: MobilityContext,
    window: TimeWindow,
    *,
    nearby: Callable[[int, int], Sequence[tuple[Point, str]]] | None = None,
) -> list[list[Access]]:
    """[family][area] accesses for one profile (see `access_matrices`)."""
    return access_matrices(areas, families, [profile], context, window, nearby=nearby)[profile]


def access_matrices(
    areas: Sequence[Area],
    families: Sequence[Reachable],
    profiles: Sequence[Profile],
    context: MobilityContext,
    window: TimeWindow,
    *,
    nearby: Callable[[int, int], Sequence[tuple[Point, str]]] | None = None,
) -> dict[Profile, list[list[Access]]]:
    """Per profile, [family][area] accesses.

    Trips depend on the means of travel only, so profiles with the same means (without a car, with
    or without internet) share them. One trip planner per commune and means; each destination's
    trips are computed once and shared by every family; destinations farther than MAX_CROW_KM cannot
    be within the longest threshold and are not routed. `nearby(area index, family index)`, when
    given, narrows a family's destinations to those worth routing from that commune (at national
    scale: the few nearest, from a spatial index)."""
    result: dict[Profile, list[list[Access]]] = {profile: [[] for _ in families] for profile in profiles}
    by_means: dict[TravelMeans, list[Profile]] = {}
    for profile in profiles:
        by_means.setdefault(PROFILE_MEANS[profile], []).append(profile)
    for means, sharing in by_means.items():
        for position, area in enumerate(areas):
            planner = context.planner(origin=area.point, origin_commune=area.code, means=means)
            minutes: dict[tuple[Point, str], float | None] = {}
            for index, family in enumerate(families):
                times = []
                for destination in family.destinations if nearby is None else nearby(position, index):
                    if destination not in minutes:
                        minutes[destination] = quickest_minutes(planner, area.point, destination, window)
                    if (found := minutes[destination]) is not None:
                        times.append(found)
                quickest = min(times) if times else None
                here = area.code in family.stop_communes
                home = family.home_anywhere or area.code in family.home_communes
                for profile in sharing:
                    remote = family.phone or (PROFILE_INTERNET[profile] and family.internet)
                    result[profile][index].append(Access(quickest, here, home, remote))
    return result


def quickest_minutes(
    planner: TripPlanner, origin: Point, destination: tuple[Point, str], window: TimeWindow
) -> float | None:
    """Door-to-door minutes of the quickest trip there and back in the window; None = none (or too far)."""
    point, commune = destination
    if crow_km(origin, point) > MAX_CROW_KM:
        return None
    trips = planner.trips(destination=point, destination_commune=commune, window=window)
    return min((trip.door_to_door_minutes for trip in trips), default=None)


@dataclass(frozen=True, slots=True)
class Share:
    """People reached among the population of an area (communes without population count 0)."""

    reached: int
    population: int

    @property
    def ratio(self) -> float | None:
        return None if self.population == 0 else self.reached / self.population


def population_share(areas: Sequence[Area], accesses: Sequence[Access], threshold: float, *, in_person: bool) -> Share:
    reached = sum(
        area.population
        for area, access in zip(areas, accesses, strict=True)
        if (access.in_person(threshold) if in_person else access.served(threshold))
    )
    return Share(reached, sum(area.population for area in areas))
