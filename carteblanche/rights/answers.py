"""From the questionnaire's stored answers (Situation section "household") to an adapter household.

The answers are plain JSON (see docs/rights.md). `parse_household` checks every field and
returns field-level errors, so that nothing is computed from bad input; "je ne sais pas"
answers become documented assumptions, each naming the benefits it may change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carteblanche.rights.openfisca_adapter import (
    ACTIVITIES,
    BENEFITS_BY_CODE,
    HOUSING_STATUSES,
    RENTING_STATUSES,
    SCHOOLING,
    HouseholdInput,
    PersonInput,
)

UNKNOWN = "unknown"
MAX_PERSONS = 12
MAX_AMOUNT = 100_000
# Plausibility: who can claim alone, who can be a dependent child (CAF: a child is dependent up to 20,
# some benefits and the tax household go to 25; beyond, the person is another adult of the household).
MIN_CLAIMANT_AGE = 16
MAX_CHILD_AGE = 25
# The months OpenFisca-France 176.1.8's parameters cover for every computed benefit: the first one is
# that of the pass Culture's parameters (2019-02-01; earlier months fail with ParameterNotFoundError),
# the last year is that of the latest parameter value (2026-10-01). Later months would silently reuse
# the last known values. tests/rights/test_bad_input.py checks both bounds against the system.
FIRST_MONTH = "2019-02"
LAST_PARAMETER_YEAR = 2026

# The answers' keys as the French-speaking reader names them (the API's paths stay in English).
FIELD_NAMES_FR = {
    "commune_code": "code_commune",
    "persons": "personnes",
    "relation": "lien",
    "birth_date": "date_naissance",
    "activity": "activite",
    "salary_net": "salaire_net",
    "salary_taxable": "salaire_imposable",
    "recent_salary_net": "salaires_nets_recents",
    "unemployment_net": "chomage_net",
    "pension_gross": "retraite_brute",
    "disability_rate": "taux_incapacite",
    "schooling": "scolarite",
    "housing_status": "statut_logement",
    "rent": "loyer",
    "child_support": "pension_alimentaire",
    "child_support_amount": "montant_pension_alimentaire",
    "farm_scheme": "regime_agricole",
    "recently_isolated": "isolement_recent",
    "benefits_received": "aides_recues",
    "month": "mois",
}


@dataclass
class Assumption:
    """A "je ne sais pas" answer, what was assumed and which benefits the real answer may change."""

    field: str
    text: str
    benefits: tuple[str, ...]


@dataclass
class ParsedAnswers:
    household: HouseholdInput
    assumptions: list[Assumption] = field(default_factory=list)
    received: tuple[str, ...] = ()


class AnswerErrors(ValueError):
    """Bad answers: one {field, message} per problem."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def french_path(path: str) -> str:
    """`persons[0].salary_net` -> `personnes[0].salaire_net` (unknown keys are kept as they are)."""
    return re.sub(r"[A-Za-z_]+", lambda m: FIELD_NAMES_FR.get(m.group(0), m.group(0)), path)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def last_month(today: date) -> str:
    """The last month that can be simulated: December of the parameters' last year, or this month."""
    return max(f"{LAST_PARAMETER_YEAR}-12", f"{today.year}-{today.month:02d}")


