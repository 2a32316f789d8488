"""Writes of the booking: publish slots, book (no double booking), cancel, record no-shows, remind."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from carteblanche.appointments.models import Booking, Slot
from carteblanche.core import sms
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.directory import hours
from carteblanche.orientation.availability import AvailabilityError, parse_availability
from carteblanche.referrals import permissions
from carteblanche.referrals.actors import Actor, journal, structure_ids, user_of
from carteblanche.referrals.models import CaseFile, Consent, FollowLink

Action = AuditEntry.Action
REMINDER_BEFORE = timedelta(hours=48)


def _manages(actor: Actor, structure_id: int) -> None:
    """`actor` is an agent, or a partner API key, which acts for its structure (referrals.actors)."""
    if structure_id not in structure_ids(actor):
        raise PermissionDenied("Seule la structure qui reçoit gère ses créneaux.")


def publish_from_hours(
    *, actor: Actor, structure_id: int, rule: str, kind: str, start: datetime, days: int = 14, minutes: int = 30
) -> int:
    """Cut the opening hours (OpenStreetMap syntax) into slots of `minutes`; existing ones are kept."""
    _manages(actor, structure_id)
    if not 10 <= minutes <= 240:
        raise ValidationError({"minutes": "La durée d'un créneau doit être entre 10 et 240 minutes."})
    try:
        intervals = hours.open_slots(rule, start, days)
    except hours.OpeningHoursError as error:
        raise ValidationError({"rule": str(error)}) from error
    if intervals is None:
        raise ValidationError({"rule": "Horaires inconnus : saisissez les créneaux un par un."})
    step = timedelta(minutes=minutes)
    slots = []
    for interval in intervals:
        begin = interval.start
        while begin + step <= interval.end:
            slots.append(
                Slot(
                    structure_id=structure_id,
                    kind=kind,
                    start=begin,
                    end=begin + step,
                    source=Slot.Source.HOURS,
                    created_by=actor,
                )
            )
            begin += step
    before = Slot.objects.filter(structure_id=structure_id).count()
    Slot.objects.bulk_create(slots, ignore_conflicts=True)
    return Slot.objects.filter(structure_id=structure_id).count() - before


def add_slot(*, actor: Actor, structure_id: int, kind: str, start: datetime, end: datetime) -> Slot:
    _manages(actor, structure_id)
    if end <= start:
        raise ValidationError({"end": "La fin du créneau doit être après son début."})
    if Slot.objects.filter(structure_id=structure_id, kind=kind, start=start).exists():
        raise ValidationError({"start": "Un créneau de ce type commence déjà à cette heure."})
    return Slot.objects.create(
        structure_id=structure_id,
        kind=kind,
        start=start,
        end=end,
        source=Slot.Source.EXPLICIT,
        created_by=user_of(actor),
    )


def fits_availability(case: CaseFile, slot: Slot, now: datetime) -> bool | None:
    """True/False when the person gave parseable availability, None when she gave none."""
    if not case.availability.strip():
        return None
    try:
        windows = parse_availability(case.availability).windows(now, days=60)
    except AvailabilityError:
        return None
    return any(w.start <= slot.start and slot.end <= w.end for w in windows)


def _valid_consent(case: CaseFile, structure_id: int, consent_id: int | None) -> Consent:
    consent = Consent.objects.filter(
        pk=consent_id, case=case, recipient_id=structure_id, revoked_at__isnull=True
    ).first()
    if consent is None:
        raise PermissionDenied("Il faut le consentement de la personne pour cette structure avant de réserver.")
    return consent


def book(
    *, actor: Any, case: CaseFile, slot_id: int, consent_id: int | None, notify: str = "", note: str = ""
) -> Booking:
    """Book a slot for the person. Row lock on the slot + a unique constraint: never two bookings."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit la personne réserve pour elle.")
    if notify == Booking.Notify.SMS and not case.phone:
        raise ValidationError({"notify": "Pas de téléphone dans le dossier : impossible de prévenir par SMS."})
    if notify == Booking.Notify.EMAIL and not case.email:
        raise ValidationError({"notify": "Pas d'e-mail dans le dossier : impossible de prévenir par e-mail."})
    now = timezone.now()
    try:
        with transaction.atomic():
            slot = Slot.objects.select_for_update().filter(pk=slot_id, withdrawn_at__isnull=True).first()
            if slot is None or slot.start <= now:
                raise ValidationError({"slot": "Ce créneau n'existe pas ou est passé."})
            consent = _valid_consent(case, slot.structure_id, consent_id)
            if fits_availability(case, slot, now) is False:
                raise ValidationError(
                    {"slot": f"Ce créneau est hors des disponibilités de la personne ({case.availability})."}
                )
            if Booking.objects.filter(slot=slot).exclude(status=Booking.Status.CANCELLED).exists():
                raise ValidationError({"slot": "Ce créneau vient d'être réservé : choisissez-en un autre."})
            booking = Booking.objects.create(
                slot=slot,
                case=case,
                consent=consent,
                from_structure=case.structure,
                booked_by=actor,
                notify=notify,
                note=note[:300],
            )
    except IntegrityError as error:
        raise ValidationError({"slot": "Ce créneau vient d'être réservé : choisissez-en un autre."}) from error
    record_audit(actor=actor, action=Action.CREATE, obj=booking, details={"case": str(case.pk), "slot": slot.pk})
    if notify:
        _send(booking, confirmation_text(booking), field="confirmation_sent_at")
    return booking


def _when(booking: Booking) -> str:
    local = timezone.localtime(booking.slot.start)
    return local.strftime("%d/%m/%Y à %Hh%M")


