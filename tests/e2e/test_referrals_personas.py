"""Accompaniment journeys in headless Chromium, on the demo accounts (bootstrap --demo).

Martine: the France Services agent records her situation and consent, refers her to the pension
fund (survivor's pension) and to the Département (energy help); each receiving agent accepts,
sets an appointment and closes with an outcome; her private link shows the status; she answers
the survey. Sarah: her referral to the CAF is answered by a phone call-back at 18:30, outside
her working hours. axe-core finds no serious or critical violation on these pages.
"""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Overrides the project fixture: these tests talk to a server process and need no database here."""
    yield


PASSWORD = "demo-carte-blanche-2026"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/compte/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(re.compile(r"/accompagnement/"))


def structure_of(page, base, username) -> str:
    """The demo agent's structure name, as shown on their account page."""
    login(page, base, username)
    page.goto(f"{base}/compte/")
    text = page.locator("main, #content, body").first.inner_text()
    line = next(line for line in text.splitlines() if line.startswith("Agent —"))
    return line.split("—", 1)[1].strip()


def open_case(page, base, first, last, phone, commune, availability, preference="phone"):
    page.goto(f"{base}/accompagnement/dossiers/nouveau/")
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_commune_code", commune)
    page.select_option("#id_contact_preference", preference)
    page.fill("#id_phone", phone)
    page.fill("#id_availability", availability)
    page.fill("#id_needs_note", "Besoins exprimés lors de l'accueil.")
    page.click("button:has-text('Créer le dossier')")
    page.wait_for_url(re.compile(r"/dossiers/[0-9a-f-]{36}/$"))
    return page.url


def refer(page, case_url, partner, need, method_label):
    page.goto(f"{case_url}orienter/")
    # Options read "name (commune, N km)", grouped by their part in the need: pick by name.
    option = page.locator("#id_to_structure option", has_text=partner).first
    page.select_option("#id_to_structure", value=option.get_attribute("value"))
    page.fill("#id_need_label", need)
    page.click("button:has-text('Continuer')")
    page.wait_for_url(re.compile(r"consentement/\?orientation="))
    assert page.get_by_text("partira dès que le consentement sera enregistré").is_visible()
    page.get_by_label(method_label).check(force=True)
    page.click("button:has-text('Enregistrer le consentement')")
    page.wait_for_url(re.compile(r"/orientations/[0-9a-f-]{36}/$"))
    assert page.locator("#referral-status").text_content().strip() == "envoyée"


def step(page, label, fields=None):
    form = page.locator("form.cb-transition", has=page.locator(f"button:has-text('Passer à « {label} »')"))
    for selector, value in (fields or {}).items():
        element = form.locator(selector)
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("#referral-status").text_content().strip() == label


def handle_incoming(page, base, username, person, appointment, channel, outcome, check_a11y=False):
    login(page, base, username)
    page.get_by_role("link", name=person).first.click()
    page.wait_for_url(re.compile(r"/orientations/"))
    if check_a11y:
        assert_accessible(page)
    step(page, "reçue")
    step(page, "acceptée")
    step(
        page,
        "rendez-vous fixé",
        {
            "[name='appointment_set-appointment_at']": appointment,
            "[name='appointment_set-appointment_channel']": channel,
        },
    )
    step(page, "réalisée")
    step(page, "clôturée", {"[name='closed-outcome']": outcome})


def next_working_day() -> str:
    day = date.today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def test_martine_is_referred_with_consent_and_follows_her_requests(e2e_server, page, browser):
    base = e2e_server
    carsat = structure_of(page, base, "agent.carsat")
    departement = structure_of(page, base, "agent.departement")

    login(page, base, "agent.cahors")
    assert_accessible(page)
    case_url = open_case(page, base, "Martine", "Roques", "05 65 00 00 00", "46070", "le mardi matin (voisine)")
    assert_accessible(page)
    refer(page, case_url, carsat, "pension de réversion", "formulaire papier signé")
    assert_accessible(page)
    refer(page, case_url, departement, "aide pour les factures de fioul", "formulaire papier signé")
    page.goto(case_url)
    page.click("button:has-text('Créer un lien de suivi')")
    follow_url = page.locator("#follow-link").inner_text()
    assert "/accompagnement/suivi/" in follow_url

    # The person's page before any answer.
    person = browser.new_context(locale="fr-FR").new_page()
    person.goto(follow_url)
    assert person.get_by_text("Votre demande a été transmise").count() == 2
    assert "Roques" not in person.content()

    day = next_working_day()
    handle_incoming(page, base, "agent.carsat", "Martine Roques", f"{day}T10:00", "counter", "right_opened", True)
    handle_incoming(page, base, "agent.departement", "Martine Roques", f"{day}T14:00", "home_visit", "answered")

    person.goto(follow_url)
    assert person.get_by_text("Votre demande est terminée.").count() == 2
    assert person.get_by_text("droit ouvert ou demande déposée").is_visible()
    assert_accessible(person)
    survey = person.locator("form").filter(has_text="Avez-vous eu une réponse").first
    survey.get_by_label("oui", exact=True).check(force=True)
    survey.get_by_label("très satisfait(e)").check(force=True)
    survey.get_by_label("Un commentaire ? (facultatif)").fill("On m'a bien expliqué, merci.")
    survey.locator("button").click()
    person.wait_for_load_state()
    assert person.get_by_text("Merci pour vos réponses").is_visible(), person.content()[-3000:]
    assert person.get_by_text("votre avis a été enregistré").count() == 1
    person.context.close()


def test_sarah_gets_a_call_back_after_work(e2e_server, page, browser):
    base = e2e_server
    caf = structure_of(page, base, "agent.caf")
    login(page, base, "agent.cahors")
    case_url = open_case(
        page, base, "Sarah", "Martin", "06 12 34 56 78", "46224", "après 18 h ou le samedi matin", preference="sms"
    )
    refer(page, case_url, caf, "allocation de soutien familial", "en ligne")
    page.goto(case_url)
    page.click("button:has-text('Créer un lien de suivi')")
    follow_url = page.locator("#follow-link").inner_text()

    login(page, base, "agent.caf")
    page.get_by_role("link", name="Sarah Martin").first.click()
    assert page.get_by_text("après 18 h ou le samedi matin").first.is_visible()
    step(page, "reçue")
    step(page, "acceptée")
    assert page.get_by_text("Un rappel téléphonique peut être fixé en dehors de vos heures").is_visible()
    step(
        page,
        "rendez-vous fixé",
        {
            "[name='appointment_set-appointment_at']": f"{next_working_day()}T18:30",
            "[name='appointment_set-appointment_channel']": "callback",
        },
    )
    assert "18h30" in page.locator("#appointment").inner_text()
    assert_accessible(page)

    person = browser.new_context(locale="fr-FR").new_page()
    person.goto(follow_url)
    assert person.get_by_text("Un rendez-vous est fixé.").is_visible()
    assert person.get_by_text("rappel téléphonique").is_visible()
    assert "18h30" in person.content()
    assert_accessible(person)
    person.context.close()
