"""The questionnaire: short steps, answers stored once in the shared situation, streamed results."""

from html import unescape

import pytest

from carteblanche.core.models import Situation
from carteblanche.rights.models import Simulation

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at:UserWarning")]


def _sarah(client) -> None:
    steps = [
        ("foyer", {"commune": "Pradines", "birth_date": "1992-05-10", "couple": "no", "children": "2"}),
        (
            "personnes",
            {
                "child_1_birth_date": "2022-03-02",
                "child_1_schooling": "maternelle",
                "child_2_birth_date": "2017-06-20",
                "child_2_schooling": "primaire",
            },
        ),
        ("ressources", {"activity": "actif", "salary_net": "900", "same_every_month": "yes", "disability": "0"}),
        ("logement", {"housing_status": "locataire_vide", "rent": "520", "farm_scheme": "no", "child_support": "no"}),
        ("aides", {"received": ["af"]}),
    ]
    for step, data in steps:
        response = client.post(f"/droits/questions/{step}/", data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def test_sarah_answers_are_stored_once_in_the_shared_situation(client, shipped_data):
    _sarah(client)
    situation = Situation.objects.get()
    assert situation.section("profile") == {"commune_code": "46224", "birth_date": "1992-05-10"}
    household = situation.section("household")
    assert household["commune_code"] == "46224"
    assert [p["relation"] for p in household["persons"]] == ["demandeur", "enfant", "enfant"]
    assert household["benefits_received"] == ["af"]
    recap = client.get("/droits/recapitulatif/")
    assert "Pradines" in recap.content.decode()
    assert "Voir mes droits" in recap.content.decode()


def test_results_stream_the_likely_rights_and_how_to_claim(client, shipped_data, tax_benefit_system):
    _sarah(client)
    response = client.get("/droits/resultats/")
    assert response.streaming
    html = unescape(b"".join(response.streaming_content).decode())
    for label in ("Aide au logement", "Prime d'activité", "Allocations familiales", "Allocation de soutien familial"):
        assert label in html
    assert "Comment les demander" in html
    assert "Vous la recevez déjà" in html  # AF was ticked as received
    assert "Être accompagné(e) pour Prime d'activité" in html
    assert "Être accompagné(e) pour Allocations familiales" not in html
    simulation = Simulation.objects.get()
    assert simulation.situation == Situation.objects.get()
    assert simulation.outputs["benefits"]["ppa"]["amount"] > 0
    # the printable stored page is visible to the same browser session
    assert client.get(f"/droits/simulation/{simulation.pk}/").status_code == 200


def test_go_back_and_change_an_answer(client, shipped_data):
    _sarah(client)
    page = client.get("/droits/questions/logement/?retour=recap").content.decode()
    assert 'value="520' in page  # the previous answer is shown
    response = client.post(
        "/droits/questions/logement/",
        {
            "housing_status": "locataire_hlm",
            "rent": "480",
            "farm_scheme": "no",
            "child_support": "no",
            "return": "recap",
        },
    )
    assert response["Location"].endswith("/droits/recapitulatif/")
    assert Situation.objects.get().section("household")["rent"] == 480


def test_step_errors_are_shown_on_the_field(client, shipped_data):
    client.post(
        "/droits/questions/foyer/", {"commune": "Pradines", "birth_date": "1992-05-10", "couple": "no", "children": "0"}
    )
    response = client.post(
        "/droits/questions/ressources/", {"activity": "actif", "salary_net": "-5", "disability": "0"}
    )
    assert response.status_code == 200
    assert "Un montant ne peut pas être négatif." in response.content.decode()
    response = client.post(
        "/droits/questions/logement/", {"housing_status": "proprietaire", "rent": "300", "farm_scheme": "no"}
    )
    assert "choisissez un statut de locataire" in response.content.decode()
    response = client.post(
        "/droits/questions/foyer/", {"commune": "Zzzzqx", "birth_date": "2090-01-01", "couple": "no", "children": "0"}
    )
    body = response.content.decode()
    assert "Commune introuvable" in body or "dans le futur" in body


def test_agent_mode_needs_login_and_records_the_agent(client, django_user_model, shipped_data, tax_benefit_system):
    from carteblanche.core.models import AuditEntry

    assert client.get("/droits/agent/").status_code == 302  # to the login page
    agent = django_user_model.objects.create_user("agent-droits", password="a-long-password-123")
    client.force_login(agent)
    assert client.get("/droits/agent/")["Location"].endswith("/droits/questions/foyer/")
    _sarah(client)
    b"".join(client.get("/droits/resultats/").streaming_content)
    simulation = Simulation.objects.get()
    assert (simulation.mode, simulation.created_by) == ("agent", agent)
    assert client.get(f"/droits/simulation/{simulation.pk}/").status_code == 200
    assert AuditEntry.objects.filter(actor=agent, action="read", object_id=str(simulation.pk)).exists()
