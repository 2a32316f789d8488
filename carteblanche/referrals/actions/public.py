"""The person's own request, online, without an account: a case file, its consent and a follow-up link."""

import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry, Situation
from carteblanche.referrals.models import (
    CaseFile,
    Consent,
    ContactPreference,
    FollowLink,
    hash_token,
)
from carteblanche.referrals.notifications import notify_structure

Action = AuditEntry.Action


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
