"""Bad input to the rights API and answers: 422 in French naming the field, before any computation."""

import copy
import json
from datetime import date

import pytest

from carteblanche.rights import batcher
from carteblanche.rights.answers import (
    FIRST_MONTH,
    LAST_PARAMETER_YEAR,
    AnswerErrors,
    french_path,
    month_problem,
    parse_household,
)
from carteblanche.rights.models import Simulation
from tests.rights.households import SARAH, household, person

TODAY = date(2026, 10, 1)
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture
def no_computation(monkeypatch):
    """A batcher that fails the test if anything reaches OpenFisca."""

    def forbidden(*args, **kwargs):
        raise AssertionError("the simulation must not run for bad input")
        yield  # pragma: no cover

    monkeypatch.setattr(batcher, "_BATCHER", batcher.MicroBatcher(iter_results=forbidden))


def _post(client, body: str):
    return client.post("/api/droits/simulations", body, content_type="application/json")


def _sarah_with(**changes) -> dict:
    answers = copy.deepcopy(SARAH)
    for key, value in changes.items():
        if key.startswith("claimant_"):
            answers["persons"][0][key.removeprefix("claimant_")] = value
        else:
            answers[key] = value
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("where", ["claimant_salary_net", "rent"])
def test_nan_and_infinity_are_refused_before_any_computation(client, shipped_data, no_computation, constant, where):
    marker = 123456.75
    body = json.dumps(_sarah_with(**{where: marker})).replace(str(marker), constant)
    assert constant in body
    response = _post(client, body)
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == ("persons[0].salary_net" if where.startswith("claimant") else "rent")
    assert "nombre fini" in error["message"].lower()
    assert not Simulation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", [True, False, "900", "neuf cents", [900], {"net": 900}])
def test_amounts_must_be_json_numbers(client, shipped_data, no_computation, value):
    response = _post(client, json.dumps(_sarah_with(claimant_salary_net=value)))
    assert response.status_code == 422, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["persons[0].salary_net"]
    assert "nombre" in body["errors"][0]["message"]
    assert body["message"].startswith("personnes[0].salaire_net : ")
    assert not Simulation.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_body_is_said_in_french(client, shipped_data, no_computation):
    response = _post(client, '{"commune_code": "46224", "persons": [')
    assert response.status_code == 400
    assert "JSON valide" in response.json()["message"]


