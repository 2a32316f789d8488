"""Writes of the freshness campaigns. Each takes who acts (a steward, or a structure's link),
runs in one transaction, journals what it did (core.audit) and sends e-mails only after commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.directory.models import Service, Structure
from carteblanche.stewardship import conf, fields, selectors
from carteblanche.stewardship.models import (
    Campaign,
    CampaignLink,
    Proposal,
    RecordChange,
    RecordType,
    Reminder,
    hash_token,
)

PERMISSION = "stewardship.manage_campaigns"
ENDED_MESSAGE = (
    "Ce service est indiqué comme arrêté : il n'est plus proposé. S'il a repris, écrivez-le à l'équipe "
    "Carte Blanche (lien « Signaler une information inexacte » de sa fiche)."
)
LINK_ACTOR = "lien de mise à jour"


class ProposalError(Exception):
    """Proposed values refused: field name -> French message ('__all__' for the whole record)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))


class StewardshipError(Exception):
    """A steward's request that cannot be done, with the French reason."""


def _require_steward(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(PERMISSION):
        raise PermissionDenied("Réservé aux gestionnaires de l'offre.")


def link_url(raw: str) -> str:
    return conf.site_url() + reverse("stewardship:link", args=[raw])


def _link_actor(link: CampaignLink) -> str:
    return f"{LINK_ACTOR} — {link.structure.name}"[:200]


# --- campaigns ------------------------------------------------------------------------------


@dataclass
class IssuedLink:
    link: CampaignLink
    raw: str  # shown once (to the steward for structures without e-mail), never stored

    @property
    def url(self) -> str:
        return link_url(self.raw)


@dataclass
class CampaignResult:
    campaign: Campaign
    issued: list[IssuedLink] = field(default_factory=list)

    @property
    def without_email(self) -> list[IssuedLink]:
        return [item for item in self.issued if not item.link.emailed_to]


def _issue_links(campaign: Campaign, structures: list[Structure], *, days: int) -> list[IssuedLink]:
    """One new link per structure; the structure's earlier usable links stop working (one link at a time)."""
    now = timezone.now()
    CampaignLink.objects.filter(structure__in=structures, revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now, revoked_reason="remplacé par un lien plus récent"
    )
    issued = []
    for structure in structures:
        raw = secrets.token_urlsafe(32)
        link = CampaignLink.objects.create(
            campaign=campaign,
            structure=structure,
            token_hash=hash_token(raw),
            expires_at=now + timedelta(days=days),
            emailed_to=structure.email,
        )
        issued.append(IssuedLink(link, raw))
    return issued


def _send_link_emails(issued: list[IssuedLink], *, reminder: bool) -> None:
    """After commit: one e-mail per structure that has an address; the sending time is stored."""

    def send() -> None:
        for item in issued:
            link = item.link
            if not link.emailed_to:
                continue
            subject = (
                "Carte Blanche : vos informations seront bientôt à vérifier"
                if reminder
                else "Carte Blanche : vos informations sont-elles à jour ?"
            )
            body = (
                f"Bonjour,\n\nL'annuaire Carte Blanche présente aux habitants du territoire les informations de "
                f"« {link.structure.name} » : adresse, téléphone, horaires, services.\n"
                "Merci de vérifier qu'elles sont exactes, ou de nous dire ce qui a changé. "
                "Il suffit d'ouvrir ce lien (pas de compte à créer) :\n\n"
                f"{item.url}\n\n"
                f"Ce lien est personnel à votre structure et fonctionne jusqu'au {link.expires_at:%d/%m/%Y}.\n\n"
                "L'équipe Carte Blanche"
            )
            send_mail(subject, body, None, [link.emailed_to])
            CampaignLink.objects.filter(pk=link.pk).update(emailed_at=timezone.now())

    transaction.on_commit(send)


@transaction.atomic
def start_campaign(
    *, actor: Any, label: str, structure_ids: list[int] | None = None, days: int | None = None
) -> CampaignResult:
    """A steward asks every structure (`structure_ids` None) or a selection to check its records."""
    _require_steward(actor)
    label = (label or "").strip()
    if not label:
        raise StewardshipError("Donnez un nom à la campagne (ex. « Vérification de printemps 2027 »).")
    days = days or conf.link_days()
    if not 1 <= days <= 90:
        raise StewardshipError("La durée de validité des liens va de 1 à 90 jours.")
    if structure_ids is None:
        structures = list(Structure.objects.order_by("name"))
    else:
        wanted = set(structure_ids)
        structures = list(Structure.objects.filter(pk__in=wanted).order_by("name"))
        if missing := wanted - {s.pk for s in structures}:
            raise StewardshipError(f"Structure(s) introuvable(s) : {', '.join(map(str, sorted(missing)))}.")
    if not structures:
        raise StewardshipError("Choisissez au moins une structure.")
    campaign = Campaign.objects.create(label=label[:200], started_by=actor)
    issued = _issue_links(campaign, structures, days=days)
    record_audit(
        actor=actor,
        action="create",
        obj=campaign,
        reason="campagne de mise à jour de l'offre",
        details={"structures": len(structures), "with_email": sum(1 for i in issued if i.link.emailed_to)},
    )
    _send_link_emails(issued, reminder=False)
    return CampaignResult(campaign, issued)


@transaction.atomic
def close_campaign(*, actor: Any, campaign: Campaign) -> None:
    _require_steward(actor)
    now = timezone.now()
    campaign.links.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_reason="campagne close")
    Campaign.objects.filter(pk=campaign.pk).update(closed_at=now)
    record_audit(actor=actor, action="update", obj=campaign, reason="campagne close")


