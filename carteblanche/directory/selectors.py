"""Reads of the service offer, shared by the pages and the API.

`search_services` answers "which services can help me, from my commune, for this need": the
nearest places of the need's services (great-circle distance from the commune's reference
point), the services reachable without travelling (phone, online, call-back, home visit) and
the itinerant stops near the commune, each with its next opening and how to contact it.
Unknown facts stay unknown: no hours means "horaires non communiqués", never "closed".
"""

from __future__ import annotations

import bisect
import contextvars
import gc
import itertools
import json
import logging
import math
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Prefetch, QuerySet
from django.db.models.base import ModelState
from django.utils import timezone

from carteblanche.core import serving
from carteblanche.directory import hours, offer_version
from carteblanche.directory.kinds import REMOTE_CHANNEL_KINDS as REMOTE_KINDS
from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Place, Service, Structure
from carteblanche.directory.search_engine import Candidate, RemoteOffices
from carteblanche.directory.search_index import get_offer_snapshot
from carteblanche.territories.geo import great_circle_km
from carteblanche.territories.models import Commune
from carteblanche.territories.selectors import CommuneAnswer, resolve_commune

# Channels whose opening hours say when a person can use them (online is always reachable).
TIMED_KINDS = (Channel.Kind.COUNTER, Channel.Kind.PHONE, Channel.Kind.CALLBACK, Channel.Kind.VIDEO)
# An itinerant stop farther than this from the commune is not shown.
NEARBY_STOP_KM = 15.0
# The phone line of a local office farther than this is not offered as a way to reach the service.
LOCAL_LINE_KM = 30.0
HORIZON_DAYS = 14
# Below this score a free-text match is not trusted to pick the need on its own.
MIN_TEXT_SCORE = 0.2

logger = logging.getLogger(__name__)


# --- result shapes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DaySlots:
    """The open slots of one day (for the week view of a detail page)."""

    day: date
    slots: list[hours.Slot]


_KIND_LABELS: dict[str, str] = {str(kind): str(label) for kind, label in Channel.Kind.choices}


@dataclass(slots=True)
class ChannelView:
    channel: Channel
    next_opening: hours.Slot | None
    hours_known: bool
    hours_invalid: bool = False
    week: list[DaySlots] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.channel.kind

    @property
    def label(self) -> str:
        return _KIND_LABELS.get(self.channel.kind) or self.channel.get_kind_display()

    @property
    def place(self) -> Place | None:
        return self.channel.place

    @property
    def is_remote(self) -> bool:
        return self.channel.kind in REMOTE_KINDS

    @property
    def is_timed(self) -> bool:
        return self.channel.kind in TIMED_KINDS


@dataclass(slots=True)
class StopView:
    stop: ItinerantStop
    distance_km: float | None
    in_commune: bool
    next_visit: hours.Slot | None
    schedule_known: bool


@dataclass(slots=True)
class ServiceResult:
    service: Service
    structure: Structure
    place: Place | None
    distance_km: float | None
    next_opening: hours.Slot | None
    hours_known: bool
    channels: list[ChannelView]
    stops: list[StopView]
    remote: bool
    operator_matches_need: bool = False

    @property
    def position_approximate(self) -> bool:
        return bool(self.place and self.place.position_approximate)


@dataclass(slots=True)
class SearchResult:
    commune: Commune
    need: Need | None
    text: str
    matched_needs: list[tuple[Need, float]]
    thematiques: list[str]
    nearby: list[ServiceResult]
    remote: list[ServiceResult]
    at: datetime
    excluded_unknown_hours: int = 0
    excluded_ineligible: int = 0
    excluded_inaccessible_unknown: int = 0
    commune_without_point: bool = False
    need_operators: list[str] | None = None  # the need's operator codes as `need.operators.all()` orders them

    @property
    def results(self) -> list[ServiceResult]:
        return self.nearby + self.remote

    @property
    def count(self) -> int:
        return len(self.nearby) + len(self.remote)


@dataclass(slots=True)
class ServiceDetail:
    service: Service
    structure: Structure
    channels: list[ChannelView]
    stops: list[StopView]
    places: list[Place]
    needs: list[Need]
    at: datetime


@dataclass(slots=True)
class PlaceDetail:
    place: Place
    structure: Structure
    hours_known: bool
    hours_invalid: bool
    next_opening: hours.Slot | None
    week: list[DaySlots]
    services: list[Service]
    at: datetime


@dataclass(slots=True)
class StructureDetail:
    structure: Structure
    places: list[Place]
    services: list[Service]


# --- hours helpers -------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=hours.PARIS)
    return moment.astimezone(hours.PARIS)


def _evaluate(rule: str, start: datetime, days: int) -> tuple[list[hours.Slot] | None, bool]:
    try:
        return hours.open_slots(rule, start, days), False
    except hours.OpeningHoursError:
        return None, True
    except (OverflowError, ValueError):  # a date at the edge of the calendar: nothing to say
        return None, False


# (rule, hour, days) -> the open slots from that hour over `days` + 1 days (and their ends).
# Rules repeat a lot (a search shows dozens of channels with a handful of distinct rules) and
# evaluating one costs tens of microseconds: evaluate each rule once per hour, cut out each
# asked window.
_SLOTS_CACHE: dict[tuple[str, datetime, int], tuple[list[hours.Slot] | None, bool, list[datetime]]] = {}
_SLOTS_CACHE_SIZE = 20_000


def _hour_slots(rule: str, start: datetime, days: int) -> tuple[datetime, list[hours.Slot] | None, bool, list]:
    """(aware start, slots of the hour's wider window, invalid, their ends) from the cache."""
    start = start if timezone.is_aware(start) else start.replace(tzinfo=hours.PARIS)
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0).astimezone(hours.PARIS)
    key = (rule, hour, days)
    cached = _SLOTS_CACHE.get(key)
    if cached is None:
        if len(_SLOTS_CACHE) >= _SLOTS_CACHE_SIZE:
            _SLOTS_CACHE.clear()
        slots, invalid = _evaluate(rule, hour, days + 1)
        ends = [slot.end for slot in slots] if slots else []
        if any(later < earlier for earlier, later in itertools.pairwise(ends)):
            ends = []  # not in order (never seen): `_next_slot` then cuts the whole window
        cached = _SLOTS_CACHE[key] = (slots, invalid, ends)
    return start, *cached


