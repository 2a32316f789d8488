"""The process-wide `OfferIndex`, built from the database and rebuilt when the offer changes.

Why a cache: building the index reads the whole offer (seconds at national scale), while a
query takes microseconds. Each process keeps one index. A cheap version of the offer
(row counts and latest `updated_at` of services, places, channels and itinerant stops) is
compared at most every ``CARTEBLANCHE_OFFER_INDEX_CHECK_SECONDS`` (default 5 s), so a
change made by another process shows within seconds; a change made in this process through
the ORM (save/delete signals) or an explicit `invalidate_offer_index()` shows at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from carteblanche.directory.models import Channel, ItinerantStop, Place, Service
from carteblanche.directory.search_engine import OfferIndex, OfferRow

# Channels that need no travel: the service is reachable from home.
REMOTE_CHANNEL_KINDS = (
    Channel.Kind.PHONE,
    Channel.Kind.ONLINE,
    Channel.Kind.CALLBACK,
    Channel.Kind.HOME_VISIT,
    Channel.Kind.VIDEO,
)
_WATCHED = (Service, Place, Channel, ItinerantStop)

_lock = threading.Lock()
_index: OfferIndex | None = None
_version: tuple | None = None
_checked_at = 0.0
_stale = True


def _check_interval() -> float:
    return float(getattr(settings, "CARTEBLANCHE_OFFER_INDEX_CHECK_SECONDS", 5.0))


def offer_version() -> tuple:
    """Counts and latest modification of the tables the index is built from (4 small queries)."""
    version = []
    for model in _WATCHED:
        row = model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        version.append((row["n"], row["last"]))
    return tuple(version)


def offer_rows() -> Iterator[OfferRow]:
    """Every (service, place) pair of the offer, plus itinerant stops and remote-only channels."""
    themes = {
        pk: tuple(t for t in (thematiques or []) if isinstance(t, str))
        for pk, thematiques in Service.objects.values_list("pk", "thematiques").iterator(chunk_size=20_000)
    }
    # A counter (or any channel) at a place.
    for service_id, place_id, lat, lon in (
        Channel.objects.filter(place__isnull=False)
        .values_list("service_id", "place_id", "place__latitude", "place__longitude")
        .iterator(chunk_size=20_000)
    ):
        yield OfferRow(service_id, place_id, themes.get(service_id, ()), lat, lon)
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
            yield OfferRow(service_id, place_id, themes.get(service_id, ()), lat, lon)
    # Each stop of an itinerant channel: a point without a place.
    for service_id, stop_id, lat, lon in ItinerantStop.objects.values_list(
        "channel__service_id", "pk", "latitude", "longitude"
    ).iterator(chunk_size=20_000):
        yield OfferRow(service_id, None, themes.get(service_id, ()), lat, lon, stop_id=stop_id)
    # Reachable without travelling.
    for service_id in (
        Channel.objects.filter(kind__in=REMOTE_CHANNEL_KINDS).values_list("service_id", flat=True).distinct()
    ):
        yield OfferRow(service_id, None, themes.get(service_id, ()), None, None)


def build_offer_index() -> OfferIndex:
    """A fresh index of the offer as it is in the database now."""
    return OfferIndex.build(offer_rows())


def get_offer_index() -> OfferIndex:
    """The current index, rebuilt first if the offer changed since it was built."""
    global _index, _version, _checked_at, _stale
    now = time.monotonic()
    index = _index
    if index is not None and not _stale and now - _checked_at < _check_interval():
        return index
    with _lock:
        now = time.monotonic()
        if _index is not None and not _stale and now - _checked_at < _check_interval():
            return _index
        version = offer_version()
        if _index is None or _stale or version != _version:
            _stale = False  # set before building: a change during the build marks it stale again
            _index = build_offer_index()
            _version = version
        _checked_at = time.monotonic()
        return _index


def invalidate_offer_index(**_: object) -> None:
    """Forget the index: the next `get_offer_index()` rebuilds it. Also a signal receiver."""
    global _stale
    _stale = True


for _model in _WATCHED:
    post_save.connect(invalidate_offer_index, sender=_model, dispatch_uid=f"offer-index-save-{_model.__name__}")
    post_delete.connect(invalidate_offer_index, sender=_model, dispatch_uid=f"offer-index-delete-{_model.__name__}")
