import pytest

from tests.directory.factories import next_saturday

pytestmark = pytest.mark.django_db


def assert_error_names(response, status, field):
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body["message"]
    assert any(error["field"].split(".")[0].split("[")[0] == field for error in body["errors"]), body


# --- communes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "code"), [("cahors", "46042"), ("46000", "46042"), ("St Gery", "46268"), ("Cahors (46000)", "46042")]
)
def test_communes_lookup_is_tolerant(client, shipped_data, q, code):
    response = client.get("/api/territoires/communes", {"q": q})
    assert response.status_code == 200
    assert response.json()[0]["code"] == code


def test_communes_lookup_gives_labels_for_the_autocomplete(client, shipped_data):
    first = client.get("/api/territoires/communes", {"q": "cieurac"}).json()[0]
    assert first["label"] == "Cieurac (46230)"
    assert first["department"] == "46"
    assert first["latitude"] is not None


def test_communes_lookup_suggests_close_spellings(client, shipped_data):
    codes = [c["code"] for c in client.get("/api/territoires/communes", {"q": "Cahorss"}).json()]
    assert "46042" in codes


def test_communes_lookup_without_q_names_the_field(client, shipped_data):
    assert_error_names(client.get("/api/territoires/communes"), 422, "q")
    assert_error_names(client.get("/api/territoires/communes", {"q": "a", "limit": "0"}), 422, "limit")


def test_commune_by_code_and_unknown_code_with_suggestions(client, shipped_data):
    assert client.get("/api/territoires/communes/46064").json()["name"] == "Catus"
    response = client.get("/api/territoires/communes/46000")
    assert_error_names(response, 404, "code")
    assert [c["code"] for c in response.json()["suggestions"]] == ["46042"]


# --- needs ---------------------------------------------------------------------------------


def test_needs_catalogue_and_one_need(client, offer):
    slugs = [need["slug"] for need in client.get("/api/offre/besoins").json()]
    assert offer["need"].slug in slugs
    one = client.get(f"/api/offre/besoins/{offer['need'].slug}").json()
    assert one["thematiques"] == offer["need"].thematiques
    assert_error_names(client.get("/api/offre/besoins/nope"), 404, "slug")


# --- search --------------------------------------------------------------------------------


def test_search_returns_nearby_remote_and_stops(client, offer):
    response = client.get("/api/offre/services", {"commune": "Cieurac", "besoin": offer["need"].slug})
    assert response.status_code == 200
    body = response.json()
    assert body["commune"]["code"] == "46070"
    assert body["need"]["slug"] == offer["need"].slug
    nearby = {result["service"]["name"]: result for result in body["nearby"]}
    assert nearby["Bus de test"]["stops"][0]["in_commune"] is True
    assert nearby["Bus de test"]["stops"][0]["next_visit"]["start"]
    cahors = nearby["Accueil retraite de test"]
    assert 10 < cahors["distance_km"] < 16
    assert cahors["place"]["commune_code"] == "46042"
    assert cahors["next_opening"] is not None
    unknown = nearby["Permanence sans horaires"]
    assert unknown["place"]["address"] is None
    assert unknown["place"]["opening_hours"] is None
    assert unknown["hours_known"] is False
    assert unknown["place"]["position_approximate"] is True
    assert [r["service"]["name"] for r in body["remote"]] == ["Ligne retraite de test"]
    assert body["remote"][0]["channels"][0]["phone"] == "3960"


def test_search_filters_like_the_page(client, offer):
    params = {"commune": "46042", "besoin": offer["need"].slug, "canal": ["phone"], "age": "78"}
    body = client.get("/api/offre/services", params).json()
    assert body["nearby"] == []
    assert [r["service"]["name"] for r in body["remote"]] == ["Ligne retraite de test"]
    body = client.get(
        "/api/offre/services", {"commune": "46042", "besoin": offer["need"].slug, "ouvert_le": next_saturday()}
    ).json()
    assert body["nearby"] == []
    assert body["remote"] == []  # the phone line's hours are not known either
    assert body["excluded"]["unknown_hours"] == 2


def test_search_with_free_text(client, offer):
    body = client.get("/api/offre/services", {"commune": "Cahors", "texte": "zorglub pension"}).json()
    assert body["need"]["slug"] == offer["need"].slug
    assert body["matched_needs"][0]["slug"] == offer["need"].slug


