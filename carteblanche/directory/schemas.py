"""Pydantic schemas of the directory API and the converters from selector results.

Unknown facts are `null` (an empty address, no hours), never an invented value.
"""

from datetime import date, datetime
from enum import StrEnum

from django.urls import get_script_prefix, get_urlconf, reverse
from ninja import Field, Schema

from carteblanche.directory import hours
from carteblanche.directory.forms import LANGUAGE_CODES
from carteblanche.directory.models import Channel, Need, Place, Service, Structure
from carteblanche.directory.selectors import (
    ChannelView,
    DaySlots,
    PlaceDetail,
    SearchResult,
    ServiceDetail,
    ServiceResult,
    StopView,
    StructureDetail,
)

ChannelKind = StrEnum("ChannelKind", {kind.name: kind.value for kind in Channel.Kind})
Language = StrEnum("Language", {code.upper(): code for code in sorted(LANGUAGE_CODES)})


class DirectoryErrorOut(Schema):
    message: str
    errors: list[dict] = Field(default_factory=list)


class CommuneNotFoundOut(DirectoryErrorOut):
    suggestions: list[dict] = Field(default_factory=list)


class SlotOut(Schema):
    start: datetime
    end: datetime
    comment: str = ""


class DayOut(Schema):
    day: date
    slots: list[SlotOut]


class NeedOut(Schema):
    slug: str
    label: str
    description: str
    life_event: str
    thematiques: list[str]
    operators: list[str]
    channel_kinds: list[str]
    documents: list[str]
    online_procedure_url: str | None


class MatchedNeedOut(Schema):
    slug: str
    label: str
    score: float


class StructureOut(Schema):
    id: int
    name: str
    operator: str | None
    siret: str | None
    phone: str | None
    email: str | None
    website: str | None
    source: str
    source_url: str | None
    verified_on: date | None
    url: str


class PlaceOut(Schema):
    id: int
    name: str
    address: str | None
    address_complement: str | None
    postcode: str | None
    commune_code: str
    commune_name: str
    latitude: float
    longitude: float
    position_approximate: bool
    opening_hours: str | None
    hours_note: str | None
    wheelchair_accessible: bool | None
    source: str
    verified_on: date | None
    url: str


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    operator: str | None
    structure_id: int
    thematiques: list[str]
    publics: list[str]
    publics_details: str | None
    conditions_acces: str | None
    zone_eligibilite: list[str]
    age_min: int | None
    age_max: int | None
    languages: list[str]
    documents: list[str]
    frais: list[str]
    frais_details: str | None
    lien_mobilisation: str | None
    source: str
    source_url: str | None
    verified_on: date | None
    status: str = Field(description="active, ended (never proposed: only its own page shows it) or unverified")
    ended_on: date | None = None
    status_source_url: str | None = None
    status_note: str | None = None
    url: str


class ChannelOut(Schema):
    kind: str
    label: str
    place_id: int | None
    phone: str | None
    url: str | None
    opening_hours: str | None
    hours_known: bool
    next_opening: SlotOut | None
    week: list[DayOut] = Field(default_factory=list)
    hours_note: str | None
    appointment_required: bool | None
    booking: str | None
    cost: str | None
    notes: str | None


class StopOut(Schema):
    commune_code: str
    commune_name: str
    location_label: str | None
    latitude: float
    longitude: float
    position_approximate: bool
    schedule: str | None
    schedule_note: str | None
    distance_km: float | None
    in_commune: bool
    next_visit: SlotOut | None


class ResultOut(Schema):
    service: ServiceOut
    structure: StructureOut
    place: PlaceOut | None
    distance_km: float | None
    remote: bool
    next_opening: SlotOut | None
    hours_known: bool
    channels: list[ChannelOut]
    stops: list[StopOut]


class ExcludedOut(Schema):
    unknown_hours: int
    accessibility_unknown: int
    ineligible: int


class SearchOut(Schema):
    commune: dict
    need: NeedOut | None
    text: str
    matched_needs: list[MatchedNeedOut]
    at: datetime
    nearby: list[ResultOut]
    remote: list[ResultOut]
    excluded: ExcludedOut


