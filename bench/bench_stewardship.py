"""Cost of counting the services shown (stewardship counters) and of the stewards' priority list.

Prints one JSON object. A throwaway SQLite database (in /dev/shm when there is one) with one
structure and N synthetic services ("not real data"). Measures: `count_shown` per call (a
result page of 20 services, no write), one flush of B distinct (service, day, surface) rows
(first insert, then the add-to-existing path), and `selectors.priorities()` over N services.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    shm = Path("/dev/shm")
    tmp = tempfile.mkdtemp(prefix="cb-bench-stewardship-", dir=shm if shm.is_dir() else None)
    os.environ.update({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from datetime import date, timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from carteblanche.directory.models import Service, Structure
    from carteblanche.stewardship import counters, selectors

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    n_services = 10_000
    structure = Structure.objects.create(source="bench", source_id="s", name="Structure de banc d'essai")
    Service.objects.bulk_create(
        Service(
            source="bench", source_id=str(i), structure=structure, name=f"Service {i}", verified_on=date(2025, 1, 1)
        )
        for i in range(n_services)
    )
    ids = list(Service.objects.values_list("pk", flat=True))
    settings.STEWARDSHIP_SHOWN_FLUSH_SECONDS = 10**9
    report: dict = {"services": n_services, "database": "SQLite (throwaway file)"}

    samples = []
    for i in range(20_000):
        page = ids[(i * 20) % (n_services - 20) : (i * 20) % (n_services - 20) + 20]
        started = time.perf_counter()
        counters.count_shown(counters.SEARCH, page)
        samples.append(time.perf_counter() - started)
    report["count_shown_20_ids_us"] = {
        "mean": round(statistics.fmean(samples) * 1e6, 1),
        "p99": round(sorted(samples)[int(len(samples) * 0.99)] * 1e6, 1),
    }
    counters._pending.clear()

    flushes = {}
    for batch in (1_000, 5_000, 20_000):
        timings = []
        for _ in range(2):  # insert, then add to the same rows
            day0 = date(2026, 1, 1) + timedelta(days=batch)
            for k in range(batch):
                counters._pending[(day0 + timedelta(days=k // n_services), "plan", ids[k % n_services])] += 1
            started = time.perf_counter()
            counters.flush()
            timings.append(round((time.perf_counter() - started) * 1000, 1))
        flushes[str(batch)] = {"insert_ms": timings[0], "add_ms": timings[1]}
    report["flush_rows"] = flushes

    started = time.perf_counter()
    rows = selectors.priorities(today=date(2026, 12, 6), only_due=False, limit=200)
    report["priorities_ms"] = round((time.perf_counter() - started) * 1000, 1)
    report["priorities_rows"] = len(rows)
    report["machine"] = {"load_average_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
