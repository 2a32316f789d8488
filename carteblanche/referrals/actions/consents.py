"""Writes of consents: what the person agreed to share, with whom, why; and its withdrawal."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from carteblanche.accounts.models import User
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals import permissions
from carteblanche.referrals.actions.referrals import _apply
from carteblanche.referrals.actors import Actor, journal, user_of
from carteblanche.referrals.models import (
    CaseFile,
    Consent,
    Outcome,
    Referral,
)
from carteblanche.referrals.workflow import Status

Action = AuditEntry.Action


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    case: CaseFile,
    recipient_id: int,
    scope: list[str],
    purpose: str,
    method: str,
    given_at: datetime | None = None,
    witness: User | None = None,
) -> Consent:
    """Record what the person agreed to share, with whom, why and how; required before any referral."""
    if not permissions.can_edit_case(actor, case):
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
        elif witness == user_of(actor):
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
        recorded_by=user_of(actor),
    )
    record_audit(
        **journal(actor),
        action=Action.CREATE,
        obj=consent,
        reason="recueil du consentement",
        details={"case": str(case.pk), "recipient": recipient_id, "scope": consent.scope, "method": method},
    )
    return consent


@transaction.atomic
def revoke_consent(*, actor: User, consent: Consent, reason: str = "retrait du consentement") -> Consent:
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
            who=journal(actor),
            note=reason,
        )
    record_audit(actor=actor, action=Action.UPDATE, obj=consent, reason=reason, details={"revoked": True})
    return consent
