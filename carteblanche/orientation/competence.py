"""Who is competent for each need, as data (fields of `directory/data/needs.json`). Pure module.

For each need the catalogue says which operators **decide** it (`deciders`: the body that pays,
grants or issues), which only **help** to do it (`helpers`: France Services, digital-inclusion
advisers, a CCAS), and where the application can be **taken** (`application_places`: "deciders" =
any channel of a deciding body or of a service the catalogue links to the need; "listed" = only the
services the catalogue links to the need, e.g. the nine town halls with an ID-card recueil device —
any other town hall does not count; "none" = no service or place, the national emergency lines answer
it: suicidal thoughts, a medical emergency). Sources in `competence_sources`.

A plan names the deciding body first (engine `_select`) and never presents a place that cannot take
the application as the place to apply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NEEDS_FILE = Path(__file__).resolve().parents[1] / "directory" / "data" / "needs.json"
OPERATORS_FILE = NEEDS_FILE.with_name("operators.json")
APPLICATION_PLACES = ("deciders", "listed", "none")


class CompetenceDataError(ValueError):
    """A competence field of the needs catalogue is wrong: names the need and the field."""


@dataclass(frozen=True, slots=True)
class Competence:
    deciders: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    application_places: str = "deciders"
    sources: tuple[str, ...] = ()
    note: str = ""

    @property
    def listed_only(self) -> bool:
        return self.application_places == "listed"

    @property
    def lines_only(self) -> bool:
        return self.application_places == "none"


def parse(needs: list[dict], operator_codes: set[str]) -> dict[str, Competence]:
    """Validate and read the competence fields (a need without them gets an empty Competence)."""
    found: dict[str, Competence] = {}
    for position, entry in enumerate(needs, start=1):
        where = f"besoin n°{position} ({entry.get('slug', '?')})"
        for name in ("deciders", "helpers", "competence_sources"):
            value = entry.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise CompetenceDataError(f"{where} : champ « {name} » : liste de textes attendue")
        for name in ("deciders", "helpers"):
            if bad := sorted(set(entry.get(name, [])) - operator_codes):
                raise CompetenceDataError(f"{where} : champ « {name} » : opérateur inconnu {', '.join(bad)}")
        if both := sorted(set(entry.get("deciders", [])) & set(entry.get("helpers", []))):
            raise CompetenceDataError(f"{where} : champ « helpers » : {', '.join(both)} décide déjà")
        places = entry.get("application_places", "deciders")
        if places not in APPLICATION_PLACES:
            raise CompetenceDataError(
                f"{where} : champ « application_places » : « deciders », « listed » ou « none » attendu"
            )
        if entry.get("deciders") and not entry.get("competence_sources"):
            raise CompetenceDataError(f"{where} : champ « competence_sources » manquant")
        if bad := [s for s in entry.get("competence_sources", []) if not s.startswith(("https://", "http://"))]:
            raise CompetenceDataError(f"{where} : champ « competence_sources » : adresse web attendue ({bad[0]})")
        found[entry["slug"]] = Competence(
            deciders=tuple(entry.get("deciders", ())),
            helpers=tuple(entry.get("helpers", ())),
            application_places=places,
            sources=tuple(entry.get("competence_sources", ())),
            note=entry.get("competence_note", ""),
        )
    return found


@cache
def load(needs_path: Path = NEEDS_FILE, operators_path: Path = OPERATORS_FILE) -> dict[str, Competence]:
    needs = json.loads(needs_path.read_text(encoding="utf-8"))
    operators = {entry["code"] for entry in json.loads(operators_path.read_text(encoding="utf-8"))}
    return parse(needs, operators)


def for_need(slug: str) -> Competence:
    return load().get(slug, Competence())
