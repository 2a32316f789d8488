"""data·inclusion JSON: `{"structures": [...], "services": [...]}` validated with data-inclusion-schema v1.

Records may carry an `extension_carteblanche` object with what the schema lacks (operator,
places, channels, needs, ages, languages, documents). Without it, one place is derived from the
address of a structure (and of a service when it has its own), and channels from the service's
modes: a counter when received in person, a phone line, an online link.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
from data_inclusion.schema import v1

from carteblanche.directory.importers.base import (
    SERVICE_DEFAULTS,
    STRUCTURE_DEFAULTS,
    ImportFileError,
    OfferBatch,
    RecordChecker,
    Reference,
    finish,
    parse_date,
    place_record,
    service_checks,
    structure_checks,
)
from carteblanche.directory.vocabulary import unknown_thematiques

EXTENSION = "extension_carteblanche"
# data·inclusion "réseaux porteurs" -> our operators, to name the operator of a foreign record.
NETWORK_OPERATORS = {
    "caf": "caf",
    "cpam": "cpam",
    "cnam": "cpam",
    "france-travail": "france-travail",
    "mutualite-sociale-agricole": "msa",
    "mission-locale": "mission-locale",
    "ccas-cias": "ccas",
    "france-service": "france-services",
    "communes": "commune",
    "departements": "departement",
    "mdph": "mdph",
    "la-poste": "la-poste",
    "conseillers-numeriques": "conseillers-numeriques",
}


def _schema_errors(model: type[pydantic.BaseModel], record: dict, batch: OfferBatch, location: str, skip: set) -> bool:
    try:
        model.model_validate(record)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            if field not in skip:
                batch.reject(location, field, error["msg"])
        return not [e for e in exc.errors() if (str(e["loc"][0]) if e["loc"] else "?") not in skip]
    return True


def _replaced_keys(raw: Any, key: tuple[str, str], batch: OfferBatch, location: str) -> list[list[str]] | None:
    """`[{"source": …, "id": …}]` -> [[source, id]]; None (and a rejection) when malformed."""
    field_name = f"{EXTENSION}.replaces"
    if not isinstance(raw, list):
        batch.reject(location, field_name, "liste de {source, id} attendue")
        return None
    pairs = []
    for number, item in enumerate(raw, start=1):
        pair = [item.get("source"), item.get("id")] if isinstance(item, dict) else None
        if pair is None or not all(isinstance(part, str) and part.strip() for part in pair):
            batch.reject(location, field_name, f"élément n°{number} : objet {{source, id}} de deux textes attendu")
            return None
        if tuple(pair) == key:
            batch.reject(location, field_name, f"élément n°{number} : une fiche ne peut pas se remplacer elle-même")
            return None
        pairs.append(pair)
    return pairs


def read(path: Path, *, source: str | None = None, skip_invalid: bool = False) -> OfferBatch:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"ligne {exc.lineno}, colonne {exc.colno}", f"JSON invalide : {exc.msg}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(str(path), f"fichier illisible : {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("structures", []), list):
        raise ImportFileError("racine", "objet JSON attendu avec des listes « structures » et « services »")
    return parse(data, source=source, skip_invalid=skip_invalid)


def parse(data: dict[str, Any], *, source: str | None = None, skip_invalid: bool = False) -> OfferBatch:
    batch = OfferBatch()
    checker = RecordChecker(Reference(), batch)
    bad: tuple[set, set, set] = (set(), set(), set())
    structure_places: dict[tuple[str, str], str] = {}  # structure key -> its first place id
    place_ids: dict[str, set[str]] = {}
    for number, record in enumerate(data.get("structures", []), start=1):
        location = f"structure n°{number} (id {record.get('id', '?') if isinstance(record, dict) else '?'})"
        if not isinstance(record, dict):
            batch.reject(location, "structure", "objet attendu")
            continue
        src = source or str(record.get("source") or "")
        key = (src, str(record.get("id") or ""))
        ok = _schema_errors(v1.Structure, record, batch, location, skip=set())
        ext = record.get(EXTENSION) or {}
        networks = sorted(record.get("reseaux_porteurs") or [])
        operator = ext.get("operator") if EXTENSION in record else _operator_from_networks(networks)
        structure = {
            **STRUCTURE_DEFAULTS,
            "key": key,
            "name": record.get("nom") or "",
            "siret": record.get("siret") or "",
            "description": ext.get("description", record.get("description") or ""),
            "phone": record.get("telephone") or "",
            "email": record.get("courriel") or "",
            "website": record.get("site_web") or "",
            "networks": networks,
            "source_url": record.get("lien_source") or "",
            "verified_on": parse_date(ext["verified_on"])
            if "verified_on" in ext
            else parse_date(record.get("date_maj")),
            "curated_by": str(ext.get("curated_by") or ""),
        }
        checked = checker.operator(operator, location)
        ok = ok and checked is not False
        structure["operator_id"] = checked or None
        replaces = _replaced_keys(ext.get("replaces", []), key, batch, location)
        ok = ok and replaces is not None
        structure["replaces"] = replaces or []
        raw_places = ext.get("places") if EXTENSION in record else _places_from_address(record, key[1])
        for place_number, raw in enumerate(raw_places or [], start=1):
            place_location = f"{location}, lieu n°{place_number}"
            place = place_record(checker, {**raw, "source": src, "structure": key[1]}, place_location)
            if place is None:
                ok = False
                bad[1].add((src, str(raw.get("source_id"))))
                continue
            batch.places.append(place)
            place_ids.setdefault(src, set()).add(place["key"][1])
            structure_places.setdefault(key, place["key"][1])
        ok = structure_checks(checker, structure, location) and ok
        if not ok:
            bad[0].add(key)
        batch.structures.append(structure)
    for number, record in enumerate(data.get("services", []), start=1):
        location = f"service n°{number} (id {record.get('id', '?') if isinstance(record, dict) else '?'})"
        if not isinstance(record, dict):
            batch.reject(location, "service", "objet attendu")
            continue
        src = source or str(record.get("source") or "")
        key = (src, str(record.get("id") or ""))
        themes = list(record.get("thematiques") or [])
        # Unknown thematiques are reported once, readably, by service_checks (not by pydantic's long message).
        skip = {"thematiques"} if unknown_thematiques(themes) else set()
        ok = _schema_errors(v1.Service, record, batch, location, skip=skip)
        ext = record.get(EXTENSION) or {}
        service = _service_record(record, ext, src, key)
        if EXTENSION not in record:
            own_place = _places_from_address(record, key[1])
            structure_key = (src, service["structure"])
            if own_place and own_place[0].get("address") != _structure_address(data, structure_key[1]):
                place = place_record(
                    checker, {**own_place[0], "source": src, "structure": service["structure"]}, location
                )
                if place is None:
                    ok = False
                else:
                    batch.places.append(place)
                    place_ids.setdefault(src, set()).add(place["key"][1])
                    service["channels"] = _channels_from_modes(record, place["key"][1])
            else:
                service["channels"] = _channels_from_modes(record, structure_places.get(structure_key))
        ok = service_checks(checker, service, location, place_ids.get(src, set()) | _known_places(src)) and ok
        if not ok:
            bad[2].add(key)
        batch.services.append(service)
    return finish(batch, skip_invalid=skip_invalid, bad=bad)


def _known_places(source: str) -> set[str]:
    from carteblanche.directory.models import Place

    return set(Place.objects.filter(source=source).values_list("source_id", flat=True))


def _operator_from_networks(networks: list[str]) -> str | None:
    return next((NETWORK_OPERATORS[n] for n in networks if n in NETWORK_OPERATORS), None)


def _structure_address(data: dict, structure_id: str) -> str | None:
    for record in data.get("structures", []):
        if isinstance(record, dict) and record.get("id") == structure_id:
            return record.get("adresse")
    return None


def _places_from_address(record: dict, source_id: str) -> list[dict]:
    if not record.get("code_insee"):
        return []
    return [
        {
            "source_id": source_id,
            "name": record.get("nom") or "",
            "address": record.get("adresse") or "",
            "address_complement": record.get("complement_adresse") or "",
            "postcode": record.get("code_postal") or "",
            "commune": record.get("code_insee"),
            "latitude": record.get("latitude"),
            "longitude": record.get("longitude"),
            "opening_hours": record.get("horaires_accueil") or "",
            "source_url": record.get("lien_source") or "",
            "verified_on": record.get("date_maj"),
        }
    ]


def _channels_from_modes(record: dict, place_id: str | None) -> list[dict]:
    modes_accueil = set(record.get("modes_accueil") or [])
    modes = set(record.get("modes_mobilisation") or [])
    channels = []
    if place_id and (not modes_accueil or "en-presentiel" in modes_accueil):
        channels.append({"kind": "counter", "place": place_id, "opening_hours": record.get("horaires_accueil") or ""})
    if record.get("telephone"):
        channels.append({"kind": "phone", "phone": record["telephone"]})
    if record.get("lien_mobilisation") and (not modes or "utiliser-lien-mobilisation" in modes):
        channels.append({"kind": "online", "url": record["lien_mobilisation"]})
    return channels


def _service_record(record: dict, ext: dict, source: str, key: tuple[str, str]) -> dict[str, Any]:
    frais = record.get("frais")
    return {
        **SERVICE_DEFAULTS,
        "key": key,
        "source": source,
        "structure": str(record.get("structure_id") or ""),
        "operator_id": ext.get("operator"),
        "name": record.get("nom") or "",
        "description": ext.get("description", record.get("description") or ""),
        "kind": record.get("type") or "",
        "thematiques": sorted(record.get("thematiques") or []),
        "publics": sorted(record.get("publics") or []),
        "publics_details": record.get("publics_precisions") or "",
        "frais": ext.get("frais", [frais] if frais else []),
        "frais_details": record.get("frais_precisions") or "",
        "conditions_acces": record.get("conditions_acces") or "",
        "zone_eligibilite": list(record.get("zone_eligibilite") or []),
        "age_min": ext.get("age_min"),
        "age_max": ext.get("age_max"),
        "languages": ext.get("languages", []),
        "documents": ext.get("documents", []),
        "modes_accueil": sorted(record.get("modes_accueil") or []),
        "modes_mobilisation": sorted(record.get("modes_mobilisation") or []),
        "mobilisable_par": sorted(record.get("mobilisable_par") or []),
        "lien_mobilisation": record.get("lien_mobilisation") or "",
        "source_url": record.get("lien_source") or "",
        "verified_on": parse_date(ext["verified_on"]) if "verified_on" in ext else parse_date(record.get("date_maj")),
        "curated_by": str(ext.get("curated_by") or ""),
        # What the schema lacks: whether the service still runs (see Service.Status).
        "status": ext.get("status") or "active",
        "ended_on": ext.get("ended_on"),
        "status_source_url": ext.get("status_source_url") or "",
        "status_note": ext.get("status_note") or "",
        "needs": sorted(ext.get("needs", [])),
        "channels": ext.get("channels", []),
    }
