import pytest

URL = "/api/orientation/plan"
MARTINE = {
    "commune": "46070",
    "besoins": ["pension-reversion", "cheque-energie"],
    "ne_conduit_pas": True,
    "conduit_quand": "mardi 9-12",
    "numerique": "no_internet",
    "disponibilites": "mardi 9-12",
    "age": 78,
    "maintenant": "2026-05-11T08:00:00+02:00",
}


@pytest.mark.django_db
def test_post_a_situation_get_a_plan(client, cahors_offer):
    response = client.post(URL, MARTINE, content_type="application/json")
    assert response.status_code == 200, response.content
    plan = response.json()
    assert 1 <= len(plan["options"]) <= 5
    assert [o["rank"] for o in plan["options"]] == list(range(1, len(plan["options"]) + 1))
    for option in plan["options"]:
        assert option["kind"] != "online"
        assert option["explanation"] and option["breakdown"]
        assert option["travel"] is None or option["travel"]["mode"] != "car"
    assert len(plan["sms"]) <= 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"commune": "Cieurak"}, "commune", "Cieurac"),
        ({"disponibilites": "lundi 25-30"}, "disponibilites", "25 h"),
        ({"voiture": True}, "voiture", "une seule"),
        ({"besoins": [], "besoin_libre": "xyzzy plugh"}, "besoin_libre", "pas reconnu"),
        ({"besoins": ["pension-reversion-inconnue"]}, "besoins", "pas dans notre liste"),
        ({"numerique": "telepathie"}, "numerique", ""),
        ({"age": -3}, "age", ""),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, cahors_offer, changes, field, fragment):
    response = client.post(URL, {**MARTINE, **changes}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert field in [e["field"] for e in body["errors"]]
    assert fragment in body["message"]


@pytest.mark.django_db
def test_openapi_documents_the_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/orientation/plan" in schema["paths"]
