"""Reads of the mobility app: the data behind MobilityContext, turned into pure objects."""

from datetime import date, time

from carteblanche.mobility.gtfs import route_display_name
from carteblanche.mobility.models import (
    GtfsFeed,
    GtfsRoute,
    GtfsService,
    GtfsStop,
    GtfsStopTime,
    GtfsTrip,
    OnDemandService,
    SolidarityOffer,
)
from carteblanche.mobility.offers import OnDemandOffer
from carteblanche.mobility.offers import SolidarityOffer as SolidarityData
from carteblanche.mobility.raptor import Service, Timetable, build_timetable
from carteblanche.mobility.travel import URBAN_MIN_POPULATION
from carteblanche.territories.models import Commune


def load_timetable() -> Timetable | None:
    """Every imported feed in one timetable; None when no feed is loaded."""
    if not GtfsFeed.objects.exists():
        return None
    feed_fares = dict(GtfsFeed.objects.values_list("pk", "fare_eur"))
    stops = [
        (str(pk), name, lat, lon)
        for pk, name, lat, lon in GtfsStop.objects.values_list("pk", "name", "latitude", "longitude")
    ]
    routes = []
    for pk, feed, short, long_, fare in GtfsRoute.objects.values_list(
        "pk", "feed_id", "short_name", "long_name", "fare_eur"
    ):
        known = fare if fare is not None else feed_fares[feed]
        routes.append((str(pk), route_display_name(short, long_), None if known is None else float(known)))
    services = [
        Service(
            str(pk),
            start,
            end,
            tuple(c == "1" for c in weekdays),
            frozenset(date.fromisoformat(d) for d in added),
            frozenset(date.fromisoformat(d) for d in removed),
        )
        for pk, start, end, weekdays, added, removed in GtfsService.objects.values_list(
            "pk", "start_date", "end_date", "weekdays", "added_dates", "removed_dates"
        )
    ]
    times: dict[int, list[tuple[str, int, int]]] = {}
    rows = GtfsStopTime.objects.order_by("trip_id", "sequence").values_list(
        "trip_id", "stop_id", "arrival", "departure"
    )
    for trip, stop, arr, dep in rows.iterator(chunk_size=20_000):
        times.setdefault(trip, []).append((str(stop), arr, dep))
    trips = [
        (str(pk), str(route), str(service), headsign, times.get(pk, []))
        for pk, route, service, headsign in GtfsTrip.objects.values_list("pk", "route_id", "service_id", "headsign")
    ]
    return build_timetable(stops=stops, routes=routes, services=services, trips=trips)


def _communes(offer) -> frozenset[str]:
    codes = set(offer.commune_codes)
    if offer.epci_codes:
        codes |= set(Commune.objects.filter(epci_id__in=offer.epci_codes).values_list("code", flat=True))
    if offer.department_codes:
        codes |= set(Commune.objects.filter(department_id__in=offer.department_codes).values_list("code", flat=True))
    return frozenset(codes)


def _common(offer) -> dict:
    return {
        "key": f"{offer.source}:{offer.source_id}",
        "name": offer.name,
        "area_label": offer.area_label,
        "communes": _communes(offer),
        "operator": offer.operator_name,
        "booking_phone": offer.booking_phone,
        "booking_url": offer.booking_url,
        "booking_days_before": offer.booking_days_before,
        "booking_deadline": offer.booking_deadline,
        "cost_eur": None if offer.cost_eur is None else float(offer.cost_eur),
        "notes": offer.notes,
        "source_url": offer.source_url,
    }


def load_on_demand_offers() -> list[OnDemandOffer]:
    return [
        OnDemandOffer(
            **_common(o),
            destinations=frozenset(o.destination_commune_codes),
            weekdays=frozenset(o.weekdays),
            hours=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in o.hours),
        )
        for o in OnDemandService.objects.filter(active=True)
    ]


def load_solidarity_offers() -> list[SolidarityData]:
    return [SolidarityData(**_common(o), kind=o.kind) for o in SolidarityOffer.objects.filter(active=True)]


def urban_commune_codes() -> frozenset[str]:
    return frozenset(Commune.objects.filter(population__gte=URBAN_MIN_POPULATION).values_list("code", flat=True))
