"""Booking: slots from hours, availability, consent, no double booking, notices, cancel, no-show; mandates."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from carteblanche.appointments import actions
from carteblanche.appointments.models import Booking, Slot
from carteblanche.core import sms
from carteblanche.core.models import AuditEntry
from carteblanche.mandates import actions as mandate_actions
from carteblanche.mandates.models import Mandate
from carteblanche.referrals import actions as referral_actions
from carteblanche.territories.geo import PARIS
from tests.appointments.conftest import freeze_time

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)  # a Monday
SMS = "carteblanche.core.sms.LocmemBackend"

pytestmark = pytest.mark.django_db


@pytest.fixture
def kevin(world):
    case = world.case(first_name="Kevin", last_name="Test", phone="06 12 34 56 78", availability="mardi matin")
    consent = world.consent(case, world.carsat)
    return case, consent


def _slot(world, start, kind="callback", minutes=30):
    return actions.add_slot(
        actor=world.agent_carsat,
        structure_id=world.carsat.pk,
        kind=kind,
        start=start,
        end=start + timedelta(minutes=minutes),
    )


@freeze_time(NOW)
def test_slots_from_opening_hours_are_cut_and_not_duplicated(world):
    rule = "Tu 09:00-12:00; We 14:00-16:00"
    created = actions.publish_from_hours(
        actor=world.agent_carsat, structure_id=world.carsat.pk, rule=rule, kind="callback", start=NOW, days=7
    )
    assert created == 6 + 4  # Tuesday 3 h and Wednesday 2 h in 30-minute slots
    again = actions.publish_from_hours(
        actor=world.agent_carsat, structure_id=world.carsat.pk, rule=rule, kind="callback", start=NOW, days=7
    )
    assert again == 0
    assert Slot.objects.filter(start__week_day=3).count() == 6  # Django: 3 = Tuesday


@freeze_time(NOW)
def test_only_the_receiving_structure_publishes(world):
    with pytest.raises(PermissionDenied):
        actions.publish_from_hours(
            actor=world.agent_fs, structure_id=world.carsat.pk, rule="Tu 09:00-12:00", kind="callback", start=NOW
        )
    with pytest.raises(ValidationError) as error:
        actions.publish_from_hours(
            actor=world.agent_carsat, structure_id=world.carsat.pk, rule="n'importe quoi", kind="callback", start=NOW
        )
    assert "Horaires invalides" in str(error.value)
    assert not Slot.objects.exists()


@freeze_time(NOW)
@override_settings(CARTEBLANCHE_SMS_BACKEND=SMS)
def test_book_inside_availability_confirms_by_sms_and_journals(world, kevin):
    case, consent = kevin
    sms.outbox.clear()
    tuesday = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
    booking = actions.book(actor=world.agent_fs, case=case, slot_id=tuesday.pk, consent_id=consent.pk, notify="sms")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED and booking.confirmation_sent_at is not None
    assert [m.to for m in sms.outbox] == ["+33612345678"] and "Carsat vous rappellera le 08/12/2026" in sms.outbox[
        0
    ].body
    assert AuditEntry.objects.filter(object_type="appointments.booking", object_id=str(booking.pk)).count() == 2


@freeze_time(NOW)
def test_booking_outside_availability_or_without_consent_or_by_another_structure_is_refused(world, kevin):
    case, consent = kevin
    thursday = _slot(world, datetime(2026, 12, 10, 10, 0, tzinfo=PARIS))
    with pytest.raises(ValidationError, match="hors des disponibilités"):
        actions.book(actor=world.agent_fs, case=case, slot_id=thursday.pk, consent_id=consent.pk)
    tuesday = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
    with pytest.raises(PermissionDenied):
        actions.book(actor=world.agent_carsat, case=case, slot_id=tuesday.pk, consent_id=consent.pk)
    referral_actions.revoke_consent(actor=world.agent_fs, consent=consent)
    with pytest.raises(PermissionDenied, match="consentement"):
        actions.book(actor=world.agent_fs, case=case, slot_id=tuesday.pk, consent_id=consent.pk)
    assert not Booking.objects.exists()


@freeze_time(NOW)
def test_second_booking_of_a_slot_is_refused_and_the_constraint_holds(world, kevin):
    case, consent = kevin
    tuesday = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
    first = actions.book(actor=world.agent_fs, case=case, slot_id=tuesday.pk, consent_id=consent.pk)
    with pytest.raises(ValidationError, match="vient d'être réservé"):
        actions.book(actor=world.agent_fs, case=case, slot_id=tuesday.pk, consent_id=consent.pk)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            slot=tuesday, case=case, consent=consent, from_structure=world.fs, status=Booking.Status.BOOKED
        )
    assert Booking.objects.filter(slot=tuesday).count() == 1
    assert first.status == Booking.Status.BOOKED


@override_settings(CARTEBLANCHE_SMS_BACKEND=SMS, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_reminder_48_hours_before_sent_once_by_email(world):
    case = world.case(first_name="Kevin", email="kevin@example.org", availability="mardi matin")
    consent = world.consent(case, world.carsat)
    with freeze_time(NOW):
        slot = _slot(world, datetime(2026, 12, 15, 10, 0, tzinfo=PARIS))
        actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk, notify="email")
    assert len(mail.outbox) == 1  # confirmation
    assert actions.send_due_reminders(datetime(2026, 12, 13, 9, 0, tzinfo=PARIS)) == 0  # 49 h before
    assert actions.send_due_reminders(datetime(2026, 12, 13, 11, 0, tzinfo=PARIS)) == 1  # 47 h before
    assert actions.send_due_reminders(datetime(2026, 12, 13, 12, 0, tzinfo=PARIS)) == 0  # once
    assert "Rappel" in mail.outbox[-1].body and len(mail.outbox) == 2


@freeze_time(NOW)
def test_no_notice_without_the_persons_choice(world, kevin):
    case, consent = kevin
    slot = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
    actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    assert actions.send_due_reminders(datetime(2026, 12, 7, 12, 0, tzinfo=PARIS)) == 0


@freeze_time(NOW)
def test_person_cancels_through_her_link_then_the_slot_is_free_again(world, kevin):
    case, consent = kevin
    slot = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
    booking = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    link, _raw = referral_actions.create_follow_link(actor=world.agent_fs, case=case)
    other_case = world.case(first_name="Autre")
    other_link, _ = referral_actions.create_follow_link(actor=world.agent_fs, case=other_case)
    with pytest.raises(ValidationError):
        actions.cancel_by_person(link=other_link, booking_id=booking.pk)
    assert actions.cancel_by_person(link=link, booking_id=booking.pk).status == Booking.Status.CANCELLED
    again = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
    assert again.pk != booking.pk


def test_no_show_recorded_by_the_receiving_structure_only_after_the_start(world, kevin):
    case, consent = kevin
    with freeze_time(NOW):
        slot = _slot(world, datetime(2026, 12, 8, 10, 0, tzinfo=PARIS))
        booking = actions.book(actor=world.agent_fs, case=case, slot_id=slot.pk, consent_id=consent.pk)
        with pytest.raises(ValidationError):
            actions.record_outcome(actor=world.agent_carsat, booking_id=booking.pk, status="no_show")
    with freeze_time(datetime(2026, 12, 8, 11, 0, tzinfo=PARIS)):
        with pytest.raises(PermissionDenied):
            actions.record_outcome(actor=world.agent_fs, booking_id=booking.pk, status="no_show")
        done = actions.record_outcome(actor=world.agent_carsat, booking_id=booking.pk, status="no_show")
    assert done.status == Booking.Status.NO_SHOW


# --- mandates ---------------------------------------------------------------------------------


@freeze_time(NOW)
def test_mandate_lifecycle_use_revoke_by_person(world, kevin):
    case, _ = kevin
    mandate = mandate_actions.create_mandate(
        actor=world.agent_fs, case=case, domains=["travail"], duration="1m", method="signed_paper"
    )
    assert mandate.expires_at == NOW.replace(month=12, day=7) + timedelta(days=31)
    mandate_actions.act_under_mandate(
        actor=world.agent_fs, mandate_id=mandate.pk, domain="travail", what="inscription à France Travail"
    )
    assert AuditEntry.objects.filter(details__mandate=mandate.pk).count() == 1
    with pytest.raises(PermissionDenied, match="ne couvre pas"):
        mandate_actions.act_under_mandate(actor=world.agent_fs, mandate_id=mandate.pk, domain="argent", what="impôts")
    with pytest.raises(PermissionDenied):
        mandate_actions.act_under_mandate(actor=world.agent_carsat, mandate_id=mandate.pk, domain="travail", what="x")
    link, _ = referral_actions.create_follow_link(actor=world.agent_fs, case=case)
    assert mandate_actions.revoke_by_person(link=link, mandate_id=mandate.pk).status == Mandate.Status.REVOKED
    with pytest.raises(PermissionDenied, match="plus valable"):
        mandate_actions.act_under_mandate(actor=world.agent_fs, mandate_id=mandate.pk, domain="travail", what="x")


def test_mandate_expires_by_command_and_at_use_time(world, kevin):
    case, _ = kevin
    with freeze_time(NOW):
        day = mandate_actions.create_mandate(
            actor=world.agent_fs, case=case, domains=["travail"], duration="1d", method="signed_paper"
        )
        year = mandate_actions.create_mandate(
            actor=world.agent_fs, case=case, domains=["social"], duration="1y", method="signed_paper"
        )
    assert day.expires_at == datetime(2026, 12, 7, 23, 59, 59, tzinfo=PARIS)
    with freeze_time(datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)), pytest.raises(PermissionDenied, match="expiré"):
        mandate_actions.act_under_mandate(actor=world.agent_fs, mandate_id=day.pk, domain="travail", what="x")
    with freeze_time(datetime(2027, 12, 7, 10, 0, tzinfo=PARIS)):
        assert mandate_actions.expire_due() == 1
    year.refresh_from_db()
    assert year.status == Mandate.Status.EXPIRED


@freeze_time(NOW)
def test_mandate_bad_input_changes_nothing(world, kevin):
    case, _ = kevin
    with pytest.raises(ValidationError) as error:
        mandate_actions.create_mandate(actor=world.agent_fs, case=case, domains=[], duration="2y", method="scanned")
    assert set(error.value.message_dict) == {"domains", "duration", "document"}
    with pytest.raises(PermissionDenied):
        mandate_actions.create_mandate(
            actor=world.agent_carsat, case=case, domains=["travail"], duration="1d", method="signed_paper"
        )
    assert not Mandate.objects.exists()


def test_month_arithmetic_clamps_to_the_last_day():
    start = datetime(2027, 1, 31, 10, 0, tzinfo=PARIS)
    assert mandate_actions.expiry(start, "1m") == datetime(2027, 2, 28, 10, 0, tzinfo=PARIS)
    assert mandate_actions.expiry(start, "6m") == datetime(2027, 7, 31, 10, 0, tzinfo=PARIS)
