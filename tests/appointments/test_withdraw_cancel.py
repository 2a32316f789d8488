"""The receiving structure withdraws a free slot; a booked one is cancelled with notice instead."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from carteblanche.appointments import actions, selectors
from carteblanche.appointments.models import Booking, Slot
from carteblanche.core import sms
from carteblanche.core.models import AuditEntry
from tests.appointments.conftest import freeze_time

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # a Monday
TUESDAY = datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kevin(world):
    case = world.case(first_name="Kevin", last_name="Test", phone="06 12 34 56 78", availability="mardi matin")
    return case, world.consent(case, world.carsat)


def _slot(world, start=TUESDAY):
    return actions.add_slot(
        actor=world.agent_carsat,
        structure_id=world.carsat.pk,
        kind="callback",
        start=start,
        end=start + timedelta(minutes=30),
    )


@freeze_time(NOW)
def test_a_free_slot_is_withdrawn_by_its_structure_only_and_no_longer_offered(world):
    slot = _slot(world)
    with pytest.raises(PermissionDenied):
        actions.withdraw_slot(actor=world.agent_fs, slot_id=slot.pk)
    assert list(selectors.free_slots(world.carsat.pk, NOW)) == [slot]
    actions.withdraw_slot(actor=world.agent_carsat, slot_id=slot.pk)
    assert list(selectors.free_slots(world.carsat.pk, NOW)) == []
    assert AuditEntry.objects.filter(object_type="appointments.slot", reason="créneau retiré").count() == 1
    with pytest.raises(ValidationError, match="déjà retiré"):
        actions.withdraw_slot(actor=world.agent_carsat, slot_id=slot.pk)


@freeze_time(NOW)
@override_settings(CARTEBLANCHE_SMS_BACKEND="carteblanche.core.sms.LocmemBackend")
def test_a_booked_slot_is_not_withdrawn_the_booking_is_cancelled_with_notice(world, kevin):
    case, consent = kevin
    slot = _slot(world)
    booking = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk, notify="sms")
    with pytest.raises(ValidationError, match="annulez d'abord le rendez-vous"):
        actions.withdraw_slot(actor=world.agent_carsat, slot_id=slot.pk)
    assert Slot.objects.get(pk=slot.pk).withdrawn_at is None
    with pytest.raises(ValidationError, match="motif"):
        actions.cancel_by_structure(actor=world.agent_carsat, booking_id=booking.pk, reason="  ")
    with pytest.raises(PermissionDenied):
        actions.cancel_by_structure(actor=world.agent_fs, booking_id=booking.pk, reason="agent absent")
    sms.outbox.clear()
    cancelled = actions.cancel_by_structure(actor=world.agent_carsat, booking_id=booking.pk, reason="agent absent")
    assert cancelled.status == Booking.Status.CANCELLED and cancelled.cancelled_by_label == "la structure"
    assert [m.to for m in sms.outbox] == ["+33612345678"]
    assert "doit annuler votre rendez-vous du 08/12/2026" in sms.outbox[0].body and "agent absent" in sms.outbox[0].body
    assert list(selectors.free_slots(world.carsat.pk, NOW)) == [slot]  # free again, then withdrawable
    actions.withdraw_slot(actor=world.agent_carsat, slot_id=slot.pk)


def test_a_past_slot_or_booking_is_neither_withdrawn_nor_cancelled(world, kevin):
    case, consent = kevin
    with freeze_time(NOW):
        slot = _slot(world)
        booking = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    with freeze_time(TUESDAY + timedelta(hours=1)):
        with pytest.raises(ValidationError):
            actions.cancel_by_structure(actor=world.agent_carsat, booking_id=booking.pk, reason="trop tard")
        with pytest.raises(ValidationError):
            actions.withdraw_slot(actor=world.agent_carsat, slot_id=slot.pk)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_the_slots_page_offers_withdraw_and_cancel_to_the_receiving_structure_only(world, kevin):
    from django.utils import timezone

    case, consent = kevin
    start = timezone.now() + timedelta(days=3)
    free, booked = _slot(world, start), _slot(world, start + timedelta(hours=1))
    Booking.objects.create(slot=booked, case=case, consent=consent, from_structure=world.fs)
    carsat = Client()
    carsat.force_login(world.agent_carsat)
    body = carsat.get("/rendez-vous/creneaux/").content.decode()
    assert f"/rendez-vous/creneaux/{free.pk}/retirer/" in body
    assert f"/rendez-vous/creneaux/{booked.pk}/retirer/" not in body and "Annuler en prévenant la personne" in body
    other = Client()
    other.force_login(world.agent_fs)
    assert other.post(f"/rendez-vous/creneaux/{free.pk}/retirer/").status_code == 403
    assert Slot.objects.get(pk=free.pk).withdrawn_at is None
    assert carsat.post(f"/rendez-vous/creneaux/{free.pk}/retirer/").status_code == 302
    assert Slot.objects.get(pk=free.pk).withdrawn_at is not None