def _slots(rule: str, start: datetime, days: int = HORIZON_DAYS) -> tuple[list[hours.Slot] | None, bool]:
    """(slots, invalid): None slots when unknown; a malformed stored rule counts as unknown, never a crash.

    Same answer as `hours.open_slots(rule, start, days)`: open intervals are maximal runs of one
    state, so the runs of a wider window cut to [start, start + days) are that window's runs.
    """
    start, slots, invalid, _ends = _hour_slots(rule, start, days)
    if slots is None:
        return None, invalid
    end = start + timedelta(days=days)
    paris = hours.PARIS
    window = [
        hours.Slot(max(slot.start, start).astimezone(paris), min(slot.end, end).astimezone(paris), slot.comment)
        for slot in slots
        if slot.end > start and slot.start < end
    ]
    return window, False


def _next_slot(rule: str, start: datetime, days: int = HORIZON_DAYS) -> tuple[hours.Slot | None, bool, bool]:
    """(first slot of `_slots(rule, start, days)`, hours known, invalid), without cutting the others."""
    start, slots, invalid, ends = _hour_slots(rule, start, days)
    if slots is None:
        return None, False, invalid
    if not ends and slots:
        window, _invalid = _slots(rule, start, days)
        return (window[0] if window else None), True, False
    position = bisect.bisect_right(ends, start)  # the first slot still running after `start`
    if position == len(slots):
        return None, True, False
    slot = slots[position]
    end = start + timedelta(days=days)
    if not slot.start < end:
        return None, True, False
    paris = hours.PARIS
    return (
        hours.Slot(max(slot.start, start).astimezone(paris), min(slot.end, end).astimezone(paris), slot.comment),
        True,
        False,
    )


def _week(rule: str, start: datetime, days: int = 7) -> list[DaySlots]:
    """Each day's slots from the start of today (a morning already past still shows)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    slots, _invalid = _slots(rule, midnight, days)
    if slots is None:
        return []
    by_day: dict[date, list[hours.Slot]] = {start.date() + timedelta(days=i): [] for i in range(days)}
    for slot in slots:
        if slot.start.date() in by_day:
            by_day[slot.start.date()].append(slot)
    return [DaySlots(day, day_slots) for day, day_slots in by_day.items()]


def _channel_view(channel: Channel, at: datetime, *, with_week: bool = False) -> ChannelView:
    if channel.kind not in TIMED_KINDS:
        return ChannelView(channel=channel, next_opening=None, hours_known=bool(channel.opening_hours))
    rule = channel.effective_opening_hours
    next_opening, known, invalid = _next_slot(rule, at)
    return ChannelView(
        channel=channel,
        next_opening=next_opening,
        hours_known=known,
        hours_invalid=invalid,
        week=_week(rule, at) if with_week else [],
    )


def _stop_view(stop: ItinerantStop, commune: Commune | None, at: datetime, distance: float | None = None) -> StopView:
    if distance is None and commune is not None and commune.has_point:
        distance = great_circle_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
    next_visit, known, _invalid = _next_slot(stop.schedule, at, days=62)  # monthly visits: two months ahead
    return StopView(
        stop=stop,
        distance_km=distance,
        in_commune=commune is not None and stop.commune_id == commune.code,
        next_visit=next_visit,
        schedule_known=known,
    )


def _channels_of(service: Service) -> list[Channel]:
    """The service's channels: as loaded by the search (`_services_with_channels`), else prefetched or queried."""
    loaded = getattr(service, "_search_channels", None)
    return loaded if loaded is not None else list(service.channels.all())


def _stops_of(channel: Channel) -> list[ItinerantStop]:
    loaded = getattr(channel, "_search_stops", None)
    return loaded if loaded is not None else list(channel.stops.all())


def _area_of(channel: Channel) -> list[str]:
    """Codes of the communes a home visit or call-back covers (empty: anywhere)."""
    loaded = getattr(channel, "_search_area", None)
    return loaded if loaded is not None else [c.code for c in channel.area_communes.all()]


def _near_stops(service: Service, commune: Commune, at: datetime, *, limit: int = 3) -> list[StopView]:
    """The service's itinerant stops in or near the commune, nearest first (hours computed for those only)."""
    scored = []
    for channel in _channels_of(service):
        if channel.kind != Channel.Kind.ITINERANT:
            continue
        for stop in _stops_of(channel):
            inside = stop.commune_id == commune.code
            distance = (
                great_circle_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
                if commune.has_point
                else None
            )
            if inside or (distance is not None and distance <= NEARBY_STOP_KM):
                scored.append((not inside, distance if distance is not None else math.inf, stop.id, stop, distance))
    scored.sort(key=lambda item: item[:3])
    return [_stop_view(stop, commune, at, distance) for *_key, stop, distance in scored[:limit]]


def _open_on(rule: str, day: date) -> bool | None:
    start = datetime.combine(day, time.min, tzinfo=hours.PARIS)
    first, known, _invalid = _next_slot(rule, start, days=1)
    if not known:
        return None
    return first is not None and first.start.date() == day  # the first slot of the day, if any


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
    cache = _offer_cache()
    if cache is not None and slug in cache.need_objects:
        return cache.need_objects[slug]
    found = next(iter(_need_query([slug])), None)
    if cache is not None:
        cache.keep(cache.need_objects, slug, found)
    return found


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


def match_text(text: str, *, limit: int = 5) -> list[tuple[Need, float]]:
    """Free text to catalogue needs, best first (the catalogue's matcher)."""
    from carteblanche.directory.needs_matching import match_needs

    return list(match_needs(text, limit=limit))


# --- candidates ----------------------------------------------------------------------------


def _operator_services(
    operator_ids: set[str], cache: _OfferCache | None = None
) -> tuple[frozenset[int], frozenset[str]]:
    """(ids, thematiques) of the services run by the operators, themselves or through their structure."""
    key = frozenset(operator_ids)
    found = cache.operator_services.get(key) if cache is not None else None
    if found is not None:
        return found
    rows = Service.objects.filter(
        models.Q(operator_id__in=operator_ids) | models.Q(structure__operator_id__in=operator_ids)
    ).values_list("id", "thematiques")
    ids, themes = set(), set()
    for service_id, service_themes in rows:
        ids.add(service_id)
        themes.update(theme for theme in (service_themes or ()) if isinstance(theme, str))
    found = (frozenset(ids), frozenset(themes))
    if cache is not None:
        cache.keep(cache.operator_services, key, found)
    return found


