"""A small, safe rule language for local aids: JSON over named facts, evaluated without eval.

A rule is one of:
  {}                                           always true
  {"all": [rule, ...]}  {"any": [rule, ...]}  {"not": rule}
  {"fact": "claimant_age", "op": ">=", "value": 18}
Operators: == != < <= > >= in not_in. Facts are listed in FACTS (answers and OpenFisca results);
`benefit.<code>.amount`, `benefit.<code>.eligible` and `receives.<code>` are accepted for every
benefit code. Unknown facts or operators are errors at load time, not at evaluation time.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from carteblanche.rights.openfisca_adapter import BENEFITS_BY_CODE, BenefitResult, HouseholdInput

FACTS: dict[str, str] = {
    "commune": "code INSEE de la commune",
    "department": "code du département",
    "epci": "SIREN de l'intercommunalité",
    "region": "code de la région",
    "claimant_age": "âge de la personne qui demande",
    "persons": "nombre de personnes du foyer",
    "adults": "nombre d'adultes (demandeur et conjoint)",
    "children": "nombre d'enfants",
    "youngest_child_age": "âge du plus jeune enfant (vide sans enfant)",
    "single_parent": "parent seul avec au moins un enfant",
    "monthly_income": "revenus mensuels du foyer (salaires nets, chômage, pensions)",
    "housing_status": "statut d'occupation du logement",
    "rent": "loyer mensuel",
    "disability_rate": "taux d'incapacité le plus élevé du foyer (fraction)",
    "claimant_activity": "activité de la personne qui demande",
    "claimant_licence": "la personne qui demande a le permis de conduire B",
    "widowed": "la personne qui demande est veuve (son conjoint est décédé)",
}
OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


class RuleError(ValueError):
    """A rule that cannot be evaluated: says where and why."""


def _known_fact(name: str) -> bool:
    if name in FACTS:
        return True
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "benefit" and parts[2] in ("amount", "eligible"):
        return parts[1] in BENEFITS_BY_CODE
    if len(parts) == 2 and parts[0] == "receives":
        return parts[1] in BENEFITS_BY_CODE
    return False


def validate_rule(rule: Any, path: str = "conditions") -> list[str]:
    """Every problem of a rule, each with its path; [] when the rule is valid."""
    if not isinstance(rule, Mapping):
        return [f"{path} : une règle doit être un objet JSON."]
    if not rule:
        return []
    keys = set(rule)
    if keys in ({"all"}, {"any"}):
        key = next(iter(keys))
        items = rule[key]
        if not isinstance(items, list) or not items:
            return [f"{path}.{key} : une liste non vide de règles est attendue."]
        return [err for i, item in enumerate(items) for err in validate_rule(item, f"{path}.{key}[{i}]")]
    if keys == {"not"}:
        return validate_rule(rule["not"], f"{path}.not")
    if keys == {"fact", "op", "value"}:
        errors = []
        if not isinstance(rule["fact"], str) or not _known_fact(rule["fact"]):
            errors.append(f"{path}.fact : fait inconnu « {rule['fact']} » (voir docs/rights.md).")
        if rule["op"] not in OPERATORS:
            errors.append(f"{path}.op : opérateur inconnu « {rule['op']} » ({', '.join(OPERATORS)}).")
        elif rule["op"] in ("in", "not_in") and not isinstance(rule["value"], list):
            errors.append(f"{path}.value : une liste est attendue avec « {rule['op']} ».")
        return errors
    return [f"{path} : clés inattendues {sorted(keys)} (attendu all, any, not, ou fact/op/value)."]


def evaluate(rule: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True when the facts satisfy the rule. A missing fact makes its comparison false."""
    if not rule:
        return True
    if "all" in rule:
        return all(evaluate(r, facts) for r in rule["all"])
    if "any" in rule:
        return any(evaluate(r, facts) for r in rule["any"])
    if "not" in rule:
        return not evaluate(rule["not"], facts)
    try:
        op = OPERATORS[rule["op"]]
        name = rule["fact"]
    except KeyError as exc:
        raise RuleError(f"règle invalide : {exc}") from exc
    value = facts.get(name)
    if value is None:
        return False
    try:
        return bool(op(value, rule["value"]))
    except TypeError:
        return False


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def household_facts(
    household: HouseholdInput,
    results: Mapping[str, BenefitResult],
    *,
    on: date,
    epci: str = "",
    region: str = "",
    received: Iterable[str] = (),
) -> dict[str, Any]:
    """The facts a local-aid rule can read, from the answers and the OpenFisca results."""
    claimant = next(p for p in household.persons if p.relation == "demandeur")
    family = [p for p in household.persons if p.relation != "autre"]
    children = [p for p in family if p.relation == "enfant"]
    adults = [p for p in family if p.relation in ("demandeur", "conjoint")]
    facts: dict[str, Any] = {
        "commune": household.depcom,
        "department": household.depcom[:3] if household.depcom.startswith("97") else household.depcom[:2],
        "epci": epci or None,
        "region": region or None,
        "claimant_age": _age(claimant.birth_date, on),
        "persons": len(family),
        "adults": len(adults),
        "children": len(children),
        "youngest_child_age": min((_age(c.birth_date, on) for c in children), default=None),
        "single_parent": len(adults) == 1 and bool(children),
        "monthly_income": round(sum(p.salary_net + p.unemployment_net + p.pension_gross for p in family), 2),
        "housing_status": household.housing_status,
        "rent": household.rent,
        "disability_rate": max((p.disability_rate for p in family), default=0.0),
        "claimant_activity": claimant.activity,
        "claimant_licence": claimant.driving_licence,
        "widowed": household.widowed,
    }
    for code, result in results.items():
        facts[f"benefit.{code}.amount"] = result.amount
        facts[f"benefit.{code}.eligible"] = result.eligible
    received = set(received)
    for code in BENEFITS_BY_CODE:
        facts[f"receives.{code}"] = code in received
    return facts
