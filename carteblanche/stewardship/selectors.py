"""Reads of the freshness campaigns: a structure's records as its private page shows them, the
proposals to review, the campaigns' progress, the records to check first, who is due a reminder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from carteblanche.core.freshness import STALE_AFTER_DAYS, is_stale
from carteblanche.directory.models import Channel, Place, Service, Structure
from carteblanche.stewardship import conf
from carteblanche.stewardship.fields import FIELDS, FieldSpec
from carteblanche.stewardship.models import Campaign, CampaignLink, Proposal, RecordType, ShownCount

MODELS = {
    RecordType.STRUCTURE: Structure,
    RecordType.PLACE: Place,
    RecordType.SERVICE: Service,
    RecordType.CHANNEL: Channel,
}


def record_of(record_type: str, record_id: object, structure_id: int):
    """The record if it belongs to this structure (its own, its places, services and their channels), else None."""
    try:
        pk = int(str(record_id))
    except ValueError:
        return None
    if not 0 < pk < 2**63:  # beyond a database id: PostgreSQL would raise, not answer "none"
        return None
    model = MODELS.get(record_type)
    if model is None:
        return None
    queryset = model.objects.all()
    if record_type == RecordType.STRUCTURE:
        queryset = queryset.filter(pk=structure_id)
    elif record_type == RecordType.CHANNEL:
        queryset = queryset.select_related("service").filter(service__structure_id=structure_id)
    else:
        queryset = queryset.filter(structure_id=structure_id)
    return queryset.filter(pk=pk).first()


def verified_record(record_type: str, record):
    """The record whose `verified_on` speaks for this one: a channel's service, else itself."""
    return record.service if record_type == RecordType.CHANNEL else record


def public_url(record_type: str, record) -> str:
    """The record's public page (a channel's is its service's)."""
    from django.urls import reverse

    if record_type == RecordType.CHANNEL:
        return reverse("directory:service", args=[record.service_id])
    return reverse(f"directory:{record_type}", args=[record.pk])


def title_of(record_type: str, record) -> str:
    if record_type == RecordType.CHANNEL:
        return f"{record.get_kind_display().capitalize()} — {record.service.name}"
    if record_type == RecordType.PLACE:
        return f"{record.name} ({record.commune.name})"
    return record.name


@dataclass
class RecordView:
    """One record on the structure's page: its editable fields and their current values."""

    record_type: str
    record: object
    title: str
    fields: list[tuple[FieldSpec, str]]
    channels: list[RecordView] = field(default_factory=list)
    pending: int = 0
    week: list = field(default_factory=list)  # the next 7 days' hours as the directory reads them
    at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.record_type}-{self.record.pk}"

    @property
    def verified_on(self) -> date | None:
        return getattr(self.record, "verified_on", None)

    @property
    def stale(self) -> bool:
        return is_stale(self.verified_on)

    @property
    def confirmable(self) -> bool:
        return self.record_type != RecordType.CHANNEL  # a channel is confirmed with its service


def _view(record_type: str, record, pending: dict) -> RecordView:
    values = [(spec, str(getattr(record, spec.name) or "")) for spec in FIELDS[record_type]]
    view = RecordView(
        record_type, record, title_of(record_type, record), values, pending=pending.get((record_type, record.pk), 0)
    )
    if getattr(record, "opening_hours", ""):
        from carteblanche.directory.search.slots import week  # the directory's own reading of a rule

        view.at = timezone.localtime()
        view.week = week(record.opening_hours, view.at)
    return view


def structure_records(structure: Structure, link: CampaignLink | None = None) -> list[RecordView]:
    """The structure, its places, its services with their channels: what its private page shows."""
    pending: dict = {}
    if link is not None:
        for row in (
            Proposal.objects.filter(link__structure=structure, status=Proposal.Status.PENDING)
            .values("record_type", "record_id")
            .annotate(n=Count("id"))
        ):
            pending[(row["record_type"], row["record_id"])] = row["n"]
    views = [_view(RecordType.STRUCTURE, structure, pending)]
    for place in Place.objects.filter(structure=structure).select_related("commune").order_by("name", "pk"):
        views.append(_view(RecordType.PLACE, place, pending))
    services = (
        Service.objects.filter(structure=structure)
        .proposable()  # ended services are listed apart (`ended_services`), not edited here
        .prefetch_related("channels")
        .order_by("name", "pk")
    )
    for service in services:
        view = _view(RecordType.SERVICE, service, pending)
        for channel in service.channels.all():
            channel.service = service
            if channel.kind == Channel.Kind.COUNTER and not channel.opening_hours:
                continue  # the counter's hours are its place's: edited there
            view.channels.append(_view(RecordType.CHANNEL, channel, pending))
        views.append(view)
    return views


def ended_services(structure: Structure) -> list[Service]:
    return list(Service.objects.filter(structure=structure).ended().order_by("name", "pk"))


def is_ended(record_type: str, record) -> bool:
    """A service marked ended (or a channel of one): structures do not edit it through their link."""
    service = record.service if record_type == RecordType.CHANNEL else record
    return record_type in (RecordType.SERVICE, RecordType.CHANNEL) and service.status == Service.Status.ENDED


def pending_proposals():
    return (
        Proposal.objects.filter(status=Proposal.Status.PENDING)
        .select_related("link__structure", "link__campaign")
        .order_by("link__structure__name", "record_type", "record_id", "id")
    )


