"""Benchmark: rights discovery vs raw OpenFisca-France on the same households (JSON on stdout).

Measured in one run:
  cold start          a fresh process: build the tax-benefit system, then the first simulation;
  single household    warm, in-process: first benefit group and all results (p50/p95), project
                      adapter vs raw OpenFisca (build_from_entities + the same variables, same order);
  page                through HTTP on a server started here on loopback: time to the first benefit
                      card in the streamed result page, and to the end of the page;
  throughput          POST /api/droits/simulations with 1, 8 and 32 concurrent clients, the
                      micro-batching server vs a naive one-simulation-per-request server (the same
                      gunicorn server with RIGHTS_BATCH_MAX=1, RIGHTS_BATCH_WINDOW_MS=0 and
                      RIGHTS_BATCH_MAX_WAIT_MS=0), with the server-side phases of each request
                      (Server-Timing: queued, computing, wake, local aids and JSON, write);
  batch               households/s for a vectorised simulation of synthetic households;
  memory              RSS of the micro-batcher after 5,000 household simulations (50 rounds of 100).
Every request loop is bounded in count; all traffic goes to 127.0.0.1. Not a test.

    .venv/bin/python bench/bench_rights.py [--quick] [--no-http | --http-only] [--server runserver]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

MONTH = "2026-10"


def pct(samples: list[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 1),
        "p95_ms": round(float(np.percentile(arr, 95)), 1),
        "n": len(samples),
    }


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def cold_start() -> dict:
    code = (
        "import time; t0 = time.perf_counter();"
        "from carteblanche.rights import openfisca_adapter as a; a.get_tax_benefit_system(); t1 = time.perf_counter();"
        "a.warm_up(); t2 = time.perf_counter();"
        "print(round(t1 - t0, 2), round(t2 - t0, 2))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    tbs, total = (float(x) for x in out.stdout.split())
    return {"tax_benefit_system_s": tbs, "system_and_first_simulation_s": total}


def _households():
    from carteblanche.rights.answers import parse_household
    from tests.rights.households import HOUSEHOLDS

    parsed = {
        name: parse_household(answers, today=date(2026, 10, 1), commune_exists=lambda c: True).household
        for name, answers in HOUSEHOLDS.items()
    }
    return HOUSEHOLDS, parsed


def single_household(rounds: int) -> dict:
    from openfisca_core.simulation_builder import SimulationBuilder

    from carteblanche.core import runtime
    from carteblanche.rights import openfisca_adapter as adapter
    from tests.rights.test_openfisca_equality import VARIABLES, openfisca_situation

    answers, parsed = _households()
    adapter.warm_up()
    tbs = adapter.get_tax_benefit_system()
    names = ["sarah", "martine", "aah_80", "couple_3_children", "ppa_smic"]
    first, total, raw = [], [], []
    for i in range(rounds):
        name = names[i % len(names)]
        started = time.perf_counter()
        got_first = None
        for _chunk in adapter.iter_results([parsed[name]], month=MONTH):
            if got_first is None:
                got_first = time.perf_counter() - started
        total.append(time.perf_counter() - started)
        first.append(got_first)
        runtime.unpatch_openfisca()  # raw = stock openfisca-core, as a direct user would run it
        try:
            # The gross pay is solved beforehand (not timed): a direct user would enter it as known.
            situation, _, _ = openfisca_situation({name: answers[name]}, tbs)
            started = time.perf_counter()
            simulation = SimulationBuilder().build_from_entities(tbs, situation)
            for variable, _entity, period in VARIABLES.values():
                simulation.calculate(variable, period)
            raw.append(time.perf_counter() - started)
            del simulation
        finally:
            runtime.patch_openfisca()
    gc.collect()
    return {
        "project_first_result": pct(first),
        "project_all_results": pct(total),
        "raw_openfisca_all_results": pct(raw),
    }


def batch_throughput(n: int) -> dict:
    from carteblanche.rights.openfisca_adapter import simulate
    from carteblanche.rights.population import synthesize

    households = synthesize("46042", n, seed=1, today=date(2026, 10, 1))
    started = time.perf_counter()
    simulate(households, month=MONTH)
    seconds = time.perf_counter() - started
    gc.collect()
    return {"households": n, "seconds": round(seconds, 2), "households_per_s": round(n / seconds, 1)}


def memory(rounds: int, per_round: int) -> dict:
    from carteblanche.rights.batcher import MicroBatcher
    from carteblanche.rights.population import synthesize

    batcher = MicroBatcher(window=0.05)
    households = synthesize("46224", per_round, seed=2, today=date(2026, 10, 1))
    samples = []
    for r in range(rounds):
        tickets = [batcher.submit(h, month=MONTH) for h in households]
        for t in tickets:
            t.result(timeout=300)
        if r in (0, rounds // 5, rounds - 1):
            samples.append({"after_simulations": (r + 1) * per_round, "rss_mb": rss_mb()})
    return {"batches": batcher.batches, "simulations": rounds * per_round, "rss": samples}


# --- HTTP -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server on loopback, on the bench database, with extra settings from env.

    `gunicorn`: one gthread worker process (one process: one micro-batcher, one tax-benefit system)
    with 64 threads, more than the most concurrent clients, so that requests wait in the application
    and not in gunicorn's accept queue. `runserver`: Django's threaded development server.
    """

    def __init__(self, database_url: str, extra_env: dict[str, str], kind: str = "gunicorn"):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
               "RIGHTS_WARMUP": "1", **extra_env}  # fmt: skip
        if kind == "gunicorn":
            command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                       "--worker-class", "gthread", "--workers", "1", "--threads", "64", "--timeout", "600",
                       "--keep-alive", "30", "--backlog", "256"]  # fmt: skip
        else:
            command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        import requests

        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.base}/sante/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _server_timing(header: str) -> dict[str, float]:
    """`queued;dur=12.5, computing;dur=980` -> {"queued": 12.5, "computing": 980.0} (ms)."""
    out = {}
    for part in filter(None, (p.strip() for p in header.split(","))):
        name, _, dur = part.partition(";dur=")
        if dur:
            out[name] = float(dur)
    return out


