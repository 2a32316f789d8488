"""Benchmark: the desk's visitor page with rights included, warm, in-process (JSON on stdout).

A throwaway test database with the shipped territory and offer; one France Services agent.
Warm-up: one full visit (OpenFisca system built, caches filled). Then, for Kevin and Martine,
`--rounds` visits each: the POST of the visitor form (orientation plan + OpenFisca simulation +
storage) and the GET of the result page (plan, rights, local aids, documents side by side).
Not a test.

    flock /tmp/cpu.lock .venv/bin/python bench/bench_desk.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def pct(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3, 1)

    return {"p50_ms": at(0.5), "p95_ms": at(0.95), "max_ms": round(ordered[-1] * 1e3, 1), "n": len(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ROOT_URLCONF = "config.urls"
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        call_command("bootstrap", "--no-migrate", verbosity=0)
        from tests.desk.test_visitor import KEVIN, MARTINE
        from tests.referrals.conftest import World

        world = World()
        client = Client()
        client.force_login(world.agent_fs)
        t0 = time.perf_counter()
        client.get(client.post("/guichet/", KEVIN)["Location"])
        warm_up = time.perf_counter() - t0
        out = {"warm_up_first_visit_s": round(warm_up, 2)}
        for name, answers in (("kevin", KEVIN), ("martine", MARTINE)):
            posts, gets, totals = [], [], []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                response = client.post("/guichet/", answers)
                t1 = time.perf_counter()
                assert response.status_code == 302, response.status_code
                page = client.get(response["Location"])
                t2 = time.perf_counter()
                assert page.status_code == 200 and "Les droits, les montants" in page.content.decode()
                posts.append(t1 - t0)
                gets.append(t2 - t1)
                totals.append(t2 - t0)
            out[name] = {"post_form": pct(posts), "result_page": pct(gets), "form_to_result": pct(totals)}
        out["target"] = "form submitted to result page shown < 2000 ms (warm)"
        out["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "database": connection.vendor}
        print(json.dumps(out, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
