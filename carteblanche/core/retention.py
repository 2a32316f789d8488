"""Limitation of retention: personal data kept only as long as its purpose needs (RGPD art. 5-1-e).

`purge_expired` deletes what no case file uses any more: anonymous self-service situations past
their expiry, rights simulations and saved orientation plans older than their retention, and the
partner API's idempotency records past their replay window. What a case file uses (its situation,
its simulation) follows the case file's own retention (`anonymise_closed_cases`).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry, Situation

PURGE_ACTOR = "purge automatique"


def retention_limits(now: datetime) -> dict[str, datetime]:
    """The date before which each kind of record is purged, from the settings."""
    return {
        "situations": now - timedelta(days=settings.RETENTION_SITUATION_DAYS_AFTER_EXPIRY),
        "simulations": now - timedelta(days=settings.RETENTION_RIGHTS_SIMULATION_DAYS),
        "plans": now - timedelta(days=settings.RETENTION_ORIENTATION_PLAN_DAYS),
        "idempotency": now - timedelta(hours=settings.REFERRALS_IDEMPOTENCY_HOURS),
    }


def _due(now: datetime) -> dict[str, object]:
    from carteblanche.orientation.models import SavedPlan
    from carteblanche.referrals.models import CaseFile, IdempotencyRecord
    from carteblanche.rights.models import Simulation

    limits = retention_limits(now)
    kept_situations = CaseFile.objects.filter(situation__isnull=False).values("situation_id")
    kept_simulations = CaseFile.objects.filter(simulation__isnull=False).values("simulation_id")
    return {
        # A situation goes with its simulations and plans (cascade): not if a case file uses one of them.
        "situations": Situation.objects.filter(expires_at__lt=limits["situations"])
        .exclude(pk__in=kept_situations)
        .exclude(rights_simulations__in=kept_simulations),
        "simulations": Simulation.objects.filter(created_at__lt=limits["simulations"])
        .exclude(pk__in=kept_simulations)
        .exclude(Q(situation__isnull=False) & Q(situation_id__in=kept_situations)),
        "plans": SavedPlan.objects.filter(created_at__lt=limits["plans"]).exclude(situation_id__in=kept_situations),
        "idempotency": IdempotencyRecord.objects.filter(created_at__lt=limits["idempotency"]),
    }


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete expired personal data; returns how many rows of each kind (journaled, without content)."""
    now = now or timezone.now()
    with transaction.atomic():
        counts = {}
        for kind in ("idempotency", "plans", "simulations", "situations"):
            queryset = _due(now)[kind]
            counts[kind] = queryset.count()
            if not dry_run and counts[kind]:
                queryset.delete()
        if not dry_run:
            record_audit(
                actor_label=PURGE_ACTOR,
                action=AuditEntry.Action.DELETE,
                object_type="core.retention",
                object_id=now.date().isoformat(),
                reason="durées de conservation",
                details=counts,
            )
        if dry_run:
            transaction.set_rollback(True)
    return counts