def _post(session, base: str, body: dict) -> tuple[float, int, int, dict[str, float]]:
    import requests

    started = time.perf_counter()
    for attempt in range(5):  # runserver's listen backlog is short: 32 new connections may be reset
        try:
            response = session.post(f"{base}/api/droits/simulations", json=body, timeout=600)
            break
        except requests.ConnectionError:
            time.sleep(0.2 * (attempt + 1))
    else:
        return time.perf_counter() - started, 599, 0, {}
    took = time.perf_counter() - started
    batch = response.json().get("batch_size") or 0 if response.status_code == 200 else 0
    return took, response.status_code, batch, _server_timing(response.headers.get("Server-Timing", ""))


def throughput(base: str, bodies: list[dict], clients: int, per_client: int) -> dict:
    import requests

    latencies: list[float] = []
    failures: list[int] = []
    batches: list[int] = []
    phases: dict[str, list[float]] = {}
    lock = threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        for i in range(per_client):
            took, status, batch, timing = _post(session, base, bodies[(k * per_client + i) % len(bodies)])
            with lock:
                if status == 200:
                    latencies.append(took)
                    batches.append(batch)
                    for name, ms in timing.items():
                        phases.setdefault(name, []).append(ms / 1000)
                else:
                    failures.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {
        "clients": clients,
        "requests_ok": len(latencies),
        "requests_failed": len(failures),  # e.g. 503 "trop de temps" after RIGHTS_TIMEOUT_S in a queue
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 2),
        "mean_batch_size": round(sum(batches) / len(batches), 1) if batches else None,
        "latency": pct(latencies) if latencies else None,
        # server side, per request (Server-Timing): where the latency went
        "server_phases": {name: pct(values) for name, values in phases.items()},
    }