def month_problem(month: str, *, today: date) -> str | None:
    """Why a simulation month cannot be computed, in French, or None."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        return f"Mois attendu au format AAAA-MM (par exemple {today.year}-{today.month:02d})."
    last = last_month(today)
    if not FIRST_MONTH <= month <= last:
        return (
            f"Le mois {month} n'est pas couvert par les barèmes d'OpenFisca-France utilisés ici : "
            f"choisissez un mois entre {FIRST_MONTH} et {last}."
        )
    return None


def birth_problem(relation: str, birth: date, *, claimant_birth: date | None, today: date) -> str | None:
    """Plausibility of one person's birth date given their place in the household (French message or None)."""
    age = age_on(birth, today)
    if relation == "demandeur" and age < MIN_CLAIMANT_AGE:
        return (
            f"La personne qui demande a {age} ans : il faut avoir au moins {MIN_CLAIMANT_AGE} ans. "
            "Pour un enfant, faites la demande au nom de son parent et déclarez l'enfant dans le foyer."
        )
    if relation == "enfant":
        if age > MAX_CHILD_AGE:
            return (
                f"Un enfant à charge a au plus {MAX_CHILD_AGE} ans (ici {age} ans) : "
                "vérifiez la date ou déclarez cette personne comme un autre adulte du foyer."
            )
        if claimant_birth is not None and birth <= claimant_birth:
            return "Cet enfant serait né avant la personne qui demande : vérifiez les deux dates de naissance."
    return None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _amount(data: Mapping[str, Any], key: str, prefix: str, errors: list, *, default: float = 0.0) -> float:
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):  # True would count as 1 €
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        errors.append({"field": f"{prefix}{key}", "message": "Indiquez un montant en euros (un nombre)."})
        return default
    if not math.isfinite(number):
        errors.append({"field": f"{prefix}{key}", "message": "Indiquez un montant en euros (un nombre fini)."})
        return default
    if number < 0:
        errors.append({"field": f"{prefix}{key}", "message": "Un montant ne peut pas être négatif."})
        return default
    if number > MAX_AMOUNT:
        errors.append({"field": f"{prefix}{key}", "message": "Montant mensuel trop élevé : vérifiez la saisie."})
        return default
    return number


YES_NO = ("yes", "no", UNKNOWN)
NOT_SCHOOLED = "non_scolarise"  # "pas scolarisé": OpenFisca's `inconnue`, but known (no assumption)
RENT_CHARGES = ("excluded", "included", UNKNOWN)


