"""How complete, sourced, fresh and reachable the offer is: the data stewards' coverage report.

Per need family (the catalogue's life events): how many services may be proposed, and which
share of them gives an address, a phone number, opening hours, a source, a source younger than
the freshness limit; then which share of the territory's population has a competent place of
that family (a counter or an itinerant stop of such a service) within 20 and 30 minutes without a
car. Travel times come from the orientation mobility model (`MobilityContext`: walking, public
transport, on-demand transport, solidarity mobility), never from a new distance function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from carteblanche.core.freshness import STALE_AFTER_DAYS, is_stale
from carteblanche.directory.models import Channel, ItinerantStop, Need, Service
from carteblanche.mobility.travel import MobilityContext, Point, TimeWindow, TravelMeans, great_circle_km
from carteblanche.territories.models import Territory

THRESHOLDS_MINUTES = (20, 30)
# Destinations tried per commune and family, nearest (as the crow flies) first: a farther place is
# very rarely reached sooner without a car, and each try may run a public-transport search.
DESTINATIONS_TRIED = 6
NO_CAR = TravelMeans(has_car=False)  # walking, public transport, on-demand transport, solidarity mobility
WITHOUT_FAMILY = "autres démarches"
TIMED_KINDS = {Channel.Kind.COUNTER, Channel.Kind.PHONE, Channel.Kind.CALLBACK, Channel.Kind.VIDEO}


@dataclass(frozen=True, slots=True)
class Destination:
    point: Point
    commune: str


def _families(needs: list[Need]) -> dict[str, str]:
    return {need.slug: need.life_event or WITHOUT_FAMILY for need in needs}


def _services() -> list[Service]:
    channels = Channel.objects.select_related("place").prefetch_related(
        Prefetch("stops", queryset=ItinerantStop.objects.only("id", "channel_id", "latitude", "longitude", "commune"))
    )
    return list(
        Service.objects.proposable()
        .select_related("structure")
        .prefetch_related(
            Prefetch("channels", queryset=channels), Prefetch("needs", queryset=Need.objects.only("slug"))
        )
        .order_by("pk")
    )


def _has_address(service: Service) -> bool:
    return any(c.kind == Channel.Kind.COUNTER and c.place_id and c.place.address for c in service.channels.all())


def _has_phone(service: Service) -> bool:
    return bool(service.structure.phone) or any(
        c.kind in (Channel.Kind.PHONE, Channel.Kind.CALLBACK) and c.phone for c in service.channels.all()
    )


def _has_hours(service: Service) -> bool:
    for channel in service.channels.all():
        if channel.kind in TIMED_KINDS and channel.effective_opening_hours:
            return True
        if channel.kind == Channel.Kind.ITINERANT and any(stop.schedule for stop in channel.stops.all()):
            return True
    return False


def _destinations(service: Service) -> list[Destination]:
    """Where the service receives people: its counters' places and its itinerant stops."""
    found = []
    for channel in service.channels.all():
        if channel.kind == Channel.Kind.COUNTER and channel.place_id:
            found.append(Destination(Point(channel.place.latitude, channel.place.longitude), channel.place.commune_id))
        elif channel.kind == Channel.Kind.ITINERANT:
            found += [Destination(Point(s.latitude, s.longitude), s.commune_id) for s in channel.stops.all()]
    return found


def _share(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def _a_tuesday(today: date) -> date:
    """The next Tuesday (an ordinary weekday with buses, on-demand transport and open counters)."""
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def offer_report(
    *,
    territory: Territory,
    mobility: MobilityContext,
    today: date | None = None,
    thresholds: tuple[int, ...] = THRESHOLDS_MINUTES,
) -> dict:
    """The coverage report as plain data (JSON-ready): one row per need family (`families`) and per
    need (`needs`: an identity card is not état civil, though both are "papiers"), and the totals."""
    today = today or timezone.localdate()
    needs = list(Need.objects.only("slug", "label", "life_event"))
    family_of = _families(needs)
    services = _services()
    rows: dict[tuple[str, str], dict] = {}
    places: dict[tuple[str, str], dict[tuple, Destination]] = defaultdict(dict)
    for service in services:
        slugs = sorted(n.slug for n in service.needs.all())
        keys = [("family", f) for f in sorted({family_of[s] for s in slugs}) or [WITHOUT_FAMILY]]
        keys += [("need", slug) for slug in slugs]
        flags = {
            "with_address": _has_address(service),
            "with_phone": _has_phone(service),
            "with_hours": _has_hours(service),
            "with_source": bool(service.source_url),
            "with_fresh_source": service.verified_on is not None and not is_stale(service.verified_on, today),
            "unverified": service.is_unverified,
        }
        destinations = _destinations(service)
        for key in keys:
            row = rows.setdefault(key, {"services": 0, **dict.fromkeys(flags, 0)})
            row["services"] += 1
            for name, value in flags.items():
                row[name] += int(value)
            for destination in destinations:
                places[key][(destination.point, destination.commune)] = destination
    communes = list(territory.communes.exclude(latitude__isnull=True).order_by("code"))
    population = sum(c.population or 0 for c in communes)
    day = _a_tuesday(today)
    tz = timezone.get_current_timezone()
    window = TimeWindow(datetime.combine(day, time(9, 0), tz), datetime.combine(day, time(17, 0), tz))
    reached: dict[tuple[str, str], dict[int, int]] = {key: dict.fromkeys(thresholds, 0) for key in rows}
    for commune in communes:
        origin = Point(commune.latitude, commune.longitude)
        planner = mobility.planner(origin=origin, origin_commune=commune.code, means=NO_CAR)
        for key in rows:
            best = _fastest(planner, origin, list(places[key].values()), window)
            for limit in thresholds:
                if best is not None and best <= limit:
                    reached[key][limit] += commune.population or 0

    def line(key: tuple[str, str]) -> dict:
        row = rows[key]
        total = row["services"]
        return {
            "services": total,
            **{f"share_{name}": _share(row[name], total) for name in row if name.startswith("with_")},
            "unverified": row["unverified"],
            "places": len(places[key]),
            **{
                f"population_within_{limit}_min_without_car": _share(reached[key][limit], population)
                for limit in thresholds
            },
        }

    labels = {need.slug: need.label for need in needs}
    return {
        "territory": territory.name,
        "population": population,
        "communes": len(communes),
        "computed_on": today.isoformat(),
        "travel_day": day.isoformat(),
        "travel_means": "sans voiture : à pied, transport en commun, transport à la demande, mobilité solidaire",
        "fresh_source_days": STALE_AFTER_DAYS,
        "services": len(services),
        "ended_services_left_out": Service.objects.ended().count(),
        "families": [{"family": name, **line(("family", name))} for kind, name in sorted(rows) if kind == "family"],
        "needs": [
            {"need": slug, "label": labels.get(slug, slug), "family": family_of.get(slug, WITHOUT_FAMILY), **line(key)}
            for key in sorted(rows, key=lambda k: (family_of.get(k[1], ""), k[1]))
            if key[0] == "need"
            for slug in [key[1]]
        ],
    }


def _fastest(planner, origin: Point, destinations: list[Destination], window: TimeWindow) -> float | None:
    """Door-to-door minutes to the quickest of the nearest destinations, or None when none is reachable."""
    nearest = sorted(destinations, key=lambda d: great_circle_km(origin, d.point))[:DESTINATIONS_TRIED]
    best = None
    for place in nearest:
        for trip in planner.trips(destination=place.point, destination_commune=place.commune, window=window):
            if best is None or trip.door_to_door_minutes < best:
                best = trip.door_to_door_minutes
    return best
