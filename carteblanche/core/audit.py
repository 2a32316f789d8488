"""Write to the audit journal: one call per read or change of personal data."""

from typing import Any

from carteblanche.core.models import AuditEntry


def record_audit(
    *,
    actor: Any = None,
    actor_label: str = "",
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry; `obj` (a model instance) fills the object type and id."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor_label = actor_label or "anonyme"
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        details=details or {},
    )


def record_reads(*, actor: Any, objects: list[Any], reason: str) -> int:
    """One read entry per object shown on a page (a list of names is a read of each file), in one query."""
    seen: dict[tuple[str, str], Any] = {}
    for obj in objects:
        seen.setdefault((obj._meta.label_lower, str(obj.pk)), obj)
    if not seen:
        return 0
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(actor=actor, action=AuditEntry.Action.READ, object_type=kind, object_id=pk, reason=reason)
            for kind, pk in seen
        ]
    )
    return len(seen)
