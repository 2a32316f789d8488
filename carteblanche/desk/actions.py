"""Writes of the desk: record a procedure done with the agent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carteblanche.accounts import permissions as roles
from carteblanche.core.audit import record_audit
from carteblanche.desk.models import Procedure
from carteblanche.desk.summary import summary_email_text, summary_sms
from carteblanche.directory.models import Need
from carteblanche.mandates.actions import act_under_mandate
from carteblanche.mandates.models import Mandate
from carteblanche.orientation.actions import EMAIL, deliver
from carteblanche.orientation.models import SavedPlan


@transaction.atomic
def record_procedure(
    *,
    actor: Any,
    structure_id: int,
    need_slug: str,
    body: str,
    what: str,
    done_on: date,
    case=None,
    mandate_id: int | None = None,
    mandate_domain: str = "",
) -> Procedure:
    """Count one procedure for the agent's structure; refused for a structure she does not work in.

    Done under a mandate of the person's case, the act is checked and journaled with the mandate
    (mandates.actions.act_under_mandate, PermissionDenied when it no longer holds): nothing is counted then.
    """
    if structure_id not in roles.structure_ids(actor):
        raise ValidationError({"structure": "Vous ne travaillez pas dans cette structure."})
    need = Need.objects.filter(slug=need_slug).first()
    if need is None:
        raise ValidationError({"need": "Démarche inconnue : choisissez-la dans la liste."})
    mandate = None
    if mandate_id is not None:
        if case is None or not Mandate.objects.filter(pk=mandate_id, case=case).exists():
            raise ValidationError({"mandat": "Ce mandat n'est pas celui de la personne reçue."})
        mandate = act_under_mandate(actor=actor, mandate_id=mandate_id, domain=mandate_domain, what=what)
    procedure = Procedure.objects.create(
        structure_id=structure_id,
        agent=actor,
        need=need,
        theme=need.label,
        body=body.strip(),
        what=what.strip(),
        done_on=done_on,
        case=case,
        mandate=mandate,
    )
    record_audit(actor=actor, action="create", obj=procedure, reason="démarche faite au guichet")
    return procedure


SUMMARY_CONSENT_WORDING = "accord-envoi-synthese-guichet-v1"  # the checkbox's wording, kept with each send


def send_summary(
    *, actor: Any, saved: SavedPlan, context: Mapping[str, Any], channel: str, address: str, consent: bool
) -> int:
    """Send the visit's summary by e-mail or SMS with the person's consent (orientation.actions.deliver);
    journal the send with the channel and consent, never the address. Raises SendError, nothing sent."""
    count = deliver(
        channel=channel,
        address=address,
        consent=consent,
        subject="Votre synthèse Carte Blanche",
        email_body=summary_email_text(context) if channel == EMAIL else "",
        sms_messages=lambda: summary_sms(context),
    )
    case = context.get("case")
    record_audit(
        actor=actor,
        action="share",
        obj=saved,
        reason=f"synthèse du guichet envoyée par {'e-mail' if channel == EMAIL else 'SMS'}, avec son accord",
        details={
            "channel": channel,
            "consent": SUMMARY_CONSENT_WORDING,
            "messages": count,
            "case": str(case.pk) if case is not None else "",
        },
    )
    return count