class _IdQuery:
    """A query on a list of ids, compiled by Django once per list length, then only run.

    Django spends about a millisecond compiling such a query (select_related, deferred
    columns, ordering) and SQLite a tenth of that running it; a search runs the same few
    shapes of query with other ids. Rows become model instances as Django's iterator makes
    them (same converters, same instances with `select_related` relations cached), but
    without `Model.__init__`, which cost ~10 µs per instance: `_instance` fills the
    instance's fields directly, as `from_db` would, and JSON columns are decoded once per
    distinct text (`_json`, values shared: search instances are read-only). Columns not
    selected stay deferred, as with Django.
    """

    def __init__(self, model: type[models.Model], make: Callable[[list], QuerySet], *, key_type: type = int) -> None:
        self._model = model
        self._make = make
        self._key_type = key_type  # int ids, or str keys (slugs)
        self._compiled: dict[tuple[str, int], tuple] = {}

    def rows(self, ids: Iterable[int]) -> tuple[str, list[list]]:
        """(database, converted rows) of the query for these ids."""
        ids = _padded(list(dict.fromkeys(ids)))
        if not ids:
            return "", []
        db = router.db_for_read(self._model)
        compiled = self._get(db, len(ids))
        sql, slots, fixed, conversions, _nodes = compiled
        params = list(fixed)
        for position, index in slots:
            params[position] = ids[index]
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if conversions:
            connection = connections[db]
            converted = []
            for row in rows:
                row = list(row)
                for index, functions, expression, is_json in conversions:
                    value = row[index]
                    if is_json:
                        row[index] = _json(value)
                    else:
                        for function in functions:
                            value = function(value, expression, connection)
                        row[index] = value
                converted.append(row)
            rows = converted
        return db, rows

    def __call__(self, ids: Iterable[int]) -> list[models.Model]:
        ids = _padded(list(dict.fromkeys(ids)))
        db, rows = self.rows(ids)
        if not rows:
            return []
        nodes = self._get(db, len(ids))[4]
        found = []
        for row in rows:
            made: list[models.Model | None] = []
            for model, start, end, attnames, pk_offset, parent, local_setter, remote_setter in nodes:
                if parent is not None and (made[parent] is None or row[start + pk_offset] is None):
                    obj = None  # a null foreign key (or a row under one): cached as None, as Django does
                else:
                    obj = _instance(model, db, attnames, row[start:end])
                if parent is not None and made[parent] is not None:
                    local_setter(made[parent], obj)
                    if obj is not None:
                        remote_setter(obj, made[parent])
                made.append(obj)
            found.append(made[0])
        return found

    def _get(self, db: str, count: int) -> tuple:
        key = (db, count)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(db, count)
        return compiled

    def _compile(self, db: str, count: int) -> tuple:
        if self._key_type is int:
            placeholders: list = [-(i + 1) for i in range(count)]  # ids are positive: these mark where they go
        else:
            placeholders = [f"\x00placeholder-{i}" for i in range(count)]
        queryset = self._make(placeholders)
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        wanted = {value: index for index, value in enumerate(placeholders)}
        slots = [
            (pos, wanted[value])
            for pos, value in enumerate(params)
            if type(value) is self._key_type and value in wanted
        ]
        if len(slots) != count:
            raise ValueError("every id must appear once in the compiled query")
        select = compiler.select
        columns = [column[0] for column in select[: compiler.col_count]]
        conversions = []
        for index, (functions, expression) in compiler.get_converters(columns).items():
            field = getattr(expression, "output_field", None)
            is_json = isinstance(field, models.JSONField) and list(functions) == [field.from_db_value]
            is_json = is_json and field.decoder is None
            conversions.append((index, list(functions), expression, is_json))
        nodes: list[tuple] = []
        if compiler.klass_info is not None:  # a model query (values() queries only use `rows`)
            self._walk(compiler.klass_info, select, None, nodes)
        return sql, slots, list(params), conversions, nodes

    @classmethod
    def _walk(cls, klass_info: dict, select: list, parent: int | None, nodes: list[tuple]) -> None:
        if klass_info.get("from_parent"):
            raise ValueError("multi-table inheritance is not supported here")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        model = klass_info["model"]
        attnames = [column[0].target.attname for column in select[start:end]]
        local_setter = klass_info.get("local_setter")
        remote_setter = klass_info.get("remote_setter")
        pk_offset = attnames.index(model._meta.pk.attname)
        nodes.append((model, start, end, attnames, pk_offset, parent, local_setter, remote_setter))
        position = len(nodes) - 1
        for related in klass_info.get("related_klass_infos", ()):
            cls._walk(related, select, position, nodes)


def _padded(keys: list) -> list:
    """The keys, the last one repeated up to a power of two (`IN` ignores repeats).

    A query is compiled once per list length: a handful of lengths keeps the first searches
    of a process from compiling a new query (~1 ms) at almost every call.
    """
    size = len(keys)
    if size <= 2:
        return keys
    bucket = 1 << (size - 1).bit_length()
    return keys + [keys[-1]] * (bucket - size)


