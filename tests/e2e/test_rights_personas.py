"""Sarah's, Martine's and Kevin's rights questionnaires in Chromium: likely rights, how to claim, accessible."""

import pytest

from tests.conftest import E2E_RIGHTS_TIMEOUT_S, assert_accessible

pytestmark = pytest.mark.e2e


def _foyer(page, base, *, commune, birth, couple="Non, je vis seul(e)", children="0"):
    page.goto(f"{base}/droits/")
    assert_accessible(page)
    page.get_by_role("link", name="Commencer").click()
    page.get_by_label("Votre commune").fill(commune)
    page.get_by_label("Votre date de naissance").fill(birth)
    page.get_by_label(couple).check(force=True)
    page.get_by_label("Combien d'enfants").fill(children)
    page.get_by_role("button", name="Continuer").click()


def _precisions(page, *, widowed: str, licence: str | None = None, ass: str | None = None):
    """The "Quelques précisions" step: only the questions that can change a result are there."""
    page.get_by_role("heading", name="Quelques précisions").wait_for()
    page.locator("fieldset", has_text="décédé").get_by_label(widowed, exact=True).check(force=True)
    if licence:
        page.locator("fieldset", has_text="permis de conduire").get_by_label(licence, exact=True).check(force=True)
    if ass:
        page.locator("fieldset", has_text="au moins 5 ans").get_by_label(ass, exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()


def _results(page):
    page.get_by_role("link", name="Voir mes droits").click()
    page.get_by_role("heading", name="Comment les demander").wait_for(timeout=E2E_RIGHTS_TIMEOUT_S * 1000)
    return page.inner_text("main")


def test_sarah_gets_her_likely_rights_and_how_to_claim(e2e_server, page):
    _foyer(page, e2e_server, commune="Pradines", birth="1992-05-10", children="2")
    page.get_by_label("Date de naissance de l'enfant 1").fill("2022-03-02")
    page.get_by_label("Scolarité de l'enfant 1").select_option("maternelle")
    page.get_by_label("Date de naissance de l'enfant 2").fill("2017-06-20")
    page.get_by_label("Scolarité de l'enfant 2").select_option("primaire")
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)
    page.get_by_label("Je travaille").check(force=True)
    page.get_by_label("Salaire net par mois").fill("900")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Locataire d'un logement vide").check(force=True)
    page.get_by_label("Loyer par mois").fill("520")
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)
    _precisions(page, widowed="Non")
    page.get_by_role("button", name="Continuer").click()  # no benefit received yet
    assert_accessible(page)  # recap
    text = _results(page)
    for label in ("Aide au logement", "Prime d'activité", "Allocations familiales", "Allocation de soutien familial"):
        assert label in text
    assert "pas encore demandée" in text.lower()
    assert page.get_by_role("link", name="Être accompagné(e) pour Prime d'activité").count() == 1
    assert "caf.fr" in page.content()
    assert_accessible(page)
    # She reloads the page (or comes back to it): the same rights, from the same stored simulation.
    reference = page.get_by_text("Référence :").inner_text()
    page.reload()
    page.get_by_role("heading", name="Comment les demander").wait_for(timeout=E2E_RIGHTS_TIMEOUT_S * 1000)
    assert page.inner_text("main") == text
    assert page.get_by_text("Référence :").inner_text() == reference


def test_martine_gets_aspa_css_and_energy_cheque(e2e_server, page):
    _foyer(page, e2e_server, commune="Cieurac", birth="1948-02-14")
    page.get_by_label("Je suis à la retraite").check(force=True)
    page.get_by_label("Retraite ou pension par mois").fill("820")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Propriétaire").check(force=True)
    page.locator("fieldset", has_text="Dépendez-vous de la MSA").get_by_label("Oui").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)  # the précisions step: she lives alone, so the réversion question
    _precisions(page, widowed="Oui")
    page.get_by_role("button", name="Continuer").click()
    text = _results(page)
    assert "minimum vieillesse" in text
    assert "Complémentaire santé solidaire" in text
    assert "Chèque énergie" in text
    assert "MSA" in text  # her ASPA is paid by the farm scheme
    assert_accessible(page)
    page.get_by_role("link", name="Version à imprimer ou à garder").click()
    assert "minimum vieillesse" in page.inner_text("main")
    assert "Pension de réversion" in page.inner_text("main")  # also on the printable page


