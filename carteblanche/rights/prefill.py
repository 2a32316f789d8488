"""Told once: answers already given elsewhere, as the rights questionnaire's steps (pure, no Django).

Three sources, each named to the person so that a prefilled answer is shown as such ("déjà
indiqué …") and stays changeable: the shared situation's profile (written by orientation and by
this questionnaire), a previous rights simulation (its household as simulated), and an agent's
case file (identity fields). `known_steps` merges them, the most direct source winning: what the
person said in the shared profile, then the case file, then the previous simulation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOURCE_LABELS = {
    "profile": "déjà indiqué dans vos réponses précédentes",
    "orientation": "déjà indiqué lors de votre recherche « Trouver où aller »",
    "simulation": "déjà indiqué lors de votre dernière simulation",
    "case": "déjà indiqué dans votre dossier d'accompagnement",
}


@dataclass(frozen=True, slots=True)
class Known:
    """One answer already given: its value as the step's form expects it, and where it comes from."""

    value: Any
    source: str  # a key of SOURCE_LABELS

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.source]


Steps = dict[str, dict[str, Known]]
AGE_HINT = "age"  # not a form field: the age given elsewhere, recalled under the birth date


def _amount(value: Any) -> Any:
    """900.0 -> 900 (shown as the person typed it); other values unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _disability_choice(rate: Any) -> str:
    if rate == "unknown":
        return "unknown"
    rate = float(rate or 0)
    return "0.8" if rate >= 0.8 else "0.5" if rate >= 0.5 else "0"


def _resources(person: Mapping[str, Any], source: str) -> dict[str, Known]:
    activity = person.get("activity") or "inactif"
    values: dict[str, Any] = {
        "activity": "inactif" if activity == "etudiant" else activity,
        "studies": activity == "etudiant",
        "salary_net": _amount(person.get("salary_net") or 0),
        "unemployment_net": _amount(person.get("unemployment_net") or 0),
        "pension_gross": _amount(person.get("pension_gross") or 0),
        "disability": _disability_choice(person.get("disability_rate")),
    }
    recent = person.get("recent_salary_net")
    if recent:
        values["same_every_month"] = "no"
        values.update({f"salary_m{k}": _amount(amount) for k, amount in zip((3, 2, 1), recent, strict=False)})
    return {name: Known(value, source) for name, value in values.items()}


def steps_from_household(
    household: Mapping[str, Any], *, received: list[str] | tuple[str, ...] = (), commune_label: str = ""
) -> Steps:
    """A simulated household (`answers.household_to_json`) as the questionnaire's steps."""
    source = "simulation"
    persons = list(household.get("persons") or [])
    claimant = next((p for p in persons if p.get("relation") == "demandeur"), None)
    partner = next((p for p in persons if p.get("relation") == "conjoint"), None)
    children = [p for p in persons if p.get("relation") == "enfant"]
    steps: Steps = {"foyer": {}, "personnes": {}, "logement": {}}
    foyer = steps["foyer"]
    if commune_label:
        foyer["commune"] = Known(commune_label, source)
    if claimant is not None and claimant.get("birth_date"):
        foyer["birth_date"] = Known(claimant["birth_date"], source)
    foyer["couple"] = Known("yes" if partner else "no", source)
    foyer["children"] = Known(len(children), source)
    if partner is not None and partner.get("birth_date"):
        steps["personnes"]["partner_birth_date"] = Known(partner["birth_date"], source)
    for i, child in enumerate(children, start=1):
        steps["personnes"][f"child_{i}_birth_date"] = Known(child.get("birth_date"), source)
        steps["personnes"][f"child_{i}_schooling"] = Known(child.get("schooling") or "inconnue", source)
    if claimant is not None:
        steps["ressources"] = _resources(claimant, source)
    if partner is not None:
        steps["ressources-conjoint"] = _resources(partner, source)
    housing = steps["logement"]
    if household.get("housing_status"):
        housing["housing_status"] = Known(household["housing_status"], source)
    if household.get("rent"):
        housing["rent"] = Known(_amount(household["rent"]), source)
    housing["farm_scheme"] = Known("yes" if household.get("farm_scheme") else "no", source)
    support = (claimant or {}).get("child_support_received") or 0
    if children:
        housing["child_support"] = Known("yes" if support else "no", source)
        if support:
            housing["child_support_amount"] = Known(_amount(support), source)
    if household.get("recently_isolated"):
        housing["recently_isolated"] = Known(True, source)
    if received:
        steps["aides"] = {"received": Known(list(received), source)}
    return steps


def steps_from_profile(profile: Mapping[str, Any], *, commune_label: str = "", source: str = "profile") -> Steps:
    """The shared profile (commune, birth date) as the first step's answers."""
    foyer: dict[str, Known] = {}
    if commune_label:
        foyer["commune"] = Known(commune_label, source)
    if profile.get("birth_date"):
        foyer["birth_date"] = Known(str(profile["birth_date"]), source)
    elif isinstance(profile.get("age"), int):  # orientation asks an age, not a date: said, not filled
        foyer[AGE_HINT] = Known(profile["age"], source)
    return {"foyer": foyer} if foyer else {}


def merge(*sources: Steps) -> Steps:
    """Earlier sources win field by field."""
    merged: Steps = {}
    for steps in reversed(sources):
        for step, fields in steps.items():
            merged.setdefault(step, {}).update(fields)
    return {step: fields for step, fields in merged.items() if fields}


def initial_for(step: str, answered: Mapping[str, Any], known: Steps) -> tuple[dict[str, Any], dict[str, Known]]:
    """(the form's initial values, the fields shown as "déjà indiqué"): answers of this questionnaire
    win; a known answer fills only a field the person has not answered here."""
    if answered:
        return dict(answered), {}
    shown = dict(known.get(step, {}))
    return {name: item.value for name, item in shown.items()}, shown