def _instance(model: type[models.Model], db: str, attnames: list[str], values: Sequence) -> models.Model:
    """A model instance as `Model.from_db` makes it (not adding, this database), without `__init__`."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    fields = obj.__dict__
    fields["_state"] = state
    fields.update(zip(attnames, values, strict=True))
    return obj


# Distinct JSON texts seen in rows -> their value: a few hundred distinct lists ("[]", ["fr"]…)
# make up most JSON columns of the offer. The value is shared by every instance with that text,
# like the instances themselves (see `_OfferCache`): read-only. Fewer objects also means
# shorter pauses of the garbage collector, whose full passes walk every cached instance.
_JSON_CACHE: dict[str, object] = {}
_JSON_CACHE_SIZE = 50_000


def _json(raw: str | None) -> object:
    if raw is None:
        return None
    value = _JSON_CACHE.get(raw, _MISSING)
    if value is _MISSING:
        if len(_JSON_CACHE) >= _JSON_CACHE_SIZE:
            _JSON_CACHE.clear()
        value = _JSON_CACHE[raw] = json.loads(raw)
    return value


_MISSING = object()


_light_services_query = _IdQuery(
    Service,
    lambda ids: Service.objects.filter(id__in=ids).only("id", "age_min", "age_max", "zone_eligibilite", "languages"),
)
_light_channels_query = _IdQuery(
    Channel,
    lambda ids: Channel.objects.filter(service_id__in=ids)
    .select_related("place")
    .only("id", "service", "kind", "opening_hours", "place", "place__opening_hours", "place__wheelchair_accessible")
    .order_by(),
)
_light_stops_query = _IdQuery(
    ItinerantStop,
    lambda ids: ItinerantStop.objects.filter(channel__service_id__in=ids, channel__kind=Channel.Kind.ITINERANT)
    .select_related("channel")
    .only("id", "commune", "latitude", "longitude", "schedule", "channel", "channel__service")
    .order_by(),
)


_need_operators_query = _IdQuery(
    Operator,  # as `need.operators.all()` orders them (the operators' own ordering)
    lambda slugs: Operator.objects.filter(needs__slug__in=slugs).values_list("code"),
    key_type=str,
)
_need_query = _IdQuery(Need, lambda slugs: Need.objects.filter(slug__in=slugs), key_type=str)
_need_services_query = _IdQuery(
    Service, lambda slugs: Service.objects.filter(needs__slug__in=slugs).values_list("id").order_by(), key_type=str
)


class _LightLook:
    """Light rows of candidates, to reject before loading what the filters would reject anyway.

    With filters most candidates may fail (a monthly bus is rarely there on the asked day, a
    third of the places say nothing of wheelchair access): `verdict` decides from age, zone,
    languages, channel kinds and hours, place access and stop calendars what `build` would,
    and says how `build` would count it. Mirrors `_near_stops`, `build` and `keep`.
    """

    def __init__(
        self,
        commune: Commune,
        *,
        kinds: set[str],
        open_on: date | None,
        accessible: bool | None,
        language: str | None,
        age: int | None,
        cache: _OfferCache | None = None,
    ) -> None:
        self.commune, self.kinds, self.open_on = commune, kinds, open_on
        self.accessible, self.language, self.age = accessible, language, age
        self._services: dict[int, Service] = {}
        self._channels: dict[int, list[Channel]] = {}
        self._stops: dict[int, list[ItinerantStop]] = {}
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
                        channels = _channels_of(full)
                        stops = [stop for c in channels if c.kind == Channel.Kind.ITINERANT for stop in _stops_of(c)]
                        self._add(service_id, (full, channels, stops))
                elif service_id in cache.light:
                    self._add(service_id, cache.light[service_id])
                else:
                    todo.append(service_id)
            missing = todo
            if not missing:
                return
        services = {service.id: service for service in _light_services_query(missing)}
        channels: dict[int, list[Channel]] = {}
        stops: dict[int, list[ItinerantStop]] = {}
        for channel in _light_channels_query(missing):
            channels.setdefault(channel.service_id, []).append(channel)
        for stop in _light_stops_query(missing):
            stops.setdefault(stop.channel.service_id, []).append(stop)
        for service_id in missing:
            service = services.get(service_id)
            rows = None if service is None else (service, channels.get(service_id, []), stops.get(service_id, []))
            if cache is not None:
                cache.keep(cache.light, service_id, rows)
            self._add(service_id, rows)

    def _add(self, service_id: int, rows: tuple[Service, list[Channel], list[ItinerantStop]] | None) -> None:
        if rows is not None:
            self._services[service_id], self._channels[service_id], self._stops[service_id] = rows

    def verdict(self, service_id: int, place_id: int | None, *, remote: bool = False) -> str | None:
        """None: may be shown, load it. Else rejected, and counted as `build` counts it:
        "ineligible", "accessibility_unknown", "hours_unknown", or "" (not counted)."""
        service = self._services.get(service_id)
        if service is None:
            return None  # not looked at (or just deleted): load it and let `build` decide
        commune = self.commune
        if remote:  # its ways without a trip, and no stops
            channels = [c for c in self._channels.get(service_id, ()) if c.kind in REMOTE_KINDS]
            if any(c.kind in (Channel.Kind.HOME_VISIT, Channel.Kind.CALLBACK) for c in channels):
                return None  # the communes they cover are not in the light rows: load it
            return self._keep(service, channels, [], None)
        near = []
        for stop in self._stops.get(service_id, ()):
            inside = stop.commune_id == commune.code
            distance = (
                great_circle_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
                if commune.has_point
                else None
            )
            if inside or (distance is not None and distance <= NEARBY_STOP_KM):
                near.append((not inside, distance if distance is not None else math.inf, stop.id, stop))
        stops = [item[-1] for item in sorted(near, key=lambda item: item[:3])[:3]]
        at_place = [c for c in self._channels.get(service_id, ()) if c.place_id == place_id] if place_id else []
        channels = [c for c in at_place if c.kind != Channel.Kind.ITINERANT]
        return self._keep(service, channels, stops, at_place[0].place if at_place else None)

    def _keep(
        self, service: Service, channels: list[Channel], stops: list[ItinerantStop], place: Place | None
    ) -> str | None:
        commune = self.commune
        if not channels and not stops:
            return ""
        if not is_eligible(service, commune=commune, age=self.age):
            return "ineligible"
        if self.language and not _speaks(service, self.language):
            return ""
        if (
            self.kinds
            and not any(c.kind in self.kinds for c in channels)
            and not (Channel.Kind.ITINERANT in self.kinds and stops)
        ):
            return ""
        if self.accessible and place is not None and place.wheelchair_accessible is not True:
            return "accessibility_unknown" if place.wheelchair_accessible is None else ""
        if self.open_on is not None:
            states = [_open_on(c.effective_opening_hours, self.open_on) for c in channels if c.kind in TIMED_KINDS]
            states += [_open_on(stop.schedule, self.open_on) for stop in stops]
            if not any(states):
                return "hours_unknown" if states and all(state is None for state in states) else ""
        return None


# Columns a search result never shows: not read, not converted (the detail pages load everything).
_UNSHOWN = ("created_at", "updated_at")
_COMMUNE_UNSHOWN = ("department", "region_code", "epci", "population", "postcodes", "search_key")


_services_query = _IdQuery(
    Service,
    lambda ids: Service.objects.filter(id__in=ids)
    .select_related("structure", "operator")
    .defer(*_UNSHOWN, *(f"structure__{name}" for name in (*_UNSHOWN, "replaces"))),
)
_channels_query = _IdQuery(
    Channel,
    lambda ids: Channel.objects.filter(service_id__in=ids)
    .select_related("place", "place__commune")
    .defer(*_UNSHOWN, *(f"place__{name}" for name in _UNSHOWN), *(f"place__commune__{n}" for n in _COMMUNE_UNSHOWN))
    .order_by("service_id", "kind", "id"),  # per service as the model orders them (service, kind)
)
_stops_query = _IdQuery(
    ItinerantStop,
    lambda ids: ItinerantStop.objects.filter(channel_id__in=ids)
    .select_related("commune")
    .defer(*_UNSHOWN, *(f"commune__{name}" for name in _COMMUNE_UNSHOWN)),
)


def _services_with_channels(ids: Iterable[int]) -> dict[int, Service]:
    """Services with their channels (place, commune), itinerant stops and covered communes.

    Two to four queries, relations attached by hand (`_channels_of`, `_stops_of`, `_area_of`):
    Django's prefetch costs tens of microseconds per instance, and only itinerant channels
    have stops, only call-backs and home visits an area. Orders are those of the models.
    """
    ids = list(ids)
    services = {service.pk: service for service in _services_query(ids)}
    channels = _channels_query(ids)
    stops: dict[int, list[ItinerantStop]] = {}
    itinerant = [c.id for c in channels if c.kind == Channel.Kind.ITINERANT]
    for stop in _stops_query(itinerant):
        stops.setdefault(stop.channel_id, []).append(stop)
    areas: dict[int, list[str]] = {}
    with_area = [c.id for c in channels if c.kind in (Channel.Kind.HOME_VISIT, Channel.Kind.CALLBACK)]
    if with_area:
        through = Channel.area_communes.through.objects.filter(channel_id__in=with_area)
        for channel_id, code in through.order_by("channel_id", "commune_id").values_list("channel_id", "commune_id"):
            areas.setdefault(channel_id, []).append(code)
    for service in services.values():
        service._search_channels = []
    for channel in channels:
        channel._search_stops = stops.get(channel.id, [])
        channel._search_area = areas.get(channel.id, [])
        service = services.get(channel.service_id)
        if service is not None:
            channel.service = service  # the same instance: no query when a view asks for it
            service._search_channels.append(channel)
    return services


class _OfferCache:
    """What searches loaded from one version of the offer, shared by the next searches.

    Valid while the offer's token (`offer_version.current_token`, one primary-key read per
    search) stays the same: any write to a table a search reads, by any process, changes it,
    so a cached service is exactly what loading it again would give. A new token starts a
    new, empty cache (a new object: a search still holding the old one cannot fill the new
    one with older rows). Cached instances are shared between searches and never modified.
    Bounded: the oldest entries go first.
    """

    def __init__(self, db: str, token: Hashable, size: int) -> None:
        self.db, self.token, self.size = db, token, size
        self.services: dict[int, Service | None] = {}  # None: not in the database
        self.light: dict[int, tuple[Service, list[Channel], list[ItinerantStop]] | None] = {}
        self.needs: dict[str, tuple[list[str], frozenset[int]]] = {}
        self.need_objects: dict[str, Need | None] = {}
        self.communes: dict[str, CommuneAnswer] = {}
        self.operator_services: dict[frozenset[str], tuple[frozenset[int], frozenset[str]]] = {}

    def keep(self, store: dict, key: object, value: object) -> None:
        if len(store) >= self.size:
            for old in list(itertools.islice(store, max(1, self.size // 10))):
                del store[old]
        store[key] = value


_offer_caches: dict[str, _OfferCache] = {}
_NOT_SCOPED = object()
_scoped_cache: contextvars.ContextVar[object] = contextvars.ContextVar("offer_cache", default=_NOT_SCOPED)


@contextmanager
def one_offer_read() -> Iterator[None]:
    """Read the offer's token once for everything done inside (a request: commune, need, search).

    Each lookup would otherwise read the token again (one query each, ~0.3 ms): the search
    API looked it up three times per request. A write made inside the block by the same code
    is not seen by the later lookups of the block; requests only read the offer.
    """
    reset = _scoped_cache.set(_current_offer_cache())
    try:
        yield
    finally:
        _scoped_cache.reset(reset)


def _offer_cache() -> _OfferCache | None:
    """The cache of the offer, read once per `one_offer_read` block, else now."""
    scoped = _scoped_cache.get()
    return _current_offer_cache() if scoped is _NOT_SCOPED else scoped  # type: ignore[return-value]


def _current_offer_cache() -> _OfferCache | None:
    """The cache of the offer as it is now, or None when caching is off or changes cannot be seen."""
    size = int(settings.CARTEBLANCHE_SEARCH_CACHE_SIZE)
    if size <= 0:
        return None
    db = router.db_for_read(Service)
    try:
        token = offer_version.current_token(db)
    except offer_version.Unavailable:
        return None
    cache = _offer_caches.get(db)
    if cache is None or cache.token != token or cache.size != size:
        cache = _offer_caches[db] = _OfferCache(db, token, size)
        if settings.CARTEBLANCHE_SEARCH_CACHE_PREFILL and serving.is_serving():
            _start_prefill(cache)
    return cache


# --- prefill: the whole offer loaded once per version, for servers ----------------------------

PREFILL_BATCH = 1024
_prefill_lock = threading.Lock()
_prefill_thread: threading.Thread | None = None
_frozen_by_prefill = False


def prefill_offer_cache(cache: _OfferCache | None = None) -> int:
    """Load every service of the offer into `cache` (the current one by default), up to its bound.

    Why: a search that meets services not loaded yet reads them (0.2 ms each, 20-60 per
    answer at national scale): the first pass over the country had a p99 of 7 ms against
    3.5 ms once loaded. Batches of `PREFILL_BATCH` ids cost a fraction of a search's small
    ones. Stops when the offer changes (the cache is replaced) or the bound is reached.
    The loaded objects are moved out of the garbage collector's sight (`gc.freeze`, after each
    batch): ~26 tracked objects per service made every full collection walk them (0.1-0.4 s
    pauses at national scale, and a prefill 2.5 times slower).
    Returns the number of services loaded.
    """
    global _frozen_by_prefill
    cache = cache if cache is not None else _current_offer_cache()
    if cache is None:
        return 0
    db = cache.db
    if _frozen_by_prefill:
        # The previous version's cache was frozen: let the collector free it (one full pass).
        gc.unfreeze()
        gc.collect()
    ids = list(Service.objects.using(db).order_by("pk").values_list("pk", flat=True))
    shared: dict[tuple[type, object], models.Model] = {}
    loaded = 0
    for start in range(0, len(ids), PREFILL_BATCH):
        if _offer_caches.get(db) is not cache or len(cache.services) >= cache.size:
            break
        chunk = [i for i in ids[start : start + PREFILL_BATCH] if i not in cache.services]
        chunk = chunk[: cache.size - len(cache.services)]
        if not chunk:
            continue
        services = _services_with_channels(chunk)
        _share_relations(services.values(), shared)
        for service_id in chunk:
            cache.services[service_id] = services.get(service_id)
        loaded += len(chunk)
        gc.freeze()  # each batch at once: collections during the prefill would walk it again and again
    _frozen_by_prefill = True
    return loaded


def _share_relations(services: Iterable[Service], shared: dict[tuple[type, object], models.Model]) -> None:
    """One instance per structure, operator, place and commune across the loaded services.

    Each row of a query brings its own instance of a related record: a place with three
    services was held three times, each with its own commune. Cached instances are read-only,
    so sharing them changes no answer and saves memory (measured in docs/bench.md).
    """

    def one(obj: models.Model, field: models.ForeignKey) -> models.Model | None:
        related = field.get_cached_value(obj, None)
        if related is None:
            return None
        kept = shared.setdefault((type(related), related.pk), related)
        if kept is not related:
            field.set_cached_value(obj, kept)
        return kept if kept is related else None  # a first sight: its own relations still to share

    for service in services:
        one(service, _SERVICE_STRUCTURE)
        one(service, _SERVICE_OPERATOR)
        for channel in service._search_channels:
            place = one(channel, _CHANNEL_PLACE)
            if place is not None:
                one(place, _PLACE_COMMUNE)
            for stop in channel._search_stops:
                one(stop, _STOP_COMMUNE)


_SERVICE_STRUCTURE = Service._meta.get_field("structure")
_SERVICE_OPERATOR = Service._meta.get_field("operator")
_CHANNEL_PLACE = Channel._meta.get_field("place")
_PLACE_COMMUNE = Place._meta.get_field("commune")
_STOP_COMMUNE = ItinerantStop._meta.get_field("commune")


def _start_prefill(cache: _OfferCache) -> None:
    """Prefill `cache` in a background thread; a newer cache makes a running prefill stop."""
    global _prefill_thread

    def run() -> None:
        try:
            with _prefill_lock:  # one prefill at a time: a stale one stops at its next batch
                prefill_offer_cache(cache)
        except Exception:  # the searches load what they need anyway
            logger.exception("prefilling the offer cache failed")
        finally:
            connections.close_all()  # this thread's own connections

    _prefill_thread = threading.Thread(target=run, name="offer-cache-prefill", daemon=True)
    _prefill_thread.start()


def wait_for_prefill(timeout: float = 300.0) -> None:
    """Wait for a background prefill in progress, if any (benchmarks, tests)."""
    thread = _prefill_thread
    if thread is not None:
        thread.join(timeout)


def _need_facts(need: Need, cache: _OfferCache | None) -> tuple[list[str], frozenset[int]]:
    """The need's operator codes (as `need.operators.all()` orders them) and the ids of its linked services."""
    facts = cache.needs.get(need.slug) if cache is not None else None
    if facts is None:
        facts = (
            [code for (code,) in _need_operators_query.rows([need.slug])[1]],
            frozenset(service_id for (service_id,) in _need_services_query.rows([need.slug])[1]),
        )
        if cache is not None:
            cache.keep(cache.needs, need.slug, facts)
    return facts


