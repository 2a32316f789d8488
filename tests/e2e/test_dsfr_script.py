"""With JavaScript, the DSFR slice's script starts without error and the phone menu opens (and closes)."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_dsfr_script_runs_and_the_phone_menu_opens(e2e_server, phone_page):
    page = phone_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{e2e_server}/")
    page.wait_for_function("document.documentElement.hasAttribute('data-fr-js')")
    nav = page.get_by_role("navigation", name="Menu principal")
    assert not nav.get_by_role("link", name="Mes droits").is_visible()  # folded behind the button
    page.get_by_role("button", name="Menu").click()
    nav.get_by_role("link", name="Mes droits").wait_for(state="visible")
    page.get_by_role("button", name="Fermer").click()
    nav.get_by_role("link", name="Mes droits").wait_for(state="hidden")
    assert errors == []
