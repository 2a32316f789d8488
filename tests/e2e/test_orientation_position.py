"""Sarah lets her phone give her position: trips start there, the page says so, and stays accessible."""

import pytest

from tests.conftest import assert_accessible, new_phone_page

pytestmark = pytest.mark.e2e
PRADINES_NORTH = {"latitude": 44.4905, "longitude": 1.4089}  # a point within Pradines (commune 46224)


@pytest.fixture
def located_phone(browser):
    context, page = new_phone_page(browser, geolocation=PRADINES_NORTH, permissions=["geolocation"])
    yield page
    context.close()


def test_sarah_starts_her_trips_from_her_position(e2e_server, located_phone):
    page = located_phone
    page.goto(f"{e2e_server}/orientation/")
    button = page.get_by_role("button", name="Utiliser ma position")
    assert button.is_visible()  # shown only where JavaScript and geolocation exist
    assert_accessible(page)
    page.locator("[name=commune]").fill("Pradines")
    page.locator("[name=besoin]").select_option("allocations-familiales")
    page.locator("input[name=numerique][value=autonomous]").check(force=True)
    page.locator("input[name=telephone][value=oui]").check(force=True)
    button.click()
    status = page.locator("#cb-position-status")
    status.filter(has_text="Position enregistrée").wait_for()
    assert page.locator("#id_latitude").input_value() == "44.49050"
    page.get_by_role("button", name="Voir mon plan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mon plan"
    assert "Trajets calculés depuis votre position, à Pradines." in page.content()
    assert_accessible(page)


def test_without_javascript_the_position_block_stays_hidden(e2e_server, browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{e2e_server}/orientation/")
    assert not page.get_by_role("button", name="Utiliser ma position").is_visible()
    context.close()