class _Loader:
    """Services with their channels, loaded in the order a list will look at them, a batch at a time.

    A search shows `limit` results out of hundreds or thousands of candidates: loading only
    what is looked at keeps it fast at national scale. Batches grow fourfold, so the number
    of queries stays small even when filters reject many candidates.
    """

    def __init__(self, cache: _OfferCache | None = None) -> None:
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
            self.services.update(_services_with_channels(missing))
            return
        known = cache.services
        todo = [service_id for service_id in missing if service_id not in known]
        loaded = _services_with_channels(todo) if todo else {}
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


# --- eligibility and filters ---------------------------------------------------------------


def _commune_codes(commune: Commune) -> set[str]:
    return {code for code in (commune.code, commune.epci_id, commune.department_id, commune.region_code) if code}


def is_eligible(service: Service, *, commune: Commune, age: int | None) -> bool:
    """Age range (when an age is given) and eligibility zone (empty zone: no restriction)."""
    if age is not None:
        if service.age_min is not None and age < service.age_min:
            return False
        if service.age_max is not None and age > service.age_max:
            return False
    zone = {str(code).upper() for code in (service.zone_eligibilite or [])}
    if not zone or zone & {"FR", "FRANCE"}:
        return True
    return bool(zone & {code.upper() for code in _commune_codes(commune)})