def describe_proposal(proposal: Proposal) -> dict:
    """What a steward needs to decide: the record's title, the field's label, old and new."""
    record = record_of(proposal.record_type, proposal.record_id, proposal.link.structure_id)
    spec = next((s for s in FIELDS.get(proposal.record_type, ()) if s.name == proposal.field), None)
    current = str(getattr(record, proposal.field) or "") if record is not None and spec else None
    return {
        "proposal": proposal,
        "record": record,
        "title": title_of(proposal.record_type, record) if record is not None else "fiche supprimée",
        "public_url": public_url(proposal.record_type, record) if record is not None else "",
        "label": spec.label if spec else proposal.field,
        "what": (
            "fiche de la structure"
            if proposal.record_type == RecordType.STRUCTURE
            else f"{RecordType(proposal.record_type).label} « {title_of(proposal.record_type, record)} »"
            if record is not None
            else RecordType(proposal.record_type).label
        ),
        "changed_since": current is not None and current != proposal.old_value,
    }


def history(limit: int = 50) -> list:
    """The latest confirmations and changes, each with its field's label."""
    from carteblanche.stewardship.models import RecordChange

    changes = list(RecordChange.objects.select_related("applied_by", "link__structure")[:limit])
    for change in changes:
        spec = next((s for s in FIELDS.get(change.record_type, ()) if s.name == change.field), None)
        change.field_label = spec.label if spec else change.field
    return changes


def campaigns():
    return Campaign.objects.annotate(
        n_links=Count("links", distinct=True),
        n_opened=Count("links", filter=Q(links__first_opened_at__isnull=False), distinct=True),
        n_emailed=Count("links", filter=~Q(links__emailed_to=""), distinct=True),
    ).select_related("started_by")


def campaign_rows(campaign: Campaign) -> list[dict]:
    links = campaign.links.select_related("structure").annotate(
        n_pending=Count("proposals", filter=Q(proposals__status=Proposal.Status.PENDING), distinct=True),
        n_changes=Count("changes", distinct=True),
    )
    return [
        {
            "link": link,
            "status": (
                "remplacé"
                if link.revoked_at
                else "expiré"
                if link.is_expired
                else "ouvert"
                if link.first_opened_at
                else "pas encore ouvert"
            ),
        }
        for link in links
    ]


@dataclass
class Priority:
    service: Service
    shown: int
    oldest: date | None  # the oldest verification among the service, its structure and its places
    due: bool  # stale, soon stale, or never verified


def priorities(*, today: date | None = None, days: int = 90, only_due: bool = True, limit: int = 200) -> list[Priority]:
    """Services to check first: the most shown (searches and plans, last `days` days) among those
    stale, about to be, or never verified (the service, its structure or a counter place). Counts
    come from `ShownCount` (one row per service and day); filter, sum and order run in SQL."""
    today = today or timezone.localdate()
    since = today - timedelta(days=days)
    horizon = today + timedelta(days=conf.remind_days_before()) - timedelta(days=STALE_AFTER_DAYS)
    shown = (
        ShownCount.objects.filter(service=OuterRef("pk"), day__gt=since, day__lte=today)
        .values("service")
        .annotate(n=Sum("count"))
        .values("n")
    )
    places = Place.objects.filter(channels__service=OuterRef("pk"))
    services = (
        Service.objects.proposable()
        .select_related("structure")
        .annotate(
            shown=Coalesce(Subquery(shown), 0),
            oldest_place=Subquery(
                places.filter(verified_on__isnull=False).order_by("verified_on").values("verified_on")[:1]
            ),
            place_never=Exists(places.filter(verified_on__isnull=True)),
            place_due=Exists(places.filter(verified_on__lte=horizon)),
        )
    )
    if only_due:
        services = services.filter(
            Q(verified_on__isnull=True)
            | Q(verified_on__lte=horizon)
            | Q(structure__verified_on__isnull=True)
            | Q(structure__verified_on__lte=horizon)
            | Q(place_never=True)
            | Q(place_due=True)
        )
    services = services.order_by("-shown", F("verified_on").asc(nulls_first=True), "name", "pk")[:limit]
    rows = []
    for service in services:
        known = [d for d in (service.verified_on, service.structure.verified_on, service.oldest_place) if d]
        never = service.verified_on is None or service.structure.verified_on is None or service.place_never
        oldest = min(known) if known else None
        due = bool(never) or (oldest is not None and oldest <= horizon)
        rows.append(Priority(service, int(service.shown), oldest, due))
    return rows


@dataclass
class Due:
    structure: Structure
    due_on: date  # the day its first record becomes stale (today or earlier when already stale)


def structures_due(*, today: date | None = None) -> list[Due]:
    """Structures with a record stale within `remind_days_before` days (or never verified),
    without a reminder in the last `reminder_interval_days` days."""
    from carteblanche.stewardship.models import Reminder

    today = today or timezone.localdate()
    horizon = today + timedelta(days=conf.remind_days_before())
    oldest: dict[int, date] = {}

    def see(structure_id: int, verified_on: date | None) -> None:
        due_on = verified_on + timedelta(days=STALE_AFTER_DAYS + 1) if verified_on else today
        if due_on <= horizon:
            oldest[structure_id] = min(oldest.get(structure_id, due_on), due_on)

    for pk, verified_on in Structure.objects.values_list("pk", "verified_on"):
        see(pk, verified_on)
    for model in (Place, Service):
        for structure_id, verified_on in model.objects.values_list("structure_id", "verified_on"):
            see(structure_id, verified_on)
    recent = set(
        Reminder.objects.filter(at__gte=timezone.now() - timedelta(days=conf.reminder_interval_days())).values_list(
            "structure_id", flat=True
        )
    )
    structures = Structure.objects.in_bulk([pk for pk in oldest if pk not in recent])
    return sorted(
        (Due(structure, oldest[pk]) for pk, structure in structures.items()), key=lambda d: (d.due_on, d.structure.name)
    )