class ServiceDetailOut(Schema):
    service: ServiceOut
    structure: StructureOut
    channels: list[ChannelOut]
    stops: list[StopOut]
    places: list[PlaceOut]
    needs: list[str]


class PlaceDetailOut(Schema):
    place: PlaceOut
    structure: StructureOut
    hours_known: bool
    next_opening: SlotOut | None
    week: list[DayOut]
    services: list[ServiceOut]


class StructureDetailOut(Schema):
    structure: StructureOut
    places: list[PlaceOut]
    services: list[ServiceOut]


# --- converters ----------------------------------------------------------------------------


def _or_none(value: str) -> str | None:
    return value or None


def slot_out(slot: hours.Slot | None) -> dict | None:
    return None if slot is None else {"start": slot.start, "end": slot.end, "comment": slot.comment}


def week_out(week: list[DaySlots]) -> list[dict]:
    return [{"day": day.day, "slots": [slot_out(slot) for slot in day.slots]} for day in week]


def need_out(need: Need, operators: list[str] | None = None) -> dict:
    """`operators`: the need's operator codes when already read (a search reads them), else queried."""
    return {
        "slug": need.slug,
        "label": need.label,
        "description": need.description,
        "life_event": need.life_event,
        "thematiques": need.thematiques,
        "operators": operators if operators is not None else [operator.code for operator in need.operators.all()],
        "channel_kinds": need.channel_kinds,
        "documents": need.documents,
        "online_procedure_url": _or_none(need.online_procedure_url),
    }


_URL_PATTERNS: dict[tuple, str] = {}


