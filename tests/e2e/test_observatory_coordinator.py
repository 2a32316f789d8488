"""The territory coordinator's observatory journey in headless Chromium (demo accounts, bootstrap --demo,
which also computes the indicators once): the promises, the reach map without a car, the communes left
out, a promise with its live value and trend, the CSV download; axe-core finds no serious or critical
violation; the pages work without JavaScript and print."""

import csv
import io
import re

import pytest

from tests.conftest import assert_accessible

pytestmark = pytest.mark.e2e
PASSWORD = "demo-carte-blanche-2026"


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Overrides the project fixture: these tests talk to a server process and need no database here."""
    yield


def login_coordinator(page, base):
    page.context.clear_cookies()
    page.goto(f"{base}/compte/connexion/")
    page.fill("#id_username", "coordinateur")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Se connecter')")
    page.wait_for_url(lambda url: "/compte/connexion/" not in url)


def test_coordinator_reads_reach_without_a_car_and_a_promise(e2e_server, page):
    login_coordinator(page, e2e_server)
    page.goto(f"{e2e_server}/observatoire/")
    assert page.locator("h1").inner_text().startswith("Observatoire")
    assert page.get_by_text("Orientations bloquées").count() == 1  # the coordinator's part of the page
    assert_accessible(page)

    page.get_by_role("link", name="Accès aux services").first.click()
    page.select_option("#famille", "retraite")
    page.select_option("#profil", "sans-voiture-sans-internet")
    page.select_option("#seuil", "20")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"famille=retraite"))
    assert page.locator("figure svg path").count() > 50  # one shape per commune (and patterns)
    left_out = page.locator("#laissees-de-cote")
    assert left_out.count() == 1
    assert re.search(r"\(\d+\)", left_out.inner_text())
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    content = download_info.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 85 and {"Cieurac", "Lherm"} <= {row["commune"] for row in rows}

    page.goto(f"{e2e_server}/observatoire/")
    page.get_by_role("link", name=re.compile("Chaque habitant sans voiture et sans internet")).click()
    page.wait_for_url(re.compile(r"/observatoire/promesses/"))
    table = page.locator("table").first.inner_text()
    assert "%" in table  # its live value
    assert page.get_by_text("Évolution mois par mois").count() == 1
    assert_accessible(page)

    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()


def test_observatory_works_without_javascript(e2e_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(f"{e2e_server}/observatoire/acces/?famille=retraite&profil=sans-voiture&seuil=30")
    assert page.locator("figure svg").count() >= 1
    assert page.locator("table").count() >= 2
    page.select_option("#seuil", "10")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"seuil=10"))
    context.close()
