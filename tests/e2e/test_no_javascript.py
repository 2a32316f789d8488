"""Without JavaScript, on a phone: the main menu is visible and every public page is reachable.

axe-core is not run here: it is injected as a script, which a page without JavaScript never runs.
"""

import pytest

from carteblanche.core.context_processors import MAIN_NAV
from tests.conftest import new_phone_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone_page_without_js(browser):
    context, page = new_phone_page(browser, java_script_enabled=False)
    yield page
    context.close()


def test_main_menu_reachable_without_javascript_on_a_phone(e2e_server, phone_page_without_js):
    page = phone_page_without_js
    for label, url in MAIN_NAV:
        page.goto(f"{e2e_server}/")
        nav = page.get_by_role("navigation", name="Menu principal")
        link = nav.get_by_role("link", name=label, exact=True)
        assert link.is_visible(), f"« {label} » is not visible without JavaScript"
        with page.expect_navigation():
            link.click()
        # "Accompagnement" is the agents' area: a visitor lands on the login page, sent back there after.
        assert page.url in (f"{e2e_server}{url}", f"{e2e_server}/compte/connexion/?next={url}"), (label, page.url)
        assert page.locator("main").is_visible()
    assert page.get_by_role("link", name="Espace agents").is_visible()
    assert not page.get_by_role("button", name="Menu").is_visible()  # a button that cannot open


def test_public_pages_show_their_menu_without_javascript(e2e_server, phone_page_without_js):
    page = phone_page_without_js
    paths = ["/", "/orientation/", "/droits/", "/accompagnement/", "/sources/", "/accessibilite/"]
    for path in paths:
        response = page.goto(f"{e2e_server}{path}")
        assert response.status == 200, path
        nav = page.get_by_role("navigation", name="Menu principal")
        for label, _url in MAIN_NAV:
            assert nav.get_by_role("link", name=label, exact=True).is_visible(), (path, label)
