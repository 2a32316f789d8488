"""Observatory pages, exports and open data: what each audience sees, small cells hidden."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from carteblanche.mobility.travel import MobilityContext
from carteblanche.observatory import opendata
from carteblanche.observatory.actions import compute_indicators
from carteblanche.observatory.models import IndicatorValue
from carteblanche.territories.selectors import default_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(shipped_data):
    return compute_indicators(territory=default_territory(), period=date(2026, 11, 20), context=MobilityContext())


def test_pages_show_stored_figures_without_javascript(computed, client):
    home = client.get("/observatoire/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "Chaque habitant sans voiture et sans internet" in text  # a promise
    assert "<script" not in text.split("<main", 1)[-1].split("</main>", 1)[0]
    page = client.get("/observatoire/acces/?famille=retraite&profil=sans-voiture-sans-internet&seuil=20")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "Communes laissées de côté" in body
    assert "Cieurac" in body  # every commune is in the table beside the map


def test_left_out_communes_are_the_ones_without_in_person_access(computed, client):
    period = date(2026, 11, 1)
    left = {
        v.area_name
        for v in IndicatorValue.objects.filter(
            indicator="acces", area_kind="commune", period=period, key="famille=retraite;profil=sans-voiture"
        )
        if v.extra["ways"]["10"] in ("a-distance", "aucun")
    }
    page = client.get("/observatoire/acces/?famille=retraite&profil=sans-voiture&seuil=10").content.decode()
    section = page.split('id="laissees-de-cote"', 1)[1].split("<h2", 1)[0]
    assert f"({len(left)})" in page
    for name in left:
        assert name in section


def test_bad_parameters_are_not_found_not_errors(computed, client):
    assert client.get("/observatoire/acces/?seuil=abc").status_code == 404
    assert client.get("/observatoire/acces/?famille=inconnue").status_code == 404
    assert client.get("/observatoire/promesses/inconnue/").status_code == 404
    response = client.get("/api/observatoire/indicateurs/acces?mois=2026-13")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mois"


def test_csv_and_svg_exports(computed, client):
    csv = client.get("/observatoire/acces.csv?famille=retraite&profil=voiture&seuil=30")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("code_insee,commune,population")
    assert len(lines) == 1 + default_territory().communes.count()
    svg = client.get("/observatoire/acces.svg?famille=retraite")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    data = client.get("/observatoire/donnees/fraicheur.csv")
    assert data.status_code == 200 and b"part_recente" in data.content


def test_open_data_endpoint_filters_and_describes(computed, client):
    response = client.get("/api/observatoire/indicateurs/acces?famille=retraite&profil=voiture")
    assert response.status_code == 200
    payload = response.json()
    assert payload["month"] == "2026-11"
    assert payload["rows"] and all(r["famille"] == "retraite" and r["profil"] == "voiture" for r in payload["rows"])
    assert "definition" in payload["indicator"]


def test_follow_through_is_for_agents_and_coordinator_and_hides_small_shares(shipped_data, client):
    from tests.referrals.conftest import World

    world = World()
    for _ in range(3):
        world.sent_referral(case=world.case(commune_code="46070"))
    compute_indicators(territory=default_territory(), period=timezone.localdate(), context=MobilityContext())
    assert client.get("/observatoire/suivi/").status_code == 302  # login first
    client.force_login(world.nobody)
    assert client.get("/observatoire/suivi/").status_code == 403
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    page = coordinator.get("/observatoire/suivi/").content.decode()
    assert "Toutes les orientations" in page
    assert "Mois par mois" in page and timezone.localdate().strftime("%m/%Y") in page
    home = coordinator.get("/observatoire/").content.decode()
    assert "Orientations bloquées" in home
    assert "Orientations bloquées" not in client.get("/observatoire/").content.decode()
    rows = opendata.rows("suivi-orientations", default_territory().slug, timezone.localdate().replace(day=1))
    total = next(r for r in rows if r["par"] == "tous")
    assert total["sent"] is None  # 3 referrals: under the small-cell threshold
    assert all(r["sent"] is None for r in rows)


def test_secondary_suppression_across_partners():
    from carteblanche.observatory.suppression import HIDDEN

    values = [
        IndicatorValue(
            indicator="suivi-orientations", dims={"par": "tous"}, extra={"sent": 26}, period=date(2026, 11, 1)
        ),
        IndicatorValue(
            indicator="suivi-orientations",
            dims={"par": "partenaire", "code": "1"},
            extra={"sent": 3},
            period=date(2026, 11, 1),
        ),
        IndicatorValue(
            indicator="suivi-orientations",
            dims={"par": "partenaire", "code": "2"},
            extra={"sent": 9},
            period=date(2026, 11, 1),
        ),
        IndicatorValue(
            indicator="suivi-orientations",
            dims={"par": "partenaire", "code": "3"},
            extra={"sent": 14},
            period=date(2026, 11, 1),
        ),
    ]
    rows = opendata._referrals(values)
    assert rows[0]["sent"] == 26
    assert rows[1]["sent"] is HIDDEN and rows[2]["sent"] is HIDDEN  # 26 − 14 would give 3 back otherwise
    assert rows[3]["sent"] == 14


def test_satisfaction_share_needs_five_answers():
    values = [
        IndicatorValue(
            indicator="satisfaction",
            dims={"par": "tous"},
            extra={"reponses": 4, "satisfaits": 4, "reponse_obtenue": 4},
            period=date(2026, 11, 1),
        ),
        IndicatorValue(
            indicator="satisfaction",
            dims={"par": "canal", "code": "phone"},
            extra={"reponses": 6, "satisfaits": 3, "reponse_obtenue": 6},
            period=date(2026, 11, 1) - timedelta(days=0),
        ),
    ]
    rows = opendata._satisfaction(values)
    assert rows[0]["reponses"] is None and rows[0]["part_satisfaits"] is None
    assert rows[1]["reponses"] == 6 and rows[1]["part_satisfaits"] == 0.5


def test_territory_report_is_a_pdf_naming_the_promises(computed, client):
    response = client.get("/observatoire/rapport.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert len(response.content) > 10_000


def test_charts_are_svg_images_of_their_own(computed, client):
    home = client.get("/observatoire/").content.decode()
    assert 'src="/observatoire/graphique-acces.svg' in home
    chart = client.get("/observatoire/graphique-acces.svg")
    assert chart["Content-Type"] == "image/svg+xml" and b"<script" not in chart.content
    promise = client.get("/observatoire/promesses/retraite-sans-voiture/evolution.svg")
    assert promise.status_code == 200 and promise.content.lstrip().startswith(b"<svg")


def test_the_coordinator_lands_on_the_observatory_and_agents_on_their_desk(shipped_data, client):
    from tests.referrals.conftest import PASSWORD, World

    world = World()
    response = client.post("/compte/connexion/", {"username": world.coordinator.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/observatoire/"
    agent = Client()
    response = agent.post("/compte/connexion/", {"username": world.agent_fs.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accompagnement/"