def test_martine_sees_the_pension_de_reversion_and_where_to_claim_it(e2e_server, page):
    _foyer(page, e2e_server, commune="Cieurac", birth="1948-02-14")
    page.get_by_label("Je suis à la retraite").check(force=True)
    page.get_by_label("Retraite ou pension par mois").fill("820")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Propriétaire").check(force=True)
    page.locator("fieldset", has_text="Dépendez-vous de la MSA").get_by_label("Oui").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    _precisions(page, widowed="Oui")
    page.get_by_role("button", name="Continuer").click()
    text = _results(page)
    card = page.locator("[data-right='pension-de-reversion']")
    assert card.count() == 1
    card_text = card.inner_text()
    assert "Pension de réversion" in card_text
    assert "dépend de la retraite de votre conjoint(e) décédé(e)" in card_text  # no invented amount
    assert "info-retraite.fr" in card_text and "3960" in card_text and "MSA" in card_text
    assert "Pension de réversion" in text
    assert_accessible(page)
    accompanied = card.get_by_role("link", name="Être accompagné(e) pour Pension de réversion")
    request_url = accompanied.get_attribute("href")
    assert "droit=pension-de-reversion" in request_url
    card.get_by_role("link", name="Où se faire aider près de chez vous").click()
    page.wait_for_load_state()
    assert "Cieurac" in page.inner_text("main")
    assert_accessible(page)
    # She can also ask a France Services agent to make the request with her, as for a computed benefit.
    page.goto(e2e_server + request_url)
    assert "Votre demande : Pension de réversion" in page.inner_text("main")
    assert_accessible(page)


def test_kevin_sees_what_a_23_year_old_without_licence_may_get(e2e_server, page):
    _foyer(page, e2e_server, commune="Catus", birth="2003-04-01")
    page.get_by_label("Je cherche un emploi").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Hébergé gratuitement").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    assert_accessible(page)
    _precisions(page, widowed="Non", licence="Non", ass="Non")
    page.get_by_role("button", name="Continuer").click()
    text = _results(page)
    assert "Allocation du contrat d'engagement jeune (CEJ)" in text
    assert "mission locale" in text
    assert "Aide au permis de conduire (France Travail)" in text
    assert "Permis à un euro par jour" in text
    assert "Total estimé des aides mensuelles : 0 €" not in text
    # adult-only benefits are not offered to him
    for adult_only in ("minimum vieillesse", "Revenu de solidarité active"):
        assert adult_only not in text


def test_sarah_sees_her_claim_counters_nearest_first(e2e_server, page):
    _foyer(page, e2e_server, commune="Pradines", birth="1992-05-10", children="2")
    page.get_by_label("Date de naissance de l'enfant 1").fill("2022-03-02")
    page.get_by_label("Scolarité de l'enfant 1").select_option("maternelle")
    page.get_by_label("Date de naissance de l'enfant 2").fill("2017-06-20")
    page.get_by_label("Scolarité de l'enfant 2").select_option("primaire")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Je travaille").check(force=True)
    page.get_by_label("Salaire net par mois").fill("900")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Locataire d'un logement vide").check(force=True)
    page.get_by_label("Loyer par mois").fill("520")
    page.get_by_role("button", name="Continuer").click()
    _precisions(page, widowed="Non")
    page.get_by_role("button", name="Continuer").click()
    _results(page)
    for code in ("ppa", "aide_logement"):
        block = page.locator(f".cb-claim[data-benefit='{code}']")
        places = block.locator("ol.cb-claim-places > li")
        assert places.count() >= 2
        minutes = [int(m) for m in places.evaluate_all("items => items.map(i => i.dataset.minutes)")]
        assert minutes == sorted(minutes)
        assert "dans votre commune, Pradines" in places.first.inner_text()  # the France Services bus stop
        text = block.inner_text()
        assert "PH off" not in text and "Mo," not in text
    assert "Versé automatiquement" in page.inner_text("main") or "Chèque énergie" not in page.inner_text("main")
    assert_accessible(page)
