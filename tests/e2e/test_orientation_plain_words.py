"""Martine's plan in Chromium: reasons in words, one printed A4 page, sending with consent; axe on each page."""

import re

import pytest

from tests.conftest import assert_accessible
from tests.e2e.test_orientation_personas import _fill, _options

pytestmark = pytest.mark.e2e
MARTINE = {
    "commune": "Cieurac",
    "besoin": "pension-reversion",
    "besoin_2": "cheque-energie",
    "ne_conduit_pas": True,
    "conduit_par_proche": True,
    "conduit_quand": "mardi 9-12",
    "numerique": "no_internet",
    "telephone": "oui",
    "disponibilites": "mardi 9-12",
    "age": 78,
}


def test_martine_reads_why_in_words_prints_one_page_and_sends_with_consent(e2e_server, page):
    _fill(page, e2e_server, MARTINE)
    options = _options(page)
    assert len(options) == 5
    body = page.locator("main").inner_text()
    assert not re.search(r"Points :|sur 100", body)
    assert "Pourquoi ce choix" in body

    # Sending without the consent box: a French error beside the form, nothing sent.
    page.locator("input[name='sms-telephone']").fill("06 12 34 56 78")
    page.get_by_role("button", name="Envoyer par SMS").click()
    page.wait_for_load_state()
    assert "sans votre accord, rien n'est envoyé" in page.locator("main").inner_text()
    assert_accessible(page)
    # With it: sent (console backend on the e2e server).
    page.locator("input[name='sms-telephone']").fill("06 12 34 56 78")
    page.locator("input[name='sms-accord']").check(force=True)
    page.get_by_role("button", name="Envoyer par SMS").click()
    page.wait_for_load_state()
    assert re.search(r"Votre plan est parti en [123] SMS\.", page.locator("main").inner_text())
    assert_accessible(page)

    # The print page, laid out by Chromium with print media, is one A4 page.
    page.get_by_role("link", name="Imprimer mon plan").click()
    page.wait_for_load_state()
    assert page.locator("section.option").count() == 5
    assert_accessible(page)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, pages


def test_a_broken_plan_link_says_so_plainly(e2e_server, page):
    response = page.goto(f"{e2e_server}/orientation/lien/abc.1.def/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Ce lien ne marche plus"
    assert_accessible(page)
