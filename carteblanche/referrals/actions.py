"""Writes of the accompaniment: each one checks its input, runs in a transaction, audits, then notifies.

Errors are `django.core.exceptions.ValidationError` with a dict {field: message} (nothing is
changed), `InvalidTransition` for a refused state change, `ConcurrentModification` when someone
else changed the referral meanwhile, `PermissionDenied` when the actor may not do it.
"""

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry, Situation
from carteblanche.referrals import permissions
from carteblanche.referrals.models import (
    CaseFile,
    Consent,
    ContactPreference,
    Document,
    FollowLink,
    IdempotencyRecord,
    Outcome,
    Referral,
    ReferralMessage,
    ReferralTransition,
    SatisfactionResponse,
    hash_token,
)
from carteblanche.referrals.notifications import notify_structure, one_line
from carteblanche.referrals.workflow import LABELS, InvalidTransition, Side, Status, check_transition

Action = AuditEntry.Action
# Referrals that no longer run: a new one for the same partner and need is not a duplicate.
FINISHED = (Status.CLOSED, Status.REFUSED, Status.REDIRECTED)

CASE_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "commune_code",
    "phone",
    "email",
    "postal_address",
    "contact_preference",
    "relative_name",
    "relative_phone",
    "availability",
    "needs_note",
    "plan",
)


def _may_edit(actor: Any, case: CaseFile, api_structure_id: int | None) -> bool:
    if api_structure_id is not None:
        return case.anonymised_at is None and case.structure_id == api_structure_id
    return permissions.can_edit_case(actor, case)


class ConcurrentModification(Exception):
    message = "Cette orientation a été modifiée entre-temps par quelqu'un d'autre. Rechargez la page et recommencez."

    def __str__(self) -> str:
        return self.message


class CaseModifiedConcurrently(ConcurrentModification):
    message = (
        "Ce dossier a été modifié entre-temps par quelqu'un d'autre : vos modifications n'ont pas été enregistrées. "
        "Rechargez la page pour voir sa version actuelle, puis recommencez."
    )


def _check_contact(values: dict[str, Any]) -> None:
    errors = {}
    if not (values.get("first_name") or "").strip():
        errors["first_name"] = "Indiquez le prénom."
    if not (values.get("last_name") or "").strip():
        errors["last_name"] = "Indiquez le nom."
    preference = values.get("contact_preference") or ContactPreference.PHONE
    if preference not in ContactPreference.values:
        errors["contact_preference"] = "Choisissez un moyen de contact dans la liste."
    required = {
        ContactPreference.PHONE: ("phone", "Indiquez un numéro de téléphone, ou choisissez un autre moyen de contact."),
        ContactPreference.SMS: ("phone", "Indiquez un numéro de téléphone portable pour les SMS."),
        ContactPreference.EMAIL: ("email", "Indiquez une adresse e-mail, ou choisissez un autre moyen de contact."),
        ContactPreference.LETTER: ("postal_address", "Indiquez l'adresse postale pour les courriers."),
        ContactPreference.RELATIVE: ("relative_phone", "Indiquez le téléphone du proche à contacter."),
    }
    if preference in required:
        field, message = required[preference]
        if not (values.get(field) or "").strip():
            errors[field] = message
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_case(
    *,
    actor: Any,
    structure_id: int,
    data: dict[str, Any],
    situation: Situation | None = None,
    need_slugs: list[str] | None = None,
    reason: str = "ouverture du dossier",
    api_structure_id: int | None = None,
    actor_label: str = "",
) -> CaseFile:
    """Open a case file for the structure; the situation already captured is attached, not retyped."""
    if api_structure_id is not None:
        if api_structure_id != structure_id:
            raise PermissionDenied("Cette clé d'API ne peut ouvrir des dossiers que pour sa structure.")
    elif structure_id not in permissions.structure_ids(actor):
        raise PermissionDenied("Vous ne pouvez ouvrir un dossier que pour votre structure.")
    values = {field: data[field] for field in CASE_FIELDS if field in data and data[field] is not None}
    _check_contact(values)
    case = CaseFile.objects.create(structure_id=structure_id, created_by=actor, situation=situation, **values)
    if need_slugs:
        case.needs.set(need_slugs)
    record_audit(
        actor=actor,
        actor_label=actor_label,
        action=Action.CREATE,
        obj=case,
        reason=reason,
        details={"fields": sorted(values)},
    )
    return case


