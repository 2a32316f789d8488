"""The visitor page: situation asked once, plan and rights side by side, a procedure counted, one summary."""

import re
from datetime import date

import pytest
from django.test import Client

from carteblanche.core.models import AuditEntry
from carteblanche.desk.models import Procedure
from carteblanche.desk.selectors import procedures_per_month
from carteblanche.rights.models import Simulation

KEVIN = {
    "o-commune": "Catus",
    "o-besoin": "mission-locale-jeunes",
    "o-besoin_2": "inscription-demandeur-emploi",
    "o-ne_conduit_pas": "on",
    "o-transport_en_commun": "on",
    "o-transport_a_la_demande": "on",
    "o-numerique": "online_with_help",
    "o-telephone": "oui",
    "o-disponibilites": "",
    "o-langue": "fr",
    "foyer-birth_date": "2003-05-10",
    "foyer-couple": "no",
    "foyer-children": "0",
    "ressources-activity": "chomeur",
    "ressources-salary_net": "0",
    "ressources-unemployment_net": "0",
    "ressources-pension_gross": "0",
    "ressources-disability": "0",
    "logement-housing_status": "loge_gratuitement",
    "logement-farm_scheme": "no",
    "precisions-asked": ["ass_work_history_me", "driving_licence_me", "widowed"],
    "precisions-ass_work_history_me": "no",
    "precisions-driving_licence_me": "no",
    "precisions-widowed": "no",
}
MARTINE = {
    "o-commune": "Cieurac",
    "o-besoin": "pension-reversion",
    "o-ne_conduit_pas": "on",
    "o-conduit_par_proche": "on",
    "o-conduit_quand": "mardi 9-12",
    "o-numerique": "no_internet",
    "o-telephone": "oui",
    "o-disponibilites": "mardi 9-12",
    "o-langue": "fr",
    "foyer-birth_date": "1948-03-02",
    "foyer-couple": "no",
    "foyer-children": "0",
    "ressources-activity": "retraite",
    "ressources-salary_net": "0",
    "ressources-unemployment_net": "0",
    "ressources-pension_gross": "820",
    "ressources-disability": "0",
    "logement-housing_status": "proprietaire",
    "logement-farm_scheme": "yes",
    "precisions-asked": ["widowed"],
    "precisions-widowed": "yes",
}


