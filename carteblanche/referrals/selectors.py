"""Reads of the accompaniment, shared by pages, API and commands. Reads of personal data are audited."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.directory.kinds import is_france_services
from carteblanche.referrals import permissions
from carteblanche.referrals.deadlines import add_working_days
from carteblanche.referrals.models import CaseFile, Referral, ResponseTarget, SatisfactionResponse
from carteblanche.referrals.workflow import ACKNOWLEDGED, ANSWERED, LABELS, PLAIN_FRENCH, Status
from carteblanche.territories.geo import great_circle_km


def audited_case(*, actor: Any, case: CaseFile, reason: str) -> CaseFile:
    """Record that the actor read this case file (the journal says who, what, when, why)."""
    record_audit(actor=actor, action=AuditEntry.Action.READ, obj=case, reason=reason)
    return case


def targets_for(referral: Referral) -> tuple[int, int]:
    """(acknowledge, answer) working days promised by the receiving partner for this need."""
    targets = ResponseTarget.objects.filter(structure_id=referral.to_structure_id).filter(
        Q(need_id=referral.need_id) | Q(need__isnull=True)
    )
    best = sorted(targets, key=lambda target: target.need_id is None)
    if best:
        return best[0].acknowledge_days, best[0].answer_days
    return settings.REFERRALS_ACK_WORKING_DAYS, settings.REFERRALS_ANSWER_WORKING_DAYS


def deadlines(referral: Referral) -> dict[str, datetime | None]:
    if referral.sent_at is None:
        return {"acknowledge_by": None, "answer_by": None}
    ack, answer = targets_for(referral)
    sent = timezone.localtime(referral.sent_at)
    return {"acknowledge_by": add_working_days(sent, ack), "answer_by": add_working_days(sent, answer)}


def overdue_state(referral: Referral, now: datetime | None = None) -> str | None:
    """'acknowledge' or 'answer' when a promise is broken, else None."""
    now = now or timezone.now()
    if referral.status in (Status.DRAFT, Status.CLOSED) or referral.sent_at is None:
        return None
    limits = deadlines(referral)
    if Status(referral.status) not in ANSWERED and limits["answer_by"] <= now:
        return "answer"
    if Status(referral.status) not in ACKNOWLEDGED and limits["acknowledge_by"] <= now:
        return "acknowledge"
    return None


def stuck_referrals(queryset: QuerySet[Referral] | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
    """Sent referrals past their acknowledgement or answer target, oldest first (no personal data)."""
    now = now or timezone.now()
    candidates = (queryset if queryset is not None else Referral.objects.all()).filter(
        status__in=[Status.SENT, Status.RECEIVED], sent_at__lte=now - timedelta(days=1)
    )
    rows = []
    for referral in candidates.select_related("from_structure", "to_structure").order_by("sent_at"):
        state = overdue_state(referral, now)
        if state:
            rows.append({"referral": referral, "overdue": state, **deadlines(referral)})
    return rows


def referral_board(user: Any) -> dict[str, Any]:
    """Incoming and outgoing referrals of the user's structures."""
    ids = permissions.structure_ids(user)
    visible = permissions.visible_referrals(user).select_related("case", "consent", "from_structure", "to_structure")
    open_ = visible.exclude(status=Status.CLOSED)
    incoming = list(open_.filter(to_structure_id__in=ids).order_by("sent_at")[:200])
    outgoing = list(open_.filter(from_structure_id__in=ids).order_by("-updated_at")[:200])
    for referral in incoming + outgoing:
        # A received referral names the person only if the consent shares the identity.
        referral.person_label = permissions.person_label(referral.case, permissions.referral_scopes(ids, referral))
    return {"incoming": incoming, "outgoing": outgoing, "stuck": stuck_referrals(visible)}


def aggregates(since: datetime | None = None) -> dict[str, Any]:
    """What the coordinator sees: counts only, never a name."""
    referrals = Referral.objects.all()
    if since:
        referrals = referrals.filter(created_at__gte=since)
    by_status = {LABELS[Status(row["status"])]: row["n"] for row in referrals.values("status").annotate(n=Count("id"))}
    by_partner = list(
        referrals.exclude(status=Status.DRAFT)
        .values("to_structure__name")
        .annotate(
            total=Count("id"),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            closed=Count("id", filter=Q(status=Status.CLOSED)),
        )
        .order_by("-total")
    )
    satisfaction = SatisfactionResponse.objects.all()
    if since:
        satisfaction = satisfaction.filter(at__gte=since)
    return {
        "by_status": by_status,
        "by_partner": by_partner,
        "cases_open": CaseFile.objects.filter(state=CaseFile.State.OPEN, anonymised_at__isnull=True).count(),
        "stuck_count": len(stuck_referrals(referrals)),
        "satisfaction": {
            "responses": satisfaction.count(),
            "got_answer_yes": satisfaction.filter(got_answer="yes").count(),
            "satisfied": satisfaction.filter(satisfaction__in=["very", "rather"]).count(),
        },
    }


