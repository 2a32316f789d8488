"""The process-wide `OfferIndex`, built from the database and rebuilt when the offer changes.

Why a cache: building the index reads the whole offer (seconds at national scale), while a
query takes microseconds. Each process keeps one index, as the `offer index` entry of
`core.process_cache`: rebuilt when the offer's token changes (any write, by any process).
With ``CARTEBLANCHE_OFFER_INDEX_BACKGROUND_REFRESH`` (servers), the rebuild runs in a
background thread while the previous index keeps answering.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection

from carteblanche.core import process_cache
from carteblanche.directory.kinds import REMOTE_CHANNEL_KINDS
from carteblanche.directory.models import Channel, ItinerantStop, Place, Service
from carteblanche.directory.search_engine import OfferIndex, OfferRow, RemoteOffices


def offer_rows() -> Iterator[OfferRow]:
    """Every (service, place) pair of the offer, plus itinerant stops and remote-only channels."""
    themes = {
        pk: tuple(t for t in (thematiques or []) if isinstance(t, str))
        for pk, thematiques in Service.objects.proposable().values_list("pk", "thematiques").iterator(chunk_size=20_000)
    }
    # A counter (or any channel) at a place.
    for service_id, place_id, lat, lon in (
        Channel.objects.filter(place__isnull=False)
        .values_list("service_id", "place_id", "place__latitude", "place__longitude")
        .iterator(chunk_size=20_000)
    ):
        if service_id in themes:
            yield OfferRow(service_id, place_id, themes[service_id], lat, lon)
    # The service's own place, if the model has one.
    try:
        Service._meta.get_field("place")
    except FieldDoesNotExist:
        pass
    else:
        for service_id, place_id, lat, lon in (
            Service.objects.filter(place__isnull=False)
            .values_list("pk", "place_id", "place__latitude", "place__longitude")
            .iterator(chunk_size=20_000)
        ):
            if service_id in themes:
                yield OfferRow(service_id, place_id, themes[service_id], lat, lon)
    # Each stop of an itinerant channel: a point without a place.
    for service_id, stop_id, lat, lon in ItinerantStop.objects.values_list(
        "channel__service_id", "pk", "latitude", "longitude"
    ).iterator(chunk_size=20_000):
        if service_id in themes:
            yield OfferRow(service_id, None, themes[service_id], lat, lon, stop_id=stop_id)
    # Reachable without travelling.
    for service_id in (
        Channel.objects.filter(kind__in=REMOTE_CHANNEL_KINDS).values_list("service_id", flat=True).distinct()
    ):
        if service_id in themes:
            yield OfferRow(service_id, None, themes[service_id], None, None)


def _raw_rows(queryset) -> list[tuple]:
    """The rows of an ORM query without building model instances or converting values: fast."""
    sql, params = queryset.order_by().query.sql_with_params()  # no ORDER BY: not needed, and not free
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _themes_by_service() -> dict[int, tuple[str, ...]]:
    """Thematiques of every service that may be proposed (`Service.objects.proposable()`): the others,
    ended, are left out of the index, so no search, plan or list built on it can offer them."""
    decoded: dict = {}  # many services share the same list: decode each distinct one once
    themes = {}
    for pk, raw in _raw_rows(Service.objects.proposable().values_list("pk", "thematiques")):
        key = raw if isinstance(raw, str) or raw is None else tuple(raw)
        value = decoded.get(key)
        if value is None:
            items = json.loads(raw) if isinstance(raw, str) else (raw or [])
            value = decoded[key] = tuple(t for t in items if isinstance(t, str)) if isinstance(items, list) else ()
        themes[pk] = value
    return themes


def build_offer_index() -> OfferIndex:
    """A fresh index of the offer as it is in the database now (same content as `offer_rows()`)."""
    themes = _themes_by_service()
    located = _raw_rows(
        Channel.objects.filter(place__isnull=False).values_list(
            "service_id", "place_id", "place__latitude", "place__longitude"
        )
    )
    try:
        Service._meta.get_field("place")
    except FieldDoesNotExist:
        pass
    else:
        located += _raw_rows(
            Service.objects.filter(place__isnull=False).values_list(
                "pk", "place_id", "place__latitude", "place__longitude"
            )
        )
    stops = _raw_rows(ItinerantStop.objects.values_list("channel__service_id", "pk", "latitude", "longitude"))
    located = [row for row in located if row[0] in themes]
    stops = [row for row in stops if row[0] in themes]
    n_located, n = len(located), len(located) + len(stops)
    services = np.fromiter((r[0] for r in located + stops), dtype=np.int64, count=n)
    places = np.full(n, -1, dtype=np.int64)
    places[:n_located] = np.fromiter((r[1] for r in located), dtype=np.int64, count=n_located)
    stop_ids = np.full(n, -1, dtype=np.int64)
    stop_ids[n_located:] = np.fromiter((r[1] for r in stops), dtype=np.int64, count=len(stops))
    lat = np.fromiter((r[2] for r in located + stops), dtype=np.float64, count=n)
    lon = np.fromiter((r[3] for r in located + stops), dtype=np.float64, count=n)
    # One entry per (service, place, stop): a service may reach a place through several channels.
    order = np.lexsort((stop_ids, places, services))
    keep = (
        order[
            np.concatenate(([True], np.diff(services[order]) != 0))
            | np.concatenate(([True], np.diff(places[order]) != 0))
            | np.concatenate(([True], np.diff(stop_ids[order]) != 0))
        ]
        if n
        else order
    )
    services, places, stop_ids, lat, lon = services[keep], places[keep], stop_ids[keep], lat[keep], lon[keep]
    positions: dict[str, list[int]] = {}
    for position, service_id in enumerate(services.tolist()):
        for theme in themes.get(service_id, ()):
            positions.setdefault(theme, []).append(position)
    remote: dict[str, list[int]] = {}
    remote_ids = Channel.objects.filter(kind__in=REMOTE_CHANNEL_KINDS).values_list("service_id", flat=True)
    for (service_id,) in _raw_rows(remote_ids.distinct()):
        for theme in themes.get(service_id, ()):  # ended services have none here
            remote.setdefault(theme, []).append(service_id)
    return OfferIndex.build_from_arrays(
        service_ids=services,
        place_ids=places,
        stop_ids=stop_ids,
        latitudes=lat,
        longitudes=lon,
        theme_of_pair={theme: np.asarray(p, dtype=np.int64) for theme, p in positions.items()},
        remote={theme: np.asarray(ids, dtype=np.int64) for theme, ids in remote.items()},
    )


def build_remote_offices() -> RemoteOffices:
    """Name, operator and offices of every service reachable without travelling (4 queries).

    Offices, as the search understands them: counters at a place and stops of itinerant
    channels; for a service with neither, its structure's places.
    """
    remote_services = Channel.objects.filter(
        kind__in=REMOTE_CHANNEL_KINDS, service__in=Service.objects.proposable()
    ).values("service_id")
    rows = _raw_rows(
        Service.objects.filter(pk__in=remote_services).values_list("pk", "name", "operator_id", "structure_id")
    )
    points: dict[int, list[tuple[float, float]]] = {}
    counters = Channel.objects.filter(kind=Channel.Kind.COUNTER, place__isnull=False, service_id__in=remote_services)
    for service_id, lat, lon in _raw_rows(counters.values_list("service_id", "place__latitude", "place__longitude")):
        points.setdefault(service_id, []).append((lat, lon))
    stops = ItinerantStop.objects.filter(channel__kind=Channel.Kind.ITINERANT, channel__service_id__in=remote_services)
    for service_id, lat, lon in _raw_rows(stops.values_list("channel__service_id", "latitude", "longitude")):
        points.setdefault(service_id, []).append((lat, lon))
    structures = Service.objects.filter(pk__in=remote_services).values("structure_id")
    by_structure: dict[int, list[tuple[float, float]]] = {}
    for structure_id, lat, lon in _raw_rows(
        Place.objects.filter(structure_id__in=structures).values_list("structure_id", "latitude", "longitude")
    ):
        by_structure.setdefault(structure_id, []).append((lat, lon))
    office_service, office_lat, office_lon = [], [], []
    for service_id, _name, _operator, structure_id in rows:
        for lat, lon in points.get(service_id) or by_structure.get(structure_id, ()):
            office_service.append(service_id)
            office_lat.append(lat)
            office_lon.append(lon)
    return RemoteOffices(
        names={row[0]: row[1] for row in rows},
        operators={row[0]: row[2] for row in rows},
        office_service=np.asarray(office_service, dtype=np.int64),
        office_lat=np.asarray(office_lat, dtype=np.float64),
        office_lon=np.asarray(office_lon, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class OfferSnapshot:
    """The index and the remote services' offices, built from the same state of the offer."""

    index: OfferIndex
    remote_offices: RemoteOffices


def _background() -> bool:
    return bool(getattr(settings, "CARTEBLANCHE_OFFER_INDEX_BACKGROUND_REFRESH", False))


def _build_snapshot() -> OfferSnapshot:
    return OfferSnapshot(build_offer_index(), build_remote_offices())


OFFER_INDEX = process_cache.register("offer index", _build_snapshot, refresh_in_background=_background)


def get_offer_index() -> OfferIndex:
    """The current index, rebuilt first if the offer changed since it was built (see `get_offer_snapshot`)."""
    return get_offer_snapshot().index


def get_offer_snapshot() -> OfferSnapshot:
    """The current index and remote offices, rebuilt first if the offer changed since they were built."""
    return OFFER_INDEX.get()


def wait_for_refresh(timeout: float = 60.0) -> None:
    """Wait for a background refresh in progress, if any (tests, benchmarks)."""
    OFFER_INDEX.wait_for_refresh(timeout)


def invalidate_offer_index() -> None:
    """Forget the index: the next `get_offer_index()` rebuilds it (tests)."""
    OFFER_INDEX.forget()
