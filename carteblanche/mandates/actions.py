"""Writes of mandates: record, revoke (person or structure), expire, and act under one (journaled)."""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carteblanche.accounts.permissions import structure_ids
from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.mandates.models import Domain, Duration, Mandate
from carteblanche.referrals import permissions
from carteblanche.referrals.models import CaseFile, Document, FollowLink

Action = AuditEntry.Action
_MONTHS = {Duration.ONE_MONTH: 1, Duration.SIX_MONTHS: 6, Duration.ONE_YEAR: 12}


def _add_months(moment: datetime, months: int) -> datetime:
    """Same day N months later, or the month's last day (31 January + 1 month = 28/29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def expiry(start: datetime, duration: str) -> datetime:
    """A one-day mandate ends at the end of that day (as a signed paper says); others run by calendar."""
    if duration == Duration.ONE_DAY:
        local = timezone.localtime(start)
        return local.replace(hour=23, minute=59, second=59, microsecond=0)
    return _add_months(start, _MONTHS[Duration(duration)])


def create_mandate(
    *, actor: Any, case: CaseFile, domains: list[str], duration: str, method: str, document_id: int | None = None
) -> Mandate:
    if not permissions.can_edit_case(actor, case):
        raise PermissionDenied("Seule la structure qui suit la personne enregistre un mandat.")
    errors = {}
    unknown = [d for d in domains if d not in Domain.values]
    if not domains or unknown:
        errors["domains"] = "Cochez au moins une démarche de la liste."
    if duration not in Duration.values:
        errors["duration"] = "Choisissez une durée : une journée, un mois, six mois ou un an."
    if method not in Mandate.Method.values:
        errors["method"] = "Choisissez comment le mandat a été donné."
    document = None
    if method == Mandate.Method.SCANNED:
        document = Document.objects.filter(pk=document_id, case=case).first()
        if document is None:
            errors["document"] = "Un mandat numérisé doit désigner une pièce du dossier de la personne."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    mandate = Mandate.objects.create(
        case=case,
        structure=case.structure,
        agent=actor,
        domains=sorted(set(domains)),
        duration=duration,
        method=method,
        document=document,
        starts_at=now,
        expires_at=expiry(now, duration),
    )
    record_audit(actor=actor, action=Action.CREATE, obj=mandate, details={"case": str(case.pk), "domains": domains})
    return mandate


def _end(mandate: Mandate, status: str, label: str) -> None:
    Mandate.objects.filter(pk=mandate.pk, status=Mandate.Status.ACTIVE).update(
        status=status, ended_at=timezone.now(), ended_by_label=label
    )
    mandate.refresh_from_db()


def revoke_by_person(*, link: FollowLink, mandate_id: int) -> Mandate:
    mandate = Mandate.objects.filter(pk=mandate_id, case_id=link.case_id).first()
    if mandate is None:
        raise ValidationError({"mandate": "Ce mandat n'existe pas dans votre suivi."})
    if mandate.status != Mandate.Status.ACTIVE:
        raise ValidationError({"mandate": "Ce mandat n'est déjà plus en cours."})
    _end(mandate, Mandate.Status.REVOKED, "la personne")
    record_audit(actor_label="lien de suivi", action=Action.UPDATE, obj=mandate, reason="révoqué par la personne")
    return mandate


def revoke_by_structure(*, actor: Any, mandate_id: int) -> Mandate:
    mandate = Mandate.objects.filter(pk=mandate_id).first()
    if mandate is None or mandate.structure_id not in structure_ids(actor):
        raise PermissionDenied("Seule la structure mandatée peut révoquer ce mandat.")
    _end(mandate, Mandate.Status.REVOKED, "la structure")
    record_audit(actor=actor, action=Action.UPDATE, obj=mandate, reason="révoqué par la structure")
    return mandate


def expire_due(now: datetime | None = None) -> int:
    """Mark every mandate past its end as expired (the command runs daily; use also checks)."""
    now = now or timezone.now()
    due = list(Mandate.objects.filter(status=Mandate.Status.ACTIVE, expires_at__lte=now).values_list("pk", flat=True))
    Mandate.objects.filter(pk__in=due).update(status=Mandate.Status.EXPIRED, ended_at=now, ended_by_label="échéance")
    for pk in due:
        record_audit(actor_label="échéance", action=Action.UPDATE, object_type="mandates.mandate", object_id=str(pk))
    return len(due)


def act_under_mandate(*, actor: Any, mandate_id: int, domain: str, what: str) -> Mandate:
    """Check the mandate at use time (active, not expired, covers the domain, the actor's structure),
    then journal the action with the mandate. Refused actions change nothing."""
    mandate = Mandate.objects.filter(pk=mandate_id).first()
    if mandate is None or mandate.structure_id not in structure_ids(actor):
        raise PermissionDenied("Ce mandat n'a pas été donné à votre structure.")
    now = timezone.now()
    if mandate.status == Mandate.Status.ACTIVE and mandate.expires_at <= now:
        expire_due(now)
        mandate.refresh_from_db()
    if mandate.status != Mandate.Status.ACTIVE:
        raise PermissionDenied(f"Ce mandat n'est plus valable ({mandate.get_status_display()}).")
    if domain not in mandate.domains:
        raise PermissionDenied("Ce mandat ne couvre pas cette démarche.")
    what = what.strip()
    if not what:
        raise ValidationError({"what": "Décrivez la démarche faite (par exemple : inscription à France Travail)."})
    record_audit(
        actor=actor,
        action=Action.UPDATE,
        obj=mandate.case,
        reason=f"démarche sous mandat n° {mandate.pk}",
        details={"mandate": mandate.pk, "domain": domain, "what": what[:300]},
    )
    return mandate
