"""A broad, fixed set of situations over the shipped Cahors offer, for the tests of public texts.

Communes across the living area, needs across the catalogue, one or two at a time, and the
profiles the personas stand for (no car, no internet, no phone, a driver on Tuesdays, free only
on Saturdays or evenings, urgent). Deterministic: the same list on every run.
"""

import itertools
import random
from datetime import datetime

from carteblanche.orientation.render import plan_to_dict
from carteblanche.orientation.selectors import OrientationRequest, compute_plan
from carteblanche.territories.geo import PARIS

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # a Monday
COMMUNES = [
    "Cieurac",
    "Cahors",
    "Lalbenque",
    "Catus",
    "Limogne-en-Quercy",
    "Castelnau-Montratier",
    "Saint-Géry-Vers",
    "Montcuq-en-Quercy-Blanc",
    "Luzech",
    "Pradines",
]
NEEDS = [
    "carte-identite",
    "passeport",
    "carte-grise",
    "permis-de-conduire",
    "aide-permis-jeunes",
    "inscription-demandeur-emploi",
    "allocation-chomage",
    "mission-locale-jeunes",
    "retraite",
    "pension-reversion",
    "minimum-vieillesse-aspa",
    "complementaire-sante-solidaire",
    "carte-vitale",
    "aide-logement",
    "impayes-loyer",
    "hebergement-urgence",
    "allocations-familiales",
    "rsa",
    "prime-activite",
    "handicap-mdph",
    "apa-aide-domicile",
    "impots-declaration",
    "cheque-energie",
    "aide-alimentaire",
    "surendettement",
    "aide-numerique",
    "conseil-juridique",
    "violences-conjugales",
    "titre-sejour",
    "etat-civil",
    "deces-proche",
]
PROFILES = [
    {"ne_conduit_pas": True, "numerique": "no_internet", "age": 78},  # Martine without a driver
    {
        "ne_conduit_pas": True,
        "conduit_par_proche": True,
        "conduit_quand": "mardi 9-12",
        "numerique": "no_internet",
        "disponibilites": "mardi 9-12",
        "age": 78,
    },
    {"voiture": True, "disponibilites": "samedi"},
    {"voiture": True, "disponibilites": "sauf semaine 8-18"},
    {"ne_conduit_pas": True, "numerique": "online_with_help", "age": 20},
    {"ne_conduit_pas": True, "telephone": False, "numerique": "no_internet", "age": 84},
    {"voiture": True, "numerique": "autonomous", "urgent": True},
]


def situations(count: int = 120, seed: int = 10) -> list[OrientationRequest]:
    """`count` requests: every need and profile appears, communes and second needs drawn at random."""
    rnd = random.Random(seed)
    requests = []
    pairs = itertools.cycle(itertools.product(NEEDS, PROFILES))
    for index in range(count):
        need, profile = next(pairs)
        needs = [need] if index % 3 else [need, rnd.choice([n for n in NEEDS if n != need])]
        requests.append(OrientationRequest(commune=rnd.choice(COMMUNES), besoins=needs, **profile))
    return requests


_PLANS: list = []


def computed_plans() -> list:
    """(Plan, snapshot) for the 120 situations on the shipped offer, computed once per test process.

    Needs the database with the shipped data (the `shipped_data` fixture); every situation must
    give a plan (an input error fails the test instead of being skipped).
    """
    if not _PLANS:
        for request in situations(120):
            plan, _person = compute_plan(request, now=NOW)
            _PLANS.append((plan, plan_to_dict(plan)))
    return _PLANS