# --- the structure's private link -----------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    link: CampaignLink | None
    problem: str = ""  # "unknown", "expired", "revoked"


def resolve_link(raw: str) -> Resolution:
    """The link for this token, or why it cannot be used (unknown covers tampered and made-up tokens)."""
    if not raw or len(raw) > 100:
        return Resolution(None, "unknown")
    link = CampaignLink.objects.select_related("structure", "campaign").filter(token_hash=hash_token(raw)).first()
    if link is None:
        return Resolution(None, "unknown")
    if link.revoked_at is not None:
        return Resolution(link, "revoked")
    if link.is_expired:
        return Resolution(link, "expired")
    return Resolution(link)


def open_link(*, link: CampaignLink) -> None:
    now = timezone.now()
    CampaignLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    CampaignLink.objects.filter(pk=link.pk).update(last_used_at=now)
    record_audit(
        actor_label=_link_actor(link), action="read", obj=link.structure, reason="page de mise à jour de la structure"
    )


def _usable(link: CampaignLink) -> None:
    fresh = CampaignLink.objects.select_for_update().get(pk=link.pk)
    if not fresh.is_usable:
        raise ProposalError(
            {"__all__": "Ce lien ne fonctionne plus : demandez-en un nouveau à l'équipe Carte Blanche."}
        )


def _set_verified(record_type: str, record, day: date) -> None:
    target = selectors.verified_record(record_type, record)
    type(target).objects.filter(pk=target.pk).update(verified_on=day, updated_at=timezone.now())


