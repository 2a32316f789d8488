"""Loading the services a search looks at: in full (to show them) or as light rows (to judge them).

A search shows ~20 results out of hundreds or thousands of candidates: only what is looked at
is loaded, in the order the lists look at it, a batch at a time (`Loader`). With filters, most
candidates may fail, so the next candidates' light rows (`LightRows`) are judged first and only
those that may be shown are loaded in full. Both kinds of rows are kept in the offer cache
(`search.cache`) for the next searches. Relations are attached by hand (`channels_of`,
`stops_of`, `area_of`): Django's prefetch costs tens of microseconds per instance, and only
itinerant channels have stops, only call-backs and home visits an area.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q

from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Service

if TYPE_CHECKING:
    from carteblanche.directory.search.cache import OfferCache

LightRow = tuple[Service, list[Channel], list[ItinerantStop]]

# Columns a search result never shows: not read (the detail pages load everything).
_UNSHOWN = ("created_at", "updated_at")
_COMMUNE_UNSHOWN = ("department", "region_code", "epci", "population", "postcodes", "search_key")
_WITH_AREA = (Channel.Kind.HOME_VISIT, Channel.Kind.CALLBACK)
_MISSING = object()


def channels_of(service: Service) -> list[Channel]:
    """The service's channels: as loaded by the search, else prefetched or queried."""
    loaded = getattr(service, "_search_channels", None)
    return loaded if loaded is not None else list(service.channels.all())


def stops_of(channel: Channel) -> list[ItinerantStop]:
    loaded = getattr(channel, "_search_stops", None)
    return loaded if loaded is not None else list(channel.stops.all())


def area_of(channel: Channel) -> list[str]:
    """Codes of the communes a home visit or call-back covers (empty: anywhere)."""
    loaded = getattr(channel, "_search_area", None)
    return loaded if loaded is not None else [c.code for c in channel.area_communes.all()]


def itinerant_stops(service: Service) -> list[ItinerantStop]:
    """Every stop of the service's itinerant channels."""
    return [stop for c in channels_of(service) if c.kind == Channel.Kind.ITINERANT for stop in stops_of(c)]


def _attach_areas(channels: Iterable[Channel]) -> None:
    """Fill `area_of` for these channels (one query, only when some cover an area)."""
    channels = list(channels)
    with_area = [c.id for c in channels if c.kind in _WITH_AREA]
    areas: dict[int, list[str]] = {}
    if with_area:
        through = Channel.area_communes.through.objects.filter(channel_id__in=with_area)
        for channel_id, code in through.order_by("channel_id", "commune_id").values_list("channel_id", "commune_id"):
            areas.setdefault(channel_id, []).append(code)
    for channel in channels:
        channel._search_area = areas.get(channel.id, [])


def services_with_channels(ids: Iterable[int]) -> dict[int, Service]:
    """Services with their structure, operator, channels (place, commune), stops and covered communes.

    Two to four queries whatever the number of services; orders are those of the models.
    """
    ids = list(ids)
    if not ids:
        return {}
    services = {
        service.pk: service
        for service in Service.objects.filter(id__in=ids)
        .select_related("structure", "operator")
        .defer(*_UNSHOWN, *(f"structure__{name}" for name in (*_UNSHOWN, "replaces")))
    }
    channels = list(
        Channel.objects.filter(service_id__in=ids)
        .select_related("place", "place__commune")
        .defer(*_UNSHOWN, *(f"place__{name}" for name in _UNSHOWN), *(f"place__commune__{n}" for n in _COMMUNE_UNSHOWN))
        .order_by("service_id", "kind", "id")  # per service as the model orders them (service, kind)
    )
    stops: dict[int, list[ItinerantStop]] = {}
    itinerant = [c.id for c in channels if c.kind == Channel.Kind.ITINERANT]
    if itinerant:
        for stop in (
            ItinerantStop.objects.filter(channel_id__in=itinerant)
            .select_related("commune")
            .defer(*_UNSHOWN, *(f"commune__{name}" for name in _COMMUNE_UNSHOWN))
        ):
            stops.setdefault(stop.channel_id, []).append(stop)
    _attach_areas(channels)
    for service in services.values():
        service._search_channels = []
    for channel in channels:
        channel._search_stops = stops.get(channel.id, [])
        service = services.get(channel.service_id)
        if service is not None:
            channel.service = service  # the same instance: no query when a view asks for it
            service._search_channels.append(channel)
    return services


def light_rows(ids: list[int]) -> dict[int, LightRow]:
    """What the filters read, and nothing else: age, zone, languages; channel kinds, hours, place
    access and covered communes; itinerant stops (commune, point, calendar). Three or four queries."""
    services = {
        service.id: service
        for service in Service.objects.filter(id__in=ids).only(
            "id", "age_min", "age_max", "zone_eligibilite", "languages"
        )
    }
    channels: dict[int, list[Channel]] = {}
    loaded = list(
        Channel.objects.filter(service_id__in=ids)
        .select_related("place")
        .only("id", "service", "kind", "opening_hours", "place", "place__opening_hours", "place__wheelchair_accessible")
        .order_by()
    )
    _attach_areas(loaded)
    for channel in loaded:
        channels.setdefault(channel.service_id, []).append(channel)
    stops: dict[int, list[ItinerantStop]] = {}
    for stop in (
        ItinerantStop.objects.filter(channel__service_id__in=ids, channel__kind=Channel.Kind.ITINERANT)
        .select_related("channel")
        .only("id", "commune", "latitude", "longitude", "schedule", "channel", "channel__service")
        .order_by()
    ):
        stops.setdefault(stop.channel.service_id, []).append(stop)
    return {
        service_id: (service, channels.get(service_id, []), stops.get(service_id, []))
        for service_id, service in services.items()
    }


