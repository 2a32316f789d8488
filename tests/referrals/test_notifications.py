"""Notifications never fail a request; headers are one line; a retry without key makes no duplicate (finding 6)."""

from django.core import mail
from django.test import Client

from carteblanche.referrals import notifications
from carteblanche.referrals.models import CaseFile, Referral
from tests.referrals.test_api import BASE, auth, make_token, payload


def _agent_emails(world):
    for user in (world.agent_carsat, world.agent_fs):
        user.email = f"{user.username}@example.org"
        user.save()


def test_newline_in_need_label_is_saved_and_notified_without_error(world, django_capture_on_commit_callbacks):
    _agent_emails(world)
    case = world.case()
    world.consent(case, world.carsat)
    client = Client(raise_request_exception=False)
    client.force_login(world.agent_fs)
    url = f"/accompagnement/dossiers/{case.pk}/orienter/"
    data = {"to_structure": world.carsat.pk, "need_label": "pension\r\nBcc: tous@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.status_code
    referral = Referral.objects.get()
    assert referral.need_label == "pension Bcc: tous@example.org" and referral.status == "sent"
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject
    assert mail.outbox[0].bcc == []
    # The retried form (the agent did not see an answer) creates no duplicate.
    again = client.post(url, data)
    assert again.status_code == 200 and "déjà en cours" in again.content.decode()
    assert Referral.objects.count() == 1


def test_a_failing_mail_backend_never_fails_the_request(world, monkeypatch, django_capture_on_commit_callbacks):
    _agent_emails(world)

    def broken(**kwargs):
        raise ValueError("backend down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    case = world.case()
    world.consent(case, world.carsat)
    client = Client(raise_request_exception=False)
    client.force_login(world.agent_fs)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/accompagnement/dossiers/{case.pk}/orienter/", {"to_structure": world.carsat.pk, "need_label": "retraite"}
        )
    assert response.status_code == 302
    assert Referral.objects.get().status == "sent"


def test_api_retry_without_key_makes_no_duplicate(world):
    client, key = Client(), make_token(world.fs)
    body = payload(world, need_label="prestations\nfamiliales")
    first = client.post(f"{BASE}/orientations", body, content_type="application/json", **auth(key))
    assert first.status_code == 201 and first.json()["need_label"] == "prestations familiales"
    retry = client.post(f"{BASE}/orientations", body, content_type="application/json", **auth(key))
    assert retry.status_code == 422 and retry.json()["errors"][0]["field"] == "external_ref"
    assert first.json()["id"] in retry.json()["message"]
    assert CaseFile.objects.count() == 1 and Referral.objects.count() == 1