def follow_view(case: CaseFile) -> list[dict[str, Any]]:
    """The person's view of their referrals, in plain French (no agent names, no internal notes)."""
    rows = []
    for referral in case.referrals.exclude(status=Status.DRAFT).select_related("to_structure").order_by("created_at"):
        rows.append(
            {
                "referral": referral,
                "partner": referral.to_structure.name,
                "need": referral.need_label,
                "status": LABELS[Status(referral.status)],
                "explanation": PLAIN_FRENCH[Status(referral.status)],
                "appointment_at": referral.appointment_at,
                "appointment_channel": referral.get_appointment_channel_display() if referral.appointment_at else "",
                "outcome": referral.get_outcome_display() if referral.outcome else "",
                "can_answer_survey": referral.status == Status.CLOSED and not hasattr(referral, "satisfaction"),
                "answered_survey": hasattr(referral, "satisfaction"),
            }
        )
    return rows


def export_case(case: CaseFile) -> dict[str, Any]:
    """Everything stored about the person (RGPD right of access), machine-readable."""

    def dt(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "format": "carteblanche-case-export/1",
        "exported_at": timezone.now().isoformat(),
        "case": {
            "id": str(case.pk),
            "structure": case.structure.name,
            "created_at": dt(case.created_at),
            "state": case.state,
            "identity": {
                "first_name": case.first_name,
                "last_name": case.last_name,
                "birth_date": dt(case.birth_date),
                "commune_code": case.commune_code,
            },
            "contact": {
                "preference": case.contact_preference,
                "phone": case.phone,
                "email": case.email,
                "postal_address": case.postal_address,
                "relative_name": case.relative_name,
                "relative_phone": case.relative_phone,
                "availability": case.availability,
            },
            "needs": [need.label for need in case.needs.all()],
            "needs_note": case.needs_note,
            "plan": case.plan,
            "situation": case.situation.answers if case.situation_id else None,
        },
        "consents": [
            {
                "recipient": consent.recipient.name,
                "scope": consent.scope,
                "purpose": consent.purpose,
                "method": consent.method,
                "given_at": dt(consent.given_at),
                "revoked_at": dt(consent.revoked_at),
            }
            for consent in case.consents.select_related("recipient")
        ],
        "documents": [
            {"kind": doc.kind, "name": doc.original_name, "size": doc.size, "added_at": dt(doc.created_at)}
            for doc in case.documents.all()
        ],
        "bookings": [
            {
                "structure": b.slot.structure.name,
                "kind": b.slot.kind,
                "start": dt(b.slot.start),
                "status": b.status,
                "notify": b.notify,
                "note": b.note,
            }
            for b in case.bookings.select_related("slot__structure")
        ],
        "mandates": [
            {
                "structure": m.structure.name,
                "domains": m.domains,
                "duration": m.duration,
                "method": m.method,
                "starts_at": dt(m.starts_at),
                "expires_at": dt(m.expires_at),
                "status": m.status,
            }
            for m in case.mandates.select_related("structure")
        ],
        "referrals": [
            {
                "id": str(referral.pk),
                "from": referral.from_structure.name,
                "to": referral.to_structure.name,
                "need": referral.need_label,
                "status": referral.status,
                "message": referral.message,
                "appointment_at": dt(referral.appointment_at),
                "appointment_channel": referral.appointment_channel,
                "outcome": referral.outcome,
                "outcome_note": referral.outcome_note,
                "refusal_reason": referral.refusal_reason,
                "history": [
                    {"from": t.from_status, "to": t.to_status, "at": dt(t.at)} for t in referral.transitions.all()
                ],
                "messages": [
                    {"from": m.structure.name, "at": dt(m.at), "body": m.body}
                    for m in referral.messages.select_related("structure")
                ],
            }
            for referral in case.referrals.select_related("from_structure", "to_structure")
        ],
        "access_journal": [
            {"at": dt(entry.at), "action": entry.action, "reason": entry.reason}
            for entry in AuditEntry.objects.filter(object_type="referrals.casefile", object_id=str(case.pk))
        ],
    }


