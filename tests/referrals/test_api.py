"""Partner API: token scoped per structure, consented data only, idempotent writes, clear errors."""

import secrets

import pytest
from django.test import Client

from carteblanche.core.models import AuditEntry
from carteblanche.referrals.models import ApiToken, CaseFile, Referral, hash_token

BASE = "/api/accompagnement"


def make_token(structure) -> str:
    raw = "cb_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(structure=structure, name="logiciel", prefix=raw[:8], token_hash=hash_token(raw))
    return raw


def auth(raw: str, **extra) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}


def payload(world, **extra) -> dict:
    return {
        "person": {
            "first_name": "Sarah",
            "last_name": "Martin",
            "phone": "06 11 22 33 44",
            "availability": "après 18 h",
        },
        "to_structure_id": world.caf.pk,
        "need_label": "prestations familiales",
        "consent": {
            "scope": ["identity", "needs"],
            "purpose": "étudier l'ASF",
            "method": "online",
            "given_at": "2026-11-20T10:00:00+01:00",
        },
        "external_ref": "FS-123",
        **extra,
    }


@pytest.fixture
def api(world):
    client = Client()
    return client, make_token(world.fs), make_token(world.caf), make_token(world.carsat)


def test_no_or_bad_token_is_401(world):
    client = Client()
    assert client.get(f"{BASE}/orientations").status_code == 401
    assert client.get(f"{BASE}/orientations", **auth("cb_nope")).status_code == 401


def test_create_is_idempotent(world, api):
    client, fs_key, _, _ = api
    headers = auth(fs_key, HTTP_IDEMPOTENCY_KEY="abc-1")
    first = client.post(f"{BASE}/orientations", payload(world), content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    again = client.post(f"{BASE}/orientations", payload(world), content_type="application/json", **headers)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1 and CaseFile.objects.count() == 1
    other = client.post(
        f"{BASE}/orientations", payload(world, need_label="autre"), content_type="application/json", **headers
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["message"]
    assert first.json()["status"] == "sent"


def test_receiver_sees_consented_scope_and_moves_the_referral(world, api):
    client, fs_key, caf_key, carsat_key = api
    created = client.post(f"{BASE}/orientations", payload(world), content_type="application/json", **auth(fs_key))
    referral_id = created.json()["id"]
    seen = client.get(f"{BASE}/orientations/{referral_id}", **auth(caf_key))
    assert seen.status_code == 200
    assert seen.json()["person"]["first_name"] == "Sarah"
    assert seen.json()["shared_scope"] == ["identity", "needs"]
    assert AuditEntry.objects.filter(action="read", actor_label__startswith="API").exists()
    assert client.get(f"{BASE}/orientations/{referral_id}", **auth(carsat_key)).status_code == 404
    assert client.get(f"{BASE}/orientations?direction=incoming", **auth(carsat_key)).json() == []

    url = f"{BASE}/orientations/{referral_id}/etapes"
    received = client.post(url, {"target": "received", "version": 2}, content_type="application/json", **auth(caf_key))
    assert received.status_code == 200 and received.json()["status"] == "received"
    stale = client.post(url, {"target": "accepted", "version": 2}, content_type="application/json", **auth(caf_key))
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.json()["message"]
    wrong_side = client.post(url, {"target": "accepted", "version": 3}, content_type="application/json", **auth(fs_key))
    assert wrong_side.status_code == 422
    missing = client.post(url, {"target": "refused", "version": 3}, content_type="application/json", **auth(caf_key))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "refusal_reason"
    accepted = client.post(
        url,
        {"target": "accepted", "version": 3},
        content_type="application/json",
        **auth(caf_key, HTTP_IDEMPOTENCY_KEY="t-1"),
    )
    replay = client.post(
        url,
        {"target": "accepted", "version": 3},
        content_type="application/json",
        **auth(caf_key, HTTP_IDEMPOTENCY_KEY="t-1"),
    )
    assert accepted.status_code == replay.status_code == 200
    assert Referral.objects.get(pk=referral_id).transitions.filter(to_status="accepted").count() == 1
    callback = client.post(
        url,
        {
            "target": "appointment_set",
            "version": 4,
            "appointment_at": "2026-12-02T18:30:00",
            "appointment_channel": "callback",
        },
        content_type="application/json",
        **auth(caf_key),
    )
    assert callback.status_code == 200 and callback.json()["appointment_channel"] == "callback"
    msg = client.post(
        f"{BASE}/orientations/{referral_id}/messages",
        {"body": "Rappel prévu à 18 h 30."},
        content_type="application/json",
        **auth(caf_key),
    )
    assert msg.status_code == 201 and msg.json()["messages"][0]["body"] == "Rappel prévu à 18 h 30."


def test_bad_input_names_the_field_and_changes_nothing(world, api):
    client, fs_key, _, _ = api
    bad = payload(world)
    bad["consent"]["method"] = "oral_witnessed"
    bad["person"]["first_name"] = "A\x00"
    response = client.post(f"{BASE}/orientations", bad, content_type="application/json", **auth(fs_key))
    assert response.status_code == 422
    assert not CaseFile.objects.exists()
    unknown = client.post(
        f"{BASE}/orientations", payload(world, to_structure_id=999999), content_type="application/json", **auth(fs_key)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "to_structure_id"
    assert not CaseFile.objects.exists()