@transaction.atomic
def confirm_records(*, link: CampaignLink, records: list[tuple[str, object]], today: date | None = None) -> int:
    """'Tout est exact': each record (structure, place, service with its channels) is verified today."""
    _usable(link)
    today = today or timezone.localdate()
    found = []
    for record_type, record_id in records:
        if record_type == RecordType.CHANNEL:
            raise ProposalError({"__all__": "Un canal se confirme avec son service."})
        record = selectors.record_of(record_type, record_id, link.structure_id)
        if record is None:
            raise ProposalError({"__all__": "Cette fiche n'appartient pas à votre structure."})
        if selectors.is_ended(record_type, record):
            raise ProposalError({"__all__": ENDED_MESSAGE})
        found.append((record_type, record))
    for record_type, record in found:
        _set_verified(record_type, record, today)
        RecordChange.objects.create(
            kind=RecordChange.Kind.CONFIRMED,
            record_type=record_type,
            record_id=record.pk,
            verified_on=today,
            link=link,
        )
        if record_type == RecordType.SERVICE and record.status == Service.Status.UNVERIFIED:
            # "existence à vérifier": the structure that runs it says it is there.
            Service.objects.filter(pk=record.pk).update(status=Service.Status.ACTIVE)
            RecordChange.objects.create(
                kind=RecordChange.Kind.CHANGED,
                record_type=record_type,
                record_id=record.pk,
                field="status",
                old_value=Service.Status.UNVERIFIED,
                new_value=Service.Status.ACTIVE,
                verified_on=today,
                link=link,
            )
    record_audit(
        actor_label=_link_actor(link),
        action="update",
        obj=link.structure,
        reason="fiches confirmées par la structure",
        details={"records": [f"{t}:{r.pk}" for t, r in found]},
    )
    return len(found)


@transaction.atomic
def propose_changes(
    *, link: CampaignLink, record_type: str, record_id: object, values: dict[str, Any]
) -> list[Proposal]:
    """The structure proposes new values for some fields of one record; all are checked first and
    nothing is stored when one is refused. Unchanged fields are ignored; a new proposal for a field
    replaces this link's earlier pending one."""
    _usable(link)
    record = selectors.record_of(record_type, record_id, link.structure_id)
    if record is None:
        raise ProposalError({"__all__": "Cette fiche n'appartient pas à votre structure."})
    if selectors.is_ended(record_type, record):
        raise ProposalError({"__all__": ENDED_MESSAGE})
    channel_kind = record.kind if record_type == RecordType.CHANNEL else ""
    errors: dict[str, str] = {}
    changes: list[tuple[str, str, str]] = []
    for spec in fields.FIELDS[record_type]:
        if spec.name not in values:
            continue
        current = str(getattr(record, spec.name) or "")
        if fields.normalise(values[spec.name]) == fields.normalise(current):
            continue
        try:
            new = fields.check(record_type, spec.name, values[spec.name], channel_kind=channel_kind)
        except ValueError as exc:
            errors[spec.name] = f"{spec.label} : {exc}."
            continue
        if new != current:
            changes.append((spec.name, current, new))
    if errors:
        raise ProposalError(errors)
    if not changes:
        raise ProposalError(
            {"__all__": "Aucune modification dans cette fiche. Si elle est juste, cliquez sur « Tout est exact »."}
        )
    proposals = []
    for name, current, new in changes:
        proposal, _ = Proposal.objects.update_or_create(
            link=link,
            record_type=record_type,
            record_id=record.pk,
            field=name,
            status=Proposal.Status.PENDING,
            defaults={"old_value": current, "new_value": new},
        )
        proposals.append(proposal)
    record_audit(
        actor_label=_link_actor(link),
        action="create",
        object_type=f"stewardship.{record_type}",
        object_id=str(record.pk),
        reason="modification proposée par la structure",
        details={"fields": [name for name, _, _ in changes], "proposals": [p.pk for p in proposals]},
    )
    return proposals


# --- the steward's review -------------------------------------------------------------------


