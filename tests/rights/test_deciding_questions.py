"""The answers that decide a right reach OpenFisca (or the data-described rights), and "je ne sais pas"
says what it changes: RSDAE, ASS work history, rent charges, licence, widowhood, schooling, salary."""

from datetime import date

import pytest

from carteblanche.rights.answers import AnswerErrors, parse_household
from carteblanche.rights.models import Simulation
from tests.rights.households import household, person

TODAY = date(2026, 10, 1)
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


def _parse(answers):
    return parse_household(answers, today=TODAY, commune_exists=lambda code: True)


def test_answers_reach_the_adapter_inputs():
    parsed = _parse(
        household(
            "46042",
            [
                person("demandeur", "1970-01-01", "chomeur", disability=0.5, rsdae="yes", ass="yes", licence="yes"),
            ],
            rent=400,
            rent_charges="included",
            charges=50,
            widowed="yes",
        )
    )
    claimant = parsed.household.persons[0]
    assert (claimant.rsdae, claimant.ass_work_history, claimant.driving_licence) == (True, True, True)
    assert parsed.household.rent == 350  # OpenFisca's loyer: without the charges
    assert parsed.household.widowed is True
    assert parsed.assumptions == []


def test_booleans_are_accepted_and_absent_answers_keep_the_old_meaning():
    parsed = _parse(household("46042", [person("demandeur", "1970-01-01", "chomeur", rsdae=True, ass=False)], rent=400))
    claimant = parsed.household.persons[0]
    assert (claimant.rsdae, claimant.ass_work_history) == (True, False)
    answers = household("46042", [person("demandeur", "1970-01-01")], rent=400)
    for key in ("rent_charges", "charges", "widowed"):
        del answers[key]
    parsed = _parse(answers)
    assert parsed.household.rent == 400  # a rent alone is a rent without charges
    assert parsed.household.widowed is False


@pytest.mark.parametrize(
    ("answers", "field", "benefits"),
    [
        (household("46042", [person("demandeur", "1980-01-01", disability=0.5, rsdae="unknown")]), "rsdae", ("aah",)),
        (
            household("46042", [person("demandeur", "1980-01-01", "chomeur", ass="unknown")]),
            "ass_work_history",
            ("ass", "rsa"),
        ),
        (
            household("46042", [person("demandeur", "1980-01-01")], rent=300, rent_charges="unknown"),
            "rent_charges",
            ("aide_logement",),
        ),
        (
            household("46042", [person("demandeur", "1980-01-01")], rent=300, rent_charges="included"),
            "rent_charges",
            ("aide_logement",),
        ),
        (
            household(
                "46042", [person("demandeur", "1980-01-01"), person("enfant", "2013-01-01", schooling="inconnue")]
            ),
            "schooling",
            ("bourse_college", "bourse_lycee"),
        ),
        (household("46042", [person("demandeur", "1980-01-01")], widowed="unknown"), "widowed", ()),
    ],
)
def test_unknown_says_what_it_changes(answers, field, benefits):
    assumptions = {a.field: a for a in _parse(answers).assumptions}
    assert assumptions[field].benefits == benefits
    assert assumptions[field].text


def test_unknown_only_where_it_can_change_a_result():
    # An 80 % rate needs no RSDAE; a job seeker on ARE is not asked about ASS; a toddler has no grant.
    answers = household(
        "46042",
        [
            person(
                "demandeur", "1980-01-01", "chomeur", unemployment=900, disability=0.8, rsdae="unknown", ass="unknown"
            ),
            person("enfant", "2023-01-01", schooling="inconnue"),
        ],
    )
    assert _parse(answers).assumptions == []
    # "Pas scolarisé" is known: no assumption, OpenFisca's `inconnue`.
    answers = household(
        "46042", [person("demandeur", "1980-01-01"), person("enfant", "2009-01-01", schooling="non_scolarise")]
    )
    parsed = _parse(answers)
    assert parsed.assumptions == [] and parsed.household.persons[1].schooling == "inconnue"


def test_same_salary_unknown_is_not_silent():
    answers = household("46042", [person("demandeur", "1980-01-01", "actif", salary=1200)], rent=400)
    answers["persons"][0]["same_salary"] = "unknown"
    assert {a.field: a.benefits for a in _parse(answers).assumptions} == {"same_salary": ("ppa", "rsa")}


def test_charges_above_the_rent_are_refused_on_their_field():
    answers = household("46042", [person("demandeur", "1980-01-01")], rent=300, rent_charges="included", charges=300)
    with pytest.raises(AnswerErrors) as info:
        _parse(answers)
    assert [e["field"] for e in info.value.errors] == ["charges"]


@pytest.mark.django_db
def test_api_takes_the_new_answers(client, shipped_data, tax_benefit_system):
    body = household(
        "46070",
        [person("demandeur", "1975-01-01", "inactif", disability=0.5, rsdae="yes")],
        status="proprietaire",
        widowed="yes",
    )
    response = client.post("/api/droits/simulations", {**body, "month": "2026-10"}, content_type="application/json")
    assert response.status_code == 200, response.content
    simulation = Simulation.objects.get()
    assert simulation.outputs["benefits"]["aah"]["amount"] > 0  # the RSDAE opens AAH at 50-79 %
    rights = {aid["slug"]: aid for aid in simulation.outputs["local_aids"]}
    assert rights["pension-de-reversion"]["national"] is True
    assert rights["pension-de-reversion"]["amount"] is None  # never an invented amount
