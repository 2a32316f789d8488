"""Travel between two points with the means a person has. Pure module (no Django).

This is the interface the orientation engine calls. The road model here is a first,
documented approximation (great-circle distance x circuity, speed by distance band); the
mobility work calibrates it and adds public transport (GTFS), on-demand transport and
solidarity mobility behind the same `MobilityContext.trips` call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from carteblanche.mobility.offers import OnDemandOffer, SolidarityOffer, hhmm
from carteblanche.territories.geo import PARIS, great_circle_km

if TYPE_CHECKING:
    from carteblanche.mobility.raptor import Journey, SearchTree, Timetable


class Mode(StrEnum):
    WALK = "walk"
    CAR = "car"
    DRIVEN = "driven"  # someone drives the person (neighbour, relative)
    PUBLIC_TRANSPORT = "public_transport"
    ON_DEMAND = "on_demand"  # transport à la demande
    SOLIDARITY = "solidarity"  # solidarity car-sharing, volunteer drivers


MODE_LABELS_FR = {
    Mode.WALK: "à pied",
    Mode.CAR: "en voiture",
    Mode.DRIVEN: "conduit(e) par un proche",
    Mode.PUBLIC_TRANSPORT: "en transport en commun",
    Mode.ON_DEMAND: "en transport à la demande",
    Mode.SOLIDARITY: "avec la mobilité solidaire",
}


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class TravelMeans:
    has_car: bool = False  # a car AND a licence
    driver_windows: tuple[TimeWindow, ...] = ()  # when someone can drive the person
    public_transport: bool = True
    on_demand: bool = True
    solidarity: bool = True
    walk_max_km: float = 2.0
    reduced_mobility: bool = False


@dataclass(frozen=True, slots=True)
class Leg:
    mode: Mode
    minutes: float
    km: float
    depart: datetime | None = None
    arrive: datetime | None = None
    line: str = ""  # route name, on-demand service or solidarity platform
    booking_rule: str = ""  # e.g. "réserver la veille avant 17 h au 05 …"
    cost_eur: float | None = None  # None = unknown
    stop_from: str = ""  # public transport: boarding stop (or where a walk starts)
    stop_to: str = ""  # alighting stop (or where a walk ends)


@dataclass(frozen=True, slots=True)
class TripPlan:
    """Getting there and back the same day with one mode (possibly with walking legs)."""

    mode: Mode
    outbound: tuple[Leg, ...]
    inbound: tuple[Leg, ...] = ()
    door_to_door_minutes: float = 0.0
    cost_eur: float | None = None
    explanation: str = ""  # plain French: why this mode and this time
    constraints: tuple[str, ...] = field(default_factory=tuple)  # e.g. booking deadlines


# --- road and walking model ---------------------------------------------------------------
# Every parameter of the model is here; docs/mobility.md explains each value, its source and
# the measured error against published distances and times (carteblanche/mobility/calibration.py).


@dataclass(frozen=True, slots=True)
class RoadBand:
    """One slice of the great-circle distance: its road circuity and mean speed.

    Slices add up like a tariff (the first km at the first band's values, the next at the
    second's...), so distance and time grow continuously with the crow-fly distance.
    """

    upto_km: float  # upper bound of the slice, in great-circle km from the start
    circuity: float  # road km / great-circle km within the slice
    kmh: float  # mean speed over the road km of the slice


RURAL = "rural"
URBAN = "urban"  # both ends in a commune of URBAN_MIN_POPULATION inhabitants or more
URBAN_MIN_POPULATION = 10_000
ROAD_PROFILES: dict[str, tuple[RoadBand, ...]] = {
    RURAL: (
        RoadBand(3.0, 1.40, 45.0),
        RoadBand(10.0, 1.40, 50.0),
        RoadBand(40.0, 1.25, 60.0),
        RoadBand(80.0, 1.15, 70.0),
        RoadBand(math.inf, 1.15, 90.0),
    ),
    URBAN: (
        RoadBand(3.0, 1.35, 20.0),
        RoadBand(10.0, 1.35, 35.0),
        RoadBand(40.0, 1.25, 55.0),
        RoadBand(80.0, 1.15, 70.0),
        RoadBand(math.inf, 1.15, 90.0),
    ),
}
CAR_ACCESS_MINUTES = 2.0  # parking and walking to the door, added once per car trip
WALK_CIRCUITY = 1.25
WALK_KMH = 4.5
WALK_KMH_REDUCED = 3.0
CAR_COST_EUR_PER_KM = 0.0  # not shown: the person's own car


def crow_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points of the model (the territory's one formula)."""
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _road(crow_km: float, terrain: str) -> tuple[float, float]:
    """(road km, driving minutes) for a great-circle distance, slice by slice."""
    km = minutes = 0.0
    lower = 0.0
    for band in ROAD_PROFILES[terrain]:
        part = min(crow_km, band.upto_km) - lower
        if part <= 0:
            break
        km += part * band.circuity
        minutes += part * band.circuity / band.kmh * 60
        lower = band.upto_km
    return km, minutes


def road_km(a: Point, b: Point, *, terrain: str = RURAL) -> float:
    return _road(crow_km(a, b), terrain)[0]


def road_minutes(a: Point, b: Point, *, terrain: str = RURAL) -> float:
    """Door-to-door driving time: the road km at each slice's mean speed, plus parking."""
    crow = crow_km(a, b)
    return 0.0 if crow == 0 else _road(crow, terrain)[1] + CAR_ACCESS_MINUTES


def walk_km(a: Point, b: Point) -> float:
    return crow_km(a, b) * WALK_CIRCUITY


def walk_minutes(a: Point, b: Point, *, reduced_mobility: bool = False) -> float:
    speed = WALK_KMH_REDUCED if reduced_mobility else WALK_KMH
    return walk_km(a, b) / speed * 60


# --- planning parameters -------------------------------------------------------------------
VISIT_MINUTES = 45  # time spent at the place before heading back
MAX_EARLY_MINUTES = 60  # arriving earlier than this before the slot: look for a later departure
STOP_WALK_MAX_KM = 1.5  # never walk further than this to or from a stop, whatever walk_max_km says
ON_DEMAND_DETOUR = 1.3  # a shared on-demand ride picks up others: road time x this factor
END_OF_DAY_S = 24 * 3600  # "back the same day": home before midnight
ANY_TIME = -(10**6)  # a departure before every trip of the day (one-to-many bounds of TripPlanner)
NO_BOUND = -(10**9)  # "no useful lower bound": the searches run as in trips()


def _local(dt: datetime) -> datetime:
    return dt.astimezone(PARIS) if dt.tzinfo else dt


def _seconds(dt: datetime) -> int:
    local = _local(dt)
    return local.hour * 3600 + local.minute * 60 + local.second


def _at(day: date, seconds: int, like: datetime) -> datetime:
    """Seconds of the service day -> a datetime, aware (Paris) when the caller's window is."""
    moment = datetime.combine(day, time(0)) + timedelta(seconds=seconds)
    return moment.replace(tzinfo=PARIS) if like.tzinfo else moment


def _minutes_fr(minutes: float) -> str:
    minutes = round(minutes)
    if minutes < 60:
        return f"{minutes} minutes"
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def _round_trip_cost(one_way: float | None) -> float | None:
    return None if one_way is None else round(2 * one_way, 2)


class MobilityContext:
    """Everything needed to plan trips: the road model, timetables, on-demand and solidarity offers.

    Built once per process (carteblanche.mobility.context.get_mobility_context) or directly,
    without a database, for tests and benchmarks.
    """

    def __init__(
        self,
        *,
        timetable: Timetable | None = None,
        on_demand: Iterable[OnDemandOffer] = (),
        solidarity: Iterable[SolidarityOffer] = (),
        urban_communes: Iterable[str] = (),
    ) -> None:
        self.timetable = timetable
        self.on_demand = tuple(on_demand)
        self.solidarity = tuple(solidarity)
        self.urban_communes = frozenset(urban_communes)

    def terrain(self, origin_commune: str, destination_commune: str) -> str:
        both_urban = origin_commune in self.urban_communes and destination_commune in self.urban_communes
        return URBAN if both_urban else RURAL

    def trips(
        self,
        *,
        origin: Point,
        origin_commune: str,
        destination: Point,
        destination_commune: str,
        window: TimeWindow,
        means: TravelMeans,
        now: datetime | None = None,
        visit_minutes: int = VISIT_MINUTES,
    ) -> list[TripPlan]:
        """Every way to reach `destination` inside `window` and come back the same day; [] = no way.

        `window` is when the person can be at the place (a slot both open and free); `now`, when
        given, rules out on-demand trips whose booking deadline has passed.
        """
        return self._trips(origin, origin_commune, destination, destination_commune, window, means, now, visit_minutes)

    def planner(
        self,
        *,
        origin: Point,
        origin_commune: str,
        means: TravelMeans,
        now: datetime | None = None,
        visit_minutes: int = VISIT_MINUTES,
    ) -> TripPlanner:
        """Trips from one origin with one person's means, sharing work across destinations and windows.

        `planner(...).trips(destination=..., destination_commune=..., window=...)` returns exactly
        what `trips(...)` returns; build one per plan (it caches per origin, not thread-shared).
        """
        return TripPlanner(self, origin, origin_commune, means, now, visit_minutes)

    def _trips(
        self,
        origin: Point,
        origin_commune: str,
        destination: Point,
        destination_commune: str,
        window: TimeWindow,
        means: TravelMeans,
        now: datetime | None,
        visit_minutes: int,
        shared: TripPlanner | None = None,
    ) -> list[TripPlan]:
        if shared is None:
            terrain = self.terrain(origin_commune, destination_commune)
            km = road_km(origin, destination, terrain=terrain)
            minutes = road_minutes(origin, destination, terrain=terrain)
            on_foot = walk_km(origin, destination)
            own, solidarity = self._window_free(origin_commune, destination_commune, km, minutes, on_foot, means)
        else:
            km, minutes, on_foot = shared.road(destination, destination_commune)
            own, solidarity = shared.window_free(destination, destination_commune)
        plans = list(own)
        for driver in means.driver_windows:
            start, end = max(driver.start, window.start), min(driver.end, window.end)
            if end - start >= timedelta(minutes=2 * minutes + visit_minutes):
                leg = Leg(Mode.DRIVEN, minutes, km, depart=start, arrive=start + timedelta(minutes=minutes))
                text = f"Un proche vous conduit : environ {_minutes_fr(minutes)} ({km:.0f} km)."
                plans.append(TripPlan(Mode.DRIVEN, (leg,), (leg,), minutes, 0.0, text))
                break
        if means.public_transport and self.timetable is not None:
            plan = self._public_transport(origin, destination, window, means, visit_minutes, shared)
            if plan is not None:
                plans.append(plan)
        if means.on_demand:
            plans += self._on_demand(origin_commune, destination_commune, window, minutes, km, now, visit_minutes)
        plans += solidarity
        return plans

    def _window_free(
        self,
        origin_commune: str,
        destination_commune: str,
        km: float,
        minutes: float,
        on_foot: float,
        means: TravelMeans,
    ) -> tuple[tuple[TripPlan, ...], tuple[TripPlan, ...]]:
        """The trips that do not depend on the slot: (on foot and by car, solidarity mobility)."""
        own: list[TripPlan] = []
        if on_foot <= means.walk_max_km:
            walk = on_foot / (WALK_KMH_REDUCED if means.reduced_mobility else WALK_KMH) * 60  # = walk_minutes
            leg = Leg(Mode.WALK, walk, on_foot, cost_eur=0.0)
            own.append(
                TripPlan(
                    Mode.WALK, (leg,), (leg,), walk, 0.0, f"À pied : environ {_minutes_fr(walk)} ({on_foot:.1f} km)."
                )
            )
        if means.has_car:
            leg = Leg(Mode.CAR, minutes, km)
            own.append(
                TripPlan(
                    Mode.CAR,
                    (leg,),
                    (leg,),
                    minutes,
                    None,
                    f"En voiture : environ {_minutes_fr(minutes)} ({km:.0f} km).",
                )
            )
        solidarity = self._solidarity(origin_commune, destination_commune, minutes, km) if means.solidarity else []
        return tuple(own), tuple(solidarity)

    # --- public transport ------------------------------------------------------------------
    def _near(self, point: Point, means: TravelMeans) -> dict[int, int]:
        """Stops within walking reach: stop -> walking seconds."""
        assert self.timetable is not None
        reach_km = min(means.walk_max_km, STOP_WALK_MAX_KM)
        speed = WALK_KMH_REDUCED if means.reduced_mobility else WALK_KMH
        near = self.timetable.stops_near(point.latitude, point.longitude, reach_km / WALK_CIRCUITY)
        return {stop: math.ceil(crow * WALK_CIRCUITY / speed * 3600) for stop, crow in near}

    def _public_transport(
        self,
        origin: Point,
        destination: Point,
        window: TimeWindow,
        means: TravelMeans,
        visit_minutes: int,
        shared: TripPlanner | None = None,
    ) -> TripPlan | None:
        from carteblanche.mobility.raptor import reverse_journey

        tt = self.timetable
        assert tt is not None
        if shared is None:
            home, place = self._near(origin, means), self._near(destination, means)
        else:
            home = shared.home_stops()
            place = shared.stops(destination) if home else {}
        if not home or not place:
            return None
        day = _local(window.start).date()
        start, end = _seconds(window.start), _seconds(window.end)
        if _local(window.end).date() != day:
            end = END_OF_DAY_S
        visit = visit_minutes * 60
        # Shared by every destination of the origin (planner only): the earliest arrival at the
        # place that day, whenever one leaves; a search that cannot beat it is not run (exact).
        earliest = shared.earliest_arrival(day, place) if shared is not None else NO_BOUND
        if earliest is None:
            return None
        # Outbound: arrive by the start of the slot, leaving as late as possible...
        outbound = None
        if earliest <= start:
            found = tt.reversed().search(depart=-start, access=place, egress=home, day=day)
            if found is not None:
                outbound = reverse_journey(found, tt)
        # ...unless that means waiting long: then the first arrival inside the slot.
        if outbound is None or start - outbound.arrive > MAX_EARLY_MINUTES * 60:
            latest = end - visit + 1
            if earliest < latest:
                inside = tt.search(depart=start, access=home, egress=place, day=day, latest=latest)
                outbound = inside or outbound
        if outbound is None:
            return None
        at_place = max(outbound.arrive, start)
        if at_place + visit > end:
            return None
        # The last way back (latest departure from the place, home by midnight): one reverse
        # search from home per day with the planner, one per call without.
        if shared is not None:
            last_depart, bounds = shared.last_departure(day, place)
            if bounds and (last_depart is None or last_depart < at_place + visit):
                return None  # no way back the same day: not a plan
        inbound = tt.search(depart=at_place + visit, access=place, egress=home, day=day, latest=END_OF_DAY_S)
        if inbound is None:
            return None  # no way back the same day: not a plan
        if shared is None:
            last = tt.reversed().search(depart=-END_OF_DAY_S, access=home, egress=place, day=day)
            last_depart = reverse_journey(last, tt).depart if last is not None else None
        if last_depart is None:
            last_depart = inbound.depart
        out_legs = self._legs(outbound, day, window.start, means)
        in_legs = self._legs(inbound, day, window.start, means)
        fares = [leg.cost_eur for leg in out_legs + in_legs if leg.mode == Mode.PUBLIC_TRANSPORT]
        known = [fare for fare in fares if fare is not None]
        cost = round(sum(known), 2) if len(known) == len(fares) else None
        door = (outbound.arrive - outbound.depart) / 60
        lines = ", ".join(dict.fromkeys(leg.line for leg in out_legs if leg.mode == Mode.PUBLIC_TRANSPORT))
        changes = len(outbound.rides) - 1
        change_text = (
            "sans correspondance" if changes == 0 else f"{changes} correspondance" + ("s" if changes > 1 else "")
        )
        first_ride = next(leg for leg in out_legs if leg.mode == Mode.PUBLIC_TRANSPORT)
        return_ride = next(leg for leg in in_legs if leg.mode == Mode.PUBLIC_TRANSPORT)
        assert first_ride.depart is not None and return_ride.depart is not None  # rides always have times
        explanation = (
            f"En transport en commun ({lines}) : départ à {hhmm(_at(day, outbound.depart, window.start))}, "
            f"arrivée à {hhmm(_at(day, outbound.arrive, window.start))}, {change_text}. "
            f"Retour : bus à {hhmm(return_ride.depart)} à l'arrêt {return_ride.stop_from}, "
            f"chez vous vers {hhmm(_at(day, inbound.arrive, window.start))}."
        )
        constraints = [f"Prendre le bus à l'arrêt {first_ride.stop_from} à {hhmm(first_ride.depart)}."]
        constraints.append(
            f"Dernier départ possible pour rentrer : {hhmm(_at(day, last_depart, window.start))} "
            f"(à pied jusqu'à l'arrêt compris)."
        )
        if cost is None:
            constraints.append("Prix du trajet non communiqué : à vérifier auprès du réseau.")
        return TripPlan(
            Mode.PUBLIC_TRANSPORT, tuple(out_legs), tuple(in_legs), door, cost, explanation, tuple(constraints)
        )

    def _legs(self, journey: Journey, day: date, like: datetime, means: TravelMeans) -> list[Leg]:
        from carteblanche.mobility.raptor import RideLeg

        tt = self.timetable
        assert tt is not None
        speed = WALK_KMH_REDUCED if means.reduced_mobility else WALK_KMH
        legs: list[Leg] = []
        clock = journey.depart
        for leg in journey.legs:
            if isinstance(leg, RideLeg):
                fare = float(tt.route_fares[leg.route])
                crow = great_circle_km(
                    float(tt.stop_lat[leg.from_stop]),
                    float(tt.stop_lon[leg.from_stop]),
                    float(tt.stop_lat[leg.to_stop]),
                    float(tt.stop_lon[leg.to_stop]),
                )
                legs.append(
                    Leg(
                        Mode.PUBLIC_TRANSPORT,
                        (leg.arrive - leg.depart) / 60,
                        round(crow * ROAD_PROFILES[RURAL][0].circuity, 1),
                        depart=_at(day, leg.depart, like),
                        arrive=_at(day, leg.arrive, like),
                        line=tt.route_names[leg.route],
                        cost_eur=None if math.isnan(fare) else fare,
                        stop_from=tt.stop_names[leg.from_stop],
                        stop_to=tt.stop_names[leg.to_stop],
                    )
                )
                clock = leg.arrive
            else:
                minutes = leg.seconds / 60
                legs.append(
                    Leg(
                        Mode.WALK,
                        minutes,
                        round(leg.seconds / 3600 * speed, 2),
                        depart=_at(day, clock, like),
                        arrive=_at(day, clock + leg.seconds, like),
                        line="correspondance à pied" if leg.from_stop is not None and leg.to_stop is not None else "",
                        cost_eur=0.0,
                        stop_from="" if leg.from_stop is None else tt.stop_names[leg.from_stop],
                        stop_to="" if leg.to_stop is None else tt.stop_names[leg.to_stop],
                    )
                )
                clock += leg.seconds
        return legs

    # --- on-demand transport and solidarity mobility ------------------------------------------
    def _on_demand(
        self,
        origin_commune: str,
        destination_commune: str,
        window: TimeWindow,
        road: float,
        km: float,
        now: datetime | None,
        visit_minutes: int,
    ) -> list[TripPlan]:
        plans = []
        minutes = road * ON_DEMAND_DETOUR
        local = _local(window.start)
        for offer in self.on_demand:
            if origin_commune not in offer.communes:
                continue
            to_confirm: list[str] = []
            if offer.destinations:
                if destination_commune not in offer.destinations:
                    continue
            elif destination_commune in offer.communes:
                to_confirm.append("destinations desservies")
            else:
                continue  # unknown destinations: only trips inside the zone are offered
            if offer.weekdays and local.weekday() not in offer.weekdays:
                continue
            if offer.hours:
                need = timedelta(minutes=2 * minutes + visit_minutes)
                fits = False
                for h0, h1 in offer.hours:
                    lo = max(local, datetime.combine(local.date(), h0, tzinfo=local.tzinfo))
                    hi = min(_local(window.end), datetime.combine(local.date(), h1, tzinfo=local.tzinfo))
                    fits = fits or hi - lo >= need
                if not fits:
                    continue
            else:
                to_confirm.append("horaires")
            if not offer.weekdays:
                to_confirm.append("jours de circulation")
            deadline = offer.booking_deadline_for(local)
            if deadline is not None and now is not None and _local(now) > deadline:
                continue  # too late to book this trip
            rule = offer.booking_rule()
            leg = Leg(Mode.ON_DEMAND, minutes, km, line=offer.name, booking_rule=rule, cost_eur=offer.cost_eur)
            constraints = [rule]
            if to_confirm:
                constraints.append(f"{', '.join(to_confirm).capitalize()} à confirmer auprès de {offer.contact}.")
            if offer.notes:
                constraints.append(offer.notes)
            explanation = (
                f"Transport à la demande {offer.name} : environ {_minutes_fr(minutes)} de trajet "
                f"(véhicule partagé, {km:.0f} km). {rule}"
            )
            plans.append(
                TripPlan(
                    Mode.ON_DEMAND,
                    (leg,),
                    (leg,),
                    minutes,
                    _round_trip_cost(offer.cost_eur),
                    explanation,
                    tuple(constraints),
                )
            )
        return plans

    def _solidarity(self, origin_commune: str, destination_commune: str, road: float, km: float) -> list[TripPlan]:
        plans = []
        for offer in self.solidarity:
            if origin_commune not in offer.communes or destination_commune not in offer.communes:
                continue
            rule = offer.booking_rule()
            leg = Leg(Mode.SOLIDARITY, road, km, line=offer.name, booking_rule=rule, cost_eur=offer.cost_eur)
            constraints = ["Sous réserve d'un conducteur disponible.", rule]
            if offer.cost_eur is None:
                constraints.append(f"Prix non communiqué : à demander à {offer.contact}.")
            if offer.notes:
                constraints.append(offer.notes)
            explanation = (
                f"{offer.name} ({'covoiturage solidaire' if offer.kind == 'carpool' else 'chauffeur bénévole'}) : "
                f"environ {_minutes_fr(road)} en voiture ({km:.0f} km), sous réserve d'un conducteur disponible. {rule}"
            )
            plans.append(
                TripPlan(
                    Mode.SOLIDARITY,
                    (leg,),
                    (leg,),
                    road,
                    _round_trip_cost(offer.cost_eur),
                    explanation,
                    tuple(constraints),
                )
            )
        return plans


class TripPlanner:
    """`MobilityContext.trips` for one origin and one person's means, for many destinations and windows.

    Built per plan (not thread-shared). Caches the road figures and the stops near each
    point, and runs, per service day, one forward one-to-many search from the origin (the
    earliest arrival at every stop) and one reverse search (the latest departure from every
    stop to be home by midnight). A destination that cannot be reached that day, or not back,
    costs no further search; the remaining searches are the same as `trips`, so the trips are
    identical (tests/mobility/test_public_transport.py checks it).
    """

    def __init__(
        self,
        context: MobilityContext,
        origin: Point,
        origin_commune: str,
        means: TravelMeans,
        now: datetime | None,
        visit_minutes: int,
    ) -> None:
        self.context = context
        self.origin = origin
        self.origin_commune = origin_commune
        self.means = means
        self.now = now
        self.visit_minutes = visit_minutes
        self._road: dict[tuple[Point, str], tuple[float, float, float]] = {}
        self._window_free: dict[tuple[Point, str], tuple[tuple[TripPlan, ...], tuple[TripPlan, ...]]] = {}
        self._stops: dict[Point, dict[int, int]] = {}
        self._forward: dict[date, SearchTree] = {}
        self._backward: dict[date, SearchTree] = {}

    def trips(self, *, destination: Point, destination_commune: str, window: TimeWindow) -> list[TripPlan]:
        return self.context._trips(
            self.origin,
            self.origin_commune,
            destination,
            destination_commune,
            window,
            self.means,
            self.now,
            self.visit_minutes,
            shared=self,
        )

    def road(self, destination: Point, destination_commune: str) -> tuple[float, float, float]:
        """(road km, driving minutes, walking km) to the destination, computed once."""
        key = (destination, destination_commune)
        found = self._road.get(key)
        if found is None:
            crow = crow_km(self.origin, destination)  # once, for the three figures below
            km, driving = _road(crow, self.context.terrain(self.origin_commune, destination_commune))
            # = road_km, road_minutes and walk_km of (origin, destination)
            found = self._road[key] = (km, 0.0 if crow == 0 else driving + CAR_ACCESS_MINUTES, crow * WALK_CIRCUITY)
        return found

    def window_free(
        self, destination: Point, destination_commune: str
    ) -> tuple[tuple[TripPlan, ...], tuple[TripPlan, ...]]:
        """The trips that do not depend on the slot (on foot, by car; solidarity), built once per destination."""
        key = (destination, destination_commune)
        found = self._window_free.get(key)
        if found is None:
            km, minutes, on_foot = self.road(destination, destination_commune)
            found = self._window_free[key] = self.context._window_free(
                self.origin_commune, destination_commune, km, minutes, on_foot, self.means
            )
        return found

    def stops(self, point: Point) -> dict[int, int]:
        found = self._stops.get(point)
        if found is None:
            found = self._stops[point] = self.context._near(point, self.means)
        return found

    def home_stops(self) -> dict[int, int]:
        return self.stops(self.origin)

    def earliest_arrival(self, day: date, egress: dict[int, int]) -> int | None:
        """A lower bound of the arrival (seconds) at a destination with these stops, leaving home
        any time that day; None = no way with at least one vehicle; NO_BOUND when a stop of the
        destination is within walking reach of home (a walk there beats every ride in the search,
        so leaving "any time" says nothing about leaving at a given time)."""
        tree = self._forward.get(day)
        if tree is None:
            assert self.context.timetable is not None
            tree = self._forward[day] = self.context.timetable.search_tree(
                depart=ANY_TIME, access=self.home_stops(), day=day
            )
        if not tree.labels[0].keys().isdisjoint(egress):
            return NO_BOUND
        return tree.arrival(egress)

    def last_departure(self, day: date, access: dict[int, int]) -> tuple[int | None, bool]:
        """(latest departure in seconds from a place with these stops to be home by midnight that
        day, or None; whether it bounds every way back — not when a stop of the place is within
        walking reach of home, as for `earliest_arrival`). The value is the one `trips` finds."""
        tree = self._backward.get(day)
        if tree is None:
            assert self.context.timetable is not None
            tree = self._backward[day] = self.context.timetable.reversed().search_tree(
                depart=-END_OF_DAY_S, access=self.home_stops(), day=day
            )
        arrival = tree.arrival(access)
        return (None if arrival is None else -arrival), tree.labels[0].keys().isdisjoint(access)
