"""The pages keep their Content-Security-Policy in a real browser (issue 14, finding 12).

The persona tests bypass the CSP for their tools (axe-core, string predicates); here a context
that enforces it visits the main pages with JavaScript on, uses their scripts (commune
autocomplete, orientation form, login, the API docs) and fails on any refusal the browser reports.
"""

import re

import pytest

from tests.conftest import watch_csp

pytestmark = pytest.mark.e2e


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(15_000)
    refusals = watch_csp(page)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    yield page, refusals
    context.close()


def test_the_watch_sees_a_refusal(e2e_server, strict_page):
    """The check can fail: an inline style added to a page is refused and reported."""
    page, refusals = strict_page
    page.goto(f"{e2e_server}/compte/connexion/")
    page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'body{}'; document.head.append(s); }"
    )
    page.wait_for_timeout(300)
    assert any("style" in refusal for refusal in refusals), refusals


def test_main_pages_run_under_the_csp(e2e_server, strict_page):
    page, refusals = strict_page
    page.goto(f"{e2e_server}/")
    page.get_by_label("Votre commune").fill("cieur")
    page.wait_for_timeout(800)  # the autocomplete fetches suggestions (connect-src 'self')
    page.get_by_label("Votre commune").fill("Cieurac")
    page.get_by_label("Votre besoin").select_option("pension-reversion")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/recherche/"))
    page.locator("article h3 a").first.click()
    page.wait_for_url(re.compile(r"/services/\d+/"))
    for path in ("/orientation/", "/droits/", "/demarches/", "/accompagnement/demande/", "/observatoire/", "/api/docs"):
        page.goto(f"{e2e_server}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{e2e_server}/compte/connexion/")
    page.fill("#id_username", "agent.cahors")
    page.fill("#id_password", "demo-carte-blanche-2026")
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(re.compile(r"/accompagnement/"))
    page.goto(f"{e2e_server}/compte/")
    assert not refusals, refusals