def _detail_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` from a pattern reversed once: a search result holds dozens of links."""
    key = (name, get_urlconf(), get_script_prefix())
    pattern = _URL_PATTERNS.get(key)
    if pattern is None:
        pattern = _URL_PATTERNS[key] = reverse(name, args=[987654321]).replace("987654321", "{}")
    return pattern.format(pk)


def structure_out(structure: Structure) -> dict:
    return {
        "id": structure.id,
        "name": structure.name,
        "operator": structure.operator_id,
        "siret": _or_none(structure.siret),
        "phone": _or_none(structure.phone),
        "email": _or_none(structure.email),
        "website": _or_none(structure.website),
        "source": structure.source,
        "source_url": _or_none(structure.source_url),
        "verified_on": structure.verified_on,
        "url": _detail_url("directory:structure", structure.id),
    }


def place_out(place: Place) -> dict:
    return {
        "id": place.id,
        "name": place.name,
        "address": _or_none(place.address),
        "address_complement": _or_none(place.address_complement),
        "postcode": _or_none(place.postcode),
        "commune_code": place.commune_id,
        "commune_name": place.commune.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "position_approximate": place.position_approximate,
        "opening_hours": _or_none(place.opening_hours),
        "hours_note": _or_none(place.hours_note),
        "wheelchair_accessible": place.wheelchair_accessible,
        "source": place.source,
        "verified_on": place.verified_on,
        "url": _detail_url("directory:place", place.id),
    }


def service_out(service: Service) -> dict:
    return {
        "id": service.id,
        "name": service.name,
        "description": service.description,
        "operator": service.operator_id,
        "structure_id": service.structure_id,
        "thematiques": service.thematiques,
        "publics": service.publics,
        "publics_details": _or_none(service.publics_details),
        "conditions_acces": _or_none(service.conditions_acces),
        "zone_eligibilite": service.zone_eligibilite,
        "age_min": service.age_min,
        "age_max": service.age_max,
        "languages": service.languages,
        "documents": service.documents,
        "frais": service.frais,
        "frais_details": _or_none(service.frais_details),
        "lien_mobilisation": _or_none(service.lien_mobilisation),
        "source": service.source,
        "source_url": _or_none(service.source_url),
        "verified_on": service.verified_on,
        "status": service.status,
        "ended_on": service.ended_on,
        "status_source_url": _or_none(service.status_source_url),
        "status_note": _or_none(service.status_note),
        "url": _detail_url("directory:service", service.id),
    }


def channel_out(view: ChannelView) -> dict:
    channel = view.channel
    return {
        "kind": channel.kind,
        "label": view.label,
        "place_id": channel.place_id,
        "phone": _or_none(channel.phone),
        "url": _or_none(channel.url),
        "opening_hours": _or_none(channel.effective_opening_hours),
        "hours_known": view.hours_known,
        "next_opening": slot_out(view.next_opening),
        "week": week_out(view.week),
        "hours_note": _or_none(channel.hours_note),
        "appointment_required": channel.appointment_required,
        "booking": _or_none(channel.booking),
        "cost": _or_none(channel.cost),
        "notes": _or_none(channel.notes),
    }


def stop_out(view: StopView) -> dict:
    stop = view.stop
    return {
        "commune_code": stop.commune_id,
        "commune_name": stop.commune.name,
        "location_label": _or_none(stop.location_label),
        "latitude": stop.latitude,
        "longitude": stop.longitude,
        "position_approximate": stop.position_approximate,
        "schedule": _or_none(stop.schedule),
        "schedule_note": _or_none(stop.schedule_note),
        "distance_km": None if view.distance_km is None else round(view.distance_km, 2),
        "in_commune": view.in_commune,
        "next_visit": slot_out(view.next_visit),
    }


def _kept_out(record: Service | Structure | Place, convert, urls: tuple) -> dict:
    """`convert(record)`, computed once per record and URL configuration.

    A search's records may be shared by later searches (the selectors' offer cache, valid
    while the offer does not change): their JSON parts are too. Treat the dict as read-only.
    """
    key = (convert, *urls)  # urls: (urlconf, script prefix), the detail links depend on them
    kept = record.__dict__.get("_cb_out")
    if kept is None:
        kept = record.__dict__["_cb_out"] = {}
    out = kept.get(key)
    if out is None:
        out = kept[key] = convert(record)
    return out


def result_out(result: ServiceResult, urls: tuple | None = None) -> dict:
    urls = urls or (get_urlconf(), get_script_prefix())
    return {
        "service": _kept_out(result.service, service_out, urls),
        "structure": _kept_out(result.structure, structure_out, urls),
        "place": _kept_out(result.place, place_out, urls) if result.place is not None else None,
        "distance_km": None if result.distance_km is None else round(result.distance_km, 2),
        "remote": result.remote,
        "next_opening": slot_out(result.next_opening),
        "hours_known": result.hours_known,
        "channels": [channel_out(view) for view in result.channels],
        "stops": [stop_out(view) for view in result.stops],
    }


def search_out(found: SearchResult, commune: dict) -> dict:
    urls = (get_urlconf(), get_script_prefix())  # once per answer, not once per link
    return {
        "commune": commune,
        "need": need_out(found.need, found.need_operators) if found.need is not None else None,
        "text": found.text,
        "matched_needs": [
            {"slug": need.slug, "label": need.label, "score": round(score, 3)} for need, score in found.matched_needs
        ],
        "at": found.at,
        "nearby": [result_out(result, urls) for result in found.nearby],
        "remote": [result_out(result, urls) for result in found.remote],
        "excluded": {
            "unknown_hours": found.excluded_unknown_hours,
            "accessibility_unknown": found.excluded_inaccessible_unknown,
            "ineligible": found.excluded_ineligible,
        },
    }


def service_detail_out(detail: ServiceDetail) -> dict:
    return {
        "service": service_out(detail.service),
        "structure": structure_out(detail.structure),
        "channels": [channel_out(view) for view in detail.channels],
        "stops": [stop_out(view) for view in detail.stops],
        "places": [place_out(place) for place in detail.places],
        "needs": [need.slug for need in detail.needs],
    }


def place_detail_out(detail: PlaceDetail) -> dict:
    return {
        "place": place_out(detail.place),
        "structure": structure_out(detail.structure),
        "hours_known": detail.hours_known,
        "next_opening": slot_out(detail.next_opening),
        "week": week_out(detail.week),
        "services": [service_out(service) for service in detail.services],
    }


def structure_detail_out(detail: StructureDetail) -> dict:
    return {
        "structure": structure_out(detail.structure),
        "places": [place_out(place) for place in detail.places],
        "services": [service_out(service) for service in detail.services],
    }
