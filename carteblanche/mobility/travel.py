"""Travel between two points with the means a person has. Pure module (no Django).

This is the interface the orientation engine calls. The road model here is a first,
documented approximation (great-circle distance x circuity, speed by distance band); the
mobility work calibrates it and adds public transport (GTFS), on-demand transport and
solidarity mobility behind the same `MobilityContext.trips` call.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

EARTH_RADIUS_KM = 6371.0088


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


# --- road and walking model (parameters in one place; calibrated in docs/mobility.md) ---
ROAD_CIRCUITY = 1.35  # road distance / great-circle distance, rural south-west France
WALK_CIRCUITY = 1.25
WALK_KMH = 4.5
WALK_KMH_REDUCED = 3.0
# (upper bound of great-circle km, mean road speed km/h)
ROAD_SPEED_BANDS: tuple[tuple[float, float], ...] = ((3.0, 25.0), (10.0, 45.0), (30.0, 60.0), (math.inf, 75.0))
CAR_COST_EUR_PER_KM = 0.0  # not shown: the person's own car


def great_circle_km(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_km(a: Point, b: Point) -> float:
    return great_circle_km(a, b) * ROAD_CIRCUITY


def road_minutes(a: Point, b: Point) -> float:
    crow = great_circle_km(a, b)
    speed = next(kmh for limit, kmh in ROAD_SPEED_BANDS if crow <= limit)
    return crow * ROAD_CIRCUITY / speed * 60 + (2.0 if crow > 0 else 0.0)  # + parking/access


def walk_minutes(a: Point, b: Point, *, reduced_mobility: bool = False) -> float:
    speed = WALK_KMH_REDUCED if reduced_mobility else WALK_KMH
    return great_circle_km(a, b) * WALK_CIRCUITY / speed * 60


class MobilityContext:
    """Everything needed to plan trips: road model now; timetables and on-demand data later."""

    def trips(
        self,
        *,
        origin: Point,
        origin_commune: str,
        destination: Point,
        destination_commune: str,
        window: TimeWindow,
        means: TravelMeans,
    ) -> list[TripPlan]:
        """Every way to reach `destination` inside `window` and come back the same day; [] = no way."""
        plans: list[TripPlan] = []
        km = road_km(origin, destination)
        walk_km = great_circle_km(origin, destination) * WALK_CIRCUITY
        if walk_km <= means.walk_max_km:
            minutes = walk_minutes(origin, destination, reduced_mobility=means.reduced_mobility)
            leg = Leg(Mode.WALK, minutes, walk_km, cost_eur=0.0)
            plans.append(
                TripPlan(
                    Mode.WALK,
                    (leg,),
                    (leg,),
                    minutes,
                    0.0,
                    f"À pied : environ {round(minutes)} minutes ({walk_km:.1f} km).",
                )
            )
        minutes = road_minutes(origin, destination)
        if means.has_car:
            leg = Leg(Mode.CAR, minutes, km)
            plans.append(
                TripPlan(
                    Mode.CAR,
                    (leg,),
                    (leg,),
                    minutes,
                    None,
                    f"En voiture : environ {round(minutes)} minutes ({km:.0f} km).",
                )
            )
        for driver in means.driver_windows:
            start, end = max(driver.start, window.start), min(driver.end, window.end)
            if end - start >= timedelta(minutes=2 * minutes + 30):
                leg = Leg(Mode.DRIVEN, minutes, km, depart=start, arrive=start + timedelta(minutes=minutes))
                plans.append(
                    TripPlan(
                        Mode.DRIVEN,
                        (leg,),
                        (leg,),
                        minutes,
                        0.0,
                        f"Un proche vous conduit : environ {round(minutes)} minutes ({km:.0f} km).",
                    )
                )
                break
        return plans