@transaction.atomic
def apply_proposal(*, actor: Any, proposal: Proposal) -> RecordChange:
    """Write the proposed value, with history; the record is verified on the day the structure proposed it."""
    _require_steward(actor)
    proposal = Proposal.objects.select_for_update().select_related("link__structure").get(pk=proposal.pk)
    if proposal.status != Proposal.Status.PENDING:
        raise StewardshipError("Cette proposition a déjà été examinée.")
    record = selectors.record_of(proposal.record_type, proposal.record_id, proposal.link.structure_id)
    if record is None:
        raise StewardshipError("La fiche n'existe plus : refusez la proposition.")
    record = type(record).objects.select_for_update().get(pk=record.pk)
    current = str(getattr(record, proposal.field) or "")
    if current != proposal.old_value:
        raise StewardshipError(
            f"La fiche a changé depuis la proposition (« {current or 'vide'} » au lieu de "
            f"« {proposal.old_value or 'vide'} ») : vérifiez avant d'appliquer, ou refusez."
        )
    channel_kind = record.kind if proposal.record_type == RecordType.CHANNEL else ""
    try:
        value = fields.check(proposal.record_type, proposal.field, proposal.new_value, channel_kind=channel_kind)
    except ValueError as exc:
        raise StewardshipError(f"Valeur refusée : {exc}.") from None
    day = timezone.localdate(proposal.created_at)
    setattr(record, proposal.field, value)
    record.save(update_fields=[proposal.field, "updated_at"])
    _set_verified(proposal.record_type, record, day)
    now = timezone.now()
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Proposal.Status.APPLIED, reviewed_by=actor, reviewed_at=now, updated_at=now
    )
    change = RecordChange.objects.create(
        kind=RecordChange.Kind.CHANGED,
        record_type=proposal.record_type,
        record_id=record.pk,
        field=proposal.field,
        old_value=current,
        new_value=value,
        verified_on=day,
        applied_by=actor,
        link=proposal.link,
        proposal=proposal,
    )
    record_audit(
        actor=actor,
        action="update",
        object_type=f"directory.{proposal.record_type}",
        object_id=str(record.pk),
        reason=f"proposition appliquée ({RecordChange.SOURCE})",
        details={"field": proposal.field, "old": current, "new": value, "proposal": proposal.pk},
    )
    return change


@transaction.atomic
def reject_proposal(*, actor: Any, proposal: Proposal, note: str) -> None:
    _require_steward(actor)
    note = (note or "").strip()
    if not note:
        raise StewardshipError("Dites pourquoi la proposition est refusée (la structure pourra le lire).")
    updated = Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.PENDING).update(
        status=Proposal.Status.REJECTED,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=note[:500],
        updated_at=timezone.now(),
    )
    if not updated:
        raise StewardshipError("Cette proposition a déjà été examinée.")
    record_audit(actor=actor, action="update", obj=proposal, reason="proposition refusée", details={"note": note[:500]})


# --- reminders ------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    emailed: list[tuple[Structure, date]] = field(default_factory=list)
    without_email: list[tuple[Structure, date, str]] = field(default_factory=list)  # with the link to pass on


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> ReminderReport:
    """Structures whose records become stale soon get a new private link by e-mail; those without
    an e-mail address are listed (with their link) for the steward to call or write to."""
    today = today or timezone.localdate()
    due = selectors.structures_due(today=today)
    report = ReminderReport()
    if dry_run:
        for item in due:
            if item.structure.email:
                report.emailed.append((item.structure, item.due_on))
            else:
                report.without_email.append((item.structure, item.due_on, ""))
        return report
    if not due:
        return report
    with transaction.atomic():
        campaign = Campaign.objects.create(label=f"Rappels du {today:%d/%m/%Y}", kind=Campaign.Kind.REMINDER)
        issued = _issue_links(campaign, [item.structure for item in due], days=conf.link_days())
        for item, link in zip(due, issued, strict=True):
            Reminder.objects.create(
                structure=item.structure, link=link.link, emailed_to=item.structure.email, due_on=item.due_on
            )
            if item.structure.email:
                report.emailed.append((item.structure, item.due_on))
            else:
                report.without_email.append((item.structure, item.due_on, link.url))
        record_audit(
            actor_label="rappels automatiques",
            action="create",
            obj=campaign,
            reason="rappels avant péremption des fiches",
            details={"emailed": len(report.emailed), "without_email": len(report.without_email)},
        )
        _send_link_emails(issued, reminder=True)
    return report
