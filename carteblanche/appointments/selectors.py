"""Reads of the booking: free slots for a person, a structure's board, a person's bookings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from carteblanche.accounts.permissions import structure_ids
from carteblanche.appointments.actions import fits_availability
from carteblanche.appointments.models import Booking, Slot
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals.models import CaseFile, Consent

HORIZON = timedelta(days=30)


def _active_booking():
    return Booking.objects.filter(slot=OuterRef("pk")).exclude(status=Booking.Status.CANCELLED)


def free_slots(structure_id: int, now: datetime) -> QuerySet[Slot]:
    return (
        Slot.objects.filter(structure_id=structure_id, start__gt=now, start__lte=now + HORIZON, withdrawn_at=None)
        .exclude(Exists(_active_booking()))
        .order_by("start")
    )


def slots_for_person(case: CaseFile, structure_id: int, now: datetime) -> tuple[list[Slot], bool]:
    """Free slots inside the person's availability, and whether they were filtered by it (not when
    she gave none or it is unreadable)."""
    slots = list(free_slots(structure_id, now)[:500])
    if not slots or fits_availability(case, slots[0], now) is None:
        return slots, False
    return [s for s in slots if fits_availability(case, s, now)], True


def bookable_consents(case: CaseFile) -> QuerySet[Consent]:
    return case.consents.filter(revoked_at__isnull=True).select_related("recipient")


def structure_board(user: Any, now: datetime) -> list[dict]:
    """The receiving agent's slots of the next 30 days and the last 14, with bookings (names journaled)."""
    rows = []
    ids = sorted(structure_ids(user))
    slots = (
        Slot.objects.filter(structure_id__in=ids, start__gte=now - timedelta(days=14), start__lte=now + HORIZON)
        .select_related("structure")
        .order_by("start")
    )
    bookings = {
        b.slot_id: b
        for b in Booking.objects.filter(slot__in=slots)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("case", "from_structure")
    }
    for slot in slots:
        booking = bookings.get(slot.pk)
        if booking is not None:
            record_audit(
                actor=user,
                action=AuditEntry.Action.READ,
                obj=booking.case,
                reason="créneaux de la structure",
                details={"booking": booking.pk},
            )
        rows.append({"slot": slot, "booking": booking, "past": slot.start <= now})
    return rows


def for_case(case: CaseFile) -> QuerySet[Booking]:
    return Booking.objects.filter(case=case).select_related("slot__structure").order_by("-slot__start")
