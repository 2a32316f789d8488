"""Reads of the desk: the France Services indicator (procedures per structure, theme and month)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from carteblanche.desk.models import Procedure


def procedures_per_month(
    *, structure_ids: set[int] | None = None, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """Counts only (no person): [{structure_id, structure, theme, month 'YYYY-MM', count}], stable order.

    The observatory reads this selector; `until` is exclusive.
    """
    qs = Procedure.objects.all()
    if structure_ids is not None:
        qs = qs.filter(structure_id__in=structure_ids)
    if since is not None:
        qs = qs.filter(done_on__gte=since)
    if until is not None:
        qs = qs.filter(done_on__lt=until)
    rows = (
        qs.annotate(month=TruncMonth("done_on"))
        .values("structure_id", "structure__name", "theme", "month")
        .annotate(count=Count("id"))
        .order_by("month", "structure__name", "theme")
    )
    return [
        {
            "structure_id": row["structure_id"],
            "structure": row["structure__name"],
            "theme": row["theme"],
            "month": row["month"].strftime("%Y-%m"),
            "count": row["count"],
        }
        for row in rows
    ]