def _yes_no(data: Mapping[str, Any], key: str, prefix: str, errors: list, *, default: str = "no") -> str:
    """A yes / no / "je ne sais pas" answer (booleans accepted); the default when absent."""
    value = data.get(key)
    if value in (None, ""):
        return default
    if value is True or value is False:
        return "yes" if value else "no"
    if value not in YES_NO:
        errors.append({"field": f"{prefix}{key}", "message": "Réponse attendue : yes, no ou unknown."})
        return default
    return value


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def parse_household(
    data: Mapping[str, Any],
    *,
    today: date,
    commune_exists: Callable[[str], bool],
) -> ParsedAnswers:
    """Check the answers and build the household; raise AnswerErrors listing every bad field."""
    errors: list[dict[str, str]] = []
    assumptions: list[Assumption] = []
    if not isinstance(data, Mapping):
        raise AnswerErrors([{"field": "", "message": "Les réponses doivent être un objet JSON."}])

    depcom = str(data.get("commune_code") or "").strip()
    if not depcom:
        errors.append({"field": "commune_code", "message": "Indiquez votre commune."})
    elif not commune_exists(depcom):
        errors.append({"field": "commune_code", "message": f"Commune inconnue : « {depcom} » (code INSEE attendu)."})

    raw_persons = data.get("persons")
    persons: list[PersonInput] = []
    if not isinstance(raw_persons, list) or not raw_persons:
        errors.append({"field": "persons", "message": "Décrivez au moins la personne qui demande."})
        raw_persons = []
    if len(raw_persons) > MAX_PERSONS:
        errors.append({"field": "persons", "message": f"Au plus {MAX_PERSONS} personnes par foyer."})
        raw_persons = []
    claimants = sum(1 for p in raw_persons if isinstance(p, Mapping) and p.get("relation") == "demandeur")
    if raw_persons and claimants != 1:
        errors.append({"field": "persons", "message": "Il faut exactement une personne « demandeur »."})
    if sum(1 for p in raw_persons if isinstance(p, Mapping) and p.get("relation") == "conjoint") > 1:
        errors.append({"field": "persons", "message": "Au plus un conjoint."})

    claimants_birth = [
        _date(p.get("birth_date")) for p in raw_persons if isinstance(p, Mapping) and p.get("relation") == "demandeur"
    ]
    claimant_birth = claimants_birth[0] if len(claimants_birth) == 1 else None
    disability_unknown = False
    unknown: dict[str, list[str]] = {}  # assumption key -> who ("vous", "votre conjoint(e)", "l'enfant 2")
    children_seen = 0
    for i, raw in enumerate(raw_persons):
        prefix = f"persons[{i}]."
        if not isinstance(raw, Mapping):
            errors.append({"field": f"persons[{i}]", "message": "Chaque personne doit être un objet."})
            continue
        relation = str(raw.get("relation") or "")
        if relation not in ("demandeur", "conjoint", "enfant", "autre"):
            errors.append(
                {"field": f"{prefix}relation", "message": "Lien attendu : demandeur, conjoint, enfant ou autre."}
            )
        birth = _date(raw.get("birth_date"))
        if birth is None:
            errors.append({"field": f"{prefix}birth_date", "message": "Date de naissance attendue (AAAA-MM-JJ)."})
        elif birth > today:
            errors.append({"field": f"{prefix}birth_date", "message": "La date de naissance est dans le futur."})
        elif birth.year < today.year - 120:
            errors.append({"field": f"{prefix}birth_date", "message": "Date de naissance trop ancienne : vérifiez."})
        elif problem := birth_problem(relation, birth, claimant_birth=claimant_birth, today=today):
            errors.append({"field": f"{prefix}birth_date", "message": problem})
        activity = raw.get("activity") or "inactif"
        if activity not in ACTIVITIES:
            errors.append({"field": f"{prefix}activity", "message": f"Activité attendue : {', '.join(ACTIVITIES)}."})
        schooling = raw.get("schooling") or "inconnue"
        if schooling == NOT_SCHOOLED:
            schooling, schooling_known = "inconnue", True
        else:
            schooling_known = schooling != "inconnue"
        if schooling not in SCHOOLING:
            errors.append({"field": f"{prefix}schooling", "message": f"Scolarité attendue : {', '.join(SCHOOLING)}."})
        salary = _amount(raw, "salary_net", prefix, errors)
        taxable = raw.get("salary_taxable")
        taxable_value = None if taxable in (None, "") else _amount(raw, "salary_taxable", prefix, errors)
        recent = raw.get("recent_salary_net")
        recent_values = None
        if recent not in (None, [], ""):
            if not isinstance(recent, list) or len(recent) != 3:
                errors.append(
                    {"field": f"{prefix}recent_salary_net", "message": "Trois montants attendus (les 3 derniers mois)."}
                )
            else:
                first, second, third = (
                    _amount({"m": v}, "m", f"{prefix}recent_salary_net[{k}].", errors) for k, v in enumerate(recent)
                )
                recent_values = (first, second, third)
        rate_raw = raw.get("disability_rate")
        if rate_raw == UNKNOWN:
            disability_unknown = True
            rate = 0.0
        else:
            try:
                rate = float(rate_raw or 0)
            except (TypeError, ValueError):
                rate = -1
            if not 0 <= rate <= 1:
                errors.append(
                    {"field": f"{prefix}disability_rate", "message": "Taux d'incapacité entre 0 et 1 (0,8 pour 80 %)."}
                )
                rate = 0.0
        unemployment = _amount(raw, "unemployment_net", prefix, errors)
        pension = _amount(raw, "pension_gross", prefix, errors)
        rsdae = _yes_no(raw, "rsdae", prefix, errors)
        ass_history = _yes_no(raw, "ass_work_history", prefix, errors)
        licence = _yes_no(raw, "driving_licence", prefix, errors, default="unknown")
        same_salary = _yes_no(raw, "same_salary", prefix, errors, default="yes")
        if errors:
            continue
        assert birth is not None  # an error above otherwise
        who = {"demandeur": "vous", "conjoint": "votre conjoint(e)"}.get(relation, "")
        if relation == "enfant":
            children_seen += 1
            who = f"l'enfant {children_seen}"
        adult = relation in ("demandeur", "conjoint")
        # "Je ne sais pas" only matters where the answer can change a result: say so then.
        if adult and 0.5 <= rate < 0.8 and rsdae == UNKNOWN:
            unknown.setdefault("rsdae", []).append(who)
        if adult and activity == "chomeur" and unemployment == 0 and ass_history == UNKNOWN:
            unknown.setdefault("ass_work_history", []).append(who)
        if adult and salary > 0 and recent_values is None and same_salary == UNKNOWN:
            unknown.setdefault("same_salary", []).append(who)
        if relation == "enfant" and not schooling_known and 10 <= _age(birth, today) <= 19:
            unknown.setdefault("schooling", []).append(who)
        persons.append(
            PersonInput(
                relation=relation,
                birth_date=birth,
                activity=activity,
                salary_net=salary,
                salary_taxable=taxable_value,
                recent_salary_net=recent_values,
                unemployment_net=unemployment,
                pension_gross=pension,
                disability_rate=rate,
                schooling=schooling,
                rsdae=rsdae == "yes",
                ass_work_history=ass_history == "yes",
                driving_licence=licence == "yes",
            )
        )
    if disability_unknown:
        assumptions.append(Assumption("disability_rate", "Taux d'incapacité non connu : compté comme nul.", ("aah",)))
    for key, (text, benefits) in UNKNOWN_EFFECTS.items():
        if key in unknown:
            assumptions.append(Assumption(key, text.format(who=", ".join(unknown[key])), benefits))

    status = data.get("housing_status") or ""
    rent = _amount(data, "rent", "", errors)
    if status == UNKNOWN or status == "":
        if rent > 0:
            errors.append(
                {"field": "housing_status", "message": "Vous indiquez un loyer : précisez si vous êtes locataire."}
            )
        status = "loge_gratuitement"
        assumptions.append(
            Assumption(
                "housing_status",
                "Logement non précisé : l'aide au logement et le chèque énergie n'ont pas été calculés "
                "(précisez si vous êtes locataire, propriétaire ou hébergé).",
                ("aide_logement", "cheque_energie"),
            )
        )
    elif status not in HOUSING_STATUSES:
        errors.append({"field": "housing_status", "message": f"Statut attendu : {', '.join(HOUSING_STATUSES)}."})
    elif rent > 0 and status not in RENTING_STATUSES:
        errors.append(
            {"field": "rent", "message": "Un loyer n'est possible que pour un locataire (ou un remboursement d'achat)."}
        )

    # OpenFisca's `loyer` is the rent without charges (it adds a flat amount for charges itself).
    rent_charges = data.get("rent_charges") or "excluded"
    charges = _amount(data, "charges", "", errors)
    if rent_charges not in RENT_CHARGES:
        errors.append({"field": "rent_charges", "message": "Réponse attendue : excluded, included ou unknown."})
    elif rent > 0 and rent_charges == "included" and charges > 0:
        if charges >= rent:
            errors.append({"field": "charges", "message": "Les charges doivent être inférieures au loyer indiqué."})
        else:
            rent -= charges
    elif rent > 0 and rent_charges in ("included", UNKNOWN):
        assumptions.append(
            Assumption(
                "rent_charges",
                "Charges non précisées : le loyer a été compté tel quel ; s'il comprend des charges, "
                "l'aide au logement peut être plus basse (indiquez le montant des charges).",
                ("aide_logement",),
            )
        )

    widowed = _yes_no(data, "widowed", "", errors)
    if widowed == UNKNOWN:
        assumptions.append(
            Assumption(
                "widowed",
                "Veuvage non précisé : la pension de réversion n'est pas proposée (elle concerne les veufs et "
                "veuves, et les ex-conjoints d'une personne décédée).",
                (),
            )
        )

    support = data.get("child_support", "no")
    support_amount = _amount(data, "child_support_amount", "", errors)
    if support not in ("yes", "no", UNKNOWN):
        errors.append({"field": "child_support", "message": "Réponse attendue : yes, no ou unknown."})
    elif support == UNKNOWN:
        assumptions.append(
            Assumption(
                "child_support",
                "Pension alimentaire non précisée : comptée comme non reçue (si vous en recevez une, "
                "l'allocation de soutien familial peut baisser ou disparaître).",
                ("asf",),
            )
        )
    elif support == "yes" and support_amount <= 0:
        errors.append({"field": "child_support_amount", "message": "Indiquez le montant mensuel de la pension reçue."})

    received = data.get("benefits_received") or []
    if not isinstance(received, list) or any(code not in BENEFITS_BY_CODE for code in received):
        errors.append(
            {"field": "benefits_received", "message": f"Codes attendus parmi : {', '.join(BENEFITS_BY_CODE)}."}
        )
        received = []

    farm = data.get("farm_scheme", False)
    if farm == UNKNOWN:
        farm = False
    if errors:
        raise AnswerErrors(errors)

    if support == "yes":
        persons = [
            PersonInput(**{**p.__dict__, "child_support_received": support_amount}) if p.relation == "demandeur" else p
            for p in persons
        ]
    household = HouseholdInput(
        persons=tuple(persons),
        depcom=depcom,
        housing_status=status,
        rent=rent,
        farm_scheme=bool(farm),
        recently_isolated=bool(data.get("recently_isolated", False)),
        widowed=widowed == "yes",
    )
    return ParsedAnswers(household=household, assumptions=assumptions, received=tuple(received))


