"""Schemathesis on the whole OpenAPI and a bounded load test, against gunicorn on 127.0.0.1 (issue 14).

Prints one JSON report (progress on stderr). Not a test: run it alone, under the CPU lock:

    flock /tmp/cpu.lock .venv/bin/python bench/loopback_checks.py [--clients 20] [--seconds 30] [--examples 10]

1. A fresh SQLite database in a temporary folder, bootstrapped (territory, offer, demo accounts),
   and a partner API key for one structure.
2. gunicorn, 2 gthread workers × 4 threads (config.settings.dev: no collectstatic needed), loopback.
3. `schemathesis run` on /api/openapi.json, without and with the partner key: server errors counted
   (check not_a_server_error).
4. `--clients` threads for `--seconds` each on the directory search API, then on the orientation API;
   a new TCP connection per request; errors = any answer but 200, or no answer; p50/p99 in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import free_port, log

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEARCH = "/api/offre/services?commune=Cahors&besoin=pension-reversion"
PLAN = "/api/orientation/plan"
PLAN_BODY = {
    "commune": "46070",
    "besoins": ["pension-reversion"],
    "ne_conduit_pas": True,
    "numerique": "no_internet",
    "disponibilites": "mardi 9-12",
    "age": 78,
}


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def partner_key(env: dict) -> str:
    structure_id = (
        manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from carteblanche.directory.models import Structure; print(Structure.objects.order_by('pk').first().pk)",
        )
        .strip()
        .splitlines()[-1]
    )
    output = manage(env, "create_api_token", structure_id, "loopback")
    match = re.search(r"\b(cb_[A-Za-z0-9_\-]+)", output)
    if not match:
        raise SystemExit(f"no key in: {output!r}")
    return match.group(1)


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "300"]
    command += ["--log-level", "error"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-500:]) from None
            time.sleep(0.3)
    return process, f"http://127.0.0.1:{port}"


def schemathesis(base: str, key: str | None, examples: int, budget_s: float) -> dict:
    command = [
        str(Path(PY).parent / "schemathesis"),
        "run",
        f"{base}/api/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(examples),
        "--request-timeout",
        "240",
        "--suppress-health-check",
        "all",
        # examples + fuzzing; the coverage phase's hundreds of boundary cases per operation do not fit
        # the budget on this shared machine (rights simulations take seconds each).
        "--phases",
        "examples,fuzzing",
        "--report",
        "ndjson",
        "--report-dir",
        str(Path(tempfile.gettempdir(), f"cb-schemathesis-{'key' if key else 'nokey'}")),
    ]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=budget_s)
        stdout, code = done.stdout, done.returncode
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or b""
        stdout, code = (out.decode() if isinstance(out, bytes) else out), "timeout"
    Path(tempfile.gettempdir(), f"cb-schemathesis-{'key' if key else 'nokey'}.log").write_text(stdout)
    tail = stdout[-3000:]
    failures = re.findall(r"Server error", stdout)
    summary = [line.strip() for line in stdout.splitlines() if re.search(r"\b(passed|failed|errored)\b", line)]
    return {
        "with_partner_key": key is not None,
        "exit_code": code,
        "server_error_mentions": len(failures),
        "summary": summary[-6:],
        "seconds": round(time.monotonic() - started, 1),
        "tail": tail if code else "",
    }


def hit(base: str, path: str, body: dict | None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def load(base: str, path: str, body: dict | None, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                status = hit(base, path, body)
            except Exception as exc:  # a refused or dropped connection is an error to count
                status = repr(exc)[:80]
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(str(status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {
        "path": path,
        "clients": clients,
        "seconds": seconds,
        "requests": len(ordered),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1) if ordered else None,
        "requests_per_second": round(len(ordered) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--skip-schemathesis", action="store_true")
    parser.add_argument("--schemathesis-budget", type=float, default=240, help="seconds per schemathesis run")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cb-loopback-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REFERRALS_DOCUMENT_ROOT": str(tmp / "documents"),
    }
    report: dict = {"load_average_before": os.getloadavg()}
    server = None
    try:
        log("bootstrap…")
        started = time.monotonic()
        manage(env, "bootstrap", "--demo", "-v0")
        report["bootstrap_s"] = round(time.monotonic() - started, 1)
        key = partner_key(env)
        server, base = serve(env)
        report["server"] = "gunicorn 2 gthread workers x 4 threads, config.settings.dev, SQLite, 127.0.0.1"
        hit(base, SEARCH, None)  # warm both workers' first request a little
        if not args.skip_schemathesis:
            log("schemathesis without key…")
            report["schemathesis"] = [schemathesis(base, None, args.examples, args.schemathesis_budget)]
            log("schemathesis with a partner key…")
            report["schemathesis"].append(schemathesis(base, key, args.examples, args.schemathesis_budget))
        log("load: search…")
        report["load"] = [load(base, SEARCH, None, args.clients, args.seconds)]
        log("load: orientation…")
        report["load"].append(load(base, PLAN, PLAN_BODY, args.clients, args.seconds))
        report["load_average_after"] = os.getloadavg()
    finally:
        print(json.dumps(report, ensure_ascii=False, indent=2), flush=True)  # whatever was measured
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:  # requests still running (a slow simulation): stop anyway
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
