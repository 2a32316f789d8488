"""How often each service is shown in search results and plans, counted cheaply.

A search or a plan adds its service ids to a counter kept in the process (a dict increment under
a lock, no query); the counter is written to `ShownCount` (one row per service, day and surface)
at most every `STEWARDSHIP_SHOWN_FLUSH_SECONDS` (60 s), in one statement (insert or add). Nothing personal is
counted: no query text, no commune, no session. A process that stops loses at most its last
minute of counts (an approximate ranking needs no more).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from carteblanche.stewardship import conf

logger = logging.getLogger(__name__)

SEARCH = "search"
PLAN = "plan"

_lock = threading.Lock()
_pending: Counter[tuple[date, str, int]] = Counter()
_last_flush = time.monotonic()


def count_shown(surface: str, service_ids: Iterable[object]) -> None:
    """Count one showing of each service (once per result page or plan, whatever its rank)."""
    global _last_flush
    day = timezone.localdate()
    ids = set()
    for service_id in service_ids:
        try:
            ids.add(int(str(service_id)))
        except ValueError:
            continue
    with _lock:
        for service_id in ids:
            _pending[(day, surface, service_id)] += 1
        due = time.monotonic() - _last_flush >= conf.shown_flush_seconds()
        if due:
            _last_flush = time.monotonic()
    if due:
        flush()


def flush() -> int:
    """Write this process's counts; returns how many rows were touched. Never raises: a search
    page must not fail because counting did."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return 0
    from carteblanche.directory.models import Service
    from carteblanche.stewardship.models import ShownCount

    table = connection.ops.quote_name(ShownCount._meta.db_table)
    # One statement for the whole batch, adding to the day's count (PostgreSQL and SQLite >= 3.24 alike).
    sql = (
        f"INSERT INTO {table} (service_id, day, surface, count) VALUES (%s, %s, %s, %s) "  # noqa: S608 (model's table)
        f"ON CONFLICT (service_id, day, surface) DO UPDATE SET count = {table}.count + excluded.count"
    )
    try:
        with transaction.atomic():
            existing = set(Service.objects.filter(pk__in={key[2] for key in batch}).values_list("pk", flat=True))
            rows = [(sid, day, surface, n) for (day, surface, sid), n in batch.items() if sid in existing]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)  # services deleted since they were shown are left out
    except DatabaseError:
        logger.exception("Counts of records shown not written (%d rows dropped)", len(batch))
        return 0
    return len(batch)


def pending() -> dict[tuple[date, str, int], int]:
    """This process's counts not yet written (tests, the stewards' page)."""
    with _lock:
        return dict(_pending)