def _serves_commune(channel: Channel, commune: Commune) -> bool:
    """Home visits and call-backs may cover only some communes."""
    if channel.kind not in (Channel.Kind.HOME_VISIT, Channel.Kind.CALLBACK):
        return True
    area = _area_of(channel)
    return not area or commune.code in area


def _speaks(service: Service, language: str) -> bool:
    spoken = {code.lower() for code in (service.languages or [])}
    if language == "fr" and not spoken:
        return True  # French is the language of the public service when nothing else is said
    return language in spoken


# --- search --------------------------------------------------------------------------------


def _resolve_need(need: Need | str | None) -> Need | None:
    if need is None or isinstance(need, Need):
        return need
    return Need.objects.get(slug=need)


def search_services(
    *,
    commune: Commune,
    need: Need | str | None = None,
    text: str | None = None,
    channel_kinds: Sequence[str] | None = None,
    open_on: date | None = None,
    accessible: bool | None = None,
    language: str | None = None,
    age: int | None = None,
    at: datetime | None = None,
    limit: int = 20,
) -> SearchResult:
    """Services for a need (or free text matched to the catalogue) near a commune.

    `need` may be a Need or its slug (Need.DoesNotExist when unknown). Without need nor text,
    every service is a candidate. `nearby` is sorted by distance, `remote` (no trip needed)
    puts the need's own operators first.
    """
    moment = _now(at)
    need_obj = _resolve_need(need)
    text = (text or "").strip()
    matched: list[tuple[Need, float]] = []
    if need_obj is None and text:
        matched = match_text(text)
        if matched and matched[0][1] >= MIN_TEXT_SCORE:
            need_obj = matched[0][0]
    thematiques = list(need_obj.thematiques) if need_obj is not None else None
    kinds = set(channel_kinds or ())
    language = (language or "").strip().lower() or None

    result = SearchResult(
        commune=commune,
        need=need_obj,
        text=text,
        matched_needs=matched,
        thematiques=thematiques or [],
        nearby=[],
        remote=[],
        at=moment,
        commune_without_point=not commune.has_point,
    )
    if need_obj is None and text:
        return result  # the text matched nothing: say so rather than list everything
    if thematiques is not None and not thematiques:
        return result

    cache = _offer_cache()
    need_operators, need_services = _need_facts(need_obj, cache) if need_obj is not None else ([], frozenset())
    result.need_operators = need_operators
    operator_ids = set(need_operators)
    operator_services: frozenset[int] | set[int] = set()
    if thematiques and operator_ids:
        # The need's operators may file it under other thematiques (a France Services counter helps
        # with a France Travail registration): look there too, the relevance step keeps only them.
        operator_services, operator_themes = _operator_services(operator_ids, cache)
        thematiques = sorted(set(thematiques) | operator_themes)
    snapshot = get_offer_snapshot()
    index, offices = snapshot.index, snapshot.remote_offices
    themes = sorted(index.thematiques) if thematiques is None else list(thematiques)
    lat, lon = (commune.latitude, commune.longitude) if commune.has_point else (None, None)
    nearest: list[Candidate] = []
    itinerant: dict[int, float] = {}  # service -> its nearest stop (km), nearest first
    if lat is not None and lon is not None:
        nearest = [c for c in index.nearest(themes, lat, lon, k=max(limit * 10, 100)) if c.place_id is not None]
        for stop in index.stops_within(themes, lat, lon, NEARBY_STOP_KM):
            itinerant.setdefault(stop.service_id, stop.distance_km)
    remote_ids = index.remote(themes)
    linked: set[int] = set()
    if need_obj is not None:
        ids = {c.service_id for c in nearest} | set(remote_ids) | set(itinerant)
        linked = need_services & ids
        relevant = linked | (operator_services & ids)
        if relevant:  # broad thematiques: keep the need's own operators and linked services
            nearest = [c for c in nearest if c.service_id in relevant]
            remote_ids = [service_id for service_id in remote_ids if service_id in relevant]
            itinerant = {service_id: km for service_id, km in itinerant.items() if service_id in relevant}
    remote_order = _rank_remote(remote_ids, offices, lat, lon, linked=linked, operator_ids=operator_ids)
    nearby_order = list(dict.fromkeys(c.service_id for c in nearest))
    itinerant_order = list(itinerant)
    # One batch of queries for what is most likely shown; more only when filters reject a lot.
    first = limit * 3 // 2 + 2 if (kinds or open_on or accessible or language or age is not None) else limit + 2
    reach = math.inf  # the stops farther than the limit-th nearest place rarely enter the list
    if len(nearby_order) >= limit:
        reach = next(c.distance_km for c in nearest if c.service_id == nearby_order[limit - 1])
    likely_stops = [service_id for service_id in itinerant_order[:first] if itinerant[service_id] <= reach]
    loader = _Loader(cache)
    loader.load([*nearby_order[:first], *likely_stops, *remote_order[:first]])

    ineligible: set[int] = set()
    accessibility_unknown: set[int] = set()
    hours_unknown: set[int] = set()

    def keep(service: Service, place: Place | None, channels: list[ChannelView], stops: list[StopView]) -> bool:
        if not is_eligible(service, commune=commune, age=age):
            ineligible.add(service.id)
            return False
        if language and not _speaks(service, language):
            return False
        if (
            kinds
            and not any(view.kind in kinds for view in channels)
            and not (Channel.Kind.ITINERANT in kinds and stops)
        ):
            return False
        if accessible and place is not None and place.wheelchair_accessible is not True:
            if place.wheelchair_accessible is None:
                accessibility_unknown.add(service.id)
            return False
        if open_on is not None:
            states = [_open_on(view.channel.effective_opening_hours, open_on) for view in channels if view.is_timed]
            states += [_open_on(view.stop.schedule, open_on) for view in stops]
            if not any(states):
                if states and all(state is None for state in states):
                    hours_unknown.add(service.id)
                return False
        return True

    def build(service: Service, place: Place | None, distance: float | None, remote: bool) -> ServiceResult | None:
        # A nearby result shows what is at its place (and the stops); a remote one, its remote channels.
        if remote:
            wanted = [c for c in _channels_of(service) if c.kind in REMOTE_KINDS and _serves_commune(c, commune)]
        else:
            wanted = [
                c
                for c in _channels_of(service)
                if place is not None and c.place_id == place.id and c.kind != Channel.Kind.ITINERANT
            ]
        channels = [_channel_view(channel, moment) for channel in wanted]
        stops = [] if remote else _near_stops(service, commune, moment)
        if not channels and not stops:
            return None
        if not keep(service, place, channels, stops):
            return None
        primary = [view for view in channels if view.kind == Channel.Kind.COUNTER] or [
            view for view in channels if view.is_timed
        ]
        openings = [view.next_opening for view in primary if view.next_opening is not None]
        if stops and distance is None:
            distance = stops[0].distance_km
        return ServiceResult(
            service=service,
            structure=service.structure,
            place=place,
            distance_km=distance,
            next_opening=min(openings, key=lambda slot: slot.start) if openings else None,
            hours_known=any(view.hours_known for view in primary),
            channels=channels,
            stops=stops,
            remote=remote,
            operator_matches_need=service.operator_id in operator_ids,
        )

    counted = {"ineligible": ineligible, "accessibility_unknown": accessibility_unknown, "hours_unknown": hours_unknown}
    look = (
        _LightLook(
            commune, kinds=kinds, open_on=open_on, accessible=accessible, language=language, age=age, cache=cache
        )
        if (kinds or open_on or accessible or language)
        else None
    )
    seen: set[int] = set()
    nearby_position = {service_id: position for position, service_id in enumerate(nearby_order)}
    light_batch = first
    for index, candidate in enumerate(nearest):
        if candidate.service_id in seen:
            continue
        if look is not None and not loader.tried(candidate.service_id):
            if not look.fetched(candidate.service_id):
                chunk = [c for c in nearest[index : index + light_batch] if c.service_id not in seen]
                light_batch *= 4
                look.fetch(c.service_id for c in chunk)
                loader.load([c.service_id for c in chunk if look.verdict(c.service_id, c.place_id) is None])
            reason = look.verdict(candidate.service_id, candidate.place_id)
            if reason is not None:  # rejected as `build` would, counted as it counts
                counted.get(reason, set()).add(candidate.service_id)
                continue
        service = loader.get(candidate.service_id, nearby_order, nearby_position[candidate.service_id], first)
        if service is None:
            continue
        place = next((c.place for c in _channels_of(service) if c.place_id == candidate.place_id), None)
        built = build(service, place, candidate.distance_km, remote=False)
        if built is not None:  # one result per service: its nearest place that passes the filters
            seen.add(candidate.service_id)
            result.nearby.append(built)
        if len(result.nearby) >= limit:
            break
    # Itinerant services near the commune, nearest stop first, until none can enter the first `limit`.
    distances = sorted(r.distance_km for r in result.nearby)
    extra: list[ServiceResult] = []
    # Stops and remote channels have no place: only these filters reject them.
    light_check = look is not None and bool(kinds or open_on or language)
    light_batch = first
    for position, service_id in enumerate(itinerant_order):
        if len(distances) >= limit and distances[limit - 1] < itinerant[service_id] - 1e-9:
            break
        if service_id in seen:
            continue
        if light_check and not loader.tried(service_id):
            if not look.fetched(service_id):
                chunk = [i for i in itinerant_order[position : position + light_batch] if i not in seen]
                light_batch *= 4
                look.fetch(chunk)
                loader.load([i for i in chunk if look.verdict(i, None) is None])
            reason = look.verdict(service_id, None)
            if reason is not None:  # rejected as `build` would, counted as it counts
                counted.get(reason, set()).add(service_id)
                continue
        service = loader.get(service_id, itinerant_order, position, first)
        built = build(service, None, None, remote=False) if service is not None else None
        if built is not None and built.stops:
            seen.add(service_id)
            extra.append(built)
            bisect.insort(distances, built.distance_km)
    extra.sort(key=lambda r: r.service.id)  # equal distances: places first, then stops by service id
    result.nearby = sorted(
        result.nearby + extra, key=lambda r: r.distance_km if r.distance_km is not None else math.inf
    )[:limit]

    light_batch = first
    for position, service_id in enumerate(remote_order):  # also those listed nearby: here, their ways without a trip
        if light_check and not loader.tried(service_id):
            if not look.fetched(service_id):
                chunk = remote_order[position : position + light_batch]
                light_batch *= 4
                look.fetch(chunk)
                loader.load([i for i in chunk if look.verdict(i, None, remote=True) is None])
            reason = look.verdict(service_id, None, remote=True)
            if reason is not None:  # rejected as `build` would, counted as it counts
                counted.get(reason, set()).add(service_id)
                continue
        service = loader.get(service_id, remote_order, position, first)
        built = build(service, None, None, remote=True) if service is not None else None
        if built is not None:
            result.remote.append(built)
            if len(result.remote) >= limit:
                break
    shown = {r.service.id for r in result.results}
    result.excluded_ineligible = len(ineligible - shown)
    result.excluded_inaccessible_unknown = len(accessibility_unknown - shown)
    result.excluded_unknown_hours = len(hours_unknown - shown)
    return result


