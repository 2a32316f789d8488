"""Export the offer: data·inclusion JSON (validated by data-inclusion-schema v1), CSV template, GeoJSON.

Each function takes querysets and returns plain data, in a stable order, so that
export -> import into an empty database -> export gives the same output. What the data·inclusion
schema cannot say (operator, places, channels, needs, ages, languages, documents) travels in each
record's `extension_carteblanche` object, which the schema ignores and our importer reads back.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from carteblanche.directory.importers.base import STOP_FIELDS, existing_channels
from carteblanche.directory.importers.csv_format import COLUMNS
from carteblanche.directory.importers.datainclusion import EXTENSION
from carteblanche.directory.models import Channel, Place, Service, Structure

PLACE_EXPORT_FIELDS = (
    "name",
    "address",
    "address_complement",
    "postcode",
    "latitude",
    "longitude",
    "position_approximate",
    "opening_hours",
    "hours_note",
    "wheelchair_accessible",
    "accessibility_note",
    "is_itinerant_stop",
    "source_url",
)


COORDINATES = ("latitude", "longitude")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date_maj(record: Structure | Service) -> str:
    return (record.verified_on or record.updated_at.date()).isoformat()


def _structures(qs: QuerySet[Structure]) -> list[Structure]:
    return list(
        qs.select_related("operator")
        .prefetch_related(Prefetch("places", queryset=Place.objects.select_related("commune").order_by("source_id")))
        .order_by("source", "source_id")
    )


def _services(qs: QuerySet[Service]) -> list[Service]:
    channels = Channel.objects.select_related("place").prefetch_related("area_communes", "stops").order_by("kind", "id")
    return list(
        qs.select_related("structure", "operator")
        .prefetch_related("needs", Prefetch("channels", queryset=channels))
        .order_by("source", "source_id")
    )


def place_dict(place: Place) -> dict[str, Any]:
    return {
        "source_id": place.source_id,
        "commune": place.commune_id,
        **{name: getattr(place, name) for name in PLACE_EXPORT_FIELDS},
        "verified_on": _iso(place.verified_on),
        "curated_by": place.curated_by,
    }


def _main_place(structure: Structure) -> Place | None:
    places = list(structure.places.all())
    return next((p for p in places if p.source_id == structure.source_id), places[0] if places else None)


def _counter_place(service: Service) -> Place | None:
    return next((c.place for c in service.channels.all() if c.kind == Channel.Kind.COUNTER and c.place_id), None)


def _address(place: Place | None) -> dict[str, Any]:
    if place is None:
        return {}
    return {
        "commune": place.commune.name,
        "code_postal": place.postcode or None,
        "code_insee": place.commune_id,
        "adresse": place.address or None,
        "complement_adresse": place.address_complement or None,
        "longitude": place.longitude,
        "latitude": place.latitude,
    }


def _or_none(value: Any) -> Any:
    return value if value not in ("", [], None) else None


def _channels(service: Service) -> list[dict[str, Any]]:
    channels = existing_channels(service)
    for channel in channels:
        channel["stops"].sort(key=lambda stop: stop["commune"])
        channel["area_communes"].sort()
    return channels


def structure_datainclusion(structure: Structure) -> dict[str, Any]:
    place = _main_place(structure)
    record = {
        "source": structure.source,
        "id": structure.source_id,
        "nom": structure.name,
        "date_maj": _date_maj(structure),
        "description": structure.description if len(structure.description) >= 5 else None,
        "lien_source": _or_none(structure.source_url),
        "siret": _or_none(structure.siret),
        **_address(place),
        "telephone": _or_none(structure.phone),
        "courriel": _or_none(structure.email),
        "site_web": _or_none(structure.website),
        "horaires_accueil": _or_none(place.opening_hours) if place else None,
        "reseaux_porteurs": _or_none(sorted(structure.networks)),
        EXTENSION: {
            "operator": structure.operator_id,
            "description": structure.description,
            "verified_on": _iso(structure.verified_on),
            "curated_by": structure.curated_by,
            "places": [place_dict(p) for p in structure.places.all()],
        },
    }
    if structure.replaces:
        replaces = [{"source": source, "id": source_id} for source, source_id in structure.replaces]
        record[EXTENSION]["replaces"] = replaces
    return record


def service_datainclusion(service: Service) -> dict[str, Any]:
    channels = _channels(service)
    counter = _counter_place(service)
    phone = next((c["phone"] for c in channels if c["kind"] == Channel.Kind.PHONE), None)
    counter_hours = next(
        (c.effective_opening_hours for c in service.channels.all() if c.kind == Channel.Kind.COUNTER), ""
    )
    return {
        "source": service.source,
        "structure_id": service.structure.source_id,
        "id": service.source_id,
        "nom": service.name,
        "description": service.description if len(service.description) >= 5 else f"Service : {service.name}",
        "lien_source": _or_none(service.source_url),
        "date_maj": _date_maj(service),
        "type": _or_none(service.kind),
        "thematiques": _or_none(sorted(service.thematiques)),
        "frais": service.frais[0] if service.frais else None,
        "frais_precisions": _or_none(service.frais_details),
        "publics": _or_none(sorted(service.publics)),
        "publics_precisions": _or_none(service.publics_details),
        "conditions_acces": _or_none(service.conditions_acces),
        **_address(counter),
        "telephone": phone,
        "modes_accueil": _or_none(sorted(service.modes_accueil)),
        "zone_eligibilite": _or_none(list(service.zone_eligibilite)),
        "lien_mobilisation": _or_none(service.lien_mobilisation),
        "modes_mobilisation": _or_none(sorted(service.modes_mobilisation)),
        "mobilisable_par": _or_none(sorted(service.mobilisable_par)),
        "horaires_accueil": _or_none(counter_hours),
        EXTENSION: {
            "operator": service.operator_id,
            "description": service.description,
            "verified_on": _iso(service.verified_on),
            "curated_by": service.curated_by,
            "status": service.status,
            "ended_on": _iso(service.ended_on),
            "status_source_url": service.status_source_url,
            "status_note": service.status_note,
            "age_min": service.age_min,
            "age_max": service.age_max,
            "languages": list(service.languages),
            "documents": list(service.documents),
            "frais": list(service.frais),
            "needs": sorted(need.slug for need in service.needs.all()),
            "channels": channels,
        },
    }


def export_datainclusion(structures_qs: QuerySet[Structure], services_qs: QuerySet[Service]) -> dict[str, Any]:
    """`{"structures": [...], "services": [...]}` in data·inclusion v1, with our extension per record."""
    return {
        "structures": [structure_datainclusion(s) for s in _structures(structures_qs)],
        "services": [service_datainclusion(s) for s in _services(services_qs)],
    }


def _join(values: list[str]) -> str:
    return "|".join(values)


def _structure_columns(structure: Structure) -> dict[str, str]:
    return {
        "source": structure.source,
        "structure_id": structure.source_id,
        "structure_nom": structure.name,
        "structure_operateur": structure.operator_id or "",
        "structure_siret": structure.siret,
        "structure_description": structure.description,
        "structure_telephone": structure.phone,
        "structure_courriel": structure.email,
        "structure_site_web": structure.website,
        "structure_reseaux": _join(sorted(structure.networks)),
        "structure_remplace": _join([f"{source}:{source_id}" for source, source_id in structure.replaces]),
        "structure_lien_source": structure.source_url,
        "structure_date_maj": _iso(structure.verified_on) or "",
        "releve_par": structure.curated_by,
    }


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def _place_columns(place: Place) -> dict[str, str]:
    return {
        "lieu_id": place.source_id,
        "lieu_nom": place.name,
        "adresse": place.address,
        "complement_adresse": place.address_complement,
        "code_postal": place.postcode,
        "code_insee": place.commune_id,
        "latitude": repr(place.latitude),
        "longitude": repr(place.longitude),
        "position_approximative": _yes_no(place.position_approximate),
        "horaires": place.opening_hours,
        "horaires_precisions": place.hours_note,
        "accessible_fauteuil": _yes_no(place.wheelchair_accessible),
        "accessibilite_precisions": place.accessibility_note,
        "lieu_itinerant": _yes_no(place.is_itinerant_stop),
        "lieu_lien_source": place.source_url,
        "lieu_date_maj": _iso(place.verified_on) or "",
    }


def _service_columns(service: Service) -> dict[str, str]:
    return {
        "service_id": service.source_id,
        "service_nom": service.name,
        "service_description": service.description,
        "service_operateur": service.operator_id or "",
        "type": service.kind,
        "thematiques": _join(sorted(service.thematiques)),
        "publics": _join(sorted(service.publics)),
        "publics_precisions": service.publics_details,
        "frais": _join(service.frais),
        "frais_precisions": service.frais_details,
        "conditions_acces": service.conditions_acces,
        "zone_eligibilite": _join(service.zone_eligibilite),
        "age_min": "" if service.age_min is None else str(service.age_min),
        "age_max": "" if service.age_max is None else str(service.age_max),
        "langues": _join(service.languages),
        "pieces_a_fournir": _join(service.documents),
        "modes_accueil": _join(sorted(service.modes_accueil)),
        "modes_mobilisation": _join(sorted(service.modes_mobilisation)),
        "mobilisable_par": _join(sorted(service.mobilisable_par)),
        "lien_mobilisation": service.lien_mobilisation,
        "besoins": _join(sorted(need.slug for need in service.needs.all())),
        "canaux": json.dumps(_channels(service), ensure_ascii=False, sort_keys=True),
        "service_lien_source": service.source_url,
        "service_date_maj": _iso(service.verified_on) or "",
        "service_statut": service.status,
        "service_fin_le": _iso(service.ended_on) or "",
        "service_source_statut": service.status_source_url,
        "service_statut_precisions": service.status_note,
        "releve_par": service.curated_by,
    }


def export_csv(structures_qs: QuerySet[Structure], services_qs: QuerySet[Service]) -> str:
    """The CSV template: a row per service (with its structure and counter place), then the places and
    structures no service row carried."""
    structures = _structures(structures_qs)
    by_id = {s.pk: s for s in structures}
    rows: list[dict[str, str]] = []
    done_places: set[int] = set()
    done_structures: set[int] = set()
    for service in _services(services_qs):
        structure = by_id.get(service.structure_id) or service.structure
        row = {**_structure_columns(structure), **_service_columns(service)}
        place = _counter_place(service)
        if place is not None and place.structure_id == structure.pk and place.pk not in done_places:
            row.update(_place_columns(place))
            done_places.add(place.pk)
        rows.append(row)
        done_structures.add(structure.pk)
    for structure in structures:
        for place in structure.places.all():
            if place.pk not in done_places:
                rows.append({**_structure_columns(structure), **_place_columns(place)})
                done_places.add(place.pk)
                done_structures.add(structure.pk)
        if structure.pk not in done_structures:
            rows.append(_structure_columns(structure))
    # Places before the services pointing at them is not needed: the importer reads places first.
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return output.getvalue()


def export_geojson(structures_qs: QuerySet[Structure], services_qs: QuerySet[Service]) -> dict[str, Any]:
    """A FeatureCollection: one Point per place (with its services) and one per itinerant stop."""
    services = _services(services_qs)
    services_by_place: dict[int, list[dict[str, Any]]] = {}
    features: list[dict[str, Any]] = []
    for service in services:
        summary = {"id": service.source_id, "nom": service.name, "thematiques": sorted(service.thematiques)}
        for channel in service.channels.all():
            if channel.place_id:
                services_by_place.setdefault(channel.place_id, [])
                if summary not in services_by_place[channel.place_id]:
                    services_by_place[channel.place_id].append(summary)
    for structure in _structures(structures_qs):
        for place in structure.places.all():
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                    "properties": {
                        "type": "lieu",
                        "source": place.source,
                        "id": place.source_id,
                        "structure": structure.name,
                        "operateur": structure.operator_id,
                        **place_dict(place),
                        "commune_nom": place.commune.name,
                        "horaires_inconnus": place.hours_unknown,
                        "services": services_by_place.get(place.pk, []),
                    },
                }
            )
    for service in services:
        for channel in service.channels.all():
            for stop in sorted(channel.stops.all(), key=lambda s: s.commune_id):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [stop.longitude, stop.latitude]},
                        "properties": {
                            "type": "arret_itinerant",
                            "source": service.source,
                            "service_id": service.source_id,
                            "service": service.name,
                            "commune": stop.commune_id,
                            **{
                                name: getattr(stop, name)
                                for name in STOP_FIELDS
                                if name not in ("latitude", "longitude")
                            },
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": features}
