"""Kevin at France Services Catus, in headless Chromium on the demo accounts (bootstrap --demo).

The Mission locale publishes call-back slots from its hours; the Catus agent opens Kevin's file
(available on Tuesday mornings), records his consent, books a call-back inside his availability,
records a mandate for his France Travail registration and the procedure done under it; Kevin's
private page lists the mandate and he revokes it. axe-core: no serious or critical violation.
"""

import re

import pytest

from tests.conftest import assert_accessible
from tests.e2e.test_referrals_personas import login, open_case, structure_of

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Overrides the project fixture: these tests talk to a server process and need no database here."""
    yield


def test_kevin_call_back_and_mandate(e2e_server, page):
    base = e2e_server
    mission_locale = structure_of(page, base, "agent.missionlocale")

    # The Mission locale publishes Tuesday and Thursday call-backs for the next two weeks.
    page.goto(f"{base}/rendez-vous/creneaux/")
    assert_accessible(page)
    page.select_option("#id_hours-kind", "callback")
    page.fill("#id_hours-rule", "Tu,Th 09:00-12:00")
    page.click("button:has-text('Publier les créneaux')")
    page.get_by_text("créneau(x) publié(s)").wait_for()

    login(page, base, "agent.catus")
    case_url = open_case(page, base, "Kevin", "Lacoste", "06 12 34 56 78", "46064", "mardi matin")
    page.goto(f"{case_url}consentement/")
    page.select_option("#id_recipient", label=mission_locale)
    page.fill("#id_purpose", "rappel par la Mission locale")
    page.get_by_label("formulaire papier signé").check(force=True)
    page.click("button:has-text('Enregistrer le consentement')")

    page.goto(f"{base}/rendez-vous/dossiers/{case_url.rstrip('/').rsplit('/', 1)[1]}/reserver/")
    page.select_option("#structure", label=mission_locale)
    page.click("button:has-text('Voir les créneaux libres')")
    page.get_by_text("Seuls les créneaux compris dans les disponibilités").wait_for()
    labels = page.locator("input[name='slot'] + label").all_inner_texts()
    assert labels and all(label.startswith("mardi") for label in labels)  # Thursday is not offered
    assert_accessible(page)
    page.locator("input[name='slot']").first.check(force=True)
    page.get_by_label("SMS").check(force=True)
    page.click("button:has-text('Réserver')")
    page.wait_for_url(re.compile(r"/accompagnement/dossiers/"))
    page.get_by_text(f"avec {mission_locale}").first.wait_for()

    page.click("a:has-text('Enregistrer un mandat')")
    page.get_by_label("travail (dont inscription à France Travail)").check(force=True)
    page.get_by_label("un mois").check(force=True)
    page.get_by_label("mandat papier signé (conservé par la structure)").check(force=True)
    page.click("button:has-text('Enregistrer le mandat')")
    page.wait_for_url(re.compile(r"/mandats/\d+/$"))
    assert_accessible(page)
    page.fill("#id_what", "inscription à France Travail")
    page.click("button:has-text('Enregistrer la démarche')")
    page.get_by_text("Démarche enregistrée au journal").wait_for()

    page.goto(case_url)
    page.click("button:has-text('Créer un lien de suivi pour la personne')")
    follow_url = page.locator("#follow-link").get_attribute("href")

    page.context.clear_cookies()
    page.goto(follow_url)
    page.get_by_role("heading", name="Mes mandats").wait_for()
    page.get_by_role("heading", name="Mes rendez-vous").wait_for()
    assert_accessible(page)
    page.click("button:has-text('Révoquer ce mandat')")
    page.get_by_text("Le mandat est révoqué").wait_for()
    assert page.locator("button:has-text('Révoquer ce mandat')").count() == 0