class LightRows:
    """Light rows of candidates, fetched a batch at a time, from the offer cache when it has them."""

    def __init__(self, cache: OfferCache | None = None) -> None:
        self._rows: dict[int, LightRow] = {}
        self._fetched: set[int] = set()
        self._cache = cache

    def fetched(self, service_id: int) -> bool:
        return service_id in self._fetched

    def fetch(self, ids: Iterable[int]) -> None:
        missing = [service_id for service_id in dict.fromkeys(ids) if service_id not in self._fetched]
        if not missing:
            return
        self._fetched.update(missing)
        cache = self._cache
        if cache is not None:  # what an earlier search loaded, in full or light, decides as well
            todo = []
            for service_id in missing:
                full = cache.services.get(service_id, _MISSING)
                if full is not _MISSING:
                    if full is not None:
                        self._rows[service_id] = (full, channels_of(full), itinerant_stops(full))
                elif service_id in cache.light:
                    if cache.light[service_id] is not None:
                        self._rows[service_id] = cache.light[service_id]
                else:
                    todo.append(service_id)
            missing = todo
            if not missing:
                return
        found = light_rows(missing)
        self._rows.update(found)
        if cache is not None:
            for service_id in missing:
                cache.keep(cache.light, service_id, found.get(service_id))

    def rows(self, service_id: int) -> LightRow | None:
        """The service's light rows; None when not fetched (or just deleted): load it in full."""
        return self._rows.get(service_id)


class Loader:
    """Services in full, loaded in the order a list will look at them, a batch at a time.

    Batches grow fourfold, so the number of queries stays small even when filters reject many
    candidates.
    """

    def __init__(self, cache: OfferCache | None = None) -> None:
        self.services: dict[int, Service] = {}
        self._tried: set[int] = set()
        self._batch: dict[int, int] = {}
        self._cache = cache

    def load(self, ids: Iterable[int]) -> None:
        missing = [service_id for service_id in dict.fromkeys(ids) if service_id not in self._tried]
        if not missing:
            return
        self._tried.update(missing)
        cache = self._cache
        if cache is None:
            self.services.update(services_with_channels(missing))
            return
        known = cache.services
        todo = [service_id for service_id in missing if service_id not in known]
        loaded = services_with_channels(todo) if todo else {}
        for service_id in todo:
            cache.keep(known, service_id, loaded.get(service_id))
        for service_id in missing:
            service = loaded.get(service_id) if service_id in loaded else known.get(service_id)
            if service is not None:
                self.services[service_id] = service

    def tried(self, service_id: int) -> bool:
        return service_id in self._tried

    def get(self, service_id: int, order: list[int], position: int, first: int) -> Service | None:
        """The service at `order[position]`, loading it and the next ones of `order` if needed."""
        if service_id not in self._tried:
            batch = self._batch.get(id(order), first)
            self._batch[id(order)] = batch * 4
            self.load(order[position : position + batch])
        return self.services.get(service_id)


def need_facts(need: Need, cache: OfferCache | None) -> tuple[list[str], frozenset[int]]:
    """The need's operator codes (as `need.operators.all()` orders them) and the ids of its linked services."""
    facts = cache.needs.get(need.slug) if cache is not None else None
    if facts is None:
        facts = (
            list(Operator.objects.filter(needs__slug=need.slug).values_list("code", flat=True)),
            frozenset(Service.objects.filter(needs__slug=need.slug).order_by().values_list("id", flat=True)),
        )
        if cache is not None:
            cache.keep(cache.needs, need.slug, facts)
    return facts


def need_by_slug(slug: str, cache: OfferCache | None) -> Need | None:
    """The catalogue need of this slug, or None."""
    if cache is not None and slug in cache.need_objects:
        return cache.need_objects[slug]
    found = Need.objects.filter(slug=slug).first()
    if cache is not None:
        cache.keep(cache.need_objects, slug, found)
    return found


def operator_services(operator_ids: set[str], cache: OfferCache | None) -> tuple[frozenset[int], frozenset[str]]:
    """(ids, thematiques) of the services run by the operators, themselves or through their structure."""
    key = frozenset(operator_ids)
    found = cache.operator_services.get(key) if cache is not None else None
    if found is not None:
        return found
    rows = Service.objects.filter(Q(operator_id__in=operator_ids) | Q(structure__operator_id__in=operator_ids))
    ids, themes = set(), set()
    for service_id, service_themes in rows.values_list("id", "thematiques"):
        ids.add(service_id)
        themes.update(theme for theme in (service_themes or ()) if isinstance(theme, str))
    found = (frozenset(ids), frozenset(themes))
    if cache is not None:
        cache.keep(cache.operator_services, key, found)
    return found
