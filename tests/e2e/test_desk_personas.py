"""The desk (/guichet/) in headless Chromium, on the demo accounts (bootstrap --demo).

Kevin at France Services Catus: one screen gives his plan and his rights; the agent opens his file
from the visit, records his consent, books a call-back with the Mission locale inside his
availability, records a mandate for his France Travail registration, records the procedure done
under it (journaled with the mandate) and prints the summary. Martine, received in the France
Services bus at Cieurac, leaves with a one-page summary naming her pension body and how her
survivor's pension claim is made. axe-core on every desk page visited.
"""

import re

import pytest

from tests.conftest import E2E_RIGHTS_TIMEOUT_S, assert_accessible
from tests.desk.test_visitor import KEVIN, MARTINE
from tests.e2e.test_referrals_personas import login, structure_of

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Overrides the project fixture: these tests talk to a server process and need no database here."""
    yield


def _answer(page, answers: dict) -> None:
    """Fill the visitor form as an agent would, field by field (no JavaScript needed by the form)."""
    for name, value in answers.items():
        if name == "precisions-asked":
            continue
        fields = page.locator(f"[name='{name}']")
        if fields.count() == 0:
            continue  # a question that appears only after the first submit
        kind = fields.first.evaluate("e => e.tagName === 'SELECT' ? 'select' : (e.type || 'text')")
        if kind == "select":
            fields.first.select_option(value)
        elif kind == "radio":
            page.locator(f"[name='{name}'][value='{value}']").check(force=True)
        elif kind == "checkbox":
            page.locator(f"[name='{name}']").first.check(force=True)
        elif kind != "hidden":
            fields.first.fill(value)


def _receive(page, base, answers: dict) -> str:
    page.goto(f"{base}/guichet/")
    assert_accessible(page)
    _answer(page, answers)
    page.click("button:has-text('Voir le plan et les droits')")
    page.wait_for_load_state()
    # The answers call for "Quelques précisions" (widowed, licence…): asked on a second submit.
    page.get_by_role("heading", name="Quelques questions en plus").wait_for()
    assert_accessible(page)
    _answer(page, {k: v for k, v in answers.items() if k.startswith("precisions-")})
    page.click("button:has-text('Voir le plan et les droits')")
    page.get_by_role("heading", name="Le plan, le meilleur en premier").wait_for(timeout=E2E_RIGHTS_TIMEOUT_S * 1000)
    assert "/guichet/visite/" in page.url
    return page.url


def test_kevin_is_received_at_catus_booked_mandated_and_leaves_with_a_summary(e2e_server, page):
    base = e2e_server
    mission_locale = structure_of(page, base, "agent.missionlocale")
    page.goto(f"{base}/rendez-vous/creneaux/")
    page.select_option("#id_hours-kind", "callback")
    page.fill("#id_hours-rule", "Tu,Th 09:00-12:00")
    page.click("button:has-text('Publier les créneaux')")
    page.get_by_text("créneau(x) publié(s)").wait_for()

    login(page, base, "agent.catus")
    visit_url = _receive(page, base, KEVIN)
    main = page.inner_text("main")
    assert "Allocation du contrat d'engagement jeune (CEJ)" in main  # his rights…
    assert "Aide au permis de conduire (France Travail)" in main  # …for his age, without a licence
    assert "minimum vieillesse" not in main
    assert "Mission locale" in main  # …and his plan
    assert_accessible(page)

    # "Modifier les réponses" keeps what he said.
    page.click("a:has-text('Modifier les réponses')")
    assert page.input_value("[name='o-commune']") == "Catus"
    assert page.input_value("[name='foyer-birth_date']") == KEVIN["foyer-birth_date"]
    assert_accessible(page)
    page.goto(visit_url)

    # His case file, opened from the visit, brings the agent back to it.
    page.click("a:has-text('Ouvrir un dossier')")
    page.fill("#id_first_name", "Kevin")
    page.fill("#id_last_name", "Lacoste")
    page.select_option("#id_contact_preference", "sms")
    page.fill("#id_phone", "06 12 34 56 78")
    page.fill("#id_availability", "mardi matin")
    assert_accessible(page)
    page.click("button:has-text('Créer le dossier')")
    page.get_by_role("heading", name="Agir pour Kevin Lacoste").wait_for()
    visit_url = page.url
    assert "/guichet/visite/" in visit_url
    assert_accessible(page)

    page.click("a:has-text('Recueillir un consentement')")
    page.select_option("#id_recipient", label=mission_locale)
    page.fill("#id_purpose", "rappel par la Mission locale")
    page.get_by_label("formulaire papier signé").check(force=True)
    page.click("button:has-text('Enregistrer le consentement')")
    page.get_by_text("Consentement enregistré").wait_for()

    page.goto(visit_url)
    page.click("a:has-text('Réserver un rendez-vous ou un rappel')")
    page.select_option("#structure", label=mission_locale)
    page.click("button:has-text('Voir les créneaux libres')")
    page.get_by_text("Seuls les créneaux compris dans les disponibilités").wait_for()
    labels = page.locator("input[name='slot'] + label").all_inner_texts()
    assert labels and all(label.startswith("mardi") for label in labels)  # inside his availability
    assert_accessible(page)
    page.locator("input[name='slot']").first.check(force=True)
    page.get_by_label("SMS").check(force=True)
    page.click("button:has-text('Réserver')")
    page.get_by_text(f"avec {mission_locale}").first.wait_for()

    page.goto(visit_url)
    assert f"avec {mission_locale}" in page.inner_text("main")  # the booking, seen from the desk
    page.click("a:has-text('Enregistrer un mandat')")
    page.get_by_label("travail (dont inscription à France Travail)").check(force=True)
    page.get_by_label("un mois").check(force=True)
    page.get_by_label("mandat papier signé (conservé par la structure)").check(force=True)
    assert_accessible(page)
    page.click("button:has-text('Enregistrer le mandat')")
    page.wait_for_url(re.compile(r"/mandats/\d+/$"))
    mandate_no = page.url.rstrip("/").rsplit("/", 1)[1]

    # The procedure done under the mandate: counted for France Services and journaled with the mandate.
    page.goto(visit_url)
    page.select_option("[name='besoin']", "inscription-demandeur-emploi")
    page.fill("[name='organisme']", "France Travail")
    page.fill("[name='quoi']", "Inscription à France Travail faite pour lui")
    page.select_option("[name='mandat']", f"{mandate_no}:travail")
    page.click("button:has-text('Enregistrer la démarche')")
    page.get_by_text("Démarche enregistrée, et inscrite au journal du mandat.").wait_for()
    assert_accessible(page)

    page.click("a:has-text('Imprimer la synthèse pour la personne')")
    page.get_by_role("heading", name="Votre synthèse").wait_for()
    summary = page.inner_text("main")
    assert "Mission locale" in summary and "Allocation du contrat d'engagement jeune (CEJ)" in summary
    assert "Lacoste" not in summary  # the summary is for the person: no file data on it
    assert_accessible(page)


def test_martine_leaves_the_bus_with_a_summary_naming_her_pension_body(e2e_server, page):
    base = e2e_server
    login(page, base, "agent.cahors")  # the France Services bus of the Grand Cahors
    _receive(page, base, MARTINE)
    main = page.inner_text("main")
    assert "organisme de la personne : MSA" in main
    assert_accessible(page)
    page.click("a:has-text('Imprimer la synthèse pour la personne')")
    page.get_by_role("heading", name="Votre synthèse").wait_for()
    summary = page.inner_text("main")
    assert "Votre retraite est versée par la MSA (régime agricole)" in summary
    assert "Pension de réversion" in summary
    assert "Une seule demande pour tous les régimes" in summary and "l'Assurance retraite au 3960" in summary
    assert "info-retraite.fr" in summary
    assert_accessible(page)
