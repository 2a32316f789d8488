"""Writes of referrals: the draft, each step of the state machine (one transition log entry each), messages."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals import permissions
from carteblanche.referrals.actors import Actor, journal
from carteblanche.referrals.models import (
    CaseFile,
    Consent,
    Outcome,
    Referral,
    ReferralMessage,
    ReferralTransition,
)
from carteblanche.referrals.notifications import notify_structure, one_line
from carteblanche.referrals.workflow import LABELS, InvalidTransition, Side, Status, check_transition

Action = AuditEntry.Action


# Referrals that no longer run: a new one for the same partner and need is not a duplicate.
FINISHED = (Status.CLOSED, Status.REFUSED, Status.REDIRECTED)


class ConcurrentModification(Exception):
    message = "Cette orientation a été modifiée entre-temps par quelqu'un d'autre. Rechargez la page et recommencez."

    def __str__(self) -> str:
        return self.message


@transaction.atomic
def create_referral(
    *,
    actor: Actor,
    case: CaseFile,
    to_structure_id: int,
    need_label: str,
    need_slug: str | None = None,
    message: str = "",
    consent: Consent | None = None,
    external_ref: str = "",
) -> Referral:
    """A draft referral from the case's structure; sending it needs the consent (see `transition_referral`)."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut orienter la personne.")
    errors = {}
    need_label = one_line(need_label or "")  # a label is one line (it goes into notices and e-mail subjects)
    if to_structure_id == case.structure_id:
        errors["to_structure"] = "Choisissez un autre partenaire que votre structure."
    if not need_label:
        errors["need_label"] = "Indiquez le besoin pour lequel la personne est orientée."
    elif (
        Referral.objects.filter(case=case, to_structure_id=to_structure_id, need_label=need_label[:200])
        .exclude(status__in=FINISHED)
        .exists()
    ):
        # A retried form (or a double click) must not send the person twice.
        errors["need_label"] = (
            "Une orientation vers ce partenaire pour ce besoin est déjà en cours pour ce dossier : "
            "retrouvez-la dans la liste des orientations du dossier."
        )
    if consent is not None and (consent.case_id != case.pk or consent.recipient_id != to_structure_id):
        errors["consent"] = "Ce consentement ne concerne pas ce partenaire."
    if errors:
        raise ValidationError(errors)
    return _draft(
        who=journal(actor),
        case=case,
        to_structure_id=to_structure_id,
        need_label=need_label,
        need_slug=need_slug,
        message=message,
        consent=consent,
        external_ref=external_ref,
    )


def _draft(
    *,
    who: dict[str, Any],
    case: CaseFile,
    to_structure_id: int,
    need_label: str,
    need_slug: str | None = None,
    message: str = "",
    consent: Consent | None = None,
    external_ref: str = "",
) -> Referral:
    """Write a draft referral, its first transition and its journal entry (`who`: the journal's fields)."""
    referral = Referral.objects.create(
        case=case,
        from_structure_id=case.structure_id,
        to_structure_id=to_structure_id,
        need_id=need_slug or None,
        need_label=need_label.strip()[:200],
        message=message,
        consent=consent,
        created_by=who["actor"],
        external_ref=external_ref,
    )
    ReferralTransition.objects.create(
        referral=referral,
        from_status="",
        to_status=Status.DRAFT,
        version=1,
        author=who["actor"],
        author_label=who["actor_label"],
    )
    record_audit(**who, action=Action.CREATE, obj=referral, details={"case": str(case.pk), "to": to_structure_id})
    return referral


def _valid_consent_for(referral: Referral, consent_id: Any) -> Consent | None:
    if not consent_id:
        return None
    return Consent.objects.filter(
        pk=getattr(consent_id, "pk", consent_id),
        case_id=referral.case_id,
        recipient_id=referral.to_structure_id,
        revoked_at__isnull=True,
    ).first()


def _apply(*, referral: Referral, target: Status, fields: dict[str, Any], who: dict[str, Any], note: str) -> Referral:
    """Conditional update on the version: if someone else wrote first, nothing is changed."""
    now = timezone.now()
    current = Status(referral.status)
    stamps: dict[str, Any] = {}
    if target == Status.SENT:
        stamps["sent_at"] = now
    if target == Status.RECEIVED and referral.acknowledged_at is None:
        stamps["acknowledged_at"] = now
    if target in (Status.ACCEPTED, Status.REFUSED, Status.REDIRECTED) and referral.answered_at is None:
        stamps["answered_at"] = now
        if referral.acknowledged_at is None:
            stamps["acknowledged_at"] = now
    if target == Status.CLOSED:
        stamps["closed_at"] = now
    updated = Referral.objects.filter(pk=referral.pk, version=referral.version).update(
        status=target.value, version=F("version") + 1, updated_at=now, **fields, **stamps
    )
    if updated != 1:
        raise ConcurrentModification()
    new_version = referral.version + 1
    ReferralTransition.objects.create(
        referral=referral,
        from_status=current.value,
        to_status=target.value,
        version=new_version,
        author=who["actor"],
        author_label=who["actor_label"],
        at=now,
        note=note,
    )
    return Referral.objects.select_related("case", "from_structure", "to_structure", "consent").get(pk=referral.pk)


TRANSITION_FIELDS = {
    Status.SENT: ("consent",),
    Status.REFUSED: ("refusal_reason",),
    Status.REDIRECTED: ("redirect_structure",),
    Status.APPOINTMENT_SET: ("appointment_at", "appointment_channel", "appointment_note"),
    Status.CLOSED: ("outcome", "outcome_note"),
}