def nearest_france_services(commune: Any) -> dict[str, Any] | None:
    """The France Services counter or bus stop nearest to the commune's reference point, or None.

    The public request is sent there: it is the one-stop counter that accompanies any démarche.
    Candidates: structures of the France Services operator, plus those labelled France Services
    in the directory (network "france-service", e.g. the Grand Cahors bus run by the agglomeration);
    points: their places and their itinerant stops. `place` is a Place or an ItinerantStop.
    """
    from carteblanche.directory.models import ItinerantStop, Place, Structure

    if commune is None or commune.latitude is None or commune.longitude is None:
        return None
    structures = {s.pk: s for s in Structure.objects.all() if is_france_services(s.operator_id, s.networks)}
    points: list[tuple[int, Any]] = [
        (place.structure_id, place)
        for place in Place.objects.filter(structure_id__in=structures).select_related("commune")
    ]
    stops = ItinerantStop.objects.filter(channel__service__structure_id__in=structures).select_related(
        "commune", "channel__service"
    )
    points += [(stop.channel.service.structure_id, stop) for stop in stops]
    best = None
    for structure_id, point in points:
        km = great_circle_km(commune.latitude, commune.longitude, point.latitude, point.longitude)
        # Ties broken by structure id so the choice is stable between the two steps of the form.
        key = (round(km, 3), structure_id)
        if best is None or key < best[0]:
            best = (key, structure_id, point, km)
    if best is None:
        return None
    _, structure_id, point, km = best
    return {
        "structure": structures[structure_id],
        "place": point,
        "itinerant": isinstance(point, ItinerantStop),
        "km": km,
    }


# ------------------------------------------------------------------ choosing where to refer

TOWN_HALL_OPERATOR = "commune"


@dataclass(frozen=True, slots=True)
class PartnerOption:
    structure_id: int
    name: str
    km: float | None  # from the person's commune to the structure's nearest place; None when unknown
    commune: str

    @property
    def label(self) -> str:
        if self.km is None:
            return self.name
        return f"{self.name} ({self.commune}, {self.km:.0f} km)"


@dataclass(frozen=True, slots=True)
class PartnerGroup:
    label: str
    options: tuple[PartnerOption, ...]


def referral_partners(
    *, need_slug: str = "", commune_code: str = "", query: str = "", exclude: Collection[int] = ()
) -> list[PartnerGroup]:
    """The partners to refer to, grouped by their part in the need and nearest first.

    With a need of the catalogue: the bodies that decide it (competence `deciders`), then those that
    take the application or help (a service linked to the need, competence `helpers`), then the other
    partners. Town halls (85 of them) only where the need is theirs (a service of theirs for it) or when
    the agent searched one by name. `query`: every word must appear in the name or the places' communes.
    Distance: territories.geo.great_circle_km from the commune's reference point to the nearest place.
    """
    from carteblanche.directory.models import Need, Place, Service, Structure
    from carteblanche.orientation.competence import Competence, for_need
    from carteblanche.territories.geo import great_circle_km
    from carteblanche.territories.models import Commune
    from carteblanche.territories.normalize import normalize_name

    need = Need.objects.filter(slug=need_slug).first() if need_slug else None
    competence = for_need(need.slug) if need else Competence()
    serving = (
        set(Service.objects.proposable().filter(needs=need).values_list("structure_id", flat=True)) if need else set()
    )
    origin = Commune.objects.filter(code=commune_code).first() if commune_code else None
    places: dict[int, list[tuple[float, float, str]]] = {}
    for structure_id, lat, lon, commune in Place.objects.values_list(
        "structure_id", "latitude", "longitude", "commune__name"
    ):
        places.setdefault(structure_id, []).append((lat, lon, commune))
    words = normalize_name(query).split()
    groups: dict[str, list[PartnerOption]] = {}
    for structure in Structure.objects.exclude(pk__in=list(exclude)).only("pk", "name", "operator_id"):
        own = places.get(structure.pk, [])
        if words:
            text = normalize_name(" ".join([structure.name, *(p[2] for p in own)]))
            if not all(word in text.split() or word in text for word in words):
                continue
        if need is not None and structure.operator_id in competence.deciders and not competence.listed_only:
            group = f"Organismes qui décident : {need.label}"
        elif need is not None and (structure.pk in serving or structure.operator_id in competence.helpers):
            group = "Prennent la demande ou aident à la faire"
        elif structure.operator_id == TOWN_HALL_OPERATOR and not words:
            continue  # a town hall, for a need that is not theirs
        else:
            group = "Autres partenaires" if need is not None else "Partenaires"
        km, commune = None, ""
        if origin is not None and origin.has_point and own:
            km, commune = min(
                (great_circle_km(origin.latitude, origin.longitude, lat, lon), name) for lat, lon, name in own
            )
        groups.setdefault(group, []).append(PartnerOption(structure.pk, structure.name, km, commune))
    order = [f"Organismes qui décident : {need.label}" if need else "", "Prennent la demande ou aident à la faire"]
    ranked = sorted(groups, key=lambda label: order.index(label) if label in order else len(order))
    return [
        PartnerGroup(label, tuple(sorted(groups[label], key=lambda o: (o.km is None, o.km or 0.0, o.name))))
        for label in ranked
    ]
