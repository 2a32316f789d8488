"""The shipped catalogues (operators and needs): read the JSON files, validate, upsert."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from carteblanche.directory.models import Channel, Need, Operator
from carteblanche.directory.vocabulary import unknown_thematiques

DATA_DIR = Path(__file__).resolve().parent / "data"
OPERATORS_FILE = DATA_DIR / "operators.json"
NEEDS_FILE = DATA_DIR / "needs.json"


class CatalogueError(ValueError):
    """The catalogue file is inconsistent: names the entry and the field."""


@dataclass(frozen=True)
class CatalogueCounts:
    operators_created: int
    operators_updated: int
    needs_created: int
    needs_updated: int


def _check_need(entry: dict, position: int, operator_codes: set[str]) -> None:
    where = f"besoin n°{position} ({entry.get('slug', '?')})"
    for field in ("slug", "label", "thematiques", "phrases"):
        if not entry.get(field):
            raise CatalogueError(f"{where} : champ « {field} » manquant")
    if bad := unknown_thematiques(entry["thematiques"]):
        raise CatalogueError(f"{where} : champ « thematiques » : thématique inconnue {', '.join(bad)}")
    if bad := sorted(set(entry.get("operators", [])) - operator_codes):
        raise CatalogueError(f"{where} : champ « operators » : opérateur inconnu {', '.join(bad)}")
    kinds = set(Channel.Kind.values)
    if bad := sorted(set(entry.get("channel_kinds", [])) - kinds):
        raise CatalogueError(f"{where} : champ « channel_kinds » : canal inconnu {', '.join(bad)}")
    if any(phrase != phrase.lower() for phrase in entry["phrases"]):
        raise CatalogueError(f"{where} : champ « phrases » : les expressions doivent être en minuscules")


@transaction.atomic
def load_catalogue(*, operators_path: Path = OPERATORS_FILE, needs_path: Path = NEEDS_FILE) -> CatalogueCounts:
    """Upsert operators then needs (idempotent): a steward edits the JSON files, reruns `load_needs`."""
    operators = json.loads(operators_path.read_text(encoding="utf-8"))
    needs = json.loads(needs_path.read_text(encoding="utf-8"))
    operator_codes = {entry["code"] for entry in operators}
    for position, entry in enumerate(needs, start=1):
        _check_need(entry, position, operator_codes)
    ops_created = ops_updated = 0
    for entry in operators:
        fields = {key: entry.get(key, "") for key in ("name", "short_name", "kind", "website", "source")}
        _, created = Operator.objects.update_or_create(code=entry["code"], defaults=fields)
        ops_created += created
        ops_updated += not created
    needs_created = needs_updated = 0
    for entry in needs:
        fields = {
            key: entry.get(key, default)
            for key, default in (
                ("label", ""),
                ("phrases", []),
                ("description", ""),
                ("life_event", ""),
                ("thematiques", []),
                ("channel_kinds", []),
                ("documents", []),
                ("online_procedure_url", ""),
                ("source", ""),
            )
        }
        need, created = Need.objects.update_or_create(slug=entry["slug"], defaults=fields)
        need.operators.set(entry.get("operators", []))
        needs_created += created
        needs_updated += not created
    return CatalogueCounts(ops_created, ops_updated, needs_created, needs_updated)
