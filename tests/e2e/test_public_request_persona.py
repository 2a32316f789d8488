"""Sarah, on her phone, asks online to be accompanied for the prime d'activité: consent, then the follow-up link."""

import pytest

from tests.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_sarah_asks_to_be_accompanied_from_her_phone(e2e_server, phone_page):
    page = phone_page
    page.goto(f"{e2e_server}/accompagnement/demande/?droit=ppa")
    assert "Prime d'activité" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("Votre prénom ou vos initiales").fill("Sarah")
    page.get_by_label("SMS").check(force=True)
    page.get_by_label("Votre numéro, adresse e-mail ou adresse postale").fill("06 12 34 56 78")
    page.get_by_label("Votre commune").fill("Pradines")
    page.get_by_role("button", name="Continuer").click()

    page.get_by_role("heading", name="Qui recevra votre demande").wait_for()
    receiver = page.locator("#france-services-name").inner_text()
    assert "France Services" in receiver
    assert_accessible(page)
    # Without consent nothing is sent: the page says why.
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert "sans votre accord, rien n'est envoyé" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("J'accepte que mes réponses soient transmises").check(force=True)
    page.get_by_role("button", name="Envoyer ma demande").click()

    page.get_by_role("heading", name="Votre demande est envoyée").wait_for()
    assert_accessible(page)
    link = page.locator("#follow-link").get_attribute("href")
    assert "/accompagnement/suivi/" in link
    page.goto(link)
    assert "a bien été reçue par" in page.inner_text("main")
    assert_accessible(page)
