"""Partner API for the receiving structure's slots (mounted at /api/accompagnement/rendez-vous).

Same structure keys as the referrals API. A key sees and manages its own structure's slots only;
a booked slot shows its status, never who booked it (the person's data stay on the pages, journaled).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja import Status as Reply

from carteblanche.appointments import actions
from carteblanche.appointments.models import Booking, Slot
from carteblanche.referrals.api import CleanSchema, Error, PartnerKey

router = Router(tags=["rendez-vous (partenaires)"], auth=PartnerKey())


class AppointmentSlotOut(Schema):
    id: int
    kind: str
    start: datetime
    end: datetime
    booking_id: int | None
    booking_status: str | None


class SlotIn(CleanSchema):
    kind: Literal["appointment", "callback"]
    start: datetime
    end: datetime


class OutcomeIn(CleanSchema):
    status: Literal["no_show", "honoured"]


class CancelIn(CleanSchema):
    motif: str


def _out(slot: Slot, booking: Booking | None) -> dict:
    return {
        "id": slot.pk,
        "kind": slot.kind,
        "start": slot.start,
        "end": slot.end,
        "booking_id": booking.pk if booking else None,
        "booking_status": booking.status if booking else None,
    }


def _message(error: ValidationError) -> str:
    return " ".join(f"{field} : {' '.join(texts)}" for field, texts in error.message_dict.items())


@router.get("/creneaux", response=list[AppointmentSlotOut])
def list_slots(request: HttpRequest):
    """The structure's slots from today on, with the status of their active booking."""
    slots = list(Slot.objects.filter(structure_id=request.auth.structure_id, start__gte=timezone.now())[:1000])
    bookings = {b.slot_id: b for b in Booking.objects.filter(slot__in=slots).exclude(status=Booking.Status.CANCELLED)}
    return [_out(slot, bookings.get(slot.pk)) for slot in slots]


@router.post("/creneaux", response={201: AppointmentSlotOut, 422: Error})
def create_slot(request: HttpRequest, payload: SlotIn):
    start, end = payload.start, payload.end
    if timezone.is_naive(start) or timezone.is_naive(end):
        return Reply(422, {"message": "start, end : indiquez le fuseau (par exemple 2027-01-05T10:00:00+01:00)."})
    try:
        slot = actions.add_slot(
            actor=request.auth, structure_id=request.auth.structure_id, kind=payload.kind, start=start, end=end
        )
    except ValidationError as error:
        return Reply(422, {"message": _message(error)})
    return Reply(201, _out(slot, None))


def _act(object_id: int, act: Callable[[], Any], out: Callable[[Any], dict], *, unknown: str):
    """Run one write of the receiving structure: another structure's object, or none, is "unknown" (404,
    its existence not revealed); a refused write is 422 with the action's French message."""
    if object_id > 2**31 - 1:
        return Reply(404, {"message": unknown})
    try:
        done = act()
    except PermissionDenied:
        return Reply(404, {"message": unknown})
    except ValidationError as error:
        if unknown in error.messages:
            return Reply(404, {"message": unknown})
        return Reply(422, {"message": _message(error)})
    return Reply(200, out(done))


@router.post("/reservations/{booking_id}/resultat", response={200: AppointmentSlotOut, 404: Error, 422: Error})
def record_outcome(request: HttpRequest, booking_id: int, payload: OutcomeIn):
    return _act(
        booking_id,
        lambda: actions.record_outcome(actor=request.auth, booking_id=booking_id, status=payload.status),
        lambda booking: _out(booking.slot, booking),
        unknown="Réservation inconnue.",
    )


@router.post("/creneaux/{slot_id}/retrait", response={200: AppointmentSlotOut, 404: Error, 422: Error})
def withdraw_slot(request: HttpRequest, slot_id: int):
    """Withdraw a free future slot; a booked one is refused (cancel the booking with notice first)."""
    return _act(
        slot_id,
        lambda: actions.withdraw_slot(actor=request.auth, slot_id=slot_id),
        lambda slot: _out(slot, None),
        unknown="Créneau inconnu.",
    )


@router.post("/reservations/{booking_id}/annulation", response={200: AppointmentSlotOut, 404: Error, 422: Error})
def cancel_booking(request: HttpRequest, booking_id: int, payload: CancelIn):
    """Cancel a booked future appointment with its reason; the person is told as she chose."""
    return _act(
        booking_id,
        lambda: actions.cancel_by_structure(actor=request.auth, booking_id=booking_id, reason=payload.motif),
        lambda booking: _out(booking.slot, booking),
        unknown="Réservation inconnue.",
    )
