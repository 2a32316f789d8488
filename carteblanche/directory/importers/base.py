"""What every offer importer shares: records, rejections, validation against the reference data, writing.

An importer only *reads* a file into plain records (dicts keyed by model field names) and
rejections. `write_offer` then upserts them by (source, source_id) in one transaction and
returns the diff; a dry run does the same work and rolls back, so the diff is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from carteblanche.directory import hours, vocabulary
from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Place, Service, Structure
from carteblanche.territories.models import Commune

# Broad boxes (lat_min, lat_max, lon_min, lon_max) of metropolitan France, the overseas departments
# and collectivities: a point outside all of them is a typo (swapped lat/lon, missing minus sign…).
FRANCE_BOXES = (
    (41.2, 51.2, -5.3, 9.7),  # metropolitan France and Corsica
    (14.3, 18.2, -63.2, -60.7),  # Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
    (2.0, 5.9, -54.7, -51.5),  # Guyane
    (-21.5, -20.8, 55.1, 55.9),  # La Réunion
    (-13.1, -12.5, 44.9, 45.4),  # Mayotte
    (46.7, 47.2, -56.5, -56.1),  # Saint-Pierre-et-Miquelon
    (-23.0, -19.0, 163.0, 169.0),  # Nouvelle-Calédonie
    (-28.0, -7.0, -155.0, -134.0),  # Polynésie française
    (-14.5, -13.0, -178.3, -176.0),  # Wallis-et-Futuna
)


def in_france(latitude: float, longitude: float) -> bool:
    return any(a <= latitude <= b and c <= longitude <= d for a, b, c, d in FRANCE_BOXES)


class ImportFileError(ValueError):
    """The file itself cannot be read (not JSON, not CSV, wrong shape): nothing is imported."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location} : {reason}")
        self.location = location
        self.reason = reason


@dataclass(frozen=True)
class Rejection:
    location: str  # "ligne 12", "entité n°3 (MATRICULE 582)", "structures[4]"
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location} — champ « {self.field} » : {self.reason}"


@dataclass
class OfferBatch:
    """Records read from one file. Keys are model field names; relations are source ids or codes."""

    structures: list[dict[str, Any]] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def reject(self, location: str, field_name: str, reason: str) -> None:
        self.rejections.append(Rejection(location, field_name, reason))


@dataclass
class Diff:
    created: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    rejected: list[Rejection] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # "créé structure X", "modifié service Y (name, phone)"
    # In the database under the file's sources but not in the file (closed since the last import?).
    absent: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    removed: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    kept: list[str] = field(default_factory=list)  # absent records kept when pruning, with the reason
    # In the file but not written: another record replaces them ("=" lines of `changes`).
    replaced: dict[str, int] = field(default_factory=lambda: {"structures": 0, "lieux": 0, "services": 0})
    written: bool = False

    def count(self, kind: str, outcome: str, label: str, fields: Iterable[str] = ()) -> None:
        getattr(self, outcome)[kind] += 1
        if outcome == "created":
            self.changes.append(f"+ {kind[:-1]} {label}")
        elif outcome == "updated":
            self.changes.append(f"~ {kind[:-1]} {label} ({', '.join(sorted(fields))})")

    def summary(self) -> str:
        parts = [
            f"{kind} : {self.created[kind]} créé(s), {self.updated[kind]} modifié(s), "
            f"{self.unchanged[kind]} inchangé(s)"
            for kind in ("structures", "lieux", "services")
        ]
        lines = [*parts, f"rejetés : {len(self.rejected)}"]
        if any(self.replaced.values()):
            lines.append(
                "non importés, remplacés par une autre fiche : "
                + ", ".join(f"{self.replaced[kind]} {kind}" for kind in ("structures", "lieux", "services"))
            )
        if any(self.absent.values()):
            lines.append(
                "absents du fichier : "
                + ", ".join(f"{self.absent[kind]} {kind}" for kind in ("structures", "lieux", "services"))
                + (
                    " — supprimés : "
                    + ", ".join(f"{self.removed[kind]} {kind}" for kind in ("structures", "lieux", "services"))
                    if any(self.removed.values()) or self.kept
                    else " (gardés ; --prune pour les supprimer)"
                )
            )
        return "\n".join([*lines, *self.kept])