@dataclass(frozen=True, slots=True)
class Highlights:
    """What a hurried reader needs first; the page lists every result below.

    Martine's survivor's pension near Cieurac listed 14 counters (up to 70 km away) before the
    pension fund's own phone line: the summary puts that line, the nearest place and the place
    open soonest at the top, each linking to its full card.
    """

    without_trip: ServiceResult | None  # the need's own operator first
    phone: ChannelView | None  # its first phone line
    online: ChannelView | None  # its first online procedure
    nearest: ServiceResult | None
    soonest: ServiceResult | None  # among the nearest few, open first; None when it is the nearest


SOONEST_AMONG = 5


def search_highlights(found: SearchResult) -> Highlights:
    """The one-glance summary of a search (pure: picks among the results already computed)."""
    remote = found.remote
    without_trip = next((r for r in remote if r.operator_matches_need), remote[0] if remote else None)
    channels = without_trip.channels if without_trip is not None else []
    nearest = found.nearby[0] if found.nearby else None
    opening = [r for r in found.nearby[:SOONEST_AMONG] if r.next_opening is not None]
    soonest = min(opening, key=lambda r: (r.next_opening.start, r.distance_km or 0.0)) if opening else None
    return Highlights(
        without_trip=without_trip,
        phone=next((view for view in channels if view.kind == Channel.Kind.PHONE and view.channel.phone), None),
        online=next((view for view in channels if view.kind == Channel.Kind.ONLINE and view.channel.url), None),
        nearest=nearest,
        soonest=None if soonest is nearest else soonest,
    )