@transaction.atomic
def update_case(
    *,
    actor: Any,
    case: CaseFile,
    data: dict[str, Any],
    need_slugs: list[str] | None = None,
    reason: str,
    expected_version: int | None = None,
) -> CaseFile:
    """Rectify the case file (RGPD right to rectification): the journal keeps which fields changed, not values.

    `expected_version` is the version the agent's form was built from: if someone changed the file
    since, nothing is written (`CaseModifiedConcurrently`), as for referrals. The write is an
    `UPDATE … WHERE version = expected`, so two agents acting at once cannot both win.
    """
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut le modifier.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez pourquoi vous modifiez le dossier."})
    case = CaseFile.objects.select_for_update().get(pk=case.pk)
    version = case.version if expected_version is None else expected_version
    if case.version != version:
        raise CaseModifiedConcurrently()
    changes: dict[str, Any] = {}
    for field in CASE_FIELDS:
        if field in data and data[field] is not None and getattr(case, field) != data[field]:
            setattr(case, field, data[field])
            changes[field] = data[field]
    changed = list(changes)
    _check_contact({field: getattr(case, field) for field in CASE_FIELDS})
    updated = CaseFile.objects.filter(pk=case.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise CaseModifiedConcurrently()
    if need_slugs is not None:
        before = set(case.needs.values_list("slug", flat=True))
        if before != set(need_slugs):
            case.needs.set(need_slugs)
            changed.append("needs")
    record_audit(
        actor=actor, action=Action.UPDATE, obj=case, reason=reason, details={"fields": changed, "version": version + 1}
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def record_consent(
    *,
    actor: Any,
    case: CaseFile,
    recipient_id: int,
    scope: list[str],
    purpose: str,
    method: str,
    given_at: datetime | None = None,
    witness: Any = None,
    api_structure_id: int | None = None,
    actor_label: str = "",
) -> Consent:
    """Record what the person agreed to share, with whom, why and how; required before any referral."""
    if not _may_edit(actor, case, api_structure_id):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut recueillir un consentement.")
    errors = {}
    if recipient_id == case.structure_id:
        errors["recipient"] = "Choisissez un autre partenaire que votre structure."
    valid_scopes = set(Consent.Scope.values)
    if not scope or not set(scope) <= valid_scopes:
        errors["scope"] = "Cochez au moins une catégorie de données à partager."
    if not (purpose or "").strip():
        errors["purpose"] = "Indiquez pourquoi les données sont partagées (la finalité)."
    if method not in Consent.Method.values:
        errors["method"] = "Choisissez comment la personne a donné son accord."
    if method == Consent.Method.ORAL_WITNESSED:
        if witness is None:
            errors["witness"] = "Un accord oral doit avoir un agent témoin : choisissez-le."
        elif actor is not None and witness.pk == actor.pk:
            errors["witness"] = "Le témoin doit être un autre agent que vous."
    given_at = given_at or timezone.now()
    if given_at > timezone.now() + timedelta(minutes=5):
        errors["given_at"] = "La date du consentement ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        case=case,
        recipient_id=recipient_id,
        scope=sorted(set(scope)),
        purpose=purpose.strip(),
        method=method,
        witness=witness if method == Consent.Method.ORAL_WITNESSED else None,
        given_at=given_at,
        recorded_by=actor,
    )
    record_audit(
        actor=actor,
        actor_label=actor_label,
        action=Action.CREATE,
        obj=consent,
        reason="recueil du consentement",
        details={"case": str(case.pk), "recipient": recipient_id, "scope": consent.scope, "method": method},
    )
    return consent


@transaction.atomic
def revoke_consent(*, actor: Any, consent: Consent, reason: str = "retrait du consentement") -> Consent:
    """The person withdraws consent: the partner loses access and open referrals using it are closed."""
    if not permissions.can_edit_case(actor, consent.case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut enregistrer un retrait.")
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        raise ValidationError({"consent": "Ce consentement est déjà retiré."})
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    for referral in Referral.objects.filter(consent=consent).exclude(status=Status.CLOSED):
        if referral.status == Status.DRAFT:
            Referral.objects.filter(pk=referral.pk).update(consent=None)
            continue
        _apply(
            referral=referral,
            target=Status.CLOSED,
            fields={"outcome": Outcome.CONSENT_REVOKED, "outcome_note": "Consentement retiré par la personne."},
            actor=actor,
            actor_label="",
            note=reason,
        )
    record_audit(actor=actor, action=Action.UPDATE, obj=consent, reason=reason, details={"revoked": True})
    return consent


ALLOWED_DOCUMENTS = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in ALLOWED_DOCUMENTS.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


@transaction.atomic
def add_document(*, actor: Any, case: CaseFile, kind: str, upload: Any) -> Document:
    """Attach a PDF, JPEG or PNG (checked by content, not by name), within the size limit."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut y joindre des pièces.")
    errors = {}
    if kind not in Document.Kind.values:
        errors["kind"] = "Choisissez le type de pièce."
    limit = settings.REFERRALS_DOCUMENT_MAX_BYTES
    if upload is None:
        errors["file"] = "Choisissez un fichier."
    elif upload.size == 0:
        errors["file"] = "Le fichier est vide."
    elif upload.size > limit:
        errors["file"] = f"Le fichier dépasse la taille maximale ({limit // (1024 * 1024)} Mo)."
    content_type = None
    if upload is not None and "file" not in errors:
        upload.seek(0)
        content_type = sniff_content_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            errors["file"] = "Format non accepté : envoyez un PDF, une photo JPEG ou une image PNG."
    if errors:
        raise ValidationError(errors)
    name = (getattr(upload, "name", "") or "piece").rsplit("/", 1)[-1][:200]
    document = Document(case=case, kind=kind, original_name=name, content_type=content_type, size=upload.size)
    document.uploaded_by = actor
    document.file.save(name, upload, save=False)
    # If the row cannot be written, do not leave an orphan file behind.
    stored_name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    record_audit(actor=actor, action=Action.CREATE, obj=document, details={"case": str(case.pk), "kind": kind})
    return document


def _delete_files(documents) -> None:
    names = [document.file.name for document in documents]
    if not names:
        return
    storage = documents[0].file.storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def delete_document(*, actor: Any, document: Document, reason: str = "pièce retirée") -> None:
    if not permissions.can_edit_case(actor, document.case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut retirer une pièce.")
    _delete_files([document])
    record_audit(
        actor=actor, action=Action.DELETE, obj=document, reason=reason, details={"case": str(document.case_id)}
    )
    document.delete()


@transaction.atomic
def create_referral(
    *,
    actor: Any,
    case: CaseFile,
    to_structure_id: int,
    need_label: str,
    need_slug: str | None = None,
    message: str = "",
    consent: Consent | None = None,
    actor_label: str = "",
    external_ref: str = "",
    api_structure_id: int | None = None,
    system: bool = False,
) -> Referral:
    """A draft referral from the case's structure; sending it needs the consent (see `transition_referral`).

    `system` is for drafts the software makes itself (a redirection), with no acting user.
    """
    if not system and not _may_edit(actor, case, api_structure_id):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut orienter la personne.")
    errors = {}
    need_label = one_line(need_label or "")  # a label is one line (it goes into notices and e-mail subjects)
    if to_structure_id == case.structure_id:
        errors["to_structure"] = "Choisissez un autre partenaire que votre structure."
    if not need_label:
        errors["need_label"] = "Indiquez le besoin pour lequel la personne est orientée."
    elif not system and (
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
    referral = Referral.objects.create(
        case=case,
        from_structure_id=case.structure_id,
        to_structure_id=to_structure_id,
        need_id=need_slug or None,
        need_label=need_label.strip()[:200],
        message=message,
        consent=consent,
        created_by=actor if actor is not None else None,
        external_ref=external_ref,
    )
    ReferralTransition.objects.create(
        referral=referral, from_status="", to_status=Status.DRAFT, version=1, author=actor, author_label=actor_label
    )
    record_audit(
        actor=actor,
        actor_label=actor_label,
        action=Action.CREATE,
        obj=referral,
        details={"case": str(case.pk), "to": to_structure_id},
    )
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


def _apply(
    *, referral: Referral, target: Status, fields: dict[str, Any], actor: Any, actor_label: str, note: str
) -> Referral:
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
        author=actor,
        author_label=actor_label,
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
    actor: Any,
    referral_id: Any,
    expected_version: int,
    target: str,
    data: dict[str, Any] | None = None,
    note: str = "",
    api_structure_id: int | None = None,
    actor_label: str = "",
) -> Referral:
    """Move a referral along the state machine, if this side may, with what the step needs.

    `api_structure_id` replaces the user's memberships for a partner system's token.
    """
    data = {key: value for key, value in (data or {}).items() if value not in (None, "")}
    referral = (
        Referral.objects.select_related("case", "consent", "from_structure", "to_structure")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise PermissionDenied("Orientation introuvable.")
    if api_structure_id is not None:
        sides = set()
        if referral.from_structure_id == api_structure_id:
            sides.add(Side.SENDER)
        if (
            referral.to_structure_id == api_structure_id
            and referral.status != Status.DRAFT
            and referral.consent
            and referral.consent.revoked_at is None
        ):
            sides.add(Side.RECEIVER)
    else:
        sides = permissions.referral_sides(actor, referral)
    if not sides:
        raise PermissionDenied("Vous ne pouvez pas modifier cette orientation.")
    if referral.version != expected_version:
        raise ConcurrentModification()
    try:
        target_status = Status(target)
    except ValueError:
        raise InvalidTransition({"status": f"Statut inconnu : {target}."}) from None
    if target_status == Status.SENT:
        consent = _valid_consent_for(referral, data.get("consent") or referral.consent_id)
        data["consent"] = consent
        if consent is None:
            # Sharing without consent is impossible: say so, change nothing.
            raise InvalidTransition(
                {"consent": "Recueillez d'abord le consentement de la personne pour ce partenaire."}
            )
    if target_status == Status.REDIRECTED and "redirect_structure" in data:
        redirect_id = int(getattr(data["redirect_structure"], "pk", data["redirect_structure"]))
        if redirect_id in (referral.to_structure_id, referral.from_structure_id):
            raise InvalidTransition({"redirect_structure": "Choisissez un troisième partenaire, mieux placé."})
    if target_status == Status.CLOSED and data.get("outcome") and data["outcome"] not in Outcome.values:
        raise InvalidTransition({"outcome": "Choisissez un résultat dans la liste."})
    if target_status == Status.APPOINTMENT_SET and data.get("appointment_channel"):
        from carteblanche.referrals.models import Channel

        if data["appointment_channel"] not in Channel.values:
            raise InvalidTransition({"appointment_channel": "Choisissez une façon de faire le rendez-vous."})
    last_error: InvalidTransition | None = None
    for side in sorted(sides):
        try:
            check_transition(referral.status, target_status, side, data)
            last_error = None
            break
        except InvalidTransition as exc:
            last_error = exc
    if last_error is not None:
        raise last_error
    fields: dict[str, Any] = {}
    for name in TRANSITION_FIELDS.get(target_status, ()):
        if name in data:
            value = data[name]
            if name in ("consent", "redirect_structure"):
                fields[f"{name}_id"] = getattr(value, "pk", value)
            else:
                fields[name] = value
    previous = referral.status
    updated = _apply(
        referral=referral, target=target_status, fields=fields, actor=actor, actor_label=actor_label, note=note
    )
    audit_action = Action.SHARE if target_status == Status.SENT else Action.UPDATE
    record_audit(
        actor=actor,
        actor_label=actor_label,
        action=audit_action,
        obj=updated,
        reason=f"orientation : {LABELS[Status(previous)]} → {LABELS[target_status]}",
        details={"from": previous, "to": target_status.value, "version": updated.version},
    )
    if target_status == Status.REDIRECTED:
        # A draft towards the better partner, for the sending structure to complete with a new consent.
        create_referral(
            actor=None,
            system=True,
            actor_label=actor_label or "réorientation",
            case=updated.case,
            to_structure_id=fields["redirect_structure_id"],
            need_label=updated.need_label,
            need_slug=updated.need_id,
            message=f"Réorientée par {updated.to_structure.name}. {note}".strip(),
        )
    url = reverse("referrals:referral_detail", args=[updated.pk])
    text = f"Orientation « {updated.need_label} » : {LABELS[target_status]}"
    if target_status == Status.SENT:
        notify_structure(
            structure_id=updated.to_structure_id,
            text=f"Nouvelle orientation reçue de {updated.from_structure.name} : {updated.need_label}",
            url=url,
            referral=updated,
        )
    elif target_status != Status.CLOSED or Side.RECEIVER in sides:
        other = updated.from_structure_id if Side.RECEIVER in sides else updated.to_structure_id
        notify_structure(structure_id=other, text=text, url=url, referral=updated)
    return updated


@transaction.atomic
def post_message(
    *, actor: Any, referral: Referral, body: str, api_structure_id: int | None = None, actor_label: str = ""
) -> ReferralMessage:
    if api_structure_id is not None:
        structure_id = api_structure_id
        if structure_id not in (referral.from_structure_id, referral.to_structure_id):
            raise PermissionDenied("Vous ne pouvez pas écrire sur cette orientation.")
    else:
        sides = permissions.referral_sides(actor, referral)
        if not sides:
            raise PermissionDenied("Vous ne pouvez pas écrire sur cette orientation.")
        structure_id = referral.from_structure_id if Side.SENDER in sides else referral.to_structure_id
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Écrivez un message."})
    if len(body) > 5000:
        raise ValidationError({"body": "Le message dépasse 5 000 caractères."})
    message = ReferralMessage.objects.create(
        referral=referral, author=actor, author_label=actor_label, structure_id=structure_id, body=body
    )
    record_audit(
        actor=actor, actor_label=actor_label, action=Action.CREATE, obj=message, details={"referral": str(referral.pk)}
    )
    other = referral.to_structure_id if structure_id == referral.from_structure_id else referral.from_structure_id
    notify_structure(
        structure_id=other,
        text=f"Nouveau message sur l'orientation « {referral.need_label} »",
        url=reverse("referrals:referral_detail", args=[referral.pk]),
        referral=referral,
    )
    return message


@transaction.atomic
def create_follow_link(*, actor: Any, case: CaseFile, days: int | None = None) -> tuple[FollowLink, str]:
    """A new private link for the person; the raw token is shown once and only its hash is stored."""
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut créer un lien de suivi.")
    raw = secrets.token_urlsafe(32)
    days = days or settings.REFERRALS_FOLLOW_LINK_DAYS
    link = FollowLink.objects.create(
        case=case, token_hash=hash_token(raw), expires_at=timezone.now() + timedelta(days=days)
    )
    record_audit(actor=actor, action=Action.CREATE, obj=link, details={"case": str(case.pk), "days": days})
    return link, raw


def resolve_follow_link(raw: str) -> FollowLink | None:
    """The usable link for this token, or None (unknown, expired or revoked: same answer)."""
    if not raw or len(raw) > 100:
        return None
    link = FollowLink.objects.select_related("case").filter(token_hash=hash_token(raw)).first()
    if link is None or not link.is_usable or link.case.anonymised_at is not None:
        return None
    return link


@transaction.atomic
def record_satisfaction(*, link: FollowLink, referral_id: Any, data: dict[str, Any]) -> SatisfactionResponse:
    referral = Referral.objects.filter(pk=referral_id, case_id=link.case_id).first()
    if referral is None:
        raise ValidationError({"referral": "Cette demande n'existe pas dans votre suivi."})
    if referral.status != Status.CLOSED:
        raise ValidationError({"referral": "Le questionnaire s'ouvre quand la demande est terminée."})
    if SatisfactionResponse.objects.filter(referral=referral).exists():
        raise ValidationError({"referral": "Vous avez déjà répondu pour cette demande. Merci !"})
    errors = {}
    if data.get("got_answer") not in SatisfactionResponse.YesNo.values:
        errors["got_answer"] = "Répondez : avez-vous eu une réponse ?"
    if data.get("satisfaction") not in SatisfactionResponse.Satisfaction.values:
        errors["satisfaction"] = "Répondez : êtes-vous satisfait(e) ?"
    comment = (data.get("comment") or "").strip()
    if len(comment) > 2000:
        errors["comment"] = "Le commentaire dépasse 2 000 caractères."
    if errors:
        raise ValidationError(errors)
    response = SatisfactionResponse.objects.create(
        referral=referral,
        from_structure_id=referral.from_structure_id,
        to_structure_id=referral.to_structure_id,
        need_label=referral.need_label,
        outcome=referral.outcome,
        got_answer=data["got_answer"],
        satisfaction=data["satisfaction"],
        comment=comment,
    )
    record_audit(
        actor_label="lien de suivi", action=Action.CREATE, obj=response, details={"referral": str(referral.pk)}
    )
    return response


@transaction.atomic
def close_case(*, actor: Any, case: CaseFile) -> CaseFile:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut le clore.")
    if Referral.objects.filter(case=case).exclude(status__in=[Status.CLOSED, Status.DRAFT]).exists():
        raise ValidationError({"state": "Clôturez d'abord les orientations en cours."})
    CaseFile.objects.filter(pk=case.pk).update(state=CaseFile.State.CLOSED, closed_at=timezone.now())
    record_audit(actor=actor, action=Action.UPDATE, obj=case, reason="clôture du dossier", details={"state": "closed"})
    case.refresh_from_db()
    return case


@transaction.atomic
def erase_case(*, actor: Any, case: CaseFile, reason: str) -> None:
    """RGPD erasure: the case, its consents, documents (files too), referrals and messages are deleted.

    Satisfaction answers stay, detached, for the observatory; the journal keeps that it happened.
    """
    if not permissions.can_erase_case(actor, case):
        raise PermissionDenied("Seul le responsable de la structure ou le référent données peut effacer un dossier.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez la demande à l'origine de l'effacement."})
    _delete_files(list(case.documents.all()))
    situation_id = case.situation_id
    record_audit(actor=actor, action=Action.DELETE, obj=case, reason=reason, details={"erased": True})
    # Partner replays of calls about this case: no digest of the erased data, and a retry gets "erased".
    IdempotencyRecord.objects.filter(referral__case=case).update(request_hash="", referral=None)
    Referral.objects.filter(case=case).delete()  # before the consents they protect
    case.delete()
    if situation_id and not CaseFile.objects.filter(situation_id=situation_id).exists():
        Situation.objects.filter(pk=situation_id).delete()


ANONYMOUS = {
    "first_name": "",
    "last_name": "",
    "birth_date": None,
    "phone": "",
    "email": "",
    "postal_address": "",
    "contact_preference": ContactPreference.LETTER,
    "relative_name": "",
    "relative_phone": "",
    "availability": "",
    "needs_note": "",
    "plan": "",
}


@transaction.atomic
def anonymise_case(*, case: CaseFile, actor: Any = None, actor_label: str = "anonymisation automatique") -> CaseFile:
    """Keep the statistics (structures, needs, statuses, dates, commune), drop everything that identifies."""
    _delete_files(list(case.documents.all()))
    case.documents.all().delete()
    situation_id = case.situation_id
    CaseFile.objects.filter(pk=case.pk).update(**ANONYMOUS, situation=None, anonymised_at=timezone.now())
    if situation_id and not CaseFile.objects.filter(situation_id=situation_id).exists():
        Situation.objects.filter(pk=situation_id).delete()
    ReferralMessage.objects.filter(referral__case=case).update(body="[message supprimé à l'anonymisation]")
    Referral.objects.filter(case=case).update(message="", outcome_note="", appointment_note="")
    Referral.objects.filter(case=case).exclude(refusal_reason="").update(refusal_reason="[supprimé]")
    ReferralTransition.objects.filter(referral__case=case).update(note="")
    FollowLink.objects.filter(case=case).delete()
    SatisfactionResponse.objects.filter(referral__case=case).update(comment="")
    record_audit(
        actor=actor,
        actor_label=actor_label,
        action=Action.UPDATE,
        obj=case,
        reason="anonymisation",
        details={"anonymised": True},
    )
    case.refresh_from_db()
    return case


# --- the person's own request, online, without an account -------------------------------------

PUBLIC_ACTOR_LABEL = "demande en ligne"
PUBLIC_SCOPE = (Consent.Scope.IDENTITY, Consent.Scope.SITUATION, Consent.Scope.NEEDS)
_PHONE = re.compile(r"^(?:\+33|0033|0)[1-9]\d{8}$")
_CONTACT_FIELD = {
    ContactPreference.PHONE: "phone",
    ContactPreference.SMS: "phone",
    ContactPreference.EMAIL: "email",
    ContactPreference.LETTER: "postal_address",
    ContactPreference.RELATIVE: "relative_phone",
}


def check_public_contact(*, first_name: str, contact_preference: str, contact_value: str) -> dict[str, str]:
    """Field errors ({field: message}) of the public request's minimal identity and contact; empty when fine."""
    errors: dict[str, str] = {}
    name = (first_name or "").strip()
    if not name:
        errors["first_name"] = "Indiquez votre prénom ou vos initiales."
    elif len(name) > 50 or not any(ch.isalpha() for ch in name):
        errors["first_name"] = "Indiquez un prénom ou des initiales (des lettres, 50 caractères au plus)."
    value = (contact_value or "").strip()
    digits = re.sub(r"[\s.\-()]", "", value)
    if contact_preference not in ContactPreference.values:
        errors["contact_preference"] = "Choisissez comment être contacté(e) dans la liste."
    elif not value:
        errors["contact_value"] = {
            ContactPreference.PHONE: "Indiquez votre numéro de téléphone.",
            ContactPreference.SMS: "Indiquez votre numéro de téléphone portable.",
            ContactPreference.EMAIL: "Indiquez votre adresse e-mail.",
            ContactPreference.LETTER: "Indiquez votre adresse postale.",
            ContactPreference.RELATIVE: "Indiquez le numéro de téléphone de votre proche.",
        }[contact_preference]
    elif contact_preference in (ContactPreference.PHONE, ContactPreference.SMS, ContactPreference.RELATIVE):
        if not _PHONE.match(digits):
            errors["contact_value"] = "Numéro de téléphone non reconnu : 10 chiffres, par exemple 06 12 34 56 78."
        elif contact_preference == ContactPreference.SMS and digits[-9] not in "67":
            errors["contact_value"] = "Pour les SMS, indiquez un numéro de portable (06 ou 07)."
    elif contact_preference == ContactPreference.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            errors["contact_value"] = "Adresse e-mail non reconnue : par exemple prenom@exemple.fr."
    elif contact_preference == ContactPreference.LETTER and not (10 <= len(value) <= 300):
        errors["contact_value"] = (
            "Indiquez l'adresse complète : numéro, rue, code postal et commune (300 caractères au plus)."
        )
    return errors


@transaction.atomic
def create_public_request(
    *,
    structure_id: int,
    first_name: str,
    contact_preference: str,
    contact_value: str,
    commune_code: str,
    need_label: str,
    consent_given: bool,
    need_slugs: list[str] | None = None,
    situation: Situation | None = None,
    simulation_id: str = "",
) -> tuple[CaseFile, str]:
    """The person asks online to be accompanied: a case file for the France Services structure, with consent.

    Nothing is created without the person's explicit consent. Returns the case and the raw token of
    the private follow-up link (shown once; only its hash is stored).
    """
    errors = check_public_contact(
        first_name=first_name, contact_preference=contact_preference, contact_value=contact_value
    )
    if not consent_given:
        errors["consent"] = (
            "Cochez la case pour accepter le partage de vos réponses : sans votre accord, rien n'est envoyé."
        )
    if not (need_label or "").strip():
        errors["need"] = "Indiquez pour quoi vous souhaitez être accompagné(e)."
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "first_name": first_name.strip(),
        "last_name": "",
        "commune_code": commune_code,
        "contact_preference": contact_preference,
        _CONTACT_FIELD[ContactPreference(contact_preference)]: contact_value.strip(),
        "needs_note": need_label.strip()[:500],
    }
    case = CaseFile.objects.create(
        structure_id=structure_id, situation=situation, simulation_id=simulation_id or None, **values
    )
    if need_slugs:
        from carteblanche.directory.models import Need

        case.needs.set(Need.objects.filter(pk__in=need_slugs))
    scope = [s.value for s in PUBLIC_SCOPE if s != Consent.Scope.SITUATION or situation is not None]
    consent = Consent.objects.create(
        case=case,
        recipient_id=structure_id,
        scope=sorted(scope),
        purpose=f"Être recontacté(e) et accompagné(e) : {need_label.strip()[:200]}",
        method=Consent.Method.ONLINE,
        given_at=timezone.now(),
    )
    common = {"actor_label": PUBLIC_ACTOR_LABEL, "action": Action.CREATE}
    record_audit(
        **common,
        obj=case,
        reason="demande d'accompagnement en ligne",
        details={"fields": sorted(values), "structure": structure_id, "situation": situation is not None},
    )
    record_audit(
        **common,
        obj=consent,
        reason="recueil du consentement",
        details={"case": str(case.pk), "recipient": structure_id, "scope": consent.scope, "method": consent.method},
    )
    raw = secrets.token_urlsafe(32)
    link = FollowLink.objects.create(
        case=case,
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.REFERRALS_FOLLOW_LINK_DAYS),
    )
    record_audit(**common, obj=link, details={"case": str(case.pk), "days": settings.REFERRALS_FOLLOW_LINK_DAYS})
    notify_structure(
        structure_id=structure_id,
        text="Nouvelle demande d'accompagnement en ligne : une personne souhaite être recontactée.",
        url=reverse("referrals:case_detail", args=[case.pk]),
    )
    return case, raw
