"""Writes of the mobility app: GTFS import (all or nothing)."""

from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db import transaction

from carteblanche.mobility.gtfs import ParsedFeed
from carteblanche.mobility.models import GtfsFeed, GtfsRoute, GtfsService, GtfsStop, GtfsStopTime, GtfsTrip

BATCH = 5000


@transaction.atomic
def import_feed(
    *,
    parsed: ParsedFeed,
    slug: str,
    name: str = "",
    source_url: str = "",
    licence: str = "",
    fare_eur: Decimal | None = None,
    fare_source: str = "",
    progress: Callable[[Iterator], Iterator] | None = None,
) -> GtfsFeed:
    """Replace the feed `slug` by `parsed` in one transaction: a failure leaves the old feed intact."""
    GtfsFeed.objects.filter(slug=slug).delete()
    feed = GtfsFeed.objects.create(
        slug=slug,
        name=name or parsed.agency_name or slug,
        source_url=source_url,
        licence=licence,
        fare_eur=fare_eur,
        fare_source=fare_source,
    )
    stops = GtfsStop.objects.bulk_create(
        [GtfsStop(feed=feed, stop_id=k, name=n, latitude=la, longitude=lo) for k, (n, la, lo) in parsed.stops.items()],
        batch_size=BATCH,
    )
    stop_pk = {s.stop_id: s.pk for s in stops} if stops and stops[0].pk else _pks(GtfsStop, feed, "stop_id")
    routes = GtfsRoute.objects.bulk_create(
        [
            GtfsRoute(
                feed=feed,
                route_id=k,
                short_name=short[:50],
                long_name=long_[:200],
                route_type=kind,
                fare_eur=None if k not in parsed.route_fares else Decimal(str(parsed.route_fares[k])),
            )
            for k, (short, long_, kind) in parsed.routes.items()
        ],
        batch_size=BATCH,
    )
    route_pk = {r.route_id: r.pk for r in routes} if routes and routes[0].pk else _pks(GtfsRoute, feed, "route_id")
    services = GtfsService.objects.bulk_create(
        [
            GtfsService(
                feed=feed,
                service_id=k,
                start_date=v["start"],
                end_date=v["end"],
                weekdays="".join("1" if d else "0" for d in v["weekdays"]),
                added_dates=sorted(d.isoformat() for d in v["added"]),
                removed_dates=sorted(d.isoformat() for d in v["removed"]),
            )
            for k, v in parsed.services.items()
        ],
        batch_size=BATCH,
    )
    service_pk = (
        {s.service_id: s.pk for s in services} if services and services[0].pk else _pks(GtfsService, feed, "service_id")
    )
    trips = GtfsTrip.objects.bulk_create(
        [
            GtfsTrip(feed=feed, trip_id=k, route_id=route_pk[r], service_id=service_pk[s], headsign=h[:200])
            for k, (r, s, h) in parsed.trips.items()
        ],
        batch_size=BATCH,
    )
    trip_pk = {t.trip_id: t.pk for t in trips} if trips and trips[0].pk else _pks(GtfsTrip, feed, "trip_id")
    items = parsed.stop_times.items()
    batch: list[GtfsStopTime] = []
    for trip_id, times in progress(items) if progress else items:
        for seq, stop, arr, dep in times:
            batch.append(
                GtfsStopTime(trip_id=trip_pk[trip_id], stop_id=stop_pk[stop], sequence=seq, arrival=arr, departure=dep)
            )
        if len(batch) >= BATCH:
            GtfsStopTime.objects.bulk_create(batch)
            batch = []
    GtfsStopTime.objects.bulk_create(batch)
    return feed


def _pks(model, feed: GtfsFeed, key: str) -> dict[str, int]:
    """Primary keys by GTFS id, for databases whose bulk_create does not return them."""
    return dict(model.objects.filter(feed=feed).values_list(key, "pk"))
