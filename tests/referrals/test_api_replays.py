"""Idempotency replays keep no personal data and honour erasure, withdrawal and expiry (issue 14, finding 2)."""

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from carteblanche.core.models import AuditEntry
from carteblanche.referrals import actions
from carteblanche.referrals.models import CaseFile, IdempotencyRecord, Referral
from tests.referrals.test_api import BASE, auth, make_token, payload


def _create(client, world, key, idem, **extra):
    return client.post(
        f"{BASE}/orientations",
        payload(world, **extra),
        content_type="application/json",
        **auth(key, HTTP_IDEMPOTENCY_KEY=idem),
    )


def test_stored_replay_holds_no_personal_data_and_replays_are_journaled(world):
    client, fs_key = Client(), make_token(world.fs)
    first = _create(client, world, fs_key, "k-1")
    assert first.status_code == 201
    record = IdempotencyRecord.objects.get(key="k-1")
    stored = json.dumps(record.response) + record.request_hash
    assert "Sarah" not in stored and "Martin" not in stored and "06 11 22 33 44" not in stored
    reads = AuditEntry.objects.filter(reason__contains="rejeu").count()
    again = _create(client, world, fs_key, "k-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["person"]["first_name"] == "Sarah"  # re-read with the sender's rights
    assert AuditEntry.objects.filter(reason__contains="rejeu").count() == reads + 1


def test_replay_after_erasure_returns_nothing_and_creates_nothing(world):
    client, fs_key = Client(), make_token(world.fs)
    first = _create(client, world, fs_key, "k-erase")
    case = CaseFile.objects.get()
    actions.erase_case(actor=world.steward, case=case, reason="demande d'effacement")
    again = _create(client, world, fs_key, "k-erase")
    body = again.content.decode()
    assert again.status_code == 404, body
    assert "Sarah" not in body and "06 11 22 33 44" not in body and "1990" not in body
    assert CaseFile.objects.count() == 0 and Referral.objects.count() == 0
    assert first.json()["id"] not in body
    assert IdempotencyRecord.objects.get(key="k-erase").request_hash == ""


def test_replay_after_consent_withdrawal_does_not_return_the_identity(world):
    client, fs_key, caf_key = Client(), make_token(world.fs), make_token(world.caf)
    referral_id = _create(client, world, fs_key, "k-send").json()["id"]
    url = f"{BASE}/orientations/{referral_id}/etapes"
    step = {"target": "received", "version": 2}
    headers = auth(caf_key, HTTP_IDEMPOTENCY_KEY="ack-1")
    ack = client.post(url, step, content_type="application/json", **headers)
    assert ack.status_code == 200 and ack.json()["person"]["first_name"] == "Sarah"
    consent = Referral.objects.get(pk=referral_id).consent
    actions.revoke_consent(actor=world.agent_fs, consent=consent)
    replay = client.post(url, step, content_type="application/json", **headers)
    assert replay.status_code == 404
    assert "Sarah" not in replay.content.decode() and "06 11" not in replay.content.decode()


def test_expired_records_are_not_replayed(world, settings):
    settings.REFERRALS_IDEMPOTENCY_HOURS = 24
    client, fs_key = Client(), make_token(world.fs)
    first = _create(client, world, fs_key, "k-old", external_ref="")
    IdempotencyRecord.objects.filter(key="k-old").update(created_at=timezone.now() - timedelta(hours=25))
    again = _create(client, world, fs_key, "k-old", external_ref="")
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]
    assert IdempotencyRecord.objects.filter(key="k-old").count() == 1
