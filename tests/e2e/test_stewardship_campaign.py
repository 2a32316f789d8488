"""One freshness campaign round in Chromium: the steward starts it, the structure confirms one
record and proposes a new phone number, the steward applies it, the public page shows the new
number and the date. axe on every page."""

import re
from datetime import date, datetime

import pytest

from carteblanche.territories.geo import PARIS
from tests.conftest import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "demo-carte-blanche-2026"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
NEW_PHONE = "05 65 99 12 34"


def french(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def test_one_campaign_round(e2e_server, browser):
    steward_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    steward = steward_context.new_page()
    steward.set_default_timeout(15_000)
    steward.goto(f"{e2e_server}/compte/connexion/?next=/gestion-offre/")
    steward.fill("#id_username", "gestion.offre")
    steward.fill("#id_password", PASSWORD)
    steward.click("button:has-text('Se connecter')")
    steward.wait_for_url(re.compile(r"/gestion-offre/$"))
    assert_accessible(steward)

    # 1. The steward starts a campaign for one town hall without an e-mail address.
    steward.get_by_role("link", name="Lancer une campagne").click()
    assert_accessible(steward)
    steward.get_by_label("Nom de la campagne").fill("Vérification d'essai")
    steward.get_by_label("Seulement celles cochées ci-dessous").check(force=True)
    choice = steward.locator("label", has_text=re.compile(r"^\s*Mairie .* — sans courriel\s*$")).first
    structure_name = choice.inner_text().split(" — ")[0].strip()
    choice.click()
    steward.get_by_role("button", name="Lancer la campagne").click()
    steward.get_by_role("heading", name=re.compile("Campagne lancée")).wait_for()
    assert_accessible(steward)
    link = steward.locator("a.cb-campaign-link").first.get_attribute("href")
    assert "/mise-a-jour/" in link

    # 2. The structure, without an account, confirms one record and proposes a new phone number.
    structure_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = structure_context.new_page()
    page.set_default_timeout(15_000)
    page.goto(link.replace("http://127.0.0.1:8000", e2e_server))
    page.get_by_role("heading", level=1).wait_for()
    assert structure_name in page.inner_text("h1")
    assert_accessible(page)
    other = page.locator("section[id^='service-'], section[id^='place-']").first
    other.get_by_role("button", name="Tout est exact pour cette fiche").click()
    assert "Cette fiche est confirmée" in page.inner_text("main")
    assert_accessible(page)
    own = page.locator("section[id^='structure-']")
    own.get_by_label("Téléphone").fill("05 65 99")
    own.get_by_role("button", name="Proposer ces modifications").click()
    assert "Téléphone : numéro non reconnu" in page.inner_text("main")  # a French error, nothing saved
    assert_accessible(page)
    own = page.locator("section[id^='structure-']")
    own.get_by_label("Téléphone").fill(NEW_PHONE)
    own.get_by_role("button", name="Proposer ces modifications").click()
    assert "1 modification(s) transmise(s)" in page.inner_text("main")

    # A made-up link gets a clear French page, not an error.
    page.goto(f"{e2e_server}/mise-a-jour/un-lien-invente/")
    assert "Ce lien n'est pas valide" in page.inner_text("main")
    assert_accessible(page)

    # 3. The steward applies the proposal.
    steward.goto(f"{e2e_server}/gestion-offre/propositions/")
    card = steward.locator("section.cb-proposal", has_text=structure_name).first
    assert NEW_PHONE in card.inner_text()
    assert_accessible(steward)
    public = card.locator("a.cb-public-record").get_attribute("href")
    card.get_by_role("button", name="Appliquer").click()
    assert "Modification appliquée" in steward.inner_text("main")
    assert_accessible(steward)
    structure_context.close()

    # 4. The public page of the structure shows the new number and the date it was confirmed.
    steward.goto(f"{e2e_server}{public}")
    text = steward.inner_text("main")
    assert NEW_PHONE in text
    assert f"vérifié le {french(datetime.now(PARIS).date())}" in text  # the server's day
    assert_accessible(steward)
    steward_context.close()
