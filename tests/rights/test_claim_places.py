"""Where to claim: the places that help claim each right, nearest first by the mobility model, the
itinerant stop in the person's commune included, only services linked to that right, plain hours."""

import re
from datetime import datetime
from html import unescape

import pytest
from django.template.loader import render_to_string

from carteblanche.mobility.travel import Point, road_minutes
from carteblanche.rights.selectors import Abilities, ClaimFinder, claiming_rules
from carteblanche.territories.models import Commune

pytestmark = pytest.mark.django_db
MONTCUQ, LHERM, PRADINES = "46201", "46171", "46224"
CAF_BENEFITS = ("af", "cf", "aide_logement", "ppa", "rsa")
AT = datetime.fromisoformat("2026-12-07T10:00:00+01:00")  # a Monday


def _names(plan) -> list[str]:
    return [p.name for p in plan.places] + [view.channel.service.name for view in plan.remote]


def test_from_montcuq_the_first_counter_is_the_nearest_not_the_75_km_one(shipped_data):
    plan = ClaimFinder(MONTCUQ, at=AT).plan("ppa", "caf")
    first = plan.places[0]
    assert first.commune == "Puy-l'Évêque" and "France Services" in first.name
    assert first.road_km < 30 and round(first.crow_km) == 18
    minutes = [p.minutes for p in plan.places]
    assert minutes == sorted(minutes)
    assert all(p.commune != "Leyme" for p in plan.places)  # the counter ~75 km away listed first before


def test_reach_is_the_mobility_models_road_time(shipped_data):
    montcuq = Commune.objects.get(code=MONTCUQ)
    place = ClaimFinder(MONTCUQ, at=AT).plan("ppa", "caf").places[0]
    channel_place = place.channel.channel.place
    expected = road_minutes(
        Point(montcuq.latitude, montcuq.longitude), Point(channel_place.latitude, channel_place.longitude)
    )
    assert place.minutes == pytest.approx(expected)


def test_from_lherm_the_france_services_bus_stopping_in_lherm_comes_first(shipped_data):
    for code in ("ppa", "aide_logement", "aspa", "cheque_energie"):
        benefit_operator = {"aspa": "assurance-retraite", "cheque_energie": "etat"}.get(code, "caf")
        first = ClaimFinder(LHERM, at=AT).plan(code, benefit_operator).places[0]
        assert first.itinerant and first.in_commune and first.commune == "Lherm", code
        assert "Bus France Services" in first.service


def test_only_services_linked_to_the_right_are_listed(shipped_data):
    finder = ClaimFinder(PRADINES, at=AT)
    for code in CAF_BENEFITS:
        names = _names(finder.plan(code, "caf"))
        assert names, code
        assert not any("monenfant" in name for name in names), (code, names)
        assert not any(name.startswith("MSA") for name in names), (code, names)  # not the deciding body


def test_a_farm_household_is_sent_to_the_msa_not_the_caf(shipped_data):
    plan = ClaimFinder(PRADINES, at=AT).plan("af", "msa")
    assert plan.operator_name.startswith("la MSA")
    assert not any(view.channel.service.operator_id == "caf" for view in plan.remote)


def test_remote_channels_follow_what_the_person_can_use(shipped_data):
    usable = ClaimFinder(PRADINES, at=AT).plan("ppa", "caf")
    assert {view.kind for view in usable.remote} >= {"online", "phone"}
    offline = ClaimFinder(PRADINES, abilities=Abilities(online=False, phone=True), at=AT).plan("ppa", "caf")
    assert "online" not in {view.kind for view in offline.remote}
    assert "online" in {view.kind for view in offline.remote_unusable}
    assert not offline.online_usable
    assert Abilities.from_orientation({"digital": "no_internet", "phone": False}) == Abilities(False, False)


def test_hours_are_plain_french_and_automatic_rights_say_so(shipped_data):
    finder = ClaimFinder(MONTCUQ, at=AT)
    benefits = [
        {
            "code": code,
            "label": code,
            "link": "https://example.org/info",
            "online_procedure": "https://www.chequeenergie.gouv.fr/beneficiaire/cheque/paiement-en-ligne"
            if code == "cheque_energie"
            else "https://caf.fr/demande",
            "plan": finder.plan(code, operator),
        }
        for code, operator in (("ppa", "caf"), ("cheque_energie", "etat"))
    ]
    html = unescape("".join(render_to_string("rights/_claim.html", {"b": b}) for b in benefits))
    assert not re.search(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b|PH off|\d\d:\d\d-\d\d:\d\d", html)
    assert "Prochaine ouverture : " in html
    assert "à Puy-l'Évêque, 18 km à vol d'oiseau, environ 29 min de route (24 km)" in html
    energy = html[html.index('data-benefit="cheque_energie"') :]
    assert "Versé automatiquement, sans demande." in energy
    assert "paiement-en-ligne" not in energy and "faire la demande" not in energy
    ppa = html[: html.index('data-benefit="cheque_energie"')]
    assert "faire la demande sur le site officiel" in ppa


def test_automatic_rights_are_data_with_a_source():
    rule = claiming_rules()["cheque_energie"]
    assert rule["automatic"] is True
    assert rule["source_url"].startswith("https://") and rule["verified_on"]


def test_the_directory_selectors_decide_what_may_be_listed(shipped_data):
    """A service the directory search leaves out (here: not open to the commune) is never listed."""
    from carteblanche.directory.models import Service

    bus = Service.objects.get(name__startswith="Bus France Services")
    bus.zone_eligibilite = ["46042"]  # only Cahors
    bus.save()
    first = ClaimFinder(LHERM, at=AT).plan("ppa", "caf").places[0]
    assert "Bus France Services" not in first.service


def test_without_internet_nor_phone_the_places_come_first(shipped_data):
    plan = ClaimFinder(LHERM, abilities=Abilities(online=False, phone=False), at=AT).plan("ppa", "caf")
    benefit = {
        "code": "ppa",
        "label": "Prime d'activité",
        "link": "https://x.org",
        "online_procedure": "https://caf.fr/d",
    }
    html = unescape(render_to_string("rights/_claim.html", {"b": {**benefit, "plan": plan}}))
    assert "Sans vous déplacer" not in html and "faire la demande sur le site officiel" not in html
    places, unusable = html.index("cb-claim-places"), html.index("si un proche peut vous aider")
    assert places < unusable
