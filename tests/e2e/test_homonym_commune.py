"""A person in Lherm (Lot) types "Lherm": orientation and rights answer for Lherm in the Lot.

Lherm in Haute-Garonne is seventeen times bigger; before one resolver served every surface,
orientation gave a plan for it with no option and rights named the CAF du Lot for it.
"""

import pytest

from tests.conftest import E2E_RIGHTS_TIMEOUT_S, assert_accessible

pytestmark = pytest.mark.e2e


def test_orientation_for_lherm_gives_a_plan_in_the_lot(e2e_server, page):
    page.goto(f"{e2e_server}/orientation/")
    page.locator("[name=commune]").fill("Lherm")
    page.locator("[name=besoin_libre]").fill("complémentaire santé")  # said in everyday words
    page.locator("input[name=numerique][value=no_internet]").check(force=True)
    page.locator("input[name=telephone][value=oui]").check(force=True)
    page.get_by_role("button", name="Voir mon plan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mon plan", page.inner_text("main")[:2000]
    main = page.inner_text("main")
    assert "Complémentaire santé solidaire" in main
    assert "Lherm" in main
    options = list(page.locator("article.cb-result").all_inner_texts())
    assert len(options) >= 3, main[:3000]  # Lherm (Haute-Garonne) had none: the offer is the Lot's
    assert "Haute-Garonne" not in main
    assert_accessible(page)


def test_orientation_asks_which_commune_for_a_shared_postcode(e2e_server, page):
    page.goto(f"{e2e_server}/orientation/")
    page.locator("[name=commune]").fill("46150")
    page.locator("[name=besoin_libre]").fill("carte vitale")
    page.get_by_role("button", name="Voir mon plan").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Le code postal 46150 est celui de plusieurs communes" in main
    assert "Lherm (Lot, 46150)" in main
    assert_accessible(page)
    page.locator("[name=commune]").fill("Lherm (Lot, 46150)")
    page.get_by_role("button", name="Voir mon plan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mon plan"


def test_rights_for_lherm_are_paid_by_the_caf_du_lot(e2e_server, page):
    page.goto(f"{e2e_server}/droits/")
    page.get_by_role("link", name="Commencer").click()
    page.get_by_label("Votre commune").fill("Lherm")
    page.get_by_label("Votre date de naissance").fill("1994-05-10")
    page.get_by_label("Non, je vis seul(e)").check(force=True)
    page.get_by_label("Combien d'enfants").fill("0")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Je travaille").check(force=True)
    page.get_by_label("Salaire net par mois").fill("900")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Locataire d'un logement vide").check(force=True)
    page.get_by_label("Loyer par mois").fill("450")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("heading", name="Quelques précisions").wait_for()  # living alone: widowhood is asked
    page.locator("fieldset", has_text="décédé").get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Continuer").click()  # no benefit received yet
    recap = page.inner_text("main")
    assert "Lherm" in recap
    page.get_by_role("link", name="Voir mes droits").click()
    page.get_by_role("heading", name="Comment les demander").wait_for(timeout=E2E_RIGHTS_TIMEOUT_S * 1000)
    text = page.inner_text("main")
    assert "Versée par la CAF du Lot" in text
    assert "Aide au logement" in text
    assert_accessible(page)
