"""The questionnaire: short steps, answers stored once in the shared situation, streamed results."""

import re
from html import unescape

import pytest
from django.utils import timezone

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
        ("precisions", {"widowed": "no"}),  # she lives alone: the réversion question
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
    next_year = timezone.localdate().year + 1  # a birth date in the future whatever today is
    response = client.post(
        "/droits/questions/foyer/",
        {"commune": "Zzzzqx", "birth_date": f"{next_year}-01-01", "couple": "no", "children": "0"},
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


def _answer(client, steps) -> None:
    for step, data in steps:
        response = client.post(f"/droits/questions/{step}/", data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def _questions(client) -> set[str]:
    """The names of the fields of the "précisions" step ({} when the step is skipped)."""
    response = client.get("/droits/questions/precisions/")
    if response.status_code == 302:
        return set()
    names = set(re.findall(r'<input[^>]*name="([a-z_]+)"', response.content.decode()))
    return names - {"csrfmiddlewaretoken", "return"}


def test_details_step_asks_only_what_can_change_a_result(client, shipped_data):
    # A couple, both working, no disability: nothing to ask (no réversion, no ASS, no RSDAE, no licence aid).
    _answer(
        client,
        [
            ("foyer", {"commune": "Pradines", "birth_date": "1980-05-10", "couple": "yes", "children": "0"}),
            ("personnes", {"partner_birth_date": "1981-01-01"}),
            ("ressources", {"activity": "actif", "salary_net": "1500", "same_every_month": "yes", "disability": "0"}),
        ],
    )
    assert _questions(client) == set()
    # The partner has a 50-79 % rate, the claimant's ARE has ended: RSDAE (partner) and ASS (claimant).
    _answer(
        client,
        [
            ("ressources", {"activity": "chomeur", "unemployment_net": "0", "disability": "0"}),
            ("ressources-conjoint", {"activity": "inactif", "disability": "0.5"}),
        ],
    )
    assert _questions(client) == {"rsdae_partner", "ass_work_history_me", "driving_licence_me"}


def test_widowhood_and_licence_are_asked_of_the_people_they_concern(client, shipped_data):
    _answer(client, [("foyer", {"commune": "Cieurac", "birth_date": "1948-02-14", "couple": "no", "children": "0"})])
    _answer(client, [("ressources", {"activity": "retraite", "pension_gross": "820", "disability": "0"})])
    assert _questions(client) == {"widowed"}
    client.cookies.clear()
    _answer(client, [("foyer", {"commune": "Catus", "birth_date": "2003-04-01", "couple": "no", "children": "0"})])
    _answer(client, [("ressources", {"activity": "chomeur", "unemployment_net": "0", "disability": "0"})])
    assert _questions(client) == {"widowed", "driving_licence_me", "ass_work_history_me"}


def test_kevin_sees_the_cej_allowance_and_licence_aids(client, shipped_data, tax_benefit_system):
    _answer(
        client,
        [
            ("foyer", {"commune": "Catus", "birth_date": "2003-04-01", "couple": "no", "children": "0"}),
            ("ressources", {"activity": "chomeur", "unemployment_net": "0", "disability": "0"}),
            ("logement", {"housing_status": "loge_gratuitement", "farm_scheme": "no"}),
            ("precisions", {"widowed": "no", "driving_licence_me": "no", "ass_work_history_me": "no"}),
            ("aides", {}),
        ],
    )
    html = unescape(b"".join(client.get("/droits/resultats/").streaming_content).decode())
    assert "contrat d'engagement jeune" in html
    assert "Aide au permis de conduire (France Travail)" in html
    assert "Permis à un euro par jour" in html
    assert "Total estimé des aides mensuelles : <strong>0 €" not in html
    simulation = Simulation.objects.get()
    assert simulation.outputs["benefits"]["cej"]["amount"] > 0


def test_martine_sees_the_pension_de_reversion_and_where_to_claim_it(client, shipped_data, tax_benefit_system):
    _answer(
        client,
        [
            ("foyer", {"commune": "Cieurac", "birth_date": "1948-02-14", "couple": "no", "children": "0"}),
            ("ressources", {"activity": "retraite", "pension_gross": "820", "disability": "0"}),
            ("logement", {"housing_status": "proprietaire", "farm_scheme": "yes"}),
            ("precisions", {"widowed": "yes"}),
            ("aides", {}),
        ],
    )
    html = unescape(b"".join(client.get("/droits/resultats/").streaming_content).decode())
    assert "Pension de réversion" in html
    assert "info-retraite.fr" in html
    assert "3960" in html
    assert "/recherche/?commune=Cieurac&amp;besoin=pension-reversion" in html or "besoin=pension-reversion" in html
    assert "dépend de la retraite de votre conjoint(e) décédé(e)" in html
    # and she can ask to be accompanied for it, as for a computed benefit
    assert "/accompagnement/demande/?droit=pension-de-reversion&simulation=" in html
    assert "Être accompagné(e) pour Pension de réversion" in html


def test_unknown_answers_say_what_they_change(client, shipped_data, tax_benefit_system):
    _answer(
        client,
        [
            ("foyer", {"commune": "Cahors", "birth_date": "1968-01-01", "couple": "no", "children": "1"}),
            ("personnes", {"child_1_birth_date": "2013-01-01", "child_1_schooling": "inconnue"}),
            (
                "ressources",
                {"activity": "chomeur", "unemployment_net": "0", "disability": "0.5", "salary_net": "0"},
            ),
            (
                "logement",
                {"housing_status": "locataire_vide", "rent": "450", "rent_charges": "unknown", "farm_scheme": "no"},
            ),
            (
                "precisions",
                {"widowed": "no", "rsdae_me": "unknown", "ass_work_history_me": "unknown", "driving_licence_me": "no"},
            ),
            ("aides", {}),
        ],
    )
    html = unescape(b"".join(client.get("/droits/resultats/").streaming_content).decode())
    assert "Restriction d'accès à l'emploi non précisée" in html
    assert "l'ASS n'a pas été calculée" in html
    assert "Charges non précisées" in html
    assert "les bourses de collège et de lycée n'ont pas été calculées" in html
