"""The agent pages end to end (Django test client): consent step, steps, messages, follow-up, reminders."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from carteblanche.referrals import actions
from carteblanche.referrals.models import Notification, Referral, SatisfactionResponse


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _step(client, referral, target, **fields):
    referral.refresh_from_db()
    data = {"target": target, f"{target}-version": referral.version}
    data.update({f"{target}-{key}": value for key, value in fields.items()})
    return client.post(f"/accompagnement/orientations/{referral.pk}/etape/", data, follow=True)


def test_referral_waits_for_consent_then_is_sent_and_notified(world, shipped_data, django_capture_on_commit_callbacks):
    fs = _client(world.agent_fs)
    response = fs.post(
        "/accompagnement/dossiers/nouveau/",
        {"first_name": "Martine", "last_name": "Roques", "contact_preference": "relative", "relative_phone": ""},
    )
    assert response.status_code == 200 and "Indiquez le téléphone du proche" in response.content.decode()
    response = fs.post(
        "/accompagnement/dossiers/nouveau/",
        {
            "first_name": "Martine",
            "last_name": "Roques",
            "contact_preference": "phone",
            "phone": "05 65 00 00 00",
            "commune_code": "46070",
        },
    )
    assert response.status_code == 302
    case_url = response["Location"]
    response = fs.post(f"{case_url}orienter/", {"to_structure": world.carsat.pk, "need_label": "pension de réversion"})
    assert response.status_code == 302 and "consentement/?orientation=" in response["Location"]
    referral = Referral.objects.get()
    assert referral.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        response = fs.post(
            response["Location"],
            {
                "recipient": world.carsat.pk,
                "scope": ["identity", "needs"],
                "purpose": "pension de réversion",
                "method": "oral_witnessed",
                "witness": world.agent_fs2.pk,
                "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.consent.witness == world.agent_fs2
    assert Notification.objects.filter(recipient=world.agent_carsat, referral=referral).exists()
    assert any(world.agent_carsat.email in m.to for m in mail.outbox)
    assert all("Roques" not in m.body for m in mail.outbox)  # no personal data by e-mail


def test_receiver_steps_with_evening_callback_and_stale_version(world):
    referral = world.sent_referral()
    carsat = _client(world.agent_carsat)
    page = carsat.get(f"/accompagnement/orientations/{referral.pk}/").content.decode()
    assert "Martine" in page and "Passer à « reçue »" in page
    stale_version = referral.version
    assert "reçue" in _step(carsat, referral, "received").content.decode()
    stale = carsat.post(
        f"/accompagnement/orientations/{referral.pk}/etape/",
        {"target": "accepted", "accepted-version": stale_version},
        follow=True,
    )
    assert "modifiée entre-temps" in stale.content.decode()
    _step(carsat, referral, "accepted")
    evening = (timezone.localtime() + timedelta(days=2)).replace(hour=18, minute=30)
    response = _step(
        carsat,
        referral,
        "appointment_set",
        appointment_at=evening.strftime("%Y-%m-%dT%H:%M"),
        appointment_channel="callback",
        appointment_note="rappel au 06…",
    )
    assert "rappel téléphonique" in response.content.decode()
    refused = _step(carsat, referral, "closed")
    assert "Indiquez le résultat" in refused.content.decode() or "Seule" in refused.content.decode()
    _step(carsat, referral, "done")
    _step(carsat, referral, "closed", outcome="right_opened")
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert [t.to_status for t in referral.transitions.all()] == [
        "draft",
        "sent",
        "received",
        "accepted",
        "appointment_set",
        "done",
        "closed",
    ]
    assert all(t.author_id for t in referral.transitions.all())


def test_messages_between_agents(world):
    referral = world.sent_referral()
    _client(world.agent_carsat).post(f"/accompagnement/orientations/{referral.pk}/messages/", {"body": "Reçu, merci."})
    page = _client(world.agent_fs).get(f"/accompagnement/orientations/{referral.pk}/").content.decode()
    assert "Reçu, merci." in page
    assert Notification.objects.filter(recipient=world.agent_fs, text__contains="message").exists()


def test_follow_page_and_survey(world):
    referral = world.sent_referral()
    _, raw = actions.create_follow_link(actor=world.agent_fs, case=referral.case)
    person = Client()
    page = person.get(f"/accompagnement/suivi/{raw}/")
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert "a été transmise" in text and "Carsat" in text
    assert "Roques" not in text  # no identity on the link's page
    for target, data in [("received", {}), ("accepted", {}), ("done", {}), ("closed", {"outcome": "right_opened"})]:
        referral = actions.transition_referral(
            actor=world.agent_carsat,
            referral_id=referral.pk,
            expected_version=referral.version,
            target=target,
            data=data,
        )
    text = person.get(f"/accompagnement/suivi/{raw}/").content.decode()
    assert "Avez-vous eu une réponse" in text and "droit ouvert" in text
    prefix = str(referral.pk)
    bad = person.post(f"/accompagnement/suivi/{raw}/avis/{referral.pk}/", {f"{prefix}-got_answer": "yes"}, follow=True)
    assert "Répondez" in bad.content.decode() and not SatisfactionResponse.objects.exists()
    person.post(
        f"/accompagnement/suivi/{raw}/avis/{referral.pk}/",
        {f"{prefix}-got_answer": "yes", f"{prefix}-satisfaction": "very", f"{prefix}-comment": "Merci"},
    )
    answer = SatisfactionResponse.objects.get()
    assert answer.to_structure == world.carsat and answer.outcome == "right_opened"
    again = person.post(
        f"/accompagnement/suivi/{raw}/avis/{referral.pk}/",
        {f"{prefix}-got_answer": "no", f"{prefix}-satisfaction": "not"},
        follow=True,
    )
    assert "déjà répondu" in again.content.decode() and SatisfactionResponse.objects.count() == 1
    assert person.get(f"/accompagnement/suivi/{raw[:-2]}/").status_code == 404


def test_reminders_then_escalation_are_sent_once(world):
    referral = world.sent_referral()
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=10))
    call_command("referral_reminders", stdout=_Out())
    assert Notification.objects.filter(recipient=world.agent_carsat, text__startswith="Relance").count() == 1
    assert not Notification.objects.filter(recipient=world.coordinator).exists()
    call_command("referral_reminders", stdout=_Out())  # same day: no second reminder
    assert Notification.objects.filter(recipient=world.agent_carsat, text__startswith="Relance").count() == 1
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=30), last_reminder_at=None)
    call_command("referral_reminders", stdout=_Out())
    assert Notification.objects.filter(recipient=world.coordinator).count() == 1
    stuck = _client(world.coordinator).get("/accompagnement/en-retard/").content.decode()
    assert "Carsat" in stuck and "Martine" not in stuck
    dashboard = _client(world.coordinator).get("/accompagnement/").content.decode()
    assert "Vue du territoire" in dashboard and "Martine" not in dashboard


def test_dashboard_for_each_role(world):
    referral = world.sent_referral()
    incoming = _client(world.agent_carsat).get("/accompagnement/").content.decode()
    assert "Martine" in incoming and "Orientations reçues" in incoming
    assert "Martine" not in _client(world.agent_dept).get("/accompagnement/").content.decode()
    assert "aucune structure" in _client(world.nobody).get("/accompagnement/").content.decode()
    assert referral


class _Out:
    def write(self, text):
        pass

    def flush(self):
        pass
