"""The three chosen personas find relevant services from their commune, in a real browser.

Needs the shipped Cahors offer (load_needs, load_offer) loaded by the e2e server's bootstrap.
"""

import re

import pytest

from tests.conftest import assert_accessible

pytestmark = pytest.mark.e2e


def search(page, base_url: str, *, commune: str, need: str | None = None, text: str | None = None, age=None):
    page.goto(base_url + "/")
    page.get_by_label("Votre commune").fill(commune)
    if need:
        page.get_by_label("Votre besoin").select_option(need)
    if text:
        page.get_by_label("Ou dites-le avec vos mots").fill(text)
    if age is not None:
        page.locator("summary", has_text="Affiner").click()
        page.get_by_label("Votre âge").fill(str(age))
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/recherche/"))


def results_text(page) -> str:
    return page.locator("main").inner_text()


def test_martine_finds_where_to_claim_a_survivors_pension_from_cieurac(e2e_server, page):
    page.goto(e2e_server + "/")
    assert_accessible(page)
    search(page, e2e_server, commune="Cieurac", text="je dois faire la demande de réversion")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "réversion" in heading and "Cieurac" in heading
    text = results_text(page)
    assert re.search(r"Assurance retraite|MSA|France Services", text)
    assert "Prochaine ouverture" in text or "Prochain passage" in text
    # No car: the itinerant France Services bus stops in her commune, and a phone line exists.
    assert "Dans votre commune, Cieurac" in text
    assert page.get_by_role("heading", name=re.compile(r"Sans vous déplacer \([1-9]")).is_visible()
    assert_accessible(page)
    page.locator("article h3 a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+/"))
    assert page.get_by_role("heading", name="Comment y accéder").is_visible()
    assert page.get_by_role("button", name="Imprimer").is_visible()
    assert_accessible(page)


def test_martine_sees_the_pension_line_first_and_reports_outdated_hours(e2e_server, phone_page):
    """The summary puts the pension fund's own line first; a reader can say a record is wrong."""
    page = phone_page
    search(page, e2e_server, commune="Cieurac", need="pension-reversion")
    summary = page.locator(".cb-highlights").inner_text()
    assert "Sans vous déplacer : Assurance retraite" in summary and "3960" in summary
    assert "Le plus près : " in summary
    page.locator(".cb-highlights a", has_text="Assurance retraite").click()
    assert page.url.split("#", 1)[1].startswith("distance-")
    page.locator("article h3 a", has_text="France Services").first.click()
    page.wait_for_url(re.compile(r"/services/\d+/"))
    page.get_by_role("link", name="Signaler une information inexacte").click()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer le signalement").click()  # nothing chosen: say what is missing
    assert page.get_by_text("Ce champ est obligatoire").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Les horaires").check(force=True)
    page.get_by_label("Qu'avez-vous constaté ?").fill("Fermé le mercredi depuis septembre.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    assert page.get_by_text("Merci, votre signalement est transmis").is_visible()
    assert_accessible(page)


def test_kevin_finds_job_seeker_registration_and_the_mission_locale_from_catus_on_his_phone(e2e_server, phone_page):
    page = phone_page
    search(page, e2e_server, commune="Catus", need="inscription-demandeur-emploi", age=23)
    text = results_text(page)
    assert "France Travail" in text
    assert page.get_by_role("heading", name=re.compile(r"Sans vous déplacer \([1-9]")).is_visible()
    assert_accessible(page)
    # The page fits a small screen: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    search(page, e2e_server, commune="Catus", need="mission-locale-jeunes", age=23)
    assert re.search(r"[Mm]ission locale", results_text(page))


def test_sarah_finds_the_caf_from_pradines(e2e_server, page):
    search(page, e2e_server, commune="Pradines", text="les aides de la CAF")
    text = results_text(page)
    assert "Pradines" in page.get_by_role("heading", level=1).inner_text()
    assert "CAF" in text
    assert re.search(r"Prochaine ouverture|Horaires non communiqués", text)
    assert_accessible(page)


def test_commune_autocomplete_and_unknown_commune(e2e_server, page):
    page.goto(e2e_server + "/")
    field = page.get_by_label("Votre commune")
    field.fill("cieur")
    page.wait_for_function("document.querySelectorAll('#communes-suggestions option').length > 0")
    options = page.locator("#communes-suggestions option").evaluate_all("nodes => nodes.map(n => n.value)")
    assert "Cieurac (46230)" in options
    field.fill("Cahorss")
    page.get_by_role("button", name="Rechercher").click()
    assert "Vouliez-vous dire" in results_text(page)
    assert_accessible(page)
    page.get_by_role("link", name="Cahors (Lot, 46000)").click()
    assert "Cahors" in page.get_by_role("heading", level=1).inner_text()


def test_search_works_without_javascript(e2e_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        search(page, e2e_server, commune="cieurac", need="pension-reversion")
        assert "Cieurac" in page.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()
