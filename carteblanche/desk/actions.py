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


@transaction.atomic
def record_procedure(
    *, actor: Any, structure_id: int, need_slug: str, body: str, what: str, done_on: date, case=None
) -> Procedure:
    """Count one procedure for the agent's structure; refused for a structure she does not work in."""
    if structure_id not in roles.structure_ids(actor):
        raise ValidationError({"structure": "Vous ne travaillez pas dans cette structure."})
    need = Need.objects.filter(slug=need_slug).first()
    if need is None:
        raise ValidationError({"need": "Démarche inconnue : choisissez-la dans la liste."})
    procedure = Procedure.objects.create(
        structure_id=structure_id,
        agent=actor,
        need=need,
        theme=need.label,
        body=body.strip(),
        what=what.strip(),
        done_on=done_on,
        case=case,
    )
    record_audit(actor=actor, action="create", obj=procedure, reason="démarche faite au guichet")
    return procedure
