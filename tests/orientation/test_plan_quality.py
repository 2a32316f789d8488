"""Quality of the plans (issue 3 review): the right body first, no invented help, short document lists,
truthful home visits, the easiest trip, websites matched to the need."""

import pytest

from carteblanche.directory.models import Channel, Need, Service, Structure
from carteblanche.mobility.travel import Leg, MobilityContext, Mode, Point, TravelMeans, TripPlan
from carteblanche.orientation import explain, scoring
from carteblanche.orientation.engine import Engine, NeedRequest
from carteblanche.orientation.scoring import Digital, OptionKind
from carteblanche.orientation.selectors import procedure_hosts, service_to_offer
from tests.orientation.factories import (
    CAHORS,
    CIEURAC,
    FRANCE_SERVICES_THEME,
    REVERSION,
    channel,
    location,
    person,
    service,
)

LATRONQUIERE = Point(44.7990, 2.0780)  # about 66 km from Cieurac
TUESDAY_PHONE = "Tu 09:00-12:00; PH off"


def _france_services(sid, point, phone):
    return service(
        sid,
        (
            channel("counter", f"{sid}-counter", location=location(sid, point, name=f"France Services {sid}")),
            channel("phone", f"{sid}-phone", phone=phone, hours=TUESDAY_PHONE),
        ),
        operator="france-services",
        operator_name="France Services",
        networks=("france-service",),
        thematiques=(FRANCE_SERVICES_THEME,),
        need_slugs=(REVERSION.slug,),
    )


def _pension_fund():
    # Its phone hours are unknown, as for the real 3960 in the data.
    return service(
        "carsat",
        (channel("phone", "carsat-phone", phone="3960"),),
        operator="carsat",
        operator_name="Assurance retraite",
        need_slugs=(REVERSION.slug,),
    )


def _martine(**kw):
    return person(digital=Digital.NO_INTERNET, free="mardi 9-12", age=78, **kw)


def test_remote_help_comes_from_the_needs_operator_then_from_france_services_of_the_area():
    offers = [_pension_fund(), _france_services("far", LATRONQUIERE, "05 99 99 99 01")]
    offers.append(_france_services("near", CAHORS, "05 99 99 99 02"))
    plan = Engine().plan(_martine(), offers)
    phones = [o.phone for o in plan.options if o.kind == OptionKind.PHONE]
    assert "05 99 99 99 01" not in phones  # never a France Services of the other end of the department
    assert phones.index("3960") < phones.index("05 99 99 99 02")  # the pension fund first, hours unknown or not
    fund = next(o for o in plan.options if o.phone == "3960")
    relevance = next(line for line in fund.breakdown if line.criterion == "relevance")
    assert relevance.value == 1.0 and relevance.weight == scoring.WEIGHTS["relevance"]
    assert "C'est l'organisme qui traite votre demande." in fund.explanation
    near = next(o for o in plan.options if o.phone == "05 99 99 99 02")
    assert "pas l'organisme qui traite la demande" in near.explanation


def test_a_town_hall_with_the_broad_thematique_is_not_an_accompaniment_place():
    hall = service(
        "mairie",
        (channel("counter", "mairie-counter", location=location("mairie", CIEURAC, name="Mairie de Cieurac")),),
        operator="commune",
        operator_name="Mairie",
        networks=("communes",),
        thematiques=(FRANCE_SERVICES_THEME, "famille--retraite"),
        need_slugs=("etat-civil",),
    )
    online = service("carsat", (channel("online", "carsat-web"),), operator="carsat", need_slugs=(REVERSION.slug,))
    plan = Engine().plan(_martine(), [hall, online])
    assert not any("Mairie" in o.title for o in plan.options)
    assert not any("conseiller" in o.how for o in plan.options)
    civil = NeedRequest("etat-civil", "Acte d'état civil", thematiques=(FRANCE_SERVICES_THEME,), operators=("commune",))
    plan = Engine().plan(_martine(needs=(civil,)), [hall])
    assert [o.title for o in plan.options] == ["Au guichet : Mairie de Cieurac, Cahors"]
    assert "conseiller" not in plan.options[0].how


def test_what_to_bring_is_the_needs_short_list_not_every_document_of_the_service():
    docs = ("acte de décès", "vos factures impayées", "le bail", "un RIB", "la liste de vos dettes", "a", "b", "c")
    fund = service(
        "carsat",
        (channel("phone", "p", phone="3960"),),
        operator="carsat",
        documents=docs,
        need_slugs=(REVERSION.slug,),
    )
    plan = Engine().plan(_martine(), [fund])
    (option,) = plan.options
    assert option.documents == ("acte de décès", "livret de famille", scoring.MORE_DOCUMENTS_FR)
    many = NeedRequest(
        REVERSION.slug, "Réversion", operators=("carsat",), documents=tuple(f"pièce {i}" for i in range(9))
    )
    plan = Engine().plan(_martine(needs=(many,)), [fund])
    assert len(plan.options[0].documents) == scoring.MAX_DOCUMENTS + 1
    assert plan.options[0].documents[-1] == scoring.MORE_DOCUMENTS_FR
    same = NeedRequest(
        REVERSION.slug,
        "N",
        operators=("carsat",),
        documents=("le livret de famille", "le livret de famille ou l'acte de mariage"),
    )
    plan = Engine().plan(_martine(needs=(same,)), [fund])
    assert plan.options[0].documents == ("le livret de famille ou l'acte de mariage", scoring.MORE_DOCUMENTS_FR)


