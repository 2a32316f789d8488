"""Writes of the orientation app: keep the person's answers and the plan shown to them."""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from carteblanche.core import sms
from carteblanche.core.audit import record_audit
from carteblanche.core.models import Situation
from carteblanche.core.situations import save_situation_section
from carteblanche.orientation.engine import Plan
from carteblanche.orientation.models import SavedPlan
from carteblanche.orientation.render import plan_to_dict, plan_to_sms, plan_to_text, without_points
from carteblanche.orientation.selectors import OrientationRequest


def orientation_answers(request: OrientationRequest, need_slugs: list[str]) -> dict:
    """The "orientation" section of the shared situation (docs/orientation.md lists its keys)."""
    return {
        "needs": need_slugs,
        "free_text": request.besoin_libre,
        "travel": {
            "car": request.voiture,
            "does_not_drive": request.ne_conduit_pas,
            "driven": request.conduit_par_proche,
            "driven_when": request.conduit_quand,
            "public_transport": request.transport_en_commun,
            "on_demand": request.transport_a_la_demande,
            "solidarity": request.mobilite_solidaire,
            "reduced_mobility": request.mobilite_reduite,
        },
        "digital": request.numerique,
        "phone": request.telephone,
        "availability": request.disponibilites,
        "urgency": request.urgent,
        "other_commune": request.autre_commune,
        "publics": request.publics,
    }


@transaction.atomic
def save_plan(
    *,
    situation: Situation,
    request: OrientationRequest,
    plan: Plan,
    commune_code: str,
    agent: bool = False,
    origin: str = "",
) -> SavedPlan:
    """Store the answers in the shared situation ("profile" + "orientation") and the plan snapshot."""
    profile = {"commune_code": commune_code, "language": request.langue or "fr"}
    if request.age is not None:
        profile["age"] = request.age
    save_situation_section(situation=situation, section="profile", data=profile)
    save_situation_section(
        situation=situation, section="orientation", data=orientation_answers(request, [n.slug for n in plan.needs])
    )
    snapshot = plan_to_dict(plan)
    snapshot["origin"] = origin
    snapshot["sms"] = plan_to_sms(snapshot)
    snapshot["text"] = plan_to_text(plan)
    return SavedPlan.objects.create(
        situation=situation, plan=snapshot, request=request.to_json(), created_by_agent=agent
    )


# ------------------------------------------------------------------ sending a plan

EMAIL = "email"
SMS = "sms"
RETRY = "Réessayez plus tard, ou imprimez votre plan."
CONSENT_WORDING = "accord-envoi-plan-v1"  # the checkbox's wording, kept with each send in the journal


class SendError(Exception):
    """A send refused or failed; `field` is the form field to show `message` (French) beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def plan_email_text(saved: SavedPlan, link: str) -> str:
    """The e-mail: the plan in words (never the points) and its private link."""
    text = without_points(saved.plan.get("text", ""))
    origin = saved.plan.get("origin", "")
    parts = ["Bonjour,", "", "Voici votre plan Carte Blanche."]
    if link:
        parts += [f"Pour le revoir en ligne, ouvrez ce lien (valable 30 jours) : {link}"]
    parts += ["", *([origin] if origin else []), text.rstrip(), ""]
    parts += ["Les horaires peuvent changer : en cas de doute, appelez avant."]
    parts += ["", "Ce message part d'une adresse qui ne lit pas les réponses."]
    return "\n".join(parts) + "\n"


def deliver(*, channel: str, address: str, consent: bool, subject: str, email_body: str, sms_messages) -> int:
    """Send one text by e-mail or SMS, only with the person's consent; the caller journals the send.

    `sms_messages` is called only for an SMS (the messages, already cut: core.sms.pack). Returns the
    number of messages sent. Raises `SendError` (nothing sent) for a missing consent, a bad address or
    number, or a provider that refuses. Shared by the plan (here) and the desk's summary.
    """
    if channel not in (EMAIL, SMS):
        raise SendError("canal", "Choisissez l'envoi par e-mail ou par SMS.")
    if not consent:
        raise SendError("accord", "Cochez la case pour accepter l'envoi : sans votre accord, rien n'est envoyé.")
    if channel == EMAIL:
        address = (address or "").strip()
        if not address:
            raise SendError("email", "Il manque votre adresse e-mail.")
        try:
            validate_email(address)
        except ValidationError:
            raise SendError(
                "email",
                f"L'adresse « {address[:60]} » n'est pas une adresse e-mail : "
                "elle doit ressembler à prenom.nom@exemple.fr.",
            ) from None
        message = EmailMessage(subject=subject, body=email_body, to=[address])
        try:
            return message.send(fail_silently=False)
        except (smtplib.SMTPException, OSError):
            raise SendError("email", f"Le message n'a pas pu partir. {RETRY}") from None
    try:
        number = sms.normalize_mobile(address)
        return sms.send_sms(number, sms_messages())
    except sms.SmsError as exc:
        raise SendError("telephone", str(exc)) from None


def send_plan(*, saved: SavedPlan, channel: str, address: str, consent: bool, link: str = "", actor: Any = None) -> int:
    """Send the plan and its link by e-mail or SMS, only with the person's consent; journal the send.

    Returns the number of messages sent. The journal keeps the channel, the consent and the
    count, never the address or the number (they are used once and not stored anywhere).
    Raises `SendError` (nothing sent): see `deliver`.
    """
    count = deliver(
        channel=channel,
        address=address,
        consent=consent,
        subject="Votre plan Carte Blanche",
        email_body=plan_email_text(saved, link) if channel == EMAIL else "",
        sms_messages=lambda: plan_to_sms(saved.plan, link=link),
    )
    record_audit(
        actor=actor,
        actor_label="" if getattr(actor, "is_authenticated", False) else "la personne (navigateur)",
        action="share",
        obj=saved,
        reason=f"plan envoyé par {'e-mail' if channel == EMAIL else 'SMS'} avec l'accord de la personne",
        details={"channel": channel, "consent": CONSENT_WORDING, "messages": count, "link": bool(link)},
    )
    return count
