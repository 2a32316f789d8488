"""Partner API (mounted at /api/accompagnement): another system receives and updates referrals.

Authentication: `Authorization: Bearer <key>`; a key belongs to one structure and sees only the
referrals sent by or to that structure (and, for received ones, only the consented data).
Writes accept an `Idempotency-Key` header: a retried call returns the first answer, never a duplicate.
"""

import hashlib
import json
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Router, Schema
from ninja import Status as Reply
from ninja.security import HttpBearer
from pydantic import field_validator, model_validator

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from carteblanche.referrals import actions
from carteblanche.referrals.models import ApiToken, Channel, Consent, IdempotencyRecord, Outcome, Referral, hash_token
from carteblanche.referrals.workflow import PLAIN_FRENCH, InvalidTransition, Status

MAX_ID = 2**31 - 1


class PartnerKey(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken | None:
        """Bearer only; unlike ninja's own, never logs the header of another scheme (it may hold a key)."""
        scheme, _, token = (request.headers.get(self.header) or "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > 200:
            return None
        api_token = (
            ApiToken.objects.select_related("structure")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is not None:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        return api_token


router = Router(tags=["accompagnement (partenaires)"], auth=PartnerKey())


class CleanSchema(Schema):
    """Refuse NUL characters (PostgreSQL cannot store them) and naive or out-of-range dates."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        def walk(value: Any) -> None:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError("caractère NUL interdit")
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            if isinstance(value, list):
                for item in value:
                    walk(item)

        # django-ninja hands validators its DjangoGetter wrapper: look at the data inside.
        walk(getattr(data, "_obj", data))
        return data


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.year < 2000 or value.year > 2100:
        raise ValueError("date hors de la plage 2000–2100")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Error(Schema):
    message: str
    errors: list[dict[str, str]] = []


class PersonIn(CleanSchema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = None
    commune_code: str = Field("", max_length=5)
    # Or the commune as typed ("Cieurac", "46230", "Lherm (46)"): read into commune_code.
    commune: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    postal_address: str = Field("", max_length=1000)
    contact_preference: Literal["phone", "sms", "letter", "email", "relative"] = "phone"
    relative_name: str = Field("", max_length=150)
    relative_phone: str = Field("", max_length=30)
    availability: str = Field("", max_length=300)
    needs_note: str = Field("", max_length=5000)

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
            raise ValueError("date de naissance invraisemblable")
        return value


class ConsentIn(CleanSchema):
    scope: list[Literal["identity", "situation", "needs", "documents"]] = Field(min_length=1, max_length=4)
    purpose: str = Field(min_length=1, max_length=300)
    method: Literal["signed_paper", "online"] = Field(
        description="An oral consent needs a witness agent: record it in the agent pages."
    )
    given_at: datetime

    _given = field_validator("given_at")(classmethod(lambda cls, v: _aware(v)))


class ReferralIn(CleanSchema):
    person: PersonIn
    to_structure_id: int = Field(ge=1, le=MAX_ID)
    need_label: str = Field(min_length=1, max_length=200)
    message: str = Field("", max_length=5000)
    consent: ConsentIn
    external_ref: str = Field("", max_length=100)


class TransitionIn(CleanSchema):
    target: Literal["received", "accepted", "refused", "redirected", "appointment_set", "done", "closed"]
    version: int = Field(ge=1, le=MAX_ID, description="The version you read: a stale one gets 409.")
    note: str = Field("", max_length=2000)
    refusal_reason: str = Field("", max_length=2000)
    redirect_structure_id: int | None = Field(None, ge=1, le=MAX_ID)
    appointment_at: datetime | None = None
    appointment_channel: Literal["counter", "phone", "callback", "home_visit", "video", "itinerant", ""] = ""
    appointment_note: str = Field("", max_length=300)
    outcome: Literal[
        "right_opened", "answered", "not_eligible", "redirected", "no_contact", "withdrawn", "consent_revoked", ""
    ] = ""
    outcome_note: str = Field("", max_length=2000)

    _appointment = field_validator("appointment_at")(classmethod(lambda cls, v: _aware(v)))


class MessageIn(CleanSchema):
    body: str = Field(min_length=1, max_length=5000)


class MessageOut(Schema):
    structure: str
    at: datetime
    body: str


class TransitionOut(Schema):
    from_status: str
    to_status: str
    at: datetime


class PersonOut(Schema):
    first_name: str
    last_name: str
    birth_date: date | None
    commune_code: str
    contact_preference: str
    phone: str
    email: str
    relative_name: str
    relative_phone: str
    availability: str


class ReferralOut(Schema):
    id: UUID
    version: int
    status: str
    status_text: str
    from_structure_id: int
    from_structure: str
    to_structure_id: int
    to_structure: str
    need_label: str
    message: str
    sent_at: datetime | None
    appointment_at: datetime | None
    appointment_channel: str
    outcome: str
    external_ref: str
    shared_scope: list[str]
    person: PersonOut | None
    needs_note: str | None
    history: list[TransitionOut]
    messages: list[MessageOut]


def _visible(token: ApiToken):
    structure_id = token.structure_id
    return Referral.objects.select_related("case", "consent", "from_structure", "to_structure").filter(
        Q(from_structure_id=structure_id)
        | (Q(to_structure_id=structure_id) & ~Q(status=Status.DRAFT) & Q(consent__revoked_at__isnull=True))
    )


def _serialise(referral: Referral, token: ApiToken) -> dict[str, Any]:
    case = referral.case
    if referral.from_structure_id == token.structure_id:
        scope = sorted(Consent.Scope.values)
    else:
        scope = sorted(referral.consent.scope) if referral.consent else []
    person = None
    if "identity" in scope:
        person = {field: getattr(case, field) for field in PersonOut.model_fields}
    return {
        "id": referral.pk,
        "version": referral.version,
        "status": referral.status,
        "status_text": PLAIN_FRENCH[Status(referral.status)],
        "from_structure_id": referral.from_structure_id,
        "from_structure": referral.from_structure.name,
        "to_structure_id": referral.to_structure_id,
        "to_structure": referral.to_structure.name,
        "need_label": referral.need_label,
        "message": referral.message,
        "sent_at": referral.sent_at,
        "appointment_at": referral.appointment_at,
        "appointment_channel": referral.appointment_channel,
        "outcome": referral.outcome,
        "external_ref": referral.external_ref,
        "shared_scope": scope,
        "person": person,
        "needs_note": case.needs_note if "needs" in scope else None,
        "history": [
            {"from_status": t.from_status, "to_status": t.to_status, "at": t.at} for t in referral.transitions.all()
        ],
        "messages": [
            {"structure": m.structure.name, "at": m.at, "body": m.body}
            for m in referral.messages.select_related("structure")
        ],
    }


def _audit_read(token: ApiToken, referral: Referral, reason: str = "") -> None:
    record_audit(
        actor_label=token.label,
        action=AuditEntry.Action.READ,
        obj=referral.case,
        reason=reason or f"API : lecture de l'orientation {referral.pk}",
    )


def _error(exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, InvalidTransition):
        errors = [{"field": field, "message": message} for field, message in exc.errors.items()]
        return 422, {"message": "; ".join(exc.errors.values()), "errors": errors}
    if isinstance(exc, ValidationError):
        errors = [{"field": field, "message": " ".join(msgs)} for field, msgs in exc.message_dict.items()]
        return 422, {"message": "; ".join(e["message"] for e in errors), "errors": errors}
    if isinstance(exc, actions.ConcurrentModification):
        return 409, {"message": str(exc), "errors": [{"field": "version", "message": "modifié entre-temps"}]}
    if isinstance(exc, PermissionDenied):
        return 404, {"message": "Orientation introuvable pour cette clé.", "errors": []}
    raise exc


def _idempotency_cutoff():
    from datetime import timedelta

    from django.conf import settings

    return timezone.now() - timedelta(hours=settings.REFERRALS_IDEMPOTENCY_HOURS)


def _replay(token: ApiToken, record: IdempotencyRecord) -> tuple[int, dict[str, Any]]:
    """The outcome of the first call, re-read now: erased or no longer shared data is never replayed."""
    if record.status_code >= 300:
        return record.status_code, record.response
    referral = _visible(token).filter(pk=record.referral_id).first() if record.referral_id else None
    if referral is None:
        return 404, {
            "message": "Orientation introuvable pour cette clé (effacée ou plus partagée).",
            "errors": [],
        }
    _audit_read(token, referral, reason=f"API : rejeu (Idempotency-Key) de l'orientation {referral.pk}")
    return record.status_code, _serialise(referral, token)


def _idempotent(token: ApiToken, key: str | None, payload: dict[str, Any], run) -> tuple[int, dict[str, Any]]:
    """Run `run()` once per (token, key): the outcome is replayed on retries, even concurrent ones."""
    if key is None:
        try:
            with transaction.atomic():
                return run()
        except (InvalidTransition, ValidationError, actions.ConcurrentModification, PermissionDenied) as exc:
            return _error(exc)
    if not key or len(key) > 200 or "\x00" in key:
        return 422, {"message": "Idempotency-Key : 1 à 200 caractères.", "errors": [{"field": "Idempotency-Key"}]}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def replay() -> tuple[int, dict[str, Any]]:
        record = IdempotencyRecord.objects.get(token=token, key=key)
        if record.request_hash == "":
            return 404, {"message": "Orientation introuvable pour cette clé (effacée).", "errors": []}
        if record.request_hash != digest:
            return 422, {
                "message": "Cette Idempotency-Key a déjà servi pour une autre requête.",
                "errors": [{"field": "Idempotency-Key", "message": "déjà utilisée"}],
            }
        return _replay(token, record)

    # An expired key may be used again: its old record goes.
    IdempotencyRecord.objects.filter(token=token, key=key, created_at__lt=_idempotency_cutoff()).delete()
    if IdempotencyRecord.objects.filter(token=token, key=key).exists():
        return replay()
    try:
        with transaction.atomic():
            # Claim the key first: a concurrent retry waits on this row, then replays our answer.
            record = IdempotencyRecord.objects.create(token=token, key=key, request_hash=digest, status_code=0)
            try:
                with transaction.atomic():
                    status, body = run()
            except (InvalidTransition, ValidationError, actions.ConcurrentModification, PermissionDenied) as exc:
                status, body = _error(exc)
            record.status_code = status
            if status < 300:
                record.referral_id = body["id"]
            else:
                record.response = json.loads(json.dumps(body, default=str))
            record.save(update_fields=["status_code", "referral", "response"])
            return status, body
    except IntegrityError:
        return replay()


@router.get("/orientations", response={200: list[ReferralOut]}, summary="Orientations envoyées ou reçues")
def list_referrals(
    request: HttpRequest,
    direction: Literal["incoming", "outgoing", "all"] = "all",
    status: Literal[
        "draft", "sent", "received", "accepted", "refused", "redirected", "appointment_set", "done", "closed"
    ]
    | None = None,
):
    token: ApiToken = request.auth
    referrals = _visible(token)
    if direction == "incoming":
        referrals = referrals.filter(to_structure_id=token.structure_id)
    elif direction == "outgoing":
        referrals = referrals.filter(from_structure_id=token.structure_id)
    if status:
        referrals = referrals.filter(status=status)
    rows = []
    for referral in referrals.order_by("-updated_at")[:200]:
        _audit_read(token, referral)
        rows.append(_serialise(referral, token))
    return rows


@router.get("/orientations/{referral_id}", response={200: ReferralOut, 404: Error}, summary="Une orientation")
def get_referral(request: HttpRequest, referral_id: UUID):
    token: ApiToken = request.auth
    referral = _visible(token).filter(pk=referral_id).first()
    if referral is None:
        return Reply(404, {"message": "Orientation introuvable pour cette clé.", "errors": []})
    _audit_read(token, referral)
    return Reply(200, _serialise(referral, token))


@router.post(
    "/orientations",
    response={201: ReferralOut, 404: Error, 409: Error, 422: Error},
    summary="Envoyer une orientation depuis le système partenaire (dossier, consentement, envoi)",
)
def create_referral(
    request: HttpRequest, payload: ReferralIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
):
    token: ApiToken = request.auth
    from carteblanche.directory.models import Structure

    def run() -> tuple[int, dict[str, Any]]:
        if not Structure.objects.filter(pk=payload.to_structure_id).exists():
            raise ValidationError({"to_structure_id": "Structure destinataire inconnue."})
        if payload.external_ref:
            running = (
                Referral.objects.filter(from_structure_id=token.structure_id, external_ref=payload.external_ref)
                .exclude(status__in=actions.FINISHED)
                .first()
            )
            if running is not None:
                # A retry without Idempotency-Key after a lost answer: never a second case and referral.
                raise ValidationError(
                    {
                        "external_ref": f"Une orientation avec cette référence est déjà en cours ({running.pk}) : "
                        "pour réessayer un envoi, utilisez l'en-tête Idempotency-Key."
                    }
                )
        person = payload.person.model_dump()
        typed_commune = person.pop("commune").strip()
        if typed_commune and not person["commune_code"]:
            from carteblanche.territories.selectors import resolve_commune

            answer = resolve_commune(typed_commune)
            if answer.commune is None:
                raise ValidationError({"person.commune": answer.message()})
            person["commune_code"] = answer.commune.code
        case = actions.create_case(
            actor=token,
            structure_id=token.structure_id,
            data=person,
            reason="dossier reçu par l'API",
        )
        consent = actions.record_consent(
            actor=token,
            case=case,
            recipient_id=payload.to_structure_id,
            scope=list(payload.consent.scope),
            purpose=payload.consent.purpose,
            method=payload.consent.method,
            given_at=payload.consent.given_at,
        )
        referral = actions.create_referral(
            actor=token,
            case=case,
            to_structure_id=payload.to_structure_id,
            need_label=payload.need_label,
            message=payload.message,
            consent=consent,
            external_ref=payload.external_ref,
        )
        referral = actions.transition_referral(
            actor=token,
            referral_id=referral.pk,
            expected_version=1,
            target=Status.SENT,
        )
        return 201, _serialise(referral, token)

    return Reply(*_idempotent(token, idempotency_key, {"op": "create", **payload.model_dump()}, run))


@router.post(
    "/orientations/{referral_id}/etapes",
    response={200: ReferralOut, 404: Error, 409: Error, 422: Error},
    summary="Faire avancer une orientation (accusé de réception, acceptation, rendez-vous, clôture…)",
)
def transition(
    request: HttpRequest,
    referral_id: UUID,
    payload: TransitionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    token: ApiToken = request.auth

    def run() -> tuple[int, dict[str, Any]]:
        if not _visible(token).filter(pk=referral_id).exists():
            raise PermissionDenied()
        data = payload.model_dump(exclude={"target", "version", "note", "redirect_structure_id"})
        if payload.redirect_structure_id:
            from carteblanche.directory.models import Structure

            if not Structure.objects.filter(pk=payload.redirect_structure_id).exists():
                raise ValidationError({"redirect_structure_id": "Structure inconnue."})
            data["redirect_structure"] = payload.redirect_structure_id
        if data.get("appointment_channel") and data["appointment_channel"] not in Channel.values:
            raise ValidationError({"appointment_channel": "Type de rendez-vous inconnu."})
        if data.get("outcome") and data["outcome"] not in Outcome.values:
            raise ValidationError({"outcome": "Résultat inconnu."})
        referral = actions.transition_referral(
            actor=token,
            referral_id=referral_id,
            expected_version=payload.version,
            target=payload.target,
            data=data,
            note=payload.note,
        )
        return 200, _serialise(referral, token)

    body = {"op": "transition", "referral": str(referral_id), **payload.model_dump()}
    return Reply(*_idempotent(token, idempotency_key, body, run))


@router.post(
    "/orientations/{referral_id}/messages",
    response={201: ReferralOut, 404: Error, 422: Error},
    summary="Écrire aux agents de l'autre structure",
)
def message(
    request: HttpRequest,
    referral_id: UUID,
    payload: MessageIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    token: ApiToken = request.auth

    def run() -> tuple[int, dict[str, Any]]:
        referral = _visible(token).filter(pk=referral_id).first()
        if referral is None:
            raise PermissionDenied()
        actions.post_message(
            actor=token,
            referral=referral,
            body=payload.body,
        )
        return 201, _serialise(referral, token)

    body = {"op": "message", "referral": str(referral_id), **payload.model_dump()}
    return Reply(*_idempotent(token, idempotency_key, body, run))
