"""Synthetic households of a commune, deterministic by seed, for the batch (non-take-up) estimate.

Pure module. The distributions are documented, rough orders of magnitude (docs/rights.md, "Batch
mode"): they make the estimate indicative, not a census. Every amount still comes from OpenFisca.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from carteblanche.rights.openfisca_adapter import HouseholdInput, PersonInput

AVERAGE_HOUSEHOLD_SIZE = 2.1  # persons per household, order of magnitude for the Lot
# Household types (share of households), INSEE orders of magnitude for France, tilted older for the Lot.
HOUSEHOLD_TYPES = {
    "single_young": 0.17,  # one person, under 60
    "single_senior": 0.21,  # one person, 60 or more
    "couple_no_child_young": 0.10,
    "couple_senior": 0.17,
    "couple_children": 0.23,
    "single_parent": 0.09,
    "young_with_parent": 0.03,  # an adult child (18–29) counted as their own claimant
}
HOUSING = {"proprietaire": 0.66, "locataire_vide": 0.22, "locataire_hlm": 0.07, "loge_gratuitement": 0.05}
EMPLOYMENT_RATE = 0.72  # among adults under 62
UNEMPLOYMENT_SHARE = 0.10  # among adults under 62 not employed: job seekers with benefit
SALARY_MEDIAN, SALARY_SIGMA = 1700.0, 0.55  # monthly net salary, lognormal
PENSION_MEDIAN, PENSION_SIGMA = 1350.0, 0.5  # monthly gross pension, lognormal
RENT_MEDIAN, RENT_SIGMA = 520.0, 0.3
UNEMPLOYMENT_MEDIAN = 1000.0
DISABILITY_SHARE = 0.03  # adults with a recognised incapacity rate of 80 %


def households_in(population: int) -> int:
    return max(1, round(population / AVERAGE_HOUSEHOLD_SIZE))


def commune_rng(seed: int, commune_code: str) -> np.random.Generator:
    """One generator per commune: a commune's households do not depend on the other communes."""
    digits = int("".join(ch if ch.isdigit() else str(ord(ch) % 10) for ch in commune_code))
    return np.random.default_rng([seed, digits])


def _birth(rng: np.random.Generator, today: date, low: int, high: int) -> date:
    age = int(rng.integers(low, high + 1))
    return date(today.year - age, int(rng.integers(1, 13)), int(rng.integers(1, 29)))


def _adult(rng: np.random.Generator, relation: str, today: date, low: int, high: int) -> PersonInput:
    birth = _birth(rng, today, low, high)
    age = today.year - birth.year
    disability = 0.8 if rng.random() < DISABILITY_SHARE else 0.0
    if age >= 62:
        pension = float(rng.lognormal(np.log(PENSION_MEDIAN), PENSION_SIGMA))
        return PersonInput(relation, birth, "retraite", pension_gross=round(pension), disability_rate=disability)
    if disability == 0 and rng.random() < EMPLOYMENT_RATE:
        salary = float(rng.lognormal(np.log(SALARY_MEDIAN), SALARY_SIGMA))
        return PersonInput(relation, birth, "actif", salary_net=round(salary))
    if rng.random() < UNEMPLOYMENT_SHARE / (1 - EMPLOYMENT_RATE):
        benefit = float(rng.lognormal(np.log(UNEMPLOYMENT_MEDIAN), 0.3))
        return PersonInput(relation, birth, "chomeur", unemployment_net=round(benefit), disability_rate=disability)
    return PersonInput(relation, birth, "inactif", disability_rate=disability)


def _children(rng: np.random.Generator, today: date, count: int) -> list[PersonInput]:
    out = []
    for _ in range(count):
        birth = _birth(rng, today, 0, 17)
        age = today.year - birth.year
        schooling = "maternelle" if age < 6 else "primaire" if age < 11 else "college" if age < 15 else "lycee"
        out.append(PersonInput("enfant", birth, schooling=schooling))
    return out


def synthesize(commune_code: str, count: int, *, seed: int, today: date) -> list[HouseholdInput]:
    """`count` synthetic households living in the commune."""
    rng = commune_rng(seed, commune_code)
    kinds = list(HOUSEHOLD_TYPES)
    weights = np.array(list(HOUSEHOLD_TYPES.values()))
    housing_kinds = list(HOUSING)
    housing_weights = np.array(list(HOUSING.values()))
    households = []
    for _ in range(count):
        kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
        if kind == "single_young":
            persons = [_adult(rng, "demandeur", today, 20, 59)]
        elif kind == "single_senior":
            persons = [_adult(rng, "demandeur", today, 60, 92)]
        elif kind == "couple_no_child_young":
            persons = [_adult(rng, "demandeur", today, 22, 59), _adult(rng, "conjoint", today, 22, 59)]
        elif kind == "couple_senior":
            persons = [_adult(rng, "demandeur", today, 60, 90), _adult(rng, "conjoint", today, 60, 90)]
        elif kind == "couple_children":
            persons = [_adult(rng, "demandeur", today, 25, 55), _adult(rng, "conjoint", today, 25, 55)]
            persons += _children(rng, today, int(rng.choice([1, 2, 3], p=[0.42, 0.42, 0.16])))
        elif kind == "single_parent":
            persons = [_adult(rng, "demandeur", today, 22, 55)]
            persons += _children(rng, today, int(rng.choice([1, 2, 3], p=[0.55, 0.33, 0.12])))
        else:
            persons = [_adult(rng, "demandeur", today, 18, 29), _adult(rng, "autre", today, 45, 65)]
        status = housing_kinds[int(rng.choice(len(housing_kinds), p=housing_weights / housing_weights.sum()))]
        if kind == "young_with_parent":
            status = "loge_gratuitement"
        rent = round(float(rng.lognormal(np.log(RENT_MEDIAN), RENT_SIGMA))) if status.startswith("locataire") else 0.0
        households.append(HouseholdInput(persons=tuple(persons), depcom=commune_code, housing_status=status, rent=rent))
    return households
