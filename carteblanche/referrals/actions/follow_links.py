"""Writes of the person's private follow-up link and of their satisfaction answers."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from carteblanche.accounts.models import User
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals import permissions
from carteblanche.referrals.models import (
    CaseFile,
    FollowLink,
    Referral,
    SatisfactionResponse,
    hash_token,
)
from carteblanche.referrals.workflow import Status

Action = AuditEntry.Action


@transaction.atomic
def create_follow_link(*, actor: User, case: CaseFile, days: int | None = None) -> tuple[FollowLink, str]:
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