def _receive(client, answers, query=""):
    response = client.post(f"/guichet/{query}", answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def test_pages_are_for_agents_only(world, client):
    assert client.get("/guichet/").status_code == 302  # to the login page
    client.force_login(world.nobody)
    assert client.get("/guichet/").status_code == 403
    client.force_login(world.agent_fs)
    body = client.get("/guichet/").content.decode()
    assert 'name="o-commune"' in body and 'name="foyer-birth_date"' in body and 'name="logement-housing_status"' in body
    assert 'name="foyer-commune"' not in body  # the commune is asked once


def test_kevin_one_screen_gives_plan_and_rights_then_a_procedure_is_counted(
    world, agent_client, shipped_data, tax_benefit_system
):
    location = _receive(agent_client, KEVIN)
    simulation = Simulation.objects.get()
    assert simulation.mode == "agent" and not simulation.error
    page = agent_client.get(location)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Le plan, le meilleur en premier" in body and "Les droits, les montants et où les demander" in body
    assert "Documents à apporter" in body
    assert "Ne conduit pas" in body  # the situation as sentences, not raw keys
    assert "does_not_drive" not in body and "{'" not in body
    assert AuditEntry.objects.filter(actor=world.agent_fs, action="read", object_id=str(simulation.pk)).exists()

    plan_id = re.search(r"/guichet/visite/([0-9a-f-]+)/", location).group(1)
    bad = agent_client.post(
        f"/guichet/visite/{plan_id}/demarche/", {"simulation": simulation.pk, "structure": world.fs.pk}
    )
    assert bad.status_code == 400 and Procedure.objects.count() == 0
    done = agent_client.post(
        f"/guichet/visite/{plan_id}/demarche/",
        {
            "simulation": simulation.pk,
            "besoin": "inscription-demandeur-emploi",
            "organisme": "France Travail",
            "quoi": "Inscription comme demandeur d'emploi faite en ligne avec lui",
            "structure": world.fs.pk,
        },
    )
    assert done.status_code == 302
    procedure = Procedure.objects.get()
    assert (procedure.structure, procedure.agent, procedure.body) == (world.fs, world.agent_fs, "France Travail")
    month = procedure.done_on.strftime("%Y-%m")
    assert procedures_per_month(structure_ids={world.fs.pk}) == [
        {
            "structure_id": world.fs.pk,
            "structure": world.fs.name,
            "theme": procedure.theme,
            "month": month,
            "count": 1,
        }
    ]
    assert procedures_per_month(structure_ids={world.carsat.pk}) == []

    printed = agent_client.get(location.replace(f"/visite/{plan_id}/", f"/visite/{plan_id}/imprimer/"))
    assert printed.status_code == 200 and "Votre synthèse" in printed.content.decode()


def test_another_agent_cannot_read_the_visit(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, KEVIN)
    other = Client()
    other.force_login(world.agent_dept)
    assert other.get(location).status_code == 404
    plan_id = re.search(r"/guichet/visite/([0-9a-f-]+)/", location).group(1)
    before = Procedure.objects.count()
    response = other.post(
        f"/guichet/visite/{plan_id}/demarche/",
        {"besoin": "rsa", "organisme": "CAF", "quoi": "x", "structure": world.dept.pk},
    )
    assert response.status_code == 404 and Procedure.objects.count() == before


def test_procedure_for_a_structure_she_does_not_work_in_is_refused(world, shipped_data):
    from django.core.exceptions import ValidationError

    from carteblanche.desk.actions import record_procedure

    with pytest.raises(ValidationError):
        record_procedure(
            actor=world.agent_fs,
            structure_id=world.carsat.pk,
            need_slug="retraite",
            body="Carsat",
            what="x",
            done_on=date(2026, 11, 3),
        )
    assert Procedure.objects.count() == 0


def test_martine_summary_names_her_pension_body_and_how_to_claim(world, agent_client, shipped_data, tax_benefit_system):
    location = _receive(agent_client, MARTINE)
    plan_id = re.search(r"/guichet/visite/([0-9a-f-]+)/", location).group(1)
    printed = agent_client.get(location.replace(f"/visite/{plan_id}/", f"/visite/{plan_id}/imprimer/"))
    body = printed.content.decode()
    assert "Votre retraite est versée par la MSA (régime agricole)" in body
    assert "Demande en ligne : https://www.info-retraite.fr" in body  # the needs catalogue's official procedure
    assert "Demander une pension de réversion" in body


def test_starting_from_a_case_prefills_and_marks_the_answers_given_online(world, agent_client, shipped_data):
    from carteblanche.core.models import Situation

    situation = Situation.objects.create(
        answers={
            "profile": {"commune_code": "46070"},
            "orientation": {
                "needs": ["pension-reversion"],
                "travel": {"does_not_drive": True},
                "digital": "no_internet",
            },
        }
    )
    from carteblanche.referrals.actions import create_case

    case = create_case(
        actor=world.agent_fs,
        structure_id=world.fs.pk,
        data={"first_name": "Martine", "last_name": "Roques", "contact_preference": "phone", "phone": "05 65 00 00 00"},
        situation=situation,
    )
    body = agent_client.get(f"/guichet/?dossier={case.pk}").content.decode()
    assert "déjà donné en ligne" in body and 'value="Cieurac"' in body
    assert AuditEntry.objects.filter(actor=world.agent_fs, action="read", object_id=str(case.pk)).exists()
    outsider = Client()
    outsider.force_login(world.agent_dept)
    assert outsider.get(f"/guichet/?dossier={case.pk}").status_code == 404


def test_the_precisions_that_can_open_a_right_are_asked_on_a_second_submit(
    world, agent_client, shipped_data, tax_benefit_system
):
    """Without JavaScript: the first submit shows the questions Martine's answers call for (widowed:
    the réversion), keeping her answers; once answered, her réversion is among her rights."""
    first = {k: v for k, v in MARTINE.items() if not k.startswith("precisions-")}
    response = agent_client.post("/guichet/", first)
    body = response.content.decode()
    assert response.status_code == 200 and Simulation.objects.count() == 0
    assert 'name="precisions-widowed"' in body and 'name="precisions-asked" value="widowed"' in body
    assert 'value="Cieurac"' in body and 'value="820' in body  # nothing lost
    location = _receive(agent_client, MARTINE)
    simulation = Simulation.objects.get()
    assert any(a["slug"] == "pension-de-reversion" for a in simulation.outputs["local_aids"])
    page = agent_client.get(location).content.decode()
    assert 'data-right="pension-de-reversion"' in page and "3960" in page
    printed = agent_client.get(location.replace("/?simulation=", "/imprimer/?simulation=")).content.decode()
    assert "Pension de réversion" in printed and "Assurance retraite au 3960" in printed