def confirmation_text(booking: Booking) -> str:
    verb = "vous rappellera" if booking.slot.kind == Slot.Kind.CALLBACK else "vous reçoit"
    return f"{booking.slot.structure.name} {verb} le {_when(booking)}. Pour annuler : votre lien de suivi."


def reminder_text(booking: Booking) -> str:
    return f"Rappel : {confirmation_text(booking)}"


def cancellation_text(booking: Booking, reason: str) -> str:
    return (
        f"{booking.slot.structure.name} doit annuler votre rendez-vous du {_when(booking)} : {reason}. "
        "La personne qui vous accompagne vous proposera un autre créneau."
    )


def _send(booking: Booking, text: str, *, field: str | None) -> None:
    """Through the project's SMS module or Django's e-mail; journaled, only with the person's choice."""
    case = booking.case
    if booking.notify == Booking.Notify.SMS:
        sms.send_sms(case.phone, sms.pack(sms.to_gsm7(text)))
    elif booking.notify == Booking.Notify.EMAIL:
        send_mail("Votre rendez-vous", text, None, [case.email])
    else:
        return
    if field is not None:
        Booking.objects.filter(pk=booking.pk).update(**{field: timezone.now()})
    record_audit(
        actor_label="envoi automatique",
        action=Action.SHARE,
        obj=booking,
        reason=field.removesuffix("_sent_at") if field else "cancellation",
        details={"channel": booking.notify},
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind, once, every active booking starting within 48 hours (the command runs hourly)."""
    now = now or timezone.now()
    due = (
        Booking.objects.select_related("slot__structure", "case")
        .filter(
            status=Booking.Status.BOOKED,
            reminder_sent_at__isnull=True,
            slot__start__gt=now,
            slot__start__lte=now + REMINDER_BEFORE,
        )
        .exclude(notify="")
    )
    sent = 0
    for booking in due:
        _send(booking, reminder_text(booking), field="reminder_sent_at")
        sent += 1
    return sent


def cancel_by_person(*, link: FollowLink, booking_id: int) -> Booking:
    booking = Booking.objects.filter(pk=booking_id, case_id=link.case_id).first()
    if booking is None:
        raise ValidationError({"booking": "Ce rendez-vous n'existe pas dans votre suivi."})
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError({"booking": "Ce rendez-vous n'est plus réservé."})
    Booking.objects.filter(pk=booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now(), cancelled_by_label="la personne"
    )
    record_audit(actor_label="lien de suivi", action=Action.UPDATE, obj=booking, reason="annulé par la personne")
    booking.refresh_from_db()
    return booking


def record_outcome(*, actor: Actor, booking_id: int, status: str) -> Booking:
    """The receiving structure records that the person came, or did not (no-show)."""
    booking = Booking.objects.select_related("slot").filter(pk=booking_id).first()
    if booking is None:
        raise ValidationError({"booking": "Réservation inconnue."})
    _manages(actor, booking.slot.structure_id)
    if status not in (Booking.Status.NO_SHOW, Booking.Status.HONOURED):
        raise ValidationError({"status": "Choisissez : honoré ou absence."})
    if booking.status != Booking.Status.BOOKED or booking.slot.start > timezone.now():
        raise ValidationError({"status": "Seul un rendez-vous réservé et commencé peut être marqué."})
    Booking.objects.filter(pk=booking.pk).update(status=status, outcome_recorded_at=timezone.now())
    record_audit(**journal(actor), action=Action.UPDATE, obj=booking, details={"status": status})
    booking.refresh_from_db()
    return booking


def withdraw_slot(*, actor: Any, slot_id: int) -> Slot:
    """The receiving structure withdraws a free future slot. A booked one is not withdrawn: the booking
    is cancelled with notice first (cancel_by_structure), so nobody loses a slot without being told."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().filter(pk=slot_id).first()
        if slot is None:
            raise ValidationError({"slot": "Créneau inconnu."})
        _manages(actor, slot.structure_id)
        if slot.withdrawn_at is not None:
            raise ValidationError({"slot": "Ce créneau est déjà retiré."})
        if slot.start <= timezone.now():
            raise ValidationError({"slot": "Un créneau passé ne se retire pas."})
        if slot.bookings.filter(status=Booking.Status.BOOKED).exists():
            raise ValidationError(
                {"slot": "Ce créneau est réservé : annulez d'abord le rendez-vous en prévenant la personne."}
            )
        Slot.objects.filter(pk=slot.pk).update(withdrawn_at=timezone.now())
        record_audit(**journal(actor), action=Action.UPDATE, obj=slot, reason="créneau retiré")
    slot.refresh_from_db()
    return slot


def cancel_by_structure(*, actor: Any, booking_id: int, reason: str) -> Booking:
    """The receiving structure cancels a booked future appointment, with its reason, and the person is
    told (SMS or e-mail as she chose at booking; the case page of the sending structure shows it)."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationError({"reason": "Donnez le motif de l'annulation : il est transmis à la personne."})
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update().select_related("slot__structure", "case").filter(pk=booking_id).first()
        )
        if booking is None:
            raise ValidationError({"booking": "Réservation inconnue."})
        _manages(actor, booking.slot.structure_id)
        if booking.status != Booking.Status.BOOKED or booking.slot.start <= timezone.now():
            raise ValidationError({"booking": "Seul un rendez-vous réservé et à venir peut être annulé."})
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED, cancelled_at=timezone.now(), cancelled_by_label="la structure"
        )
        record_audit(
            **journal(actor),
            action=Action.UPDATE,
            obj=booking,
            reason="annulé par la structure",
            details={"motif": reason},
        )
    booking.refresh_from_db()
    _send(booking, cancellation_text(booking, reason), field=None)
    return booking
