"""Pages: booking inside the person's availability, follow-page cancel and mandate revoke, mandate print."""

from datetime import datetime, timedelta

import pytest
from django.test import Client

from carteblanche.appointments import actions
from carteblanche.appointments.models import Booking
from carteblanche.core.models import AuditEntry
from carteblanche.mandates import actions as mandate_actions
from carteblanche.mandates.models import Mandate
from carteblanche.referrals import actions as referral_actions
from carteblanche.territories.geo import PARIS
from tests.appointments.conftest import freeze_time

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # Monday

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@freeze_time(NOW)
def test_booking_page_offers_only_slots_inside_availability_and_books(world):
    case = world.case(first_name="Kevin", availability="mardi matin")
    world.consent(case, world.carsat)
    slots = []
    for day, hour in ((8, 10), (8, 15), (10, 10)):  # Tuesday morning, Tuesday afternoon, Thursday
        start = datetime(2026, 12, day, hour, 0, tzinfo=PARIS)
        slots.append(
            actions.add_slot(
                actor=world.agent_carsat,
                structure_id=world.carsat.pk,
                kind="callback",
                start=start,
                end=start + timedelta(minutes=30),
            )
        )
    client = _client(world.agent_fs)
    url = f"/rendez-vous/dossiers/{case.pk}/reserver/?structure={world.carsat.pk}"
    page = client.get(url).content.decode()
    assert "mardi 8 décembre 2026, 10:00" in page
    assert "15:00" not in page and "jeudi" not in page
    slot_id = slots[0].pk
    assert client.post(url, {"slot": slots[2].pk}).status_code == 200  # not offered: refused, nothing booked
    assert not Booking.objects.exists()
    response = client.post(url, {"slot": slot_id, "notify": ""})
    assert response.status_code == 302
    assert Booking.objects.get().slot_id == slot_id
    assert AuditEntry.objects.filter(object_id=str(case.pk), reason="réservation d'un créneau").exists()


@freeze_time(NOW)
def test_booking_a_taken_slot_says_so_in_french_and_changes_nothing(world):
    case = world.case(first_name="Kevin")
    consent = world.consent(case, world.carsat)
    start = NOW + timedelta(days=1)
    slot = actions.add_slot(
        actor=world.agent_carsat,
        structure_id=world.carsat.pk,
        kind="callback",
        start=start,
        end=start + timedelta(hours=1),
    )
    actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    response = _client(world.agent_fs).post(
        f"/rendez-vous/dossiers/{case.pk}/reserver/?structure={world.carsat.pk}", {"slot": slot.pk}
    )
    assert response.status_code == 200
    assert "Aucun créneau libre" in response.content.decode()  # no longer offered
    assert Booking.objects.count() == 1


@freeze_time(NOW)
def test_follow_page_lists_bookings_and_mandates_and_the_person_revokes_and_cancels(world):
    case = world.case(first_name="Kevin")
    consent = world.consent(case, world.carsat)
    start = NOW + timedelta(days=1)
    slot = actions.add_slot(
        actor=world.agent_carsat,
        structure_id=world.carsat.pk,
        kind="callback",
        start=start,
        end=start + timedelta(hours=1),
    )
    booking = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    mandate = mandate_actions.create_mandate(
        actor=world.agent_fs, case=case, domains=["travail"], duration="6m", method="signed_paper"
    )
    _, token = referral_actions.create_follow_link(actor=world.agent_fs, case=case)
    client = Client()
    page = client.get(f"/accompagnement/suivi/{token}/").content.decode()
    assert "Mes mandats" in page and "travail (dont inscription à France Travail)" in page
    assert "Mes rendez-vous" in page and "Carsat" in page
    client.post(f"/mandats/suivi/{token}/{mandate.pk}/revoquer/")
    client.post(f"/rendez-vous/suivi/{token}/annuler/{booking.pk}/")
    mandate.refresh_from_db()
    booking.refresh_from_db()
    assert mandate.status == Mandate.Status.REVOKED and mandate.ended_by_label == "la personne"
    assert booking.status == Booking.Status.CANCELLED
    assert client.post(f"/mandats/suivi/not-a-token/{mandate.pk}/revoquer/").status_code == 404


@freeze_time(NOW)
def test_another_persons_link_cannot_revoke(world):
    kevin = world.case(first_name="Kevin")
    other = world.case(first_name="Autre")
    mandate = mandate_actions.create_mandate(
        actor=world.agent_fs, case=kevin, domains=["travail"], duration="1d", method="signed_paper"
    )
    _, token = referral_actions.create_follow_link(actor=world.agent_fs, case=other)
    Client().post(f"/mandats/suivi/{token}/{mandate.pk}/revoquer/")
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE


@freeze_time(NOW)
def test_mandate_form_errors_in_french_and_print_page(world):
    case = world.case(first_name="Kevin")
    client = _client(world.agent_fs)
    bad = client.post(
        f"/mandats/dossiers/{case.pk}/nouveau/", {"domains": ["travail"], "duration": "1d", "method": "scanned"}
    )
    assert bad.status_code == 200 and "Un mandat numérisé doit désigner une pièce" in bad.content.decode()
    assert not Mandate.objects.exists()
    ok = client.post(
        f"/mandats/dossiers/{case.pk}/nouveau/", {"domains": ["travail"], "duration": "1d", "method": "signed_paper"}
    )
    mandate = Mandate.objects.get()
    assert ok["Location"] == f"/mandats/{mandate.pk}/"
    page = client.get(ok["Location"]).content.decode()
    assert "confie à <strong>France Services Cahors</strong>" in page and "7 décembre 2026 à 23h59" in page
    client.post(f"/mandats/{mandate.pk}/", {"domain": "travail", "what": "inscription à France Travail"})
    entry = AuditEntry.objects.get(reason=f"démarche sous mandat n° {mandate.pk}")
    assert entry.details == {"mandate": mandate.pk, "domain": "travail", "what": "inscription à France Travail"}