@transaction.atomic
def transition_referral(
    *,
    actor: Actor,
    referral_id: Any,
    expected_version: int,
    target: str,
    data: dict[str, Any] | None = None,
    note: str = "",
) -> Referral:
    """Move a referral along the state machine, if this side may, with what the step needs.

    One step each: who may (`_sides`), what the step needs (`_step_fields`), the conditional write
    (`_apply`) and its journal entry, then what follows the step (`_after_step`).
    """
    data = {key: value for key, value in (data or {}).items() if value not in (None, "")}
    referral = (
        Referral.objects.select_related("case", "consent", "from_structure", "to_structure")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise PermissionDenied("Orientation introuvable.")
    sides = permissions.referral_sides(actor, referral)
    if not sides:
        raise PermissionDenied("Vous ne pouvez pas modifier cette orientation.")
    if referral.version != expected_version:
        raise ConcurrentModification()
    try:
        target_status = Status(target)
    except ValueError:
        raise InvalidTransition({"status": f"Statut inconnu : {target}."}) from None
    fields = _step_fields(referral, target_status, data, sides)
    previous = referral.status
    who = journal(actor)
    updated = _apply(referral=referral, target=target_status, fields=fields, who=who, note=note)
    record_audit(
        **who,
        action=Action.SHARE if target_status == Status.SENT else Action.UPDATE,
        obj=updated,
        reason=f"orientation : {LABELS[Status(previous)]} → {LABELS[target_status]}",
        details={"from": previous, "to": target_status.value, "version": updated.version},
    )
    _after_step(updated, target_status, sides, who=who, note=note)
    return updated


def _step_fields(referral: Referral, target: Status, data: dict[str, Any], sides: set[Side]) -> dict[str, Any]:
    """The fields the step writes, once the state machine accepts it from one of the actor's sides."""
    if target == Status.SENT:
        consent = _valid_consent_for(referral, data.get("consent") or referral.consent_id)
        data["consent"] = consent
        if consent is None:
            # Sharing without consent is impossible: say so, change nothing.
            raise InvalidTransition(
                {"consent": "Recueillez d'abord le consentement de la personne pour ce partenaire."}
            )
    if target == Status.REDIRECTED and "redirect_structure" in data:
        redirect_id = int(getattr(data["redirect_structure"], "pk", data["redirect_structure"]))
        if redirect_id in (referral.to_structure_id, referral.from_structure_id):
            raise InvalidTransition({"redirect_structure": "Choisissez un troisième partenaire, mieux placé."})
    if target == Status.CLOSED and data.get("outcome") and data["outcome"] not in Outcome.values:
        raise InvalidTransition({"outcome": "Choisissez un résultat dans la liste."})
    if target == Status.APPOINTMENT_SET and data.get("appointment_channel"):
        from carteblanche.referrals.models import Channel

        if data["appointment_channel"] not in Channel.values:
            raise InvalidTransition({"appointment_channel": "Choisissez une façon de faire le rendez-vous."})
    last_error: InvalidTransition | None = None
    for side in sorted(sides):
        try:
            check_transition(referral.status, target, side, data)
            last_error = None
            break
        except InvalidTransition as exc:
            last_error = exc
    if last_error is not None:
        raise last_error
    fields: dict[str, Any] = {}
    for name in TRANSITION_FIELDS.get(target, ()):
        if name in data:
            value = data[name]
            if name in ("consent", "redirect_structure"):
                fields[f"{name}_id"] = getattr(value, "pk", value)
            else:
                fields[name] = value
    return fields


def _after_step(referral: Referral, target: Status, sides: set[Side], *, who: dict[str, Any], note: str) -> None:
    """What follows a step: a draft towards the better partner after a redirection; the other side told."""
    if target == Status.REDIRECTED:
        # For the sending structure to complete with a new consent; made by the software, not by the actor.
        assert referral.redirect_structure_id is not None  # the state machine requires it
        _draft(
            who={"actor": None, "actor_label": who["actor_label"] or "réorientation"},
            case=referral.case,
            to_structure_id=referral.redirect_structure_id,
            need_label=referral.need_label,
            need_slug=referral.need_id,
            message=f"Réorientée par {referral.to_structure.name}. {note}".strip(),
        )
    url = reverse("referrals:referral_detail", args=[referral.pk])
    if target == Status.SENT:
        notify_structure(
            structure_id=referral.to_structure_id,
            text=f"Nouvelle orientation reçue de {referral.from_structure.name} : {referral.need_label}",
            url=url,
            referral=referral,
        )
    elif target != Status.CLOSED or Side.RECEIVER in sides:
        other = referral.from_structure_id if Side.RECEIVER in sides else referral.to_structure_id
        text = f"Orientation « {referral.need_label} » : {LABELS[target]}"
        notify_structure(structure_id=other, text=text, url=url, referral=referral)


@transaction.atomic
def post_message(*, actor: Actor, referral: Referral, body: str) -> ReferralMessage:
    sides = permissions.referral_sides(actor, referral)
    if not sides:
        raise PermissionDenied("Vous ne pouvez pas écrire sur cette orientation.")
    structure_id = referral.from_structure_id if Side.SENDER in sides else referral.to_structure_id
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Écrivez un message."})
    if len(body) > 5000:
        raise ValidationError({"body": "Le message dépasse 5 000 caractères."})
    who = journal(actor)
    message = ReferralMessage.objects.create(
        referral=referral, author=who["actor"], author_label=who["actor_label"], structure_id=structure_id, body=body
    )
    record_audit(**who, action=Action.CREATE, obj=message, details={"referral": str(referral.pk)})
    other = referral.to_structure_id if structure_id == referral.from_structure_id else referral.from_structure_id
    notify_structure(
        structure_id=other,
        text=f"Nouveau message sur l'orientation « {referral.need_label} »",
        url=reverse("referrals:referral_detail", args=[referral.pk]),
        referral=referral,
    )
    return message
