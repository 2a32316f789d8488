"""Competent bodies as data: who decides, who only helps, where the application is taken; the
deciding body first; a place that cannot take the application is never presented as the place to apply."""

import json

import pytest

from carteblanche.mobility.travel import TravelMeans
from carteblanche.orientation import competence
from carteblanche.orientation.engine import Engine, NeedRequest, covered_needs
from carteblanche.orientation.scoring import Digital
from tests.orientation.factories import (
    CAHORS,
    CATUS,
    CIEURAC,
    FRANCE_SERVICES_THEME,
    channel,
    location,
    person,
    service,
)

ID_CARD = NeedRequest(
    "carte-identite",
    "Carte d'identité",
    thematiques=(FRANCE_SERVICES_THEME,),
    operators=("ants", "commune", "france-services"),
    deciders=("ants",),
    helpers=("france-services",),
    listed_only=True,
)
REVERSION = NeedRequest(
    "pension-reversion",
    "Pension de réversion",
    thematiques=("famille--retraite",),
    operators=("assurance-retraite", "msa", "france-services"),
    deciders=("assurance-retraite", "msa"),
    helpers=("france-services",),
)
ENERGY = NeedRequest(
    "cheque-energie",
    "Chèque énergie",
    thematiques=("difficultes-financieres--energie", FRANCE_SERVICES_THEME),
    operators=("dgfip", "ccas", "departement", "france-services"),
    helpers=("ccas", "france-services"),
)
LICENCE = NeedRequest(
    "aide-permis-jeunes",
    "Aide au permis",
    thematiques=("mobilite--preparer-un-permis",),
    operators=("france-travail", "mission-locale"),
    deciders=("france-travail", "mission-locale"),
)


def _town_hall(sid, point, *, linked):
    return service(
        sid,
        (channel("counter", f"{sid}-counter", location=location(sid, point, name=f"Mairie {sid}")),),
        operator="commune",
        thematiques=(FRANCE_SERVICES_THEME,),
        need_slugs=(ID_CARD.slug,) if linked else (),
    )


def _france_services(sid="fs", point=CIEURAC):
    return service(
        sid,
        (channel("counter", f"{sid}-counter", location=location(sid, point, name=f"France Services {sid}")),),
        operator="france-services",
        networks=("france-service",),
        thematiques=(FRANCE_SERVICES_THEME,),
        need_slugs=(REVERSION.slug, ENERGY.slug, ID_CARD.slug),
    )


def test_the_shipped_catalogue_names_deciders_with_sources():
    found = competence.load()
    assert found["pension-reversion"].deciders == ("assurance-retraite", "msa")
    assert "mission-locale" in found["aide-permis-jeunes"].deciders
    assert found["carte-identite"].listed_only and found["passeport"].listed_only
    assert "france-services" in found["carte-identite"].helpers
    assert found["idees-suicidaires"].lines_only
    for slug, bodies in found.items():
        assert not set(bodies.deciders) & set(bodies.helpers), slug
        if bodies.deciders:
            assert bodies.sources, slug


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda need: need.update(deciders=["nobody"]), "opérateur inconnu nobody"),
        (lambda need: need.update(application_places="anywhere"), "champ « application_places »"),
        (lambda need: need.update(helpers=["ants"]), "ants décide déjà"),
        (lambda need: need.update(competence_sources=[]), "champ « competence_sources » manquant"),
    ],
)
def test_a_wrong_competence_field_is_refused_naming_the_need_and_the_field(change, message):
    needs = json.loads(competence.NEEDS_FILE.read_text(encoding="utf-8"))
    change(needs[0])
    codes = {o["code"] for o in json.loads(competence.OPERATORS_FILE.read_text(encoding="utf-8"))}
    with pytest.raises(competence.CompetenceDataError, match=r"besoin n°1 \(carte-identite\)"):
        competence.parse(needs, codes)
    with pytest.raises(competence.CompetenceDataError, match=message):
        competence.parse(needs, codes)


def test_only_the_town_halls_the_catalogue_lists_take_an_id_card_application():
    equipped, other = _town_hall("cahors", CAHORS, linked=True), _town_hall("catus", CATUS, linked=False)
    assert covered_needs(equipped, (ID_CARD,)) == (ID_CARD.slug,)
    assert covered_needs(other, (ID_CARD,)) == ()
    plan = Engine().plan(
        person(needs=(ID_CARD,), means=TravelMeans(has_car=True)), [equipped, other, _france_services()]
    )
    titles = [o.title for o in plan.options]
    assert not any("Mairie catus" in t for t in titles)
    hall = next(o for o in plan.options if "Mairie cahors" in o.title)
    assert ID_CARD.slug in hall.competent_for
    helper = next(o for o in plan.options if "France Services fs" in o.title)
    assert ID_CARD.slug not in helper.competent_for
    assert any("ne prend pas la demande" in w and "Mairie cahors" in w for w in helper.warnings)


def _martine_offer():
    pension_line = service(
        "carsat",
        (channel("phone", "carsat-phone", phone="3960"),),
        operator="assurance-retraite",
        need_slugs=(REVERSION.slug,),
    )
    energy_site = service("energy", (channel("online", "energy-site"),), need_slugs=(ENERGY.slug,))
    ccas = service(
        "ccas",
        (channel("counter", "ccas-counter", location=location("ccas", CIEURAC, name="CCAS")),),
        operator="ccas",
        need_slugs=(ENERGY.slug,),
    )
    return [pension_line, energy_site, ccas, _france_services(), _france_services("fs2", CAHORS)]


@pytest.mark.parametrize("needs", [(REVERSION,), (REVERSION, ENERGY), (ENERGY, REVERSION)])
def test_a_second_need_never_pushes_the_pension_body_out_of_the_first_two(needs):
    martine = person(
        needs=needs, digital=Digital.NO_INTERNET, age=78, free="mardi 9-12", means=TravelMeans(has_car=False)
    )
    plan = Engine().plan(martine, _martine_offer())
    assert "3960" in [o.phone for o in plan.options[:2]]


def test_a_tie_break_never_cuts_the_mission_locale():
    def body(sid, structure, operator, *channels):
        return service(sid, channels, operator=operator, structure_name=structure, need_slugs=(LICENCE.slug,))

    offer = [body("ft", "France Travail", "france-travail", channel("online", "ft"), channel("phone", "ft-phone"))]
    offer += [
        body(f"site{i}", "France Travail", "france-travail", channel("online", f"s{i}", url=f"https://s{i}.test"))
        for i in range(4)
    ]
    offer.append(body("ml", "Mission locale", "mission-locale", channel("online", "ml", url="https://ml.test")))
    plan = Engine().plan(person(needs=(LICENCE,), age=20, commune="46064", home=CATUS), offer)
    assert "Mission locale" in [o.structure for o in plan.options[:2]]


def test_the_catalogue_life_events_do_not_collide_once_slugified():
    """The observatory groups needs by life event under its slug: "santé" and "sante" would collide."""
    from django.utils.text import slugify

    events = {need["life_event"] for need in json.loads(competence.NEEDS_FILE.read_text(encoding="utf-8"))}
    assert len({slugify(event) for event in events}) == len(events)
