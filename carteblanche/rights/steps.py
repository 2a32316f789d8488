"""The rights questionnaire's steps as stored in the situation (household.steps), and what they mean.

Shared by the rights pages and the desk (which asks the same steps on one page): no request, no database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """A step form's cleaned data as stored in the situation (decimals as floats, dates as ISO text)."""
    out = {}
    for key, value in data.items():
        if isinstance(value, Decimal):
            value = float(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def age_on(birth: str | None, today) -> int | None:
    try:
        born = date.fromisoformat(str(birth))
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# Every question the "précisions" step may ask (detail_questions returns a subset).
KNOWN_DETAILS = frozenset(
    {"rsdae_me", "rsdae_partner", "ass_work_history_me", "ass_work_history_partner", "driving_licence_me", "widowed"}
)


def detail_questions(steps: dict[str, dict], today=None) -> list[str]:
    """The questions of the "précisions" step that can change a result, given the earlier answers."""
    today = today or timezone.localdate()
    foyer = steps.get("foyer", {})
    couple = foyer.get("couple") == "yes"
    age = age_on(foyer.get("birth_date"), today)
    questions = []
    adults = [("me", steps.get("ressources", {}))]
    if couple:
        adults.append(("partner", steps.get("ressources-conjoint", {})))
    for who, resources in adults:
        if resources.get("disability") == "0.5":  # AAH below 80 % needs the RSDAE
            questions.append(f"rsdae_{who}")
        if resources.get("activity") == "chomeur" and not resources.get("unemployment_net"):  # ARE ended: ASS?
            questions.append(f"ass_work_history_{who}")
    me = steps.get("ressources", {})
    if age is not None and (15 <= age <= 25 or (age >= 18 and me.get("activity") == "chomeur")):
        questions.append("driving_licence_me")  # licence aids: young people, job seekers
    if not couple and age is not None and age >= 18:
        questions.append("widowed")  # pension de réversion
    return questions


def answers_from_steps(steps: dict[str, dict]) -> dict[str, Any]:
    """The questionnaire's steps as the household answers the API and the adapter read."""
    foyer = steps.get("foyer", {})
    people = steps.get("personnes", {})
    housing = steps.get("logement", {})
    asked = detail_questions(steps)
    details = {k: v for k, v in steps.get("precisions", {}).items() if k in asked}

    def person(relation: str, birth: str | None, resources: dict, who: str) -> dict[str, Any]:
        activity = resources.get("activity") or "inactif"
        if resources.get("studies") and activity == "inactif":
            activity = "etudiant"
        salary = resources.get("salary_net") or 0
        recent = None
        if resources.get("same_every_month") == "no":
            recent = [resources.get(f"salary_m{k}") or 0 for k in (3, 2, 1)]
        return {
            "relation": relation,
            "birth_date": birth,
            "activity": activity,
            "salary_net": salary,
            "recent_salary_net": recent,
            "unemployment_net": resources.get("unemployment_net") or 0,
            "pension_gross": resources.get("pension_gross") or 0,
            "disability_rate": "unknown"
            if resources.get("disability") == "unknown"
            else float(resources.get("disability") or 0),
            "schooling": "enseignement_superieur" if resources.get("studies") else "inconnue",
            "same_salary": resources.get("same_every_month") or "yes",
            "rsdae": details.get(f"rsdae_{who}", "no"),
            "ass_work_history": details.get(f"ass_work_history_{who}", "no"),
            "driving_licence": details.get(f"driving_licence_{who}", "unknown"),
        }

    persons = [person("demandeur", foyer.get("birth_date"), steps.get("ressources", {}), "me")]
    if foyer.get("couple") == "yes":
        persons.append(
            person("conjoint", people.get("partner_birth_date"), steps.get("ressources-conjoint", {}), "partner")
        )
    for i in range(1, int(foyer.get("children") or 0) + 1):
        persons.append(
            {
                "relation": "enfant",
                "birth_date": people.get(f"child_{i}_birth_date"),
                "schooling": people.get(f"child_{i}_schooling") or "inconnue",
            }
        )
    return {
        "commune_code": foyer.get("commune_code", ""),
        "persons": persons,
        "housing_status": housing.get("housing_status", "unknown"),
        "rent": housing.get("rent") or 0,
        "rent_charges": housing.get("rent_charges") or "excluded",
        "charges": housing.get("charges") or 0,
        "widowed": details.get("widowed", "no"),
        "farm_scheme": housing.get("farm_scheme") == "yes",
        "child_support": housing.get("child_support") or "no",
        "child_support_amount": housing.get("child_support_amount") or 0,
        "recently_isolated": bool(housing.get("recently_isolated")),
        "benefits_received": steps.get("aides", {}).get("received", []),
    }
