"""Reads of the service offer, shared by the pages and the API.

The search itself lives in `directory/search/` (modules by concern: `answer` runs it, `filters`
decides what is shown, `loading` reads the rows, `cache` keeps them per version of the offer,
`slots` reads opening hours, `ranking` orders remote services and sums a search up, `results`
holds the shapes); its public names are importable from here.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from carteblanche.directory.models import Channel, ItinerantStop, Need, Place, Service, Structure
from carteblanche.directory.search import loading, slots
from carteblanche.directory.search.answer import MIN_TEXT_SCORE, match_text, search_services
from carteblanche.directory.search.cache import current as _offer_cache
from carteblanche.directory.search.filters import NEARBY_STOP_KM, is_eligible
from carteblanche.directory.search.ranking import LOCAL_LINE_KM, Highlights, search_highlights
from carteblanche.directory.search.results import (
    REMOTE_KINDS,
    TIMED_KINDS,
    ChannelView,
    DaySlots,
    PlaceDetail,
    SearchResult,
    ServiceDetail,
    ServiceResult,
    StopView,
    StructureDetail,
)
from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import CommuneAnswer, resolve_commune

__all__ = [
    "LOCAL_LINE_KM",
    "MIN_TEXT_SCORE",
    "NEARBY_STOP_KM",
    "REMOTE_KINDS",
    "TIMED_KINDS",
    "ChannelView",
    "DaySlots",
    "Highlights",
    "PlaceDetail",
    "SearchResult",
    "ServiceDetail",
    "ServiceResult",
    "StopView",
    "StructureDetail",
    "coverage_report",
    "get_place_detail",
    "get_service_detail",
    "get_structure_detail",
    "is_eligible",
    "list_needs",
    "match_text",
    "need_by_slug",
    "needs_by_life_event",
    "resolve_search_commune",
    "search_highlights",
    "search_services",
    "services_for_export",
]


# --- communes as typed in the search form ----------------------------------------------------


def resolve_search_commune(text: str) -> CommuneAnswer:
    """`territories.selectors.resolve_commune`, remembered with the offer's version.

    A search from the same commune (what the autocomplete sends, 'Cahors (46000)') then asks
    the database nothing for it; communes change only when the offer is reloaded.
    """
    cache = _offer_cache()
    key = " ".join(text.split()).lower()
    if cache is not None and key in cache.communes:
        return cache.communes[key]
    found = resolve_commune(text)
    if cache is not None:
        cache.keep(cache.communes, key, found)
    return found


def need_by_slug(slug: str) -> Need | None:
    """The catalogue need of this slug, or None (kept in the offer cache: the API asks at every search)."""
    return loading.need_by_slug(slug, _offer_cache())


# --- needs ---------------------------------------------------------------------------------


def list_needs() -> list[Need]:
    """The needs catalogue, by label."""
    return list(Need.objects.order_by("label"))


def needs_by_life_event() -> list[tuple[str, list[Need]]]:
    """The catalogue grouped by life event, for a select with option groups."""
    groups: dict[str, list[Need]] = {}
    for need in Need.objects.order_by("life_event", "label"):
        groups.setdefault(need.life_event or "Autres démarches", []).append(need)
    return sorted(groups.items(), key=lambda item: (item[0] == "Autres démarches", item[0]))


# --- details -------------------------------------------------------------------------------


def get_service_detail(service_id: int, *, commune: Commune | None = None, at: datetime | None = None) -> ServiceDetail:
    """A service with every channel, its week of hours and its itinerant stops. Service.DoesNotExist if unknown."""
    moment = slots.local_now(at)
    service = (
        Service.objects.select_related("structure", "structure__operator", "operator")
        .prefetch_related(
            Prefetch(
                "channels",
                queryset=Channel.objects.select_related("place", "place__commune").prefetch_related(
                    Prefetch("stops", queryset=ItinerantStop.objects.select_related("commune")), "area_communes"
                ),
            ),
            "needs",
        )
        .get(pk=service_id)
    )
    channels = [slots.channel_view(channel, moment, with_week=True) for channel in service.channels.all()]
    stops = [
        slots.stop_view(stop, commune, moment)
        for channel in service.channels.all()
        if channel.kind == Channel.Kind.ITINERANT
        for stop in channel.stops.all()
    ]
    if commune is not None:
        stops.sort(key=lambda s: (not s.in_commune, s.distance_km if s.distance_km is not None else math.inf))
    places = list({view.place.id: view.place for view in channels if view.place is not None}.values())
    return ServiceDetail(
        service=service,
        structure=service.structure,
        channels=channels,
        stops=stops,
        places=places,
        needs=list(service.needs.all()),
        at=moment,
    )


def get_place_detail(place_id: int, *, at: datetime | None = None) -> PlaceDetail:
    """A place, its week of hours and the services received there. Place.DoesNotExist if unknown."""
    moment = slots.local_now(at)
    place = Place.objects.select_related("structure", "structure__operator", "commune").get(pk=place_id)
    week_slots, invalid = slots.window_slots(place.opening_hours, moment)
    services = list(
        Service.objects.filter(channels__place=place)
        .select_related("operator", "structure")
        .distinct()
        .order_by("name")
    )
    return PlaceDetail(
        place=place,
        structure=place.structure,
        hours_known=week_slots is not None,
        hours_invalid=invalid,
        next_opening=week_slots[0] if week_slots else None,
        week=slots.week(place.opening_hours, moment),
        services=services,
        at=moment,
    )


def get_structure_detail(structure_id: int) -> StructureDetail:
    """A structure with its places and services. Structure.DoesNotExist if unknown."""
    structure = Structure.objects.select_related("operator").get(pk=structure_id)
    return StructureDetail(
        structure=structure,
        places=list(structure.places.select_related("commune").order_by("name")),
        services=list(structure.services.select_related("operator").order_by("name")),
    )


def coverage_report() -> dict | None:
    """The coverage report of the default territory, kept until the offer changes (about 1 s to compute).

    Kept in Django's cache (shared by the server's processes), under the offer's token.
    """
    import hashlib

    from django.core.cache import cache

    from carteblanche.core import process_cache
    from carteblanche.directory.coverage import offer_report
    from carteblanche.mobility.context import get_mobility_context
    from carteblanche.territories.selectors import default_territory

    territory = default_territory()
    if territory is None:
        return None

    def report() -> dict:
        return offer_report(territory=territory, mobility=get_mobility_context())

    token = process_cache.offer_token()
    if token[1] is process_cache.UNTRACKED:
        return report()
    version = hashlib.sha256(repr(token).encode()).hexdigest()[:16]
    key = f"directory:coverage:{territory.pk}:{timezone.localdate()}:{version}"
    return cache.get_or_set(key, report, 3600)


def services_for_export() -> tuple[QuerySet[Structure], QuerySet[Service]]:
    """The whole offer, as plain querysets: the exports module adds its own prefetches."""
    return Structure.objects.all(), Service.objects.all()
