"""A reload of the result page shows the last simulation again when nothing that decides it changed."""

import re
from html import unescape

import pytest

from carteblanche.core.models import AuditEntry
from carteblanche.rights.models import LocalAid, Simulation
from tests.rights.test_questionnaire import _sarah

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def _results(client) -> str:
    response = client.get("/droits/resultats/")
    assert response.status_code == 200
    return unescape(b"".join(response.streaming_content).decode())


def _amounts(html: str) -> list[str]:
    """Every amount the page shows, in order (the page's reference line left out)."""
    return re.findall(r"\d[\d  ]*(?:,\d\d)? €", html.split("Référence :")[0])


def test_a_reload_shows_the_same_rights_without_simulating_again(client, shipped_data, tax_benefit_system):
    _sarah(client)
    first = _results(client)
    simulation = Simulation.objects.get()
    again = _results(client)
    assert Simulation.objects.count() == 1  # the reload computed nothing and stored nothing
    assert f"Référence : {simulation.pk}" in again
    assert _amounts(again) == _amounts(first) and _amounts(first)
    for label in ("Aide au logement", "Prime d'activité", "Allocation de soutien familial"):
        assert label in again
    assert "Comment les demander" in again


def test_a_changed_answer_simulates_again(client, shipped_data, tax_benefit_system):
    _sarah(client)
    _results(client)
    first = Simulation.objects.get()
    response = client.post(
        "/droits/questions/ressources/",
        {"activity": "actif", "salary_net": "1200", "same_every_month": "yes", "disability": "0"},
    )
    assert response.status_code == 302
    _results(client)
    assert Simulation.objects.count() == 2
    latest = Simulation.objects.order_by("-created_at").first()
    assert latest.pk != first.pk
    salaries = [s.inputs["household"]["persons"][0]["salary_net"] for s in (first, latest)]
    assert salaries == [900, 1200]  # computed from the new answer, not the stored one


def test_a_local_aid_changed_since_is_taken_into_account(client, shipped_data, tax_benefit_system):
    # An aid of the Lot with no condition: Sarah meets it whatever the month (her age, her children's).
    LocalAid.objects.create(
        slug="aide-essai-lot",
        name="Aide d'essai du Lot",
        level=LocalAid.Level.DEPARTMENT,
        territory_codes=["46"],
        operator_name="le Département du Lot",
        amount_text="montant variable",
        source="test",
        source_id="aide-essai-lot",
    )
    _sarah(client)
    _results(client)
    assert "aide-essai-lot" in {aid["slug"] for aid in Simulation.objects.get().outputs["local_aids"]}
    LocalAid.objects.filter(slug="aide-essai-lot").update(active=False)
    html = _results(client)
    assert Simulation.objects.count() == 2
    latest = Simulation.objects.order_by("-created_at").first()
    assert "aide-essai-lot" not in {aid["slug"] for aid in latest.outputs["local_aids"]}
    assert f"Référence : {latest.pk}" in html


def test_a_failed_simulation_is_not_reused(client, shipped_data, tax_benefit_system):
    _sarah(client)
    _results(client)
    Simulation.objects.update(error="Le calcul n'a pas pu être fait (test).")
    _results(client)
    assert Simulation.objects.count() == 2


def test_an_agent_reload_is_a_journaled_read(client, django_user_model, shipped_data, tax_benefit_system):
    agent = django_user_model.objects.create_user("agent-reload", password="a-long-password-123")
    client.force_login(agent)
    client.get("/droits/agent/")
    _sarah(client)
    _results(client)
    simulation = Simulation.objects.get()
    assert not AuditEntry.objects.filter(actor=agent, action="read", object_id=str(simulation.pk)).exists()
    _results(client)
    assert Simulation.objects.count() == 1
    assert AuditEntry.objects.filter(actor=agent, action="read", object_id=str(simulation.pk)).exists()


def test_another_session_with_the_same_answers_gets_its_own_simulation(client, shipped_data, tax_benefit_system):
    from django.test import Client

    _sarah(client)
    _results(client)
    other = Client()
    _sarah(other)
    _results(other)
    assert Simulation.objects.count() == 2
    assert Simulation.objects.values("situation").distinct().count() == 2


def test_the_reuse_follows_its_setting(client, settings, shipped_data, tax_benefit_system):
    settings.RIGHTS_RELOAD_REUSES_SIMULATION = False
    _sarah(client)
    _results(client)
    _results(client)
    assert Simulation.objects.count() == 2


def test_stored_benefits_come_in_the_order_they_were_shown(shipped_data):
    """PostgreSQL's jsonb reorders an object's keys: the stored page and a reload sort them back."""
    from carteblanche.rights.openfisca_adapter import GROUPS
    from carteblanche.rights.selectors import stored_benefits

    shown = [b.code for group in GROUPS for b in group]
    benefits = {code: {"code": code, "amount": 1.0, "eligible": True} for code in sorted(shown, reverse=True)}
    simulation = Simulation.objects.create(month="2026-10", inputs={}, outputs={"benefits": benefits})
    simulation.refresh_from_db()
    assert [b["code"] for b in stored_benefits(simulation)] == shown
