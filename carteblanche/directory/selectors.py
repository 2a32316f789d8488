"""Reads of the service offer, shared by the pages and the API.

`search_services` answers "which services can help me, from my commune, for this need": the
nearest places of the need's services (great-circle distance from the commune's reference
point), the services reachable without travelling (phone, online, call-back, home visit) and
the itinerant stops near the commune, each with its next opening and how to contact it.
Unknown facts stay unknown: no hours means "horaires non communiqués", never "closed".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from carteblanche.directory import hours
from carteblanche.directory.models import Channel, ItinerantStop, Need, Place, Service, Structure
from carteblanche.territories.models import Commune
from carteblanche.territories.normalize import normalize_name
from carteblanche.territories.selectors import default_territory, find_communes, resolve_commune

# Channels that need no trip to a place.
REMOTE_KINDS = (
    Channel.Kind.PHONE,
    Channel.Kind.ONLINE,
    Channel.Kind.CALLBACK,
    Channel.Kind.HOME_VISIT,
    Channel.Kind.VIDEO,
)
# Channels whose opening hours say when a person can use them (online is always reachable).
TIMED_KINDS = (Channel.Kind.COUNTER, Channel.Kind.PHONE, Channel.Kind.CALLBACK, Channel.Kind.VIDEO)
# An itinerant stop farther than this from the commune is not shown.
NEARBY_STOP_KM = 15.0
HORIZON_DAYS = 14
# Below this score a free-text match is not trusted to pick the need on its own.
MIN_TEXT_SCORE = 0.2

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- result shapes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DaySlots:
    """The open slots of one day (for the week view of a detail page)."""

    day: date
    slots: list[hours.Slot]


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
        return self.channel.get_kind_display()

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


def _slots(rule: str, start: datetime, days: int = HORIZON_DAYS) -> tuple[list[hours.Slot] | None, bool]:
    """(slots, invalid): None slots when unknown; a malformed stored rule counts as unknown, never a crash."""
    try:
        return hours.open_slots(rule, start, days), False
    except hours.OpeningHoursError:
        return None, True


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
    slots, invalid = _slots(rule, at)
    return ChannelView(
        channel=channel,
        next_opening=slots[0] if slots else None,
        hours_known=slots is not None,
        hours_invalid=invalid,
        week=_week(rule, at) if with_week else [],
    )


def _stop_view(stop: ItinerantStop, commune: Commune | None, at: datetime) -> StopView:
    distance = None
    if commune is not None and commune.has_point:
        distance = haversine_km(commune.latitude, commune.longitude, stop.latitude, stop.longitude)
    slots, _invalid = _slots(stop.schedule, at, days=62)  # monthly visits: look two months ahead
    return StopView(
        stop=stop,
        distance_km=distance,
        in_commune=commune is not None and stop.commune_id == commune.code,
        next_visit=slots[0] if slots else None,
        schedule_known=slots is not None,
    )


def _open_on(rule: str, day: date) -> bool | None:
    start = datetime.combine(day, time.min, tzinfo=hours.PARIS)
    slots, _invalid = _slots(rule, start, days=1)
    if slots is None:
        return None
    return any(slot.start.date() == day for slot in slots)


# --- communes as typed in the search form ----------------------------------------------------

_WITH_CODE = re.compile(r"^(?P<name>.+?)\s*\((?P<code>\d{5}|\d{2,3}|2A|2B)\)\s*$", re.IGNORECASE)


def commune_label(commune: Commune) -> str:
    """'Cahors (46000)': what the autocomplete proposes and `resolve_search_commune` reads back."""
    postcode = commune.postcodes[0] if commune.postcodes else commune.department_id
    return f"{commune.name} ({postcode})"


def resolve_search_commune(text: str) -> Commune | None:
    """The commune a person meant: 'Cahors', '46000', '46042' or 'Cahors (46000)'.

    Communes of the default territory win over homonyms elsewhere in France.
    """
    text = text.strip()
    match = _WITH_CODE.match(text)
    if match:
        code = match["code"].upper()
        for found in find_communes(match["name"], limit=50):
            if code in (found.postcodes or []) or code in (found.code, found.department_id):
                return found
        text = match["name"]
    territory = default_territory()
    if territory is not None:
        found = resolve_commune(text, territory=territory)
        if found is not None:
            return found
    return resolve_commune(text)


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
    try:
        from carteblanche.directory.needs_matching import match_needs
    except ImportError:  # the catalogue's matcher has not landed yet: plain word overlap
        return _word_overlap(text, limit=limit)
    return list(match_needs(text, limit=limit))


def _word_overlap(text: str, *, limit: int) -> list[tuple[Need, float]]:
    words = {word for word in normalize_name(text).split() if len(word) > 2}
    if not words:
        return []
    scored = []
    for need in Need.objects.all():
        vocabulary = set(normalize_name(" ".join([need.label, *need.phrases])).split())
        score = len(words & vocabulary) / len(words)
        if score > 0:
            scored.append((need, score))
    return sorted(scored, key=lambda item: -item[1])[:limit]


# --- candidates ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    service_id: int
    place_id: int | None
    distance_km: float | None


def _theme_service_ids(thematiques: Sequence[str] | None) -> set[int]:
    """Services having any of the thematiques (all services when None). Filtered in Python: JSON lists."""
    rows = Service.objects.values_list("id", "thematiques")
    if thematiques is None:
        return {service_id for service_id, _ in rows}
    wanted = set(thematiques)
    return {service_id for service_id, themes in rows if wanted.intersection(themes or ())}


def _candidates(
    thematiques: Sequence[str] | None, lat: float | None, lon: float | None, *, k: int
) -> tuple[list[_Candidate], list[int]]:
    """(nearest (service, place) pairs by distance, remote service ids) for the thematiques.

    The single seam to the spatial engine (`search_index.get_offer_index`); a DB query and a
    haversine when the engine is not installed. Itinerant stops are looked up separately.
    """
    try:
        from carteblanche.directory.search_index import get_offer_index
    except ImportError:
        return _candidates_from_db(thematiques, lat, lon, k=k)
    index = get_offer_index()
    themes = sorted(index.thematiques) if thematiques is None else list(thematiques)
    nearest: list[_Candidate] = []
    if lat is not None and lon is not None:
        nearest = [
            _Candidate(c.service_id, c.place_id, c.distance_km)
            for c in index.nearest(themes, lat, lon, k=k)
            if c.place_id is not None
        ]
    return nearest, list(index.remote(themes))


def _candidates_from_db(
    thematiques: Sequence[str] | None, lat: float | None, lon: float | None, *, k: int
) -> tuple[list[_Candidate], list[int]]:
    """Same answer as the engine from the database (small offers, and before the engine existed)."""
    service_ids = _theme_service_ids(thematiques)
    if not service_ids:
        return [], []
    nearest: list[_Candidate] = []
    if lat is not None and lon is not None:
        pairs = (
            Channel.objects.filter(service_id__in=service_ids, place__isnull=False)
            .values_list("service_id", "place_id", "place__latitude", "place__longitude")
            .distinct()
        )
        scored = {
            (service_id, place_id): haversine_km(lat, lon, plat, plon) for service_id, place_id, plat, plon in pairs
        }
        nearest = [
            _Candidate(service_id, place_id, distance)
            for (service_id, place_id), distance in sorted(scored.items(), key=lambda item: (item[1], item[0]))[:k]
        ]
    remote = sorted(
        set(
            Channel.objects.filter(service_id__in=service_ids, kind__in=REMOTE_KINDS).values_list(
                "service_id", flat=True
            )
        )
    )
    return nearest, remote


def _itinerant_service_ids(thematiques: Sequence[str] | None, lat: float, lon: float, max_km: float) -> set[int]:
    """Services of the thematiques with an itinerant stop within `max_km` (bounding box, then haversine)."""
    dlat = max_km / 111.0
    dlon = max_km / (111.0 * max(0.1, math.cos(math.radians(lat))))
    rows = ItinerantStop.objects.filter(
        latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon)
    ).values_list("channel__service_id", "channel__service__thematiques", "latitude", "longitude")
    wanted = None if thematiques is None else set(thematiques)
    return {
        service_id
        for service_id, themes, slat, slon in rows
        if (wanted is None or wanted.intersection(themes or ())) and haversine_km(lat, lon, slat, slon) <= max_km
    }


def _relevant_ids(need: Need, operator_ids: set[str], ids: set[int]) -> set[int]:
    """Candidates linked to the need, or run by one of its operators (service's or structure's)."""
    linked = set(need.services.filter(id__in=ids).values_list("id", flat=True))
    if operator_ids:
        rows = Service.objects.filter(id__in=ids).values_list("id", "operator_id", "structure__operator_id")
        linked |= {service_id for service_id, own, parent in rows if own in operator_ids or parent in operator_ids}
    return linked


def _services_with_channels(ids: Iterable[int]) -> dict[int, Service]:
    channels = Channel.objects.select_related("place", "place__commune").prefetch_related(
        Prefetch("stops", queryset=ItinerantStop.objects.select_related("commune")),
        Prefetch("area_communes", queryset=Commune.objects.only("code")),
    )
    queryset = Service.objects.filter(id__in=list(ids)).select_related("structure", "operator")
    return queryset.prefetch_related(Prefetch("channels", queryset=channels)).in_bulk()


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
    area = [c.code for c in channel.area_communes.all()]
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

    lat, lon = (commune.latitude, commune.longitude) if commune.has_point else (None, None)
    nearest, remote_ids = _candidates(thematiques, lat, lon, k=max(limit * 10, 100))
    itinerant_ids = (
        _itinerant_service_ids(thematiques, lat, lon, NEARBY_STOP_KM) if lat is not None and lon is not None else set()
    )
    ids = {c.service_id for c in nearest} | set(remote_ids) | itinerant_ids
    operator_ids = set(need_obj.operators.values_list("code", flat=True)) if need_obj is not None else set()
    if need_obj is not None:
        relevant = _relevant_ids(need_obj, operator_ids, ids)
        if relevant:  # broad thematiques: keep the need's own operators and linked services
            ids = relevant
            nearest = [c for c in nearest if c.service_id in ids]
            remote_ids = [service_id for service_id in remote_ids if service_id in ids]
            itinerant_ids &= ids
    services = _services_with_channels(ids)

    def keep(service: Service, place: Place | None, channels: list[ChannelView], stops: list[StopView]) -> bool:
        if not is_eligible(service, commune=commune, age=age):
            result.excluded_ineligible += 1
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
                result.excluded_inaccessible_unknown += 1
            return False
        if open_on is not None:
            states = [_open_on(view.channel.effective_opening_hours, open_on) for view in channels if view.is_timed]
            states += [_open_on(view.stop.schedule, open_on) for view in stops]
            if not any(states):
                if states and all(state is None for state in states):
                    result.excluded_unknown_hours += 1
                return False
        return True

    def build(service: Service, place: Place | None, distance: float | None, remote: bool) -> ServiceResult | None:
        channels = []
        for channel in service.channels.all():
            if not _serves_commune(channel, commune):
                continue
            if channel.kind == Channel.Kind.COUNTER and place is not None and channel.place_id != place.id:
                continue  # other counters of the service are other results
            if channel.kind == Channel.Kind.COUNTER and place is None:
                continue
            if channel.kind == Channel.Kind.ITINERANT:
                continue  # shown as stops
            channels.append(_channel_view(channel, moment))
        stops = [
            _stop_view(stop, commune, moment)
            for channel in service.channels.all()
            if channel.kind == Channel.Kind.ITINERANT
            for stop in channel.stops.all()
        ]
        stops = sorted(
            (s for s in stops if s.in_commune or (s.distance_km is not None and s.distance_km <= NEARBY_STOP_KM)),
            key=lambda s: (not s.in_commune, s.distance_km if s.distance_km is not None else math.inf),
        )[:3]
        if place is None and remote and not channels and not stops:
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

    places = Place.objects.select_related("commune").in_bulk([c.place_id for c in nearest if c.place_id])
    seen: set[int] = set()
    for candidate in nearest:
        service = services.get(candidate.service_id)
        if service is None or candidate.service_id in seen:
            continue
        seen.add(candidate.service_id)  # one result per service: its nearest place
        built = build(service, places.get(candidate.place_id), candidate.distance_km, remote=False)
        if built is not None:
            result.nearby.append(built)
        if len(result.nearby) >= limit:
            break
    for service_id in sorted(itinerant_ids - seen):
        built = build(services[service_id], None, None, remote=False)
        if built is not None and built.stops:
            seen.add(service_id)
            result.nearby.append(built)
    result.nearby.sort(key=lambda r: r.distance_km if r.distance_km is not None else math.inf)
    result.nearby = result.nearby[:limit]

    remote_results = []
    for service_id in remote_ids:
        if service_id in seen or service_id not in services:
            continue
        built = build(services[service_id], None, None, remote=True)
        if built is not None:
            built.channels = [view for view in built.channels if view.is_remote]
            if built.channels:
                remote_results.append(built)
    remote_results.sort(key=lambda r: (not r.operator_matches_need, r.service.name))
    result.remote = remote_results[:limit]
    return result


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


def services_for_export() -> tuple[QuerySet[Structure], QuerySet[Service]]:
    """The querysets the exports read (whole offer)."""
    return (
        Structure.objects.select_related("operator").prefetch_related("places__commune").order_by("id"),
        Service.objects.select_related("structure", "operator")
        .prefetch_related("channels__place__commune", "channels__stops__commune")
        .order_by("id"),
    )
