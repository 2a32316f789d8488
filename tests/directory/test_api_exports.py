import pytest

pytestmark = pytest.mark.django_db


def test_datainclusion_export(client, offer):
    response = client.get("/api/offre/export/data-inclusion.json")
    assert response.status_code == 200
    body = response.json()
    assert "Accueil retraite de test" in {service["nom"] for service in body["services"]}
    assert offer["service"].structure.name in {structure["nom"] for structure in body["structures"]}


def test_csv_export(client, offer):
    response = client.get("/api/offre/export/offre.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "Accueil retraite de test" in response.content.decode()


def test_geojson_export(client, offer):
    response = client.get("/api/offre/export/offre.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    coordinates = [feature["geometry"]["coordinates"] for feature in body["features"]]
    assert [offer["place"].longitude, offer["place"].latitude] in coordinates
