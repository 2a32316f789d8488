"""The desk journey's joints: correcting answers keeps them, a case opened from the visit comes back to
it with the actions (consent, referral, booking, mandate), a procedure done under a mandate is journaled."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from carteblanche.core.models import AuditEntry
from carteblanche.desk.models import Procedure
from carteblanche.mandates import actions as mandate_actions
from carteblanche.referrals.models import CaseFile
from carteblanche.referrals.views import desk_follow_on
from carteblanche.rights.models import Simulation
from tests.desk.test_visitor import KEVIN, _receive


def _plan_id(location: str) -> str:
    return re.search(r"/guichet/visite/([0-9a-f-]+)/", location).group(1)


def test_correcting_the_answers_without_a_case_keeps_them(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, KEVIN)
    plan_id = _plan_id(location)
    result = agent_client.get(location).content.decode()
    assert f"/guichet/?visite={plan_id}" in result  # "Modifier les réponses" names the visit
    body = agent_client.get(f"/guichet/?visite={plan_id}").content.decode()
    assert 'value="Catus"' in body and 'value="2003-05-10"' in body
    assert f'name="visite" value="{plan_id}"' in body
    assert "déjà donné en ligne" not in body  # given at the desk, not online
    # Correcting reuses the visit's situation (one person, one situation).
    again = _receive(agent_client, KEVIN | {"visite": plan_id, "ressources-activity": "chomeur"})
    assert _plan_id(again) != plan_id
    assert Simulation.objects.values("situation_id").distinct().count() == 1
    # Another agent cannot use the visit to read the answers.
    other = Client()
    other.force_login(world.agent_dept)
    assert other.get(f"/guichet/?visite={plan_id}").status_code == 404
    assert other.get("/guichet/?visite=not-a-uuid").status_code == 404


def test_a_case_opened_from_the_visit_returns_to_it_with_the_actions(
    world, agent_client, shipped_data, tax_benefit_system
):
    location = _receive(agent_client, KEVIN)
    plan_id = _plan_id(location)
    result = agent_client.get(location).content.decode()
    link = re.search(r'href="/accompagnement/dossiers/nouveau/\?suite=([^"]+)"', result).group(1)
    form = agent_client.get(f"/accompagnement/dossiers/nouveau/?suite={link}").content.decode()
    follow_on = re.search(r'name="suite" value="([^"]+)"', form).group(1).replace("&amp;", "&")
    created = agent_client.post(
        "/accompagnement/dossiers/nouveau/",
        {
            "first_name": "Kevin",
            "last_name": "Lacoste",
            "contact_preference": "phone",
            "phone": "06 12 34 56 78",
            "availability": "mardi matin",
            "attach_situation": "on",
            "suite": follow_on,
        },
    )
    assert created.status_code == 302 and created["Location"].startswith(f"/guichet/visite/{plan_id}/")
    case = CaseFile.objects.get()
    page = agent_client.get(created["Location"]).content.decode()
    assert f"/rendez-vous/dossiers/{case.pk}/reserver/" in page  # booking reachable from the desk
    assert f"/mandats/dossiers/{case.pk}/nouveau/" in page
    assert f"/accompagnement/dossiers/{case.pk}/consentement/" in page
    # A reader of another structure reaches neither the visit nor its actions.
    other = Client()
    other.force_login(world.agent_carsat)
    assert other.get(created["Location"]).status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.org/guichet/visite/00000000-0000-0000-0000-000000000000/",
        "//example.org/guichet/visite/00000000-0000-0000-0000-000000000000/",
        "/accompagnement/",
        "/guichet/visite/00000000-0000-0000-0000-000000000000/?next=https://example.org",
    ],
)
def test_the_case_form_returns_only_to_a_desk_visit(raw):
    assert desk_follow_on(raw) == ""
    assert desk_follow_on("/guichet/visite/00000000-0000-0000-0000-000000000000/?simulation=") != ""


def _visit_with_case_and_mandate(world, agent_client):
    location = _receive(agent_client, KEVIN)
    saved_situation = Simulation.objects.get().situation
    case = world.case(first_name="Kevin", last_name="Lacoste")
    case.situation = saved_situation
    case.save(update_fields=["situation"])
    mandate = mandate_actions.create_mandate(
        actor=world.agent_fs, case=case, domains=["travail"], duration="1m", method="signed_paper"
    )
    return location, case, mandate


def test_a_procedure_done_under_a_mandate_is_counted_and_journaled_with_it(
    world, agent_client, shipped_data, tax_benefit_system
):
    location, case, mandate = _visit_with_case_and_mandate(world, agent_client)
    page = agent_client.get(location).content.decode()
    assert f'value="{mandate.pk}:travail"' in page
    simulation = Simulation.objects.get()
    data = {
        "simulation": simulation.pk,
        "besoin": "inscription-demandeur-emploi",
        "organisme": "France Travail",
        "quoi": "Inscription à France Travail faite pour lui",
        "structure": world.fs.pk,
        "mandat": f"{mandate.pk}:travail",
    }
    response = agent_client.post(f"/guichet/visite/{_plan_id(location)}/demarche/", data)
    assert response.status_code == 302
    procedure = Procedure.objects.get()
    assert (procedure.mandate, procedure.case) == (mandate, case)
    entry = AuditEntry.objects.get(reason=f"démarche sous mandat n° {mandate.pk}")
    assert entry.details["what"] == "Inscription à France Travail faite pour lui" and entry.actor == world.agent_fs

    # Once revoked by the person's structure, the mandate cannot be used: nothing counted, nothing journaled.
    mandate_actions.revoke_by_structure(actor=world.agent_fs, mandate_id=mandate.pk)
    refused = agent_client.post(f"/guichet/visite/{_plan_id(location)}/demarche/", data)
    assert refused.status_code == 400  # the revoked mandate is no longer offered
    assert Procedure.objects.count() == 1


def test_a_mandate_of_another_case_is_refused(world, shipped_data, tax_benefit_system, agent_client):
    from carteblanche.desk.actions import record_procedure

    _location, _case, mandate = _visit_with_case_and_mandate(world, agent_client)
    other_case = world.case(first_name="Autre", last_name="Personne")
    with pytest.raises(ValidationError) as caught:
        record_procedure(
            actor=world.agent_fs,
            structure_id=world.fs.pk,
            need_slug="inscription-demandeur-emploi",
            body="France Travail",
            what="x",
            done_on=mandate.starts_at.date(),
            case=other_case,
            mandate_id=mandate.pk,
            mandate_domain="travail",
        )
    assert "mandat" in str(caught.value)
    assert Procedure.objects.count() == 0