def _rank_remote(
    remote_ids: Iterable[int],
    offices: RemoteOffices,
    lat: float | None,
    lon: float | None,
    *,
    linked: set[int],
    operator_ids: set[str],
) -> list[int]:
    """Remote services in the order shown: linked to the need, national lines, the need's operators,
    then local offices' lines by distance; the line of an office more than 30 km away is left out."""
    nearest_office: dict[int, float] = {}
    if lat is not None and lon is not None:
        nearest_office = offices.nearest_office_km(lat, lon, LOCAL_LINE_KM)
    ordered = []
    for service_id in remote_ids:
        office = None
        if lat is not None and offices.has_office(service_id):
            office = nearest_office.get(service_id)
            if office is None or office > LOCAL_LINE_KM:
                continue  # a distant office's own line is not the person's contact
        matches = offices.operator(service_id) in operator_ids
        name = offices.name(service_id)
        ordered.append((service_id not in linked, office is not None, not matches, office or 0.0, name, service_id))
    ordered.sort()
    return [item[-1] for item in ordered]


# --- details -------------------------------------------------------------------------------


def get_service_detail(service_id: int, *, commune: Commune | None = None, at: datetime | None = None) -> ServiceDetail:
    """A service with every channel, its week of hours and its itinerant stops. Service.DoesNotExist if unknown."""
    moment = _now(at)
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
    channels = [_channel_view(channel, moment, with_week=True) for channel in service.channels.all()]
    stops = [
        _stop_view(stop, commune, moment)
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
    moment = _now(at)
    place = Place.objects.select_related("structure", "structure__operator", "commune").get(pk=place_id)
    slots, invalid = _slots(place.opening_hours, moment)
    services = list(
        Service.objects.filter(channels__place=place)
        .select_related("operator", "structure")
        .distinct()
        .order_by("name")
    )
    return PlaceDetail(
        place=place,
        structure=place.structure,
        hours_known=slots is not None,
        hours_invalid=invalid,
        next_opening=slots[0] if slots else None,
        week=_week(place.opening_hours, moment),
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
    """The coverage report of the default territory, kept until the offer changes (about 1 s to compute)."""
    import hashlib

    from django.core.cache import cache

    from carteblanche.directory.coverage import offer_report
    from carteblanche.directory.search_index import offer_version
    from carteblanche.mobility.context import get_mobility_context
    from carteblanche.territories.selectors import default_territory

    territory = default_territory()
    if territory is None:
        return None
    version = hashlib.sha256(repr(offer_version()).encode()).hexdigest()[:16]
    key = f"directory:coverage:{territory.pk}:{timezone.localdate()}:{version}"
    return cache.get_or_set(key, lambda: offer_report(territory=territory, mobility=get_mobility_context()), 3600)


def services_for_export() -> tuple[QuerySet[Structure], QuerySet[Service]]:
    """The whole offer, as plain querysets: the exports module adds its own prefetches."""
    return Structure.objects.all(), Service.objects.all()