@pytest.mark.django_db
def test_schema_messages_are_in_french_with_bracket_paths(client, shipped_data, no_computation):
    answers = _sarah_with(farm_scheme="oui", recently_isolated=1)
    answers["persons"][1]["disability_rate"] = "beaucoup"
    body = _post(client, json.dumps(answers)).json()
    messages = {e["field"]: e["message"] for e in body["errors"]}
    # One message per field, even for a union (a boolean or "unknown"), naming both choices.
    assert "true ou false" in messages["farm_scheme"] and "unknown" in messages["farm_scheme"]
    assert "true ou false" in messages["recently_isolated"]
    assert "unknown" in messages["persons[1].disability_rate"]
    assert "nombre" in messages["persons[1].disability_rate"]
    assert "personnes[1].taux_incapacite" in body["message"]
    for message in messages.values():
        assert not any(word in message for word in ("Input should", "Field required", "should be"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("month", "expected"),
    # Years after the parameters and after today (the API reads the real clock), whatever today is.
    [(f"{date.today().year + 5}-12", "entre 2019-02 et "), ("2000-01", "entre 2019-02"), ("2026-13", "format AAAA-MM")],
)
def test_months_outside_the_parameters_are_refused(client, shipped_data, no_computation, month, expected):
    response = _post(client, json.dumps({**SARAH, "month": month}))
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "month"
    assert expected in error["message"]
    assert response.json()["message"].startswith("mois : ")


def test_month_range_follows_the_current_month_when_later():
    assert month_problem("2026-12", today=TODAY) is None
    assert month_problem("2027-01", today=TODAY) is not None
    assert month_problem("2027-03", today=date(2027, 3, 2)) is None  # today's month is always computable
    assert month_problem(FIRST_MONTH, today=TODAY) is None


def _errors(answers) -> dict[str, str]:
    with pytest.raises(AnswerErrors) as info:
        parse_household(answers, today=TODAY, commune_exists=lambda code: True)
    return {e["field"]: e["message"] for e in info.value.errors}


def test_a_sole_claimant_under_16_is_refused():
    errors = _errors(household("46224", [person("demandeur", "2023-04-01")]))
    assert "3 ans" in errors["persons[0].birth_date"]
    assert "au moins 16 ans" in errors["persons[0].birth_date"]


def test_a_child_older_than_25_is_refused():
    errors = _errors(household("46224", [person("demandeur", "1930-01-01"), person("enfant", "1940-05-01")]))
    assert "au plus 25 ans (ici 86 ans)" in errors["persons[1].birth_date"]


def test_a_child_born_before_the_claimant_is_refused():
    errors = _errors(household("46224", [person("demandeur", "2004-01-01"), person("enfant", "2003-06-01")]))
    assert "né avant la personne qui demande" in errors["persons[1].birth_date"]


def test_plausible_households_still_pass():
    parsed = parse_household(
        household("46224", [person("demandeur", "2010-09-01"), person("enfant", "2026-01-01")]),
        today=TODAY,
        commune_exists=lambda code: True,
    )
    assert len(parsed.household.persons) == 2  # a 16-year-old parent with a baby


def test_booleans_and_non_finite_amounts_are_refused_by_the_answers_too():
    answers = household("46224", [person("demandeur", "1990-01-01", salary=True, pension=float("nan"))])
    errors = _errors(answers)
    assert set(errors) == {"persons[0].salary_net", "persons[0].pension_gross"}


def test_french_paths():
    assert french_path("persons[0].salary_net") == "personnes[0].salaire_net"
    assert french_path("persons[2].recent_salary_net[1]") == "personnes[2].salaires_nets_recents[1]"
    assert french_path("rent") == "loyer"


def test_month_bounds_match_openfisca_parameters(tax_benefit_system):
    """FIRST_MONTH computes, the month before fails, and LAST_PARAMETER_YEAR is the parameters' last year."""
    from openfisca_core.errors import ParameterNotFoundError

    from carteblanche.rights.openfisca_adapter import simulate

    instants: list[str] = []

    def walk(node):
        if hasattr(node, "values_list"):
            instants.extend(value.instant_str for value in node.values_list)
        for child in getattr(node, "children", {}).values():
            walk(child)
        for bracket in getattr(node, "brackets", ()):
            for key in ("threshold", "rate", "amount", "base", "average_rate"):
                if getattr(bracket, key, None) is not None:
                    walk(getattr(bracket, key))

    walk(tax_benefit_system.parameters)
    assert int(max(instants)[:4]) == LAST_PARAMETER_YEAR

    sarah = parse_household(SARAH, today=TODAY, commune_exists=lambda code: True).household
    assert set(simulate([sarah], month=FIRST_MONTH)[0]) >= {"af", "aide_logement", "ppa", "cheque_energie"}
    year, month = map(int, FIRST_MONTH.split("-"))
    before = f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"
    with pytest.raises(ParameterNotFoundError):
        simulate([sarah], month=before)


# --- the questionnaire's forms apply the same rules, under the field -----------------------------


@pytest.mark.django_db
def test_form_refuses_a_claimant_under_16(client, shipped_data):
    response = client.post(
        "/droits/questions/foyer/", {"commune": "Pradines", "birth_date": "2020-01-01", "couple": "no", "children": "0"}
    )
    assert response.status_code == 200
    assert "il faut avoir au moins 16 ans" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("child_birth", "message"), [("1940-05-01", "au plus 25 ans"), ("2004-06-01", "né avant la personne qui demande")]
)
def test_form_refuses_an_implausible_child(client, shipped_data, child_birth, message):
    foyer = {"commune": "Pradines", "birth_date": "2005-01-01", "couple": "no", "children": "1"}
    assert client.post("/droits/questions/foyer/", foyer).status_code == 302
    response = client.post("/droits/questions/personnes/", {"child_1_birth_date": child_birth})
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1", "abc"])
def test_form_refuses_non_finite_or_negative_amounts(client, shipped_data, value):
    foyer = {"commune": "Pradines", "birth_date": "1992-05-10", "couple": "no", "children": "0"}
    assert client.post("/droits/questions/foyer/", foyer).status_code == 302
    data = {"activity": "actif", "salary_net": value, "same_every_month": "yes", "disability": "0"}
    response = client.post("/droits/questions/ressources/", data)
    assert response.status_code == 200  # the form again, with the error under the field
    assert 'aria-invalid="true"' in response.content.decode() or "fr-input-group--error" in response.content.decode()
