"""Writes of case files: open, rectify, close, erase (RGPD) and anonymise."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from carteblanche.accounts.models import User
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry, Situation
from carteblanche.referrals import permissions
from carteblanche.referrals.actions.documents import _delete_files
from carteblanche.referrals.actions.referrals import ConcurrentModification
from carteblanche.referrals.actors import Actor, journal, structure_ids, user_of
from carteblanche.referrals.models import (
    CaseFile,
    ContactPreference,
    FollowLink,
    IdempotencyRecord,
    Referral,
    ReferralMessage,
    ReferralTransition,
    SatisfactionResponse,
)
from carteblanche.referrals.workflow import Status

Action = AuditEntry.Action


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
    actor: Actor,
    structure_id: int,
    data: dict[str, Any],
    situation: Situation | None = None,
    need_slugs: list[str] | None = None,
    reason: str = "ouverture du dossier",
) -> CaseFile:
    """Open a case file for the structure; the situation already captured is attached, not retyped."""
    if structure_id not in structure_ids(actor):
        raise PermissionDenied("Vous ne pouvez ouvrir un dossier que pour votre structure.")
    values = {field: data[field] for field in CASE_FIELDS if field in data and data[field] is not None}
    _check_contact(values)
    case = CaseFile.objects.create(structure_id=structure_id, created_by=user_of(actor), situation=situation, **values)
    if need_slugs:
        case.needs.set(need_slugs)
    record_audit(
        **journal(actor),
        action=Action.CREATE,
        obj=case,
        reason=reason,
        details={"fields": sorted(values)},
    )
    return case


@transaction.atomic
def update_case(
    *,
    actor: User,
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
def close_case(*, actor: User, case: CaseFile) -> CaseFile:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit ce dossier peut le clore.")
    if Referral.objects.filter(case=case).exclude(status__in=[Status.CLOSED, Status.DRAFT]).exists():
        raise ValidationError({"state": "Clôturez d'abord les orientations en cours."})
    CaseFile.objects.filter(pk=case.pk).update(state=CaseFile.State.CLOSED, closed_at=timezone.now())
    record_audit(actor=actor, action=Action.UPDATE, obj=case, reason="clôture du dossier", details={"state": "closed"})
    case.refresh_from_db()
    return case


@transaction.atomic
def erase_case(*, actor: User, case: CaseFile, reason: str) -> None:
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
def anonymise_case(*, case: CaseFile) -> CaseFile:
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
        actor_label="anonymisation automatique",
        action=Action.UPDATE,
        obj=case,
        reason="anonymisation",
        details={"anonymised": True},
    )
    case.refresh_from_db()
    return case
