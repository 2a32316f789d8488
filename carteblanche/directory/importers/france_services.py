"""The national France Services dataset as published (GeoJSON, one feature per counter or bus).

Each feature becomes a structure, its place (published address and point) and one service,
"Accompagnement aux démarches", reachable at the counter (or through the bus) and by phone when
a number is published. Free-text hours go through `fs_hours`; what cannot be read stays unknown
and the place says why in its hours note.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import email_validator

from carteblanche.directory import fs_hours
from carteblanche.directory.importers.base import (
    SERVICE_DEFAULTS,
    STRUCTURE_DEFAULTS,
    ImportFileError,
    OfferBatch,
    RecordChecker,
    Reference,
    finish,
    place_record,
    read_json_file,
    service_checks,
    structure_checks,
)
from carteblanche.territories.normalize import normalize_name

SOURCE = "anct-france-services-2021"
# The file is the 2021 edition; it carries no day of publication, so records are dated 1 January 2021.
VERIFIED_ON = date(2021, 1, 1)
DESCRIPTION = (
    "Un agent France Services vous accueille et vous aide dans vos démarches auprès des partenaires "
    "nationaux (CAF, Assurance maladie, Assurance retraite, MSA, France Travail, Finances publiques, "
    "ANTS / ministère de l'Intérieur, Justice, La Poste) : information, aide pour remplir un dossier "
    "ou faire une démarche en ligne, mise en relation avec un conseiller. Service gratuit."
)
THEMATIQUES = [
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
    "numerique--acceder-a-des-services-en-ligne",
]
ARRONDISSEMENTS = (("751", "75056"), ("132", "13055"), ("6938", "69123"))


def read(path: Path, *, source: str | None = None, skip_invalid: bool = False) -> OfferBatch:
    data = read_json_file(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError("racine", "FeatureCollection GeoJSON attendue")
    if not isinstance(data.get("features"), list):
        # Without it, the file would read as "no France Services any more" (and --prune would delete them).
        raise ImportFileError("features", "liste « features » absente ou qui n'est pas une liste : fichier refusé")
    return parse(data["features"], source=source or SOURCE, skip_invalid=skip_invalid)


def resolve_commune(ref: Reference, code: str, postcode: str, name: str) -> str | None:
    """The current commune of a record: its code, the commune of an arrondissement, or the only commune
    of its postcode (or the one of that postcode with the same name). None when unsure."""
    code = (code or "").strip().upper()
    if code in ref.communes:
        return code
    for prefix, commune in ARRONDISSEMENTS:
        if code.startswith(prefix) and len(code) == 5:
            return commune
    candidates = [c for c, (_, _, postcodes, _) in ref.communes.items() if postcode and postcode in postcodes]
    if len(candidates) == 1:
        return candidates[0]
    key = normalize_name(name or "")
    named = [c for c in candidates if ref.communes[c][3] == key]
    return named[0] if len(named) == 1 else None


def is_itinerant(props: dict) -> bool:
    return str(props.get("ITINERANCE") or "").lower() == "oui" or "itin" in str(props.get("categorie") or "").lower()


def feature_records(props: dict, geometry: dict | None, ref: Reference, source: str) -> tuple[dict, dict, dict]:
    """Raw structure, place and service of one feature (before checks)."""
    matricule = str(props.get("MATRICULE") or "").strip()
    name = re.sub(r"\s+", " ", str(props.get("lib_france_services") or "")).strip()
    title = name if "france services" in name.lower() else f"France Services {name}"
    phone = str(props.get("TELEPHONE") or "").strip()
    email = str(props.get("CONTACT.MAIL") or "").strip()
    conversion = fs_hours.convert_days(props)
    notes = [f"Horaires à vérifier : {conversion.to_check}."] if conversion.to_check else []
    if conversion.note:
        notes.append(conversion.note)
    if conversion.status == fs_hours.UNKNOWN:
        # The page already says "horaires non communiqués": the note says why, without repeating it.
        notes.append(
            "La source (France Services, 2021) ne les publie pas."
            if conversion.reason == "horaires non communiqués"
            else f"Illisibles dans la source : {conversion.reason}."
        )
    elif conversion.reason:
        notes.append(f"Horaires en partie inconnus : {conversion.reason}")
    if comment := str(props.get(fs_hours.COMMENT) or "").strip():
        notes.append(comment)
    postcode = str(props.get("code_postal") or "").strip()
    commune = resolve_commune(ref, str(props.get("insee_com") or ""), postcode, str(props.get("lib_com") or ""))
    coordinates = (geometry or {}).get("coordinates") or [None, None]
    itinerant = is_itinerant(props)
    structure = {
        **STRUCTURE_DEFAULTS,
        "key": (source, matricule),
        "name": title,  # too long: refused by `structure_checks`, never cut
        "operator_id": "france-services",
        "phone": phone,
        "email": email if _valid_email(email) else "",
        "networks": ["france-service"],
        "verified_on": VERIFIED_ON,
    }
    place = {
        "source": source,
        "source_id": matricule,
        "structure": matricule,
        "name": title,
        "address": str(props.get("ADRESSE") or "").strip(),
        "address_complement": str(props.get("COMPLEMENT.D.ADRESSE") or "").strip(),
        "postcode": postcode if re.fullmatch(r"\d{5}", postcode) else "",
        "commune": commune or props.get("insee_com"),
        "latitude": coordinates[1],
        "longitude": coordinates[0],
        "opening_hours": conversion.rule,
        "hours_note": " ; ".join(notes)[:500],
        "verified_on": VERIFIED_ON,
    }
    channels: list[dict[str, Any]] = []
    if itinerant:
        channels.append(
            {
                "kind": "itinerant",
                "opening_hours": conversion.rule,
                "notes": "France Services itinérante : les arrêts ne sont pas publiés dans le jeu de données national.",
            }
        )
    else:
        channels.append({"kind": "counter", "place": matricule})
    if phone:
        channels.append({"kind": "phone", "phone": phone, "opening_hours": conversion.rule})
    service = {
        **SERVICE_DEFAULTS,
        "key": (source, f"{matricule}-accompagnement"),
        "source": source,
        "structure": matricule,
        "operator_id": "france-services",
        "name": "Accompagnement aux démarches administratives (France Services)",
        "description": DESCRIPTION,
        "kind": "accompagnement",
        "thematiques": THEMATIQUES,
        "publics": ["tous-publics"],
        "frais": ["gratuit"],
        "languages": ["fr"],
        "modes_accueil": ["en-presentiel"],
        "modes_mobilisation": sorted(["se-presenter", *(["telephoner"] if phone else [])]),
        "mobilisable_par": ["professionnels", "usagers"],  # sorted, as exports and the shipped data
        "verified_on": VERIFIED_ON,
        "needs": sorted(ref.france_services_needs),
        "channels": channels,
    }
    return structure, place, service


def parse(features: list, *, source: str = SOURCE, skip_invalid: bool = False) -> OfferBatch:
    batch = OfferBatch()
    ref = Reference()
    ref.france_services_needs = _france_services_needs()
    checker = RecordChecker(ref, batch)
    bad: tuple[set, set, set] = (set(), set(), set())
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        location = f"entité n°{number}"
        if not isinstance(props, dict) or not str(props.get("MATRICULE") or "").strip():
            batch.reject(location, "MATRICULE", "entité sans propriétés ni MATRICULE")
            continue
        location = f"entité n°{number} (MATRICULE {props['MATRICULE']})"
        structure, raw_place, service = feature_records(props, feature.get("geometry"), ref, source)
        batch.structures.append(structure)
        place = place_record(checker, raw_place, location)
        ok = structure_checks(checker, structure, location) and place is not None
        if place:
            batch.places.append(place)
        ok = service_checks(checker, service, location, {raw_place["source_id"]}) and ok
        batch.services.append(service)
        if not ok:
            bad[0].add(structure["key"])
            bad[1].add((source, raw_place["source_id"]))
            bad[2].add(service["key"])
    return finish(batch, skip_invalid=skip_invalid, bad=bad)


def _valid_email(email: str) -> bool:
    """Some published addresses are typos ('x@y16120,fr'): they are left out rather than stored broken."""
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def _france_services_needs() -> set[str]:
    from carteblanche.directory.models import Need

    return set(Need.objects.filter(operators__code="france-services").values_list("slug", flat=True))
