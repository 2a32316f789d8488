"""Writes of the desk: record a procedure done with the agent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carteblanche.accounts import permissions as roles
from carteblanche.core.audit import record_audit
from carteblanche.desk.models import Procedure
from carteblanche.directory.models import Need
from carteblanche.mandates.actions import act_under_mandate
from carteblanche.mandates.models import Mandate


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
