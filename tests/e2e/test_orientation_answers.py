"""Issue 10 journeys in headless Chromium (axe-core on each page): Martine with a second need keeps her
pension body first or second; someone in danger at night gets the national lines first and nothing at
home; someone free only on Saturday gets no place whose hours are unknown; someone without a phone gets
nothing that needs a call."""

import re

import pytest

from tests.conftest import assert_accessible
from tests.e2e.test_orientation_personas import _fill, _options

pytestmark = pytest.mark.e2e
PENSION_BODY = re.compile(r"Assurance retraite|MSA|3960")
WEEKDAY_SLOT = re.compile(r"(lundi|mardi|mercredi|jeudi|vendredi) \d+ \w+ de \d+ h")


def test_martine_with_a_second_need_keeps_her_pension_body_first_or_second(e2e_server, page):
    _fill(
        page,
        e2e_server,
        {
            "commune": "Cieurac",
            "besoin": "pension-reversion",
            "besoin_2": "cheque-energie",
            "ne_conduit_pas": True,
            "conduit_par_proche": True,
            "conduit_quand": "mardi 9-12",
            "numerique": "no_internet",
            "telephone": "oui",
            "age": 78,
        },
    )
    options = _options(page)
    assert len(options) >= 2, page.content()[:3000]
    assert any(PENSION_BODY.search(text) for text in options[:2]), options[:2]
    assert page.locator("#cb-safety-title").count() == 0  # not an urgent need
    for text in options:
        if "Conduit(e) par un proche" in text:
            assert not WEEKDAY_SLOT.search(text.replace("mardi", "")), text  # her neighbour drives on Tuesday only
    assert_accessible(page)


def test_someone_in_danger_at_night_gets_the_national_lines_first_and_nothing_at_home(e2e_server, page):
    _fill(
        page,
        e2e_server,
        {
            "commune": "Cahors",
            "besoin": "violences-conjugales",
            "urgent": True,
            "ne_conduit_pas": True,
            "numerique": "autonomous",
            "telephone": "oui",
            "disponibilites": "lundi-dimanche 20-23",
        },
    )
    assert page.locator("h1").inner_text() == "Mon plan"
    safety = page.locator("#cb-safety-title")
    assert safety.count() == 1
    headline = safety.inner_text()
    assert "17" in headline and "24 h/24" in headline
    block = page.locator(".fr-alert--error").first.inner_text()
    for number in ("17", "112", "114", "3919"):
        assert number in block
    assert block.index("17") < block.index("3919")
    body = page.locator("main").inner_text()
    titles = page.locator("article.cb-result h2")
    if titles.count():
        assert body.index("Appelez le 17") < body.index(titles.first.inner_text())  # the lines come first
    for text in _options(page):
        assert "Visite à domicile" not in text and "chez vous au service" not in text
        assert "8 h à 19 h" not in text
    assert_accessible(page)
    page.get_by_role("link", name="Imprimer mon plan").click()
    assert "3919" in page.locator("section.option").first.inner_text()
    assert_accessible(page)


def test_someone_free_only_on_saturday_gets_no_place_with_unknown_hours(e2e_server, page):
    _fill(
        page,
        e2e_server,
        {
            "commune": "Pradines",
            "besoin": "aide-logement",
            "voiture": True,
            "numerique": "autonomous",
            "telephone": "oui",
            "disponibilites": "samedi",
            "age": 34,
        },
    )
    options = _options(page)
    assert options
    for text in options:
        assert not WEEKDAY_SLOT.search(text), text
        if "Au guichet" in text or "Permanence itinérante" in text:
            assert "Horaires à confirmer" not in text, text
    assert_accessible(page)


def test_someone_without_a_phone_gets_nothing_that_needs_a_call(e2e_server, page):
    _fill(
        page,
        e2e_server,
        {
            "commune": "Cahors",
            "besoin": "carte-vitale",
            "ne_conduit_pas": True,
            "numerique": "no_internet",
            "telephone": "non",
            "age": 81,
        },
    )
    options = _options(page)
    assert options, page.content()[:3000]
    for text in options:
        for needs_a_call in ("Par téléphone", "Être rappelé", "Visite à domicile", "Appelez le"):
            assert needs_a_call not in text, text
        assert "mobilité solidaire" not in text.lower() and "transport à la demande" not in text.lower()
    assert_accessible(page)


def test_an_error_page_shows_the_emergency_lines(e2e_server, page):
    response = page.goto(f"{e2e_server}/recherche/?commune=Zzqqxx&besoin=rsa")
    assert response.status == 404
    lines = page.locator("#cb-emergency-title").locator("xpath=..").inner_text()
    for number in ("17", "112", "114", "3919", "115", "119", "3114", "15"):
        assert number in lines
    assert_accessible(page)
