"""The documented CSV template: one row per service, with its structure and its main place.

A row with empty service columns declares a structure (and place) alone. Lists are separated
by "|". `canaux` holds the channels as a JSON list (see docs/directory.md); when it is empty and
the row has a place, the service is received at that place's counter.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

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

COLUMNS = [
    "source",
    "structure_id",
    "structure_nom",
    "structure_operateur",
    "structure_siret",
    "structure_description",
    "structure_telephone",
    "structure_courriel",
    "structure_site_web",
    "structure_reseaux",
    "structure_remplace",
    "structure_lien_source",
    "structure_date_maj",
    "lieu_id",
    "lieu_nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "code_insee",
    "latitude",
    "longitude",
    "position_approximative",
    "horaires",
    "horaires_precisions",
    "accessible_fauteuil",
    "accessibilite_precisions",
    "lieu_itinerant",
    "lieu_lien_source",
    "lieu_date_maj",
    "service_id",
    "service_nom",
    "service_description",
    "service_operateur",
    "type",
    "thematiques",
    "publics",
    "publics_precisions",
    "frais",
    "frais_precisions",
    "conditions_acces",
    "zone_eligibilite",
    "age_min",
    "age_max",
    "langues",
    "pieces_a_fournir",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "lien_mobilisation",
    "besoins",
    "canaux",
    "service_lien_source",
    "service_date_maj",
    "service_statut",
    "service_fin_le",
    "service_source_statut",
    "service_statut_precisions",
    "releve_par",
]
REQUIRED = ["source", "structure_id", "structure_nom"]


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split("|") if item.strip()]


def read(path: Path, *, source: str | None = None, skip_invalid: bool = False) -> OfferBatch:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(str(path), f"fichier illisible (UTF-8 attendu) : {exc}") from exc
    return parse(text, source=source, skip_invalid=skip_invalid)


def parse(text: str, *, source: str | None = None, skip_invalid: bool = False) -> OfferBatch:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError("ligne 1", f"colonnes obligatoires absentes : {', '.join(missing)}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportFileError("ligne 1", f"colonnes inconnues : {', '.join(unknown)}")
    batch = OfferBatch()
    checker = RecordChecker(Reference(), batch)
    bad: tuple[set, set, set] = (set(), set(), set())
    seen_structures: set[tuple[str, str]] = set()
    seen_places: set[tuple[str, str]] = set()
    place_ids: dict[str, set[str]] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        line = 1
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                batch.reject(f"ligne {line}", "?", "nombre de colonnes différent de l'en-tête")
                continue
            rows.append((line, {key: (value or "").strip() for key, value in row.items()}))
    except csv.Error as exc:
        raise ImportFileError(f"ligne {reader.line_num}", f"CSV invalide : {exc}") from exc
    for line, row in rows:  # structures and places first: services may point to places of other rows
        location = f"ligne {line}"
        src = source or row.get("source", "")
        key = (src, row.get("structure_id", ""))
        for name in REQUIRED:
            if not row.get(name) and not (name == "source" and source):
                batch.reject(location, name, "valeur obligatoire manquante")
                bad[0].add(key)
        if key not in seen_structures:
            seen_structures.add(key)
            structure = _structure(checker, row, key, location, bad)
            if not structure_checks(checker, structure, location):
                bad[0].add(key)
            batch.structures.append(structure)
        if row.get("lieu_id") and (src, row["lieu_id"]) not in seen_places:
            seen_places.add((src, row["lieu_id"]))
            place = place_record(checker, _raw_place(row, src), location)
            if place is None:
                bad[0].add(key)
                bad[1].add((src, row["lieu_id"]))
            else:
                batch.places.append(place)
                place_ids.setdefault(src, set()).add(row["lieu_id"])
    for line, row in rows:
        if not row.get("service_id"):
            continue
        location = f"ligne {line}"
        src = source or row.get("source", "")
        service = _service(row, src)
        ok = True
        try:
            service["channels"] = json.loads(row["canaux"]) if row.get("canaux") else _default_channels(row)
            if not isinstance(service["channels"], list):
                raise ValueError("liste JSON attendue")
        except ValueError as exc:
            batch.reject(location, "canaux", f"JSON invalide : {exc}")
            service["channels"], ok = [], False
        if row.get("service_date_maj") and service["verified_on"] is None:
            batch.reject(location, "service_date_maj", f"date AAAA-MM-JJ attendue « {row['service_date_maj']} »")
            ok = False
        if not service["name"] or len(service["name"]) < 3:
            batch.reject(location, "service_nom", "nom du service manquant ou trop court (3 caractères au moins)")
            ok = False
        ok = service_checks(checker, service, location, place_ids.get(src, set())) and ok
        if not ok:
            bad[2].add(service["key"])
        batch.services.append(service)
    return finish(batch, skip_invalid=skip_invalid, bad=bad)


def _structure(checker: RecordChecker, row: dict, key: tuple[str, str], location: str, bad) -> dict[str, Any]:
    operator = checker.operator(row.get("structure_operateur"), location, "structure_operateur")
    if operator is False:
        bad[0].add(key)
    try:
        verified_on = parse_date(row.get("structure_date_maj"))
    except ValueError:
        checker.batch.reject(
            location, "structure_date_maj", f"date AAAA-MM-JJ attendue « {row['structure_date_maj']} »"
        )
        bad[0].add(key)
        verified_on = None
    return {
        **STRUCTURE_DEFAULTS,
        "key": key,
        "name": row.get("structure_nom", ""),
        "operator_id": operator or None,
        "siret": row.get("structure_siret", ""),
        "description": row.get("structure_description", ""),
        "phone": row.get("structure_telephone", ""),
        "email": row.get("structure_courriel", ""),
        "website": row.get("structure_site_web", ""),
        "networks": split_list(row.get("structure_reseaux", "")),
        "replaces": _replaced_keys(checker, row, key, location, bad),
        "source_url": row.get("structure_lien_source", ""),
        "verified_on": verified_on,
        "curated_by": row.get("releve_par", ""),
    }


def _replaced_keys(checker: RecordChecker, row: dict, key: tuple[str, str], location: str, bad) -> list | None:
    """`source:id|source:id` -> [[source, id], …]; None when the file has no such column (keep what is there)."""
    if "structure_remplace" not in row:
        return None
    pairs = []
    for item in split_list(row["structure_remplace"]):
        source, _, source_id = item.partition(":")
        if not (source.strip() and source_id.strip()):
            checker.batch.reject(location, "structure_remplace", f"« {item} » : source:identifiant attendu")
            bad[0].add(key)
            return []
        if (source.strip(), source_id.strip()) == key:
            checker.batch.reject(location, "structure_remplace", "une fiche ne peut pas se remplacer elle-même")
            bad[0].add(key)
            return []
        pairs.append([source.strip(), source_id.strip()])
    return pairs


def _raw_place(row: dict, source: str) -> dict[str, Any]:
    return {
        "source": source,
        "source_id": row["lieu_id"],
        "structure": row.get("structure_id", ""),
        "name": row.get("lieu_nom") or row.get("structure_nom", ""),
        "address": row.get("adresse", ""),
        "address_complement": row.get("complement_adresse", ""),
        "postcode": row.get("code_postal", ""),
        "commune": row.get("code_insee", ""),
        "latitude": row.get("latitude", ""),
        "longitude": row.get("longitude", ""),
        "position_approximate": row.get("position_approximative", "").lower() in {"oui", "true", "1"},
        "opening_hours": row.get("horaires", ""),
        "hours_note": row.get("horaires_precisions", ""),
        "wheelchair_accessible": row.get("accessible_fauteuil", ""),
        "accessibility_note": row.get("accessibilite_precisions", ""),
        "is_itinerant_stop": row.get("lieu_itinerant", "").lower() in {"oui", "true", "1"},
        "source_url": row.get("lieu_lien_source", ""),
        "verified_on": row.get("lieu_date_maj", ""),
        "curated_by": row.get("releve_par", ""),
    }


def _default_channels(row: dict) -> list[dict]:
    return [{"kind": "counter", "place": row["lieu_id"]}] if row.get("lieu_id") else []


def _service(row: dict, source: str) -> dict[str, Any]:
    return {
        **SERVICE_DEFAULTS,
        "key": (source, row["service_id"]),
        "source": source,
        "structure": row.get("structure_id", ""),
        "operator_id": row.get("service_operateur") or None,
        "name": row.get("service_nom", ""),
        "description": row.get("service_description", ""),
        "kind": row.get("type", ""),
        "thematiques": split_list(row.get("thematiques", "")),
        "publics": split_list(row.get("publics", "")),
        "publics_details": row.get("publics_precisions", ""),
        "frais": split_list(row.get("frais", "")),
        "frais_details": row.get("frais_precisions", ""),
        "conditions_acces": row.get("conditions_acces", ""),
        "zone_eligibilite": split_list(row.get("zone_eligibilite", "")),
        "age_min": row.get("age_min") or None,
        "age_max": row.get("age_max") or None,
        "languages": split_list(row.get("langues", "")),
        "documents": split_list(row.get("pieces_a_fournir", "")),
        "modes_accueil": split_list(row.get("modes_accueil", "")),
        "modes_mobilisation": split_list(row.get("modes_mobilisation", "")),
        "mobilisable_par": split_list(row.get("mobilisable_par", "")),
        "lien_mobilisation": row.get("lien_mobilisation", ""),
        "needs": split_list(row.get("besoins", "")),
        "source_url": row.get("service_lien_source", ""),
        "verified_on": _date_or_none(row.get("service_date_maj", "")),
        "curated_by": row.get("releve_par", ""),
        "status": row.get("service_statut") or "active",
        "ended_on": row.get("service_fin_le") or None,
        "status_source_url": row.get("service_source_statut", ""),
        "status_note": row.get("service_statut_precisions", ""),
    }


def _date_or_none(value: str):
    try:
        return parse_date(value)
    except ValueError:
        return None
