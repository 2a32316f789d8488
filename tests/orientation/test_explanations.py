"""Every generated explanation is easy to read aloud: Kandel–Moles (textstat, French) >= 60."""

import itertools
import re

import pytest

from carteblanche.mobility.travel import TravelMeans
from carteblanche.orientation.engine import Engine
from carteblanche.orientation.explain import score_summary
from carteblanche.orientation.scoring import Digital
from tests.orientation.factories import (
    CAHORS,
    CATUS,
    CIEURAC,
    ENERGY,
    FRANCE_SERVICES_THEME,
    REVERSION,
    channel,
    driver_windows,
    location,
    person,
    service,
)
from tests.readability import KANDEL_MOLES_MIN, kandel_moles

OFFERS = [
    service(
        "carsat",
        (
            channel("phone", "carsat-phone", hours="Mo-Fr 08:00-17:00; PH off"),
            channel("online", "carsat-web"),
            channel("callback", "carsat-cb", phone="05 00 00 00 07"),
            channel("counter", "carsat-counter", location=location("carsat", CAHORS, name="Agence retraite")),
        ),
        operator="carsat",
        operator_name="Carsat",
        thematiques=("famille--retraite",),
        documents=("pièce d'identité",),
    ),
    service(
        "fs",
        (
            channel("counter", "fs-counter", location=location("fs", CAHORS, name="France Services Cahors")),
            channel(
                "itinerant",
                "fs-bus",
                stops=(location("bus", CIEURAC, hours="Tu[2],Tu[4] 09:00-12:00", name="Bus France Services"),),
            ),
        ),
        networks=("france-service",),
        thematiques=(FRANCE_SERVICES_THEME, "difficultes-financieres--energie"),
    ),
    service("ccas", (channel("home_visit", "ccas-home", phone="05 00 00 00 09"),), thematiques=ENERGY.thematiques),
    service("unknown", (channel("phone", "u-phone", phone="05 00 00 00 08"),), thematiques=ENERGY.thematiques),
]


def _plans():
    for digital, means, free, home, needs in itertools.product(
        list(Digital),
        [TravelMeans(), TravelMeans(has_car=True), TravelMeans(driver_windows=driver_windows("mardi 9-12"))],
        ["", "mardi 9-12", "sauf semaine 8-18"],
        [CIEURAC, CATUS],
        [(REVERSION,), (REVERSION, ENERGY)],
    ):
        yield Engine().plan(person(digital=digital, means=means, free=free, home=home, needs=needs), OFFERS)


def test_every_generated_explanation_is_easy_to_read():
    explanations = {option.explanation for plan in _plans() for option in plan.options}
    assert len(explanations) > 20  # the grid really produces varied texts
    for text in explanations:
        assert kandel_moles(text) >= KANDEL_MOLES_MIN, text


@pytest.mark.parametrize("digital", list(Digital))
def test_explanations_say_why_in_words_and_agents_keep_the_points(digital):
    plan = Engine().plan(person(digital=digital, needs=(REVERSION, ENERGY)), OFFERS)
    for option in plan.options:
        assert f"Choix numéro {option.rank}." in option.explanation
        assert not re.search(r"Points|sur 100|\d+ sur \d+", option.explanation), option.explanation
        assert score_summary(option).endswith(f"Total : {round(option.score)} sur 100.")