class Reference:
    """Communes, operators and needs loaded once, to validate records without one query per row."""

    def __init__(self) -> None:
        self.communes: dict[str, tuple[float | None, float | None, list[str], str]] = {
            code: (lat, lon, postcodes, name)
            for code, lat, lon, postcodes, name in Commune.objects.values_list(
                "code", "latitude", "longitude", "postcodes", "search_key"
            )
        }
        self.operators = set(Operator.objects.values_list("code", flat=True))
        self.needs = set(Need.objects.values_list("slug", flat=True))

    def commune_point(self, code: str) -> tuple[float, float] | None:
        lat, lon, _, _ = self.communes[code]
        return (lat, lon) if lat is not None and lon is not None else None


def parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class RecordChecker:
    """Field checks shared by the importers; each failure becomes a rejection naming field and reason."""

    def __init__(self, reference: Reference, batch: OfferBatch) -> None:
        self.ref = reference
        self.batch = batch

    def commune(self, code: Any, location: str, field_name: str = "code_insee") -> str | None:
        code = str(code or "").strip().upper()
        if not code:
            self.batch.reject(location, field_name, "code commune manquant")
            return None
        if code not in self.ref.communes:
            self.batch.reject(location, field_name, f"commune inconnue « {code} » (code INSEE actuel attendu)")
            return None
        return code

    def point(
        self, latitude: Any, longitude: Any, commune: str, location: str, approximate: bool = False
    ) -> tuple[float, float, bool] | None:
        """The given point, or the commune's reference point flagged approximate when none is given."""
        if latitude in (None, "") and longitude in (None, ""):
            point = self.ref.commune_point(commune)
            if point is None:
                self.batch.reject(location, "latitude", "ni coordonnées ni point de référence pour la commune")
                return None
            return point[0], point[1], True
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError):
            self.batch.reject(location, "latitude", f"coordonnées illisibles « {latitude} », « {longitude} »")
            return None
        if not in_france(lat, lon):
            self.batch.reject(location, "latitude", f"coordonnées hors de France ({lat}, {lon})")
            return None
        return lat, lon, bool(approximate)

    def opening_hours(self, rule: Any, location: str, field_name: str = "horaires_accueil") -> str | None:
        rule = str(rule or "").strip()
        try:
            hours.validate(rule)
        except hours.OpeningHoursError as exc:
            self.batch.reject(location, field_name, str(exc))
            return None
        return rule

    def vocabulary(self, values: Iterable[str], allowed: frozenset[str], location: str, field_name: str) -> bool:
        unknown = sorted(set(values) - allowed)
        if unknown:
            self.batch.reject(location, field_name, f"valeur inconnue : {', '.join(unknown)}")
            return False
        return True

    def thematiques(self, values: Iterable[str], location: str, field_name: str = "thematiques") -> bool:
        unknown = vocabulary.unknown_thematiques(values)
        if unknown:
            self.batch.reject(location, field_name, f"thématique inconnue : {', '.join(unknown)}")
            return False
        return True

    def operator(self, code: Any, location: str, field_name: str = "operateur") -> str | None | bool:
        """The operator code, None when empty, False when unknown (rejected)."""
        code = str(code or "").strip()
        if not code:
            return None
        if code not in self.ref.operators:
            self.batch.reject(location, field_name, f"opérateur inconnu « {code} »")
            return False
        return code

    def needs(self, slugs: Iterable[str], location: str, field_name: str = "besoins") -> bool:
        unknown = sorted(set(slugs) - self.ref.needs)
        if unknown:
            self.batch.reject(location, field_name, f"besoin inconnu du catalogue : {', '.join(unknown)}")
            return False
        return True

    def lengths(self, model: type, record: dict[str, Any], names: Iterable[str], location: str) -> bool:
        """Text no longer than its column: SQLite stores any length, PostgreSQL refuses the whole
        import at the first one (a DataError, after a dry run that said all was well)."""
        ok = True
        for name in names:
            value = record.get(name)
            limit = getattr(model._meta.get_field(name), "max_length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                self.batch.reject(location, name, f"{len(value)} caractères, {limit} au plus")
                ok = False
        return ok

    def channel(self, channel: dict[str, Any], location: str, place_ids: set[str]) -> bool:
        """A channel dict (model field names, `place` = place source id, `stops` = list)."""
        kind = channel.get("kind", "")
        where = f"{location}, canal « {kind or '?'} »"
        if kind not in Channel.Kind.values:
            self.batch.reject(location, "canaux", f"type de canal inconnu « {kind} »")
            return False
        ok = True
        if kind == Channel.Kind.COUNTER and not channel.get("place"):
            self.batch.reject(where, "lieu", "un accueil au guichet doit indiquer son lieu")
            ok = False
        if channel.get("place") and channel["place"] not in place_ids:
            self.batch.reject(where, "lieu", f"lieu inconnu « {channel['place']} »")
            ok = False
        if kind in (Channel.Kind.PHONE, Channel.Kind.CALLBACK) and not channel.get("phone"):
            self.batch.reject(where, "telephone", "numéro manquant")
            ok = False
        if kind == Channel.Kind.ONLINE and not channel.get("url"):
            self.batch.reject(where, "url", "lien manquant")
            ok = False
        if self.opening_hours(channel.get("opening_hours"), where, "horaires") is None:
            ok = False
        ok = self.lengths(Channel, channel, CHANNEL_FIELDS, where) and ok
        for code in channel.get("area_communes", []):
            ok = self.commune(code, where, "zone") is not None and ok
        for number, stop in enumerate(channel.get("stops", []), start=1):
            stop_where = f"{where}, arrêt n°{number}"
            code = self.commune(stop.get("commune"), stop_where, "commune")
            if code is None:
                ok = False
                continue
            point = self.point(stop.get("latitude"), stop.get("longitude"), code, stop_where)
            if point is None:
                ok = False
                continue
            stop["latitude"], stop["longitude"] = point[0], point[1]
            stop["position_approximate"] = stop.get("position_approximate", True) or point[2]
            if self.opening_hours(stop.get("schedule"), stop_where, "calendrier") is None:
                ok = False
            ok = self.lengths(ItinerantStop, stop, STOP_FIELDS, stop_where) and ok
        return ok


def drop_rejected(batch: OfferBatch, bad_structures: set[str], bad_places: set[str], bad_services: set[str]) -> None:
    """With --skip-invalid: remove rejected records and what depends on them."""
    batch.structures = [s for s in batch.structures if s["key"] not in bad_structures]
    kept_structures = {s["key"] for s in batch.structures}
    batch.places = [
        p for p in batch.places if p["key"] not in bad_places and (p["key"][0], p["structure"]) in kept_structures
    ]
    kept_places = {p["key"] for p in batch.places}
    batch.services = [
        s
        for s in batch.services
        if s["key"] not in bad_services
        and (s["key"][0], s["structure"]) in kept_structures
        and all(not c.get("place") or (s["key"][0], c["place"]) in kept_places for c in s["channels"])
    ]


# --- writing -------------------------------------------------------------------------------------

STRUCTURE_FIELDS = (
    "name",
    "operator_id",
    "siret",
    "description",
    "phone",
    "email",
    "website",
    "networks",
    "replaces",
    "source_url",
    "verified_on",
    "curated_by",
)
PLACE_FIELDS = (
    "name",
    "address",
    "address_complement",
    "postcode",
    "commune_id",
    "latitude",
    "longitude",
    "position_approximate",
    "opening_hours",
    "hours_note",
    "wheelchair_accessible",
    "accessibility_note",
    "is_itinerant_stop",
    "source_url",
    "verified_on",
    "curated_by",
)
SERVICE_FIELDS = (
    "operator_id",
    "name",
    "description",
    "kind",
    "thematiques",
    "publics",
    "publics_details",
    "frais",
    "frais_details",
    "conditions_acces",
    "zone_eligibilite",
    "age_min",
    "age_max",
    "languages",
    "documents",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "lien_mobilisation",
    "source_url",
    "verified_on",
    "curated_by",
    "status",
    "ended_on",
    "status_source_url",
    "status_note",
)
CHANNEL_FIELDS = (
    "kind",
    "phone",
    "url",
    "opening_hours",
    "hours_note",
    "appointment_required",
    "booking",
    "cost",
    "notes",
)
STOP_FIELDS = ("location_label", "latitude", "longitude", "position_approximate", "schedule", "schedule_note")


def channel_signature(channels: list[dict[str, Any]]) -> str:
    """A canonical text of a service's channels, to tell 'unchanged' from 'updated'."""
    normalised = []
    for channel in channels:
        item = {name: channel.get(name) for name in CHANNEL_FIELDS}
        item["place"] = channel.get("place") or ""
        item["area_communes"] = sorted(channel.get("area_communes", []))
        item["stops"] = sorted(
            ({"commune": s["commune"], **{n: s.get(n) for n in STOP_FIELDS}} for s in channel.get("stops", [])),
            key=lambda s: s["commune"],
        )
        normalised.append(item)
    normalised.sort(key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return json.dumps(normalised, sort_keys=True, default=str)


def existing_channels(service: Service) -> list[dict[str, Any]]:
    """The stored channels of a service in the importers' dict form."""
    result = []
    for channel in service.channels.all():
        item = {name: getattr(channel, name) for name in CHANNEL_FIELDS}
        item["place"] = channel.place.source_id if channel.place_id else ""
        item["area_communes"] = [c.code for c in channel.area_communes.all()]
        item["stops"] = [
            {"commune": stop.commune_id, **{n: getattr(stop, n) for n in STOP_FIELDS}} for stop in channel.stops.all()
        ]
        result.append(item)
    return result


def _changed(instance: Any, values: dict[str, Any], names: Iterable[str]) -> list[str]:
    return [name for name in names if getattr(instance, name) != values[name]]


def _upsert(model, source: str, source_id: str, values: dict[str, Any], names: tuple[str, ...]):
    instance = model.objects.filter(source=source, source_id=source_id).first()
    if instance is None:
        return model.objects.create(source=source, source_id=source_id, **values), "created", []
    fields = _changed(instance, values, names)
    if fields:
        for name in fields:
            setattr(instance, name, values[name])
        instance.save()
        return instance, "updated", fields
    return instance, "unchanged", []


def write_offer(
    batch: OfferBatch,
    *,
    apply: bool,
    prune: bool = False,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> Diff:
    """Upsert the batch in one transaction; roll back unless `apply` (the diff is the same either way).

    Records of the file's sources that the file no longer has are counted in the diff; with
    `prune` they are removed too (see `_prune_absent`). Never prune a batch with rejections:
    a rejected record is in the file, not absent from it.
    """
    if prune and batch.rejections:
        raise ValueError("prune needs a batch without rejections")
    diff = Diff(rejected=list(batch.rejections))
    with transaction.atomic():
        batch = _without_replaced(batch, diff)
        structures: dict[tuple[str, str], Structure] = {}
        places: dict[tuple[str, str], Place] = {}
        items = [("structures", r) for r in batch.structures] + [("lieux", r) for r in batch.places]
        items += [("services", r) for r in batch.services]
        for kind, record in progress(items):
            source, source_id = record["key"]
            if kind == "structures":
                # A file that cannot say what a structure replaces (None) leaves it as it is.
                names = tuple(n for n in STRUCTURE_FIELDS if not (n == "replaces" and record.get(n) is None))
                values = {name: record.get(name) for name in names}
                instance, outcome, fields = _upsert(Structure, source, source_id, values, names)
                structures[record["key"]] = instance
            elif kind == "lieux":
                values = {name: record.get(name) for name in PLACE_FIELDS}
                values["structure"] = _structure(structures, source, record["structure"])
                instance, outcome, fields = _upsert(Place, source, source_id, values, (*PLACE_FIELDS, "structure"))
                places[record["key"]] = instance
            else:
                instance, outcome, fields = _write_service(record, structures, places)
            diff.count(kind, outcome, f"{source}:{source_id}", fields)
        _prune_absent(batch, diff, remove=prune)
        diff.written = apply
        if not apply:
            transaction.set_rollback(True)
    return diff


def _replacements(batch: OfferBatch) -> dict[tuple[str, str], str]:
    """(source, id) of every structure that another record replaces -> that record's "source:id".

    From the database and from the batch itself (the batch wins: it is what will be written).
    """
    replaced: dict[tuple[str, str], str] = {}
    rows = Structure.objects.exclude(replaces=[]).values_list("source", "source_id", "replaces")
    records = [(source, source_id, replaces) for source, source_id, replaces in rows]
    records += [(*record["key"], record.get("replaces") or []) for record in batch.structures]
    for source, source_id, replaces in records:
        for pair in replaces:
            if tuple(pair) != (source, source_id):
                replaced[(pair[0], pair[1])] = f"{source}:{source_id}"
    return replaced


def _without_replaced(batch: OfferBatch, diff: Diff) -> OfferBatch:
    """The batch without the structures another record replaces, nor their places and services.

    A national file carries a record that a curated one stands in for (the Grand Cahors bus of
    France Services 2021, curated with its 26 stops): importing the file again must not show it
    twice. What is left out is listed in the diff; a copy already in the database is then
    absent from the file, so `--prune` removes it.
    """
    replaced = _replacements(batch)
    if not replaced:
        return batch
    skipped = {record["key"] for record in batch.structures if record["key"] in replaced}
    place_owner = {r["key"]: (r["key"][0], r["structure"]) for r in batch.places}

    def structure_of(kind: str, record: dict[str, Any]) -> tuple[str, str] | None:
        """The replaced structure this record belongs to, or None to keep it."""
        source = record["key"][0]
        if kind == "structures":
            owner = record["key"]
        elif kind == "lieux":
            owner = place_owner[record["key"]]
        else:
            owner = (source, record["structure"])
            if owner not in skipped:  # still left out when one of its counters is at a replaced structure's place
                at_places = [place_owner.get((source, channel.get("place"))) for channel in record.get("channels", [])]
                owner = next((place for place in at_places if place in skipped), owner)
        return owner if owner in skipped else None

    kept = OfferBatch(rejections=batch.rejections)
    for kind, records, target in (
        ("structures", batch.structures, kept.structures),
        ("lieux", batch.places, kept.places),
        ("services", batch.services, kept.services),
    ):
        for record in records:
            owner = structure_of(kind, record)
            if owner is None:
                target.append(record)
                continue
            diff.replaced[kind] += 1
            source, source_id = record["key"]
            diff.changes.append(f"= {kind[:-1]} {source}:{source_id} non importé : remplacé par {replaced[owner]}")
    return kept


def _absent(model, batch_records: list[dict[str, Any]], sources: set[str]):
    """Rows of `model` under these sources whose (source, source_id) is not among the batch's records."""
    keys = {record["key"] for record in batch_records}
    rows = model.objects.filter(source__in=sources).values_list("pk", "source", "source_id")
    return [pk for pk, source, source_id in rows if (source, source_id) not in keys]


def _outside_references(structure: Structure) -> list[str]:
    """What outside the directory refers to a structure (accounts, case files, consents, API keys…)."""
    found = []
    for relation in Structure._meta.related_objects:
        if relation.related_model._meta.app_label == "directory":
            continue
        if relation.related_model._default_manager.filter(**{relation.field.name: structure}).exists():
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


def _prune_absent(batch: OfferBatch, diff: Diff, *, remove: bool) -> None:
    """Count, and with `remove` delete, what the file's sources had and the file no longer has.

    Services go first (with their channels and stops), then places no remaining channel uses,
    then structures left without places or services. A structure that accounts, case files,
    consents or referrals refer to is kept (their history must survive) and the diff says why.
    """
    sources = {record["key"][0] for record in (*batch.structures, *batch.places, *batch.services)}
    if not sources:
        return
    absent = {
        "services": _absent(Service, batch.services, sources),
        "lieux": _absent(Place, batch.places, sources),
        "structures": _absent(Structure, batch.structures, sources),
    }
    diff.absent = {kind: len(pks) for kind, pks in absent.items()}
    for kind, model in (("services", Service), ("lieux", Place), ("structures", Structure)):
        for source, source_id in model.objects.filter(pk__in=absent[kind]).values_list("source", "source_id"):
            diff.changes.append(f"- {kind[:-1]} {source}:{source_id}")
    if not remove:
        return
    Service.objects.filter(pk__in=absent["services"]).delete()
    diff.removed["services"] = len(absent["services"])
    unused_places = Place.objects.filter(pk__in=absent["lieux"], channels__isnull=True)
    diff.removed["lieux"] = unused_places.count()
    unused_places.delete()
    for structure in Structure.objects.filter(pk__in=absent["structures"]).order_by("source", "source_id"):
        label = f"{structure.source}:{structure.source_id}"
        if structure.services.exists() or structure.places.exists():
            diff.kept.append(f"gardée : structure {label} (des services ou lieux d'autres fichiers y sont rattachés)")
        elif references := _outside_references(structure):
            diff.kept.append(f"gardée : structure {label} ({', '.join(references)} y sont rattachés)")
        else:
            structure.delete()
            diff.removed["structures"] += 1


def _write_service(record: dict[str, Any], structures: dict, places: dict) -> tuple[Service, str, list[str]]:
    source, source_id = record["key"]
    values = {name: record.get(name) for name in SERVICE_FIELDS}
    values["structure"] = _structure(structures, source, record["structure"])
    instance, outcome, fields = _upsert(Service, source, source_id, values, (*SERVICE_FIELDS, "structure"))
    current_needs = sorted(instance.needs.values_list("slug", flat=True))
    if current_needs != sorted(set(record.get("needs", []))):
        instance.needs.set(record.get("needs", []))
        fields = [*fields, "needs"]
    if outcome == "created" or channel_signature(existing_channels(instance)) != channel_signature(record["channels"]):
        instance.channels.all().delete()
        for channel in record["channels"]:
            created = Channel.objects.create(
                service=instance,
                place=_place(places, source, channel["place"]) if channel.get("place") else None,
                **{
                    name: channel.get(name) if channel.get(name) is not None else _default(name)
                    for name in CHANNEL_FIELDS
                },
            )
            if channel.get("area_communes"):
                created.area_communes.set(channel["area_communes"])
            ItinerantStop.objects.bulk_create(
                ItinerantStop(channel=created, commune_id=stop["commune"], **{n: stop.get(n) for n in STOP_FIELDS})
                for stop in channel.get("stops", [])
            )
        if outcome != "created":
            fields = [*fields, "channels"]
    if outcome == "unchanged" and fields:
        outcome = "updated"
    return instance, outcome, fields


def _structure(structures: dict, source: str, source_id: str) -> Structure:
    """From this batch, else already in the database (a file may add services to known structures)."""
    return structures.get((source, source_id)) or Structure.objects.get(source=source, source_id=source_id)


def _place(places: dict, source: str, source_id: str) -> Place:
    return places.get((source, source_id)) or Place.objects.get(source=source, source_id=source_id)


def normalise_stop(stop: dict[str, Any]) -> dict[str, Any]:
    return {
        "commune": str(stop.get("commune") or "").strip(),
        "location_label": stop.get("location_label") or "",
        "latitude": stop.get("latitude"),
        "longitude": stop.get("longitude"),
        "position_approximate": bool(stop.get("position_approximate", True)),
        "schedule": stop.get("schedule") or "",
        "schedule_note": stop.get("schedule_note") or "",
    }


def normalise_channel(channel: dict[str, Any]) -> dict[str, Any]:
    """Defaults for every field, so stored and imported channels compare equal."""
    item = {name: (channel.get(name) if channel.get(name) is not None else _default(name)) for name in CHANNEL_FIELDS}
    item["place"] = channel.get("place") or ""
    item["area_communes"] = sorted(str(code) for code in channel.get("area_communes") or [])
    item["stops"] = [normalise_stop(stop) for stop in channel.get("stops") or []]
    return item


def _default(name: str) -> Any:
    return None if name == "appointment_required" else ""


# --- building records ------------------------------------------------------------------------------


def _bool_or_none(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"oui", "true", "1", "vrai", "yes"}:
        return True
    if text in {"non", "false", "0", "faux", "no"}:
        return False
    raise ValueError(f"oui/non attendu, reçu « {value} »")


def place_record(checker: RecordChecker, raw: dict[str, Any], location: str) -> dict[str, Any] | None:
    """Check and complete one place: commune known, point in France (or the commune's, approximate), hours valid."""
    commune = checker.commune(raw.get("commune"), location)
    if commune is None:
        return None
    point = checker.point(raw.get("latitude"), raw.get("longitude"), commune, location, raw.get("position_approximate"))
    rule = checker.opening_hours(raw.get("opening_hours"), location)
    try:
        wheelchair = _bool_or_none(raw.get("wheelchair_accessible"))
    except ValueError as exc:
        checker.batch.reject(location, "accessible_fauteuil", str(exc))
        return None
    postcode = str(raw.get("postcode") or "").strip()
    if postcode and not (len(postcode) == 5 and postcode.isdigit()):
        checker.batch.reject(location, "code_postal", f"code postal invalide « {postcode} »")
        return None
    if point is None or rule is None:
        return None
    record = {
        "key": (raw["source"], raw["source_id"]),
        "structure": raw["structure"],
        "name": (raw.get("name") or "").strip()[:200],
        "address": (raw.get("address") or "").strip(),
        "address_complement": (raw.get("address_complement") or "").strip(),
        "postcode": postcode,
        "commune_id": commune,
        "latitude": point[0],
        "longitude": point[1],
        "position_approximate": point[2],
        "opening_hours": rule,
        "hours_note": (raw.get("hours_note") or "").strip(),
        "wheelchair_accessible": wheelchair,
        "accessibility_note": raw.get("accessibility_note") or "",
        "is_itinerant_stop": bool(raw.get("is_itinerant_stop")),
        "source_url": raw.get("source_url") or "",
        "verified_on": parse_date(raw.get("verified_on")),
        "curated_by": (raw.get("curated_by") or "").strip(),
    }
    return record if checker.lengths(Place, record, PLACE_FIELDS, location) else None


def structure_checks(checker: RecordChecker, record: dict[str, Any], location: str) -> bool:
    """What every importer checks on a structure record (model field names) once it is built."""
    return checker.lengths(Structure, record, STRUCTURE_FIELDS, location)


def service_checks(checker: RecordChecker, record: dict[str, Any], location: str, place_ids: set[str]) -> bool:
    """Vocabularies, operator, needs, ages and channels of a service record (model field names)."""
    ok = checker.thematiques(record["thematiques"], location)
    ok = checker.lengths(Service, record, SERVICE_FIELDS, location) and ok
    ok = checker.vocabulary(record["publics"], vocabulary.PUBLICS, location, "publics") and ok
    ok = checker.vocabulary(record["frais"], vocabulary.FRAIS, location, "frais") and ok
    ok = checker.vocabulary(record["modes_accueil"], vocabulary.MODES_ACCUEIL, location, "modes_accueil") and ok
    ok = (
        checker.vocabulary(record["modes_mobilisation"], vocabulary.MODES_MOBILISATION, location, "modes_mobilisation")
        and ok
    )
    ok = checker.vocabulary(record["mobilisable_par"], vocabulary.MOBILISABLE_PAR, location, "mobilisable_par") and ok
    if record["kind"] and record["kind"] not in vocabulary.TYPES_SERVICE:
        checker.batch.reject(location, "type", f"type de service inconnu « {record['kind']} »")
        ok = False
    operator = checker.operator(record.get("operator_id"), location)
    if operator is False:
        ok = False
    else:
        record["operator_id"] = operator
    ok = checker.needs(record["needs"], location) and ok
    for name in ("age_min", "age_max"):
        value = record.get(name)
        if value in (None, ""):
            record[name] = None
            continue
        try:
            record[name] = int(value)
            if not 0 <= record[name] <= 120:
                raise ValueError
        except (TypeError, ValueError):
            checker.batch.reject(location, name, f"âge invalide « {value} »")
            ok = False
    if ok and record["age_min"] is not None and record["age_max"] is not None and record["age_min"] > record["age_max"]:
        checker.batch.reject(location, "age_min", "l'âge minimum dépasse l'âge maximum")
        ok = False
    ok = _status_checks(checker, record, location) and ok
    record["channels"] = [normalise_channel(channel) for channel in record["channels"]]
    for channel in record["channels"]:
        ok = checker.channel(channel, location, place_ids) and ok
    return ok


STATUSES = {"active", "ended", "unverified"}


def _status_checks(checker: RecordChecker, record: dict[str, Any], location: str) -> bool:
    """A known status; an ended service says since when and where that is written (the database insists too)."""
    status = record.get("status") or "active"
    record["status"] = status
    if status not in STATUSES:
        checker.batch.reject(location, "statut", f"statut inconnu « {status} » (active, ended ou unverified)")
        return False
    ended_on = record.get("ended_on")
    if ended_on not in (None, "") and not isinstance(ended_on, date):
        try:
            ended_on = parse_date(ended_on)
        except ValueError:
            checker.batch.reject(location, "fin_le", f"date AAAA-MM-JJ attendue « {ended_on} »")
            return False
    record["ended_on"] = ended_on or None
    if status == "ended" and (record["ended_on"] is None or not record.get("status_source_url")):
        checker.batch.reject(
            location, "statut", "un service arrêté doit dire depuis quand (fin_le) et où c'est écrit (source_statut)"
        )
        return False
    if status != "ended" and record["ended_on"] is not None:
        checker.batch.reject(location, "fin_le", "une date de fin n'a de sens que pour un service arrêté (ended)")
        return False
    return True


SERVICE_DEFAULTS: dict[str, Any] = {
    "operator_id": None,
    "description": "",
    "kind": "",
    "thematiques": [],
    "publics": [],
    "publics_details": "",
    "frais": [],
    "frais_details": "",
    "conditions_acces": "",
    "zone_eligibilite": [],
    "age_min": None,
    "age_max": None,
    "languages": [],
    "documents": [],
    "modes_accueil": [],
    "modes_mobilisation": [],
    "mobilisable_par": [],
    "lien_mobilisation": "",
    "source_url": "",
    "verified_on": None,
    "curated_by": "",
    "status": "active",
    "ended_on": None,
    "status_source_url": "",
    "status_note": "",
    "needs": [],
    "channels": [],
}
STRUCTURE_DEFAULTS: dict[str, Any] = {
    "operator_id": None,
    "siret": "",
    "description": "",
    "phone": "",
    "email": "",
    "website": "",
    "networks": [],
    "replaces": None,  # not said by the file: what the database has stays
    "source_url": "",
    "verified_on": None,
    "curated_by": "",
}


def finish(batch: OfferBatch, *, skip_invalid: bool, bad: tuple[set, set, set]) -> OfferBatch:
    """Keep rejected records out when skipping; otherwise the caller refuses to write anything."""
    if skip_invalid:
        drop_rejected(batch, *bad)
    return batch