def page_latency(base: str, rounds: int) -> dict:
    """Time to the first benefit card and to the end of the streamed result page (Sarah)."""
    import requests

    steps = [
        ("foyer", {"commune": "Pradines", "birth_date": "1992-05-10", "couple": "no", "children": "2"}),
        ("personnes", {"child_1_birth_date": "2022-03-02", "child_1_schooling": "maternelle",
                       "child_2_birth_date": "2017-06-20", "child_2_schooling": "primaire"}),
        ("ressources", {"activity": "actif", "salary_net": "900", "same_every_month": "yes", "disability": "0"}),
        ("logement", {"housing_status": "locataire_vide", "rent": "520", "farm_scheme": "no", "child_support": "no"}),
        ("aides", {}),
    ]  # fmt: skip
    session = requests.Session()
    for step, data in steps:
        page = session.get(f"{base}/droits/questions/{step}/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = session.post(
            f"{base}/droits/questions/{step}/", data={**data, "csrfmiddlewaretoken": token},
            headers={"Referer": base}, allow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 302, (step, response.status_code)
    first, total = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        got_first = None
        with session.get(f"{base}/droits/resultats/", stream=True, timeout=600) as response:
            buffer = b""
            # raw reads: iter_content(chunk_size=None) would wait for the end of an unsized body
            for chunk in response.raw.stream(1024, decode_content=False):
                buffer += chunk
                if got_first is None and b"data-benefit=" in buffer:
                    got_first = time.perf_counter() - started
        total.append(time.perf_counter() - started)
        first.append(got_first if got_first is not None else total[-1])
    return {"first_benefit_card": pct(first), "whole_page": pct(total)}


def http_benchmarks(quick: bool, server_kind: str = "gunicorn") -> dict:
    from tests.rights.households import HOUSEHOLDS

    bodies = [{**b, "month": MONTH} for b in HOUSEHOLDS.values()]
    tmp = tempfile.mkdtemp(prefix="bench-rights-")
    database_url = f"sqlite:///{tmp}/bench.sqlite3"
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    subprocess.run(
        [sys.executable, "manage.py", "bootstrap", "-v0"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    levels = [(1, 4 if quick else 8), (8, 2 if quick else 4), (32, 2 if quick else 4)]
    out: dict = {"server": server_kind + (" (1 gthread worker, 64 threads)" if server_kind == "gunicorn" else "")}
    for label, extra in (
        ("micro_batching", {}),
        (
            "naive_one_simulation_per_request",
            {"RIGHTS_BATCH_MAX": "1", "RIGHTS_BATCH_WINDOW_MS": "0", "RIGHTS_BATCH_MAX_WAIT_MS": "0"},
        ),
    ):
        server = Server(database_url, extra, server_kind)
        try:
            import requests

            _post(requests.Session(), server.base, bodies[0])  # waits for the warm-up
            out[label] = {"throughput": [throughput(server.base, bodies, c, n) for c, n in levels]}
            if label == "micro_batching":
                out[label]["page"] = page_latency(server.base, 3 if quick else 8)
        finally:
            server.stop()
    ratios, over_best = {}, {}
    naive_levels = out["naive_one_simulation_per_request"]["throughput"]
    naive_best = max(level["requests_per_s"] for level in naive_levels)
    for i, (clients, _n) in enumerate(levels):
        batched = out["micro_batching"]["throughput"][i]["requests_per_s"]
        naive = naive_levels[i]["requests_per_s"]
        ratios[f"{clients}_clients"] = round(batched / naive, 1) if naive else None
        over_best[f"{clients}_clients"] = round(batched / naive_best, 1) if naive_best else None
    out["throughput_ratio_batched_over_naive"] = ratios
    # The same, over the naive server's best throughput at any concurrency: a ratio that its
    # requests timing out under load (failures are not counted as throughput) cannot inflate.
    out["throughput_ratio_batched_over_naive_best"] = over_best
    # With C clients each waiting for its answer a batch holds at most C households, and a
    # simulation costs about the same for 1 or 32 households: the ratio is at most about C.
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-only", action="store_true")
    parser.add_argument(
        "--server", choices=("gunicorn", "runserver"), default="gunicorn", help="the HTTP server of both sides"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from carteblanche.rights.openfisca_adapter import openfisca_france_version

    report: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg": os.getloadavg()},
        "openfisca_france": openfisca_france_version(),
        "month": MONTH,
    }
    if not args.http_only:
        report["cold_start"] = cold_start()
        report["single_household_warm"] = single_household(6 if args.quick else 20)
        report["batch"] = batch_throughput(1000)
        report["memory"] = memory(10 if args.quick else 50, 100)
    if not args.no_http:
        report["http"] = http_benchmarks(args.quick, args.server)
    report["machine"]["load_avg_end"] = os.getloadavg()
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