UNKNOWN_EFFECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rsdae": (
        "Restriction d'accès à l'emploi non précisée ({who}) : comptée comme non reconnue. Avec un taux de 50 à "
        "79 %, l'AAH n'est versée que si la MDPH (CDAPH) l'a reconnue : si c'est le cas, l'AAH peut s'ajouter.",
        ("aah",),
    ),
    "ass_work_history": (
        "Durée de travail non précisée ({who}) : l'ASS n'a pas été calculée. Avec 5 ans de travail dans les 10 ans "
        "avant la fin du dernier contrat, France Travail peut verser l'ASS (et le RSA peut changer).",
        ("ass", "rsa"),
    ),
    "same_salary": (
        "Salaire variable non précisé ({who}) : compté comme identique chaque mois. S'il a changé ces 3 derniers "
        "mois, la prime d'activité et le RSA peuvent changer.",
        ("ppa", "rsa"),
    ),
    "schooling": (
        "Scolarité non précisée ({who}) : les bourses de collège et de lycée n'ont pas été calculées.",
        ("bourse_college", "bourse_lycee"),
    ),
}


def household_to_json(household: HouseholdInput) -> dict[str, Any]:
    """The household exactly as simulated (stored with each simulation, to reproduce it)."""
    return {
        "depcom": household.depcom,
        "housing_status": household.housing_status,
        "rent": household.rent,
        "farm_scheme": household.farm_scheme,
        "recently_isolated": household.recently_isolated,
        "widowed": household.widowed,
        "persons": [{**p.__dict__, "birth_date": p.birth_date.isoformat()} for p in household.persons],
    }


def simulation_inputs(parsed: ParsedAnswers) -> dict[str, Any]:
    """What a stored simulation keeps of the answers: the household, the aids received, the assumptions."""
    return {
        "household": household_to_json(parsed.household),
        "received": list(parsed.received),
        "assumptions": [a.__dict__ | {"benefits": list(a.benefits)} for a in parsed.assumptions],
    }


def household_from_json(data: Mapping[str, Any]) -> HouseholdInput:
    persons = []
    for p in data["persons"]:
        values = dict(p)
        values["birth_date"] = date.fromisoformat(values["birth_date"])
        if values.get("recent_salary_net") is not None:
            values["recent_salary_net"] = tuple(values["recent_salary_net"])
        persons.append(PersonInput(**values))
    return HouseholdInput(
        persons=tuple(persons),
        depcom=data["depcom"],
        housing_status=data["housing_status"],
        rent=data["rent"],
        farm_scheme=data.get("farm_scheme", False),
        recently_isolated=data.get("recently_isolated", False),
        widowed=data.get("widowed", False),
    )
