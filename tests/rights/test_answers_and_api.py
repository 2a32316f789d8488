"""Bad input gives field-level messages and computes nothing; the API returns results and stored simulations."""

from datetime import date

import pytest
from django.utils import timezone

from carteblanche.rights.answers import AnswerErrors, parse_household
from carteblanche.rights.models import Simulation
from tests.rights.households import MARTINE, SARAH, household, person

TODAY = date(2026, 10, 1)
# WhiteNoise warns once per process when STATIC_ROOT does not exist (no collectstatic in tests).
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


def _errors(answers):
    with pytest.raises(AnswerErrors) as info:
        parse_household(answers, today=TODAY, commune_exists=lambda code: code in {"46042", "46224", "46070"})
    return {e["field"]: e["message"] for e in info.value.errors}


def test_negative_income_is_refused_on_its_field():
    errors = _errors(household("46042", [person("demandeur", "1990-01-01", "actif", salary=-10)], rent=300))
    assert "persons[0].salary_net" in errors
    assert "négatif" in errors["persons[0].salary_net"]


def test_birth_date_in_the_future_is_refused():
    errors = _errors(household("46042", [person("demandeur", "2027-01-01")], rent=300))
    assert errors["persons[0].birth_date"] == "La date de naissance est dans le futur."


def test_rent_without_housing_status_is_refused():
    answers = household("46042", [person("demandeur", "1990-01-01")], rent=300)
    answers["housing_status"] = ""
    assert "housing_status" in _errors(answers)


def test_rent_for_an_owner_is_refused():
    errors = _errors(household("46042", [person("demandeur", "1990-01-01")], status="proprietaire", rent=300))
    assert "rent" in errors


def test_unknown_commune_is_refused():
    errors = _errors(household("99999", [person("demandeur", "1990-01-01")], rent=300))
    assert "99999" in errors["commune_code"]


def test_every_bad_field_is_reported_at_once():
    answers = household("99999", [person("demandeur", "2030-01-01", "actif", salary=-1)], rent=-5)
    assert {"commune_code", "persons[0].birth_date", "persons[0].salary_net", "rent"} <= set(_errors(answers))


def test_unknown_answers_become_assumptions_naming_the_benefits():
    answers = household(
        "46042", [person("demandeur", "1990-01-01"), person("enfant", "2018-01-01")], child_support="unknown"
    )
    answers["housing_status"] = "unknown"
    answers["persons"][0]["disability_rate"] = "unknown"
    parsed = parse_household(answers, today=TODAY, commune_exists=lambda code: True)
    assumed = {a.field: a.benefits for a in parsed.assumptions}
    assert assumed == {
        "disability_rate": ("aah",),
        "housing_status": ("aide_logement", "cheque_energie"),
        "child_support": ("asf",),
    }


@pytest.mark.django_db
def test_api_bad_input_returns_422_and_stores_nothing(client, shipped_data):
    next_year = timezone.localdate().year + 1  # a birth date in the future whatever today is
    answers = household("99999", [person("demandeur", f"{next_year}-01-01", salary=-1)])
    response = client.post("/api/droits/simulations", answers, content_type="application/json")
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"commune_code", "persons[0].birth_date", "persons[0].salary_net"} <= fields
    assert not Simulation.objects.exists()


@pytest.mark.django_db
def test_api_wrong_types_return_422(client):
    response = client.post("/api/droits/simulations", {"persons": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]


@pytest.mark.django_db
def test_api_simulates_sarah_and_stores_the_simulation(client, shipped_data, project_results):
    response = client.post("/api/droits/simulations", {**SARAH, "month": "2026-10"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    amounts = {b["code"]: b["amount"] for b in body["benefits"]}
    # Same amounts as the batch computation of the same answers.
    for code in ("aide_logement", "ppa", "af", "asf"):
        assert amounts[code] == pytest.approx(project_results["sarah"][code].amount, abs=0.01)
        assert amounts[code] > 0
    stored = Simulation.objects.get(pk=body["id"])
    assert stored.openfisca_france_version == "176.1.8"
    assert stored.inputs["household"]["depcom"] == "46224"
    assert stored.outputs["benefits"]["af"]["amount"] == amounts["af"]


@pytest.mark.django_db
def test_api_openfisca_failure_is_a_clear_503(client, shipped_data, monkeypatch):
    from carteblanche.rights import batcher

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(batcher, "_BATCHER", batcher.MicroBatcher(iter_results=broken))
    response = client.post("/api/droits/simulations", MARTINE, content_type="application/json")
    assert response.status_code == 503
    assert "calcul" in response.json()["message"]
    assert Simulation.objects.get().error


@pytest.mark.django_db
def test_stored_simulation_is_private_and_agent_reads_are_audited(client, django_user_model, shipped_data):
    from carteblanche.core.models import AuditEntry

    simulation = Simulation.objects.create(
        month="2026-10", inputs={"household": {"depcom": "46042"}}, openfisca_france_version="x"
    )
    assert client.get(f"/api/droits/simulations/{simulation.pk}").status_code == 404
    assert client.get(f"/droits/simulation/{simulation.pk}/").status_code == 404
    agent = django_user_model.objects.create_user("agent", password="a-long-password-123")
    client.force_login(agent)
    # An account without a structure, or of another structure than the author's, reads nothing.
    assert client.get(f"/api/droits/simulations/{simulation.pk}").status_code == 404
    from carteblanche.accounts.models import Membership
    from carteblanche.directory.models import Structure

    structure = Structure.objects.create(name="France Services test", source="test", source_id="fs-sim")
    Membership.objects.create(user=agent, role=Membership.Role.AGENT, structure=structure)
    Simulation.objects.filter(pk=simulation.pk).update(created_by=agent)
    assert client.get(f"/api/droits/simulations/{simulation.pk}").status_code == 200
    assert AuditEntry.objects.filter(actor=agent, action="read", object_id=str(simulation.pk)).count() == 1