def test_search_unknown_commune_is_404_with_suggestions(client, offer):
    response = client.get("/api/offre/services", {"commune": "Cahorss", "besoin": offer["need"].slug})
    assert_error_names(response, 404, "commune")
    assert "46042" in [c["code"] for c in response.json()["suggestions"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "commune"),
        ({"commune": "Cahors", "besoin": "nope"}, "besoin"),
        ({"commune": "Cahors", "canal": "pigeon"}, "canal"),
        ({"commune": "Cahors", "ouvert_le": "2026-02-31"}, "ouvert_le"),
        ({"commune": "Cahors", "ouvert_le": "9999-12-31"}, "ouvert_le"),
        ({"commune": "Cahors", "age": "-1"}, "age"),
        ({"commune": "Cahors", "age": "deux"}, "age"),
        ({"commune": "Cahors", "langue": "klingon"}, "langue"),
        ({"commune": "Cahors", "accessible": "peut-etre"}, "accessible"),
        ({"commune": "Cahors", "limite": "1000"}, "limite"),
    ],
)
def test_search_bad_values_are_422_naming_the_field(client, shipped_data, params, field):
    assert_error_names(client.get("/api/offre/services", params), 422, field)


# --- details -------------------------------------------------------------------------------


def test_service_place_structure_details(client, offer):
    service = client.get(f"/api/offre/services/{offer['service'].id}").json()
    assert service["service"]["documents"] == ["Pièce d'identité"]
    assert len(service["channels"][0]["week"]) == 7
    place = client.get(f"/api/offre/lieux/{offer['unknown'].id}").json()
    assert place["hours_known"] is False and place["week"] == []
    assert [s["name"] for s in place["services"]] == ["Permanence sans horaires"]
    structure = client.get(f"/api/offre/structures/{offer['service'].structure_id}").json()
    assert {p["name"] for p in structure["places"]} == {"Agence de test Cahors", "Permanence de test Catus"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/offre/services/999999999", "service_id"),
        ("/api/offre/lieux/999999999", "place_id"),
        ("/api/offre/structures/999999999", "structure_id"),
    ],
)
def test_unknown_records_are_404_json(client, shipped_data, url, field):
    assert_error_names(client.get(url), 404, field)


def test_non_numeric_id_is_422(client, shipped_data):
    assert_error_names(client.get("/api/offre/services/abc"), 422, "service_id")


def test_openapi_lists_the_endpoints(client, shipped_data):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/territoires/communes",
        "/api/territoires/communes/{code}",
        "/api/offre/besoins",
        "/api/offre/services",
        "/api/offre/services/{service_id}",
        "/api/offre/lieux/{place_id}",
        "/api/offre/structures/{structure_id}",
        "/api/offre/export/data-inclusion.json",
    ):
        assert path in paths, path


def test_a_postcode_shared_by_several_communes_asks_which_one(client, offer):
    response = client.get("/api/offre/services", {"commune": "46230", "besoin": offer["need"].slug})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "commune"
    assert "précisez" in body["message"]
    labels = [candidate["label"] for candidate in body["candidates"]]
    assert "Cieurac (46230)" in labels and "Lalbenque (46230)" in labels
    chosen = client.get("/api/offre/services", {"commune": "Cieurac (46230)", "besoin": offer["need"].slug})
    assert chosen.status_code == 200
    assert chosen.json()["commune"]["code"] == "46070"


def test_a_postcode_of_one_commune_and_an_insee_code_are_not_ambiguous(client, offer):
    assert client.get("/api/offre/services", {"commune": "46000"}).json()["commune"]["code"] == "46042"
    assert client.get("/api/offre/services", {"commune": "46042"}).json()["commune"]["code"] == "46042"


@pytest.mark.parametrize("commune_code", ["46042", "46070", "46064"])
def test_search_json_is_what_the_response_schema_gives(commune_code, shipped_data):
    """The API renders the search without validating it again through pydantic: same bytes."""
    from carteblanche.api.api import api
    from carteblanche.directory import schemas, selectors
    from carteblanche.directory.api import search_json
    from carteblanche.directory.models import Need
    from carteblanche.territories.api import commune_out
    from carteblanche.territories.models import Commune

    commune = Commune.objects.select_related("epci").get(code=commune_code)
    checked = 0
    for need in Need.objects.order_by("slug")[:12]:
        found = selectors.search_services(commune=commune, need=need, limit=10)
        body = schemas.search_out(found, commune_out(commune))
        validated = schemas.SearchOut.model_validate(body).model_dump()
        assert search_json(found, commune_out(commune)) == api.renderer.render(None, validated, response_status=200)
        checked += bool(found.results)
    assert checked >= 6  # the shipped offer answers most needs