def test_a_social_home_visit_not_linked_to_the_need_is_not_offered_and_a_linked_one_says_who_comes():
    social = service(
        "dept",
        (channel("home_visit", "dept-home"),),
        name="Accueil social du Département (assistants sociaux)",
        structure_name="Département du Lot — action sociale",
        operator="departement",
        operator_name="Département",
        thematiques=(FRANCE_SERVICES_THEME, "famille--retraite"),
        need_slugs=("accompagnement-demarches",),
    )
    plan = Engine().plan(_martine(), [social])
    assert not any(o.kind == OptionKind.HOME_VISIT for o in plan.options)
    help_need = NeedRequest("accompagnement-demarches", "Être aidé pour une démarche", operators=("departement",))
    plan = Engine().plan(_martine(needs=(help_need,)), [social])
    (visit,) = plan.options
    assert "Accueil social du Département (assistants sociaux)" in visit.how


def test_a_service_with_conditions_ranks_below_and_says_its_condition():
    farm = service(
        "msa",
        (channel("online", "msa-web", url="https://www.msa.test"),),
        operator="msa",
        operator_name="MSA",
        conditions="Pour les personnes affiliées au régime agricole.",
        need_slugs=(REVERSION.slug,),
    )
    fund = service("carsat", (channel("online", "web"),), operator="carsat", need_slugs=(REVERSION.slug,))
    plan = Engine().plan(person(), [farm, fund])
    assert [o.url for o in plan.options] == ["https://exemple.test/demarche", "https://www.msa.test"]
    assert "Condition (MSA) : Pour les personnes affiliées au régime agricole." in plan.options[1].warnings
    assert "réservé à certaines personnes" in plan.options[1].explanation


class WalkOrRide(MobilityContext):
    """A 6-minute walk and a 3-minute volunteer ride that must be booked."""

    def trips(self, *, origin, origin_commune, destination, destination_commune, window, means):
        walk = Leg(Mode.WALK, 6.0, 0.4)
        ride = Leg(Mode.SOLIDARITY, 3.0, 0.4, line="Covoiturage", booking_rule="Réservation : 2 jours avant.")
        return [
            TripPlan(Mode.SOLIDARITY, (ride,), (ride,), 3.0, None, "ride"),
            TripPlan(Mode.WALK, (walk,), (walk,), 6.0, None, "walk"),
        ]


def test_the_easiest_trip_is_chosen_and_the_booking_rule_is_said_once():
    counter = service(
        "fs",
        (channel("counter", "c", location=location("fs", CIEURAC)),),
        operator="carsat",
        need_slugs=(REVERSION.slug,),
    )
    plan = Engine(WalkOrRide()).plan(person(means=TravelMeans(has_car=False)), [counter])
    assert plan.options[0].travel.mode == Mode.WALK
    ride = WalkOrRide().trips(
        origin=None, origin_commune="", destination=None, destination_commune="", window=None, means=None
    )[0]
    text = explain.travel_text(ride, "chez vous")
    assert text.count("Réservation") == 1 and ".." not in text


@pytest.mark.django_db
def test_a_service_with_two_websites_sends_each_need_to_its_own_site(shipped_data):
    family = Need.objects.get(slug="allocations-familiales")
    reversion = Need.objects.get(slug="pension-reversion")
    assert "caf.fr" in family.online_procedure_url and "info-retraite.fr" in reversion.online_procedure_url
    structure = Structure.objects.create(name="Caisse (test)", source="test", source_id="caisse")
    caisse = Service.objects.create(structure=structure, name="Caisse (test)", source="test", source_id="caisse")
    caisse.needs.set([family, reversion])
    Channel.objects.create(service=caisse, kind="online", url="https://www.caisse.test")
    Channel.objects.create(service=caisse, kind="online", url="https://www.info-retraite.fr")
    offer = service_to_offer(caisse, procedure_hosts())
    by_url = {c.url: c.need_slugs for c in offer.channels}
    assert by_url == {"https://www.caisse.test": (), "https://www.info-retraite.fr": ("pension-reversion",)}
    family_request = NeedRequest("allocations-familiales", "Prestations familiales")
    plan = Engine().plan(person(needs=(family_request,)), [offer])
    assert [o.url for o in plan.options] == ["https://www.caisse.test"]
