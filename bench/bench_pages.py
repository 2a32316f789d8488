"""Benchmark: page weight and paint times on a slow rural 3G link, production configuration (JSON on stdout).

A throwaway SQLite database in /dev/shm with the Cahors territory and offer (`bootstrap --demo`),
`collectstatic`, then gunicorn with production settings (bench/settings_pages.py: prod over plain
HTTP) and Debian Chromium driven by Playwright, the network throttled through the DevTools protocol
(400 ms latency, 400 kbit/s down and up). For each page: a first visit in a new browser context
(empty cache) and a second visit in the same context (warm cache): bytes transferred (encoded body
and headers, every request until the network is idle), first contentful paint and load event.

Two configurations in the same run, one after the other (never together):
  - `baseline`: what main served before issue 15 (the whole DSFR, its web fonts, static files not
    fingerprinted: CompressedStaticFilesStorage, cached 60 s), via CARTEBLANCHE_DSFR_FULL_BUNDLE=1;
  - `lean`: the project's DSFR slice, system fonts, fingerprinted static files cached for a year.
The plan and rights pages are reached through their forms in a set-up context (not throttled, not
measured) whose cookies the measured contexts reuse; the rights page runs one OpenFisca simulation
per visit (its head is streamed first). Not a test.

    flock /tmp/cpu.lock .venv/bin/python bench/bench_pages.py [--rounds 1] [--only lean]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import free_port, log, machine

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
TARGETS = {"bytes_cold_max": 120 * 1024, "fcp_cold_ms_max": 2000, "load_cold_ms_max": 4000, "load_warm_ms_max": 1000}
PAGES = {
    "home": "/",
    "results": "/recherche/?commune=Cieurac&besoin=pension-reversion",
    "orientation": "/orientation/",
    "plan": None,  # found by the set-up visit
    "rights_start": "/droits/",
    "rights": "/droits/resultats/",
}
CONFIGS = {
    "baseline": {"CARTEBLANCHE_DSFR_FULL_BUNDLE": "1", "BENCH_BASELINE_STORAGE": "1"},
    "lean": {"CARTEBLANCHE_DSFR_FULL_BUNDLE": "0", "BENCH_BASELINE_STORAGE": "0"},
}


def prepare_database(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", "bootstrap", "--demo", "-v0"], cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    log(f"database ready in {time.perf_counter() - started:.0f} s")


def collectstatic(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log(f"collectstatic ({env['BENCH_STATIC_ROOT']}) in {time.perf_counter() - started:.0f} s")


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "4",
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=30) as response:
                if response.status == 200:
                    return server, base
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()[-3000:]) from None
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within 120 s")


def set_up_session(browser, base: str) -> tuple[dict, str]:
    """Fill the orientation and rights forms once (unthrottled): the cookies and the plan's address."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.goto(f"{base}/orientation/")
    page.locator("[name=commune]").fill("Cieurac")
    page.locator("[name=besoin_libre]").fill("pension de réversion")
    page.locator("input[name=ne_conduit_pas]").check(force=True)
    page.get_by_role("button", name="Voir mon plan").click()
    page.wait_for_url("**/orientation/plan/**")
    plan = page.url.removeprefix(base)
    page.goto(f"{base}/droits/")
    page.get_by_role("link", name="Commencer").click()
    page.get_by_label("Votre commune").fill("Cieurac")
    page.get_by_label("Votre date de naissance").fill("1948-02-14")
    page.get_by_label("Non, je vis seul(e)").check(force=True)
    page.get_by_label("Combien d'enfants").fill("0")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Je suis à la retraite").check(force=True)
    page.get_by_label("Retraite ou pension par mois").fill("820")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Propriétaire").check(force=True)
    page.locator("fieldset", has_text="Dépendez-vous de la MSA").get_by_label("Oui").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("heading", name="Quelques précisions").wait_for()
    page.locator("fieldset", has_text="décédé").get_by_label("Oui", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("link", name="Voir mes droits").click()
    page.get_by_role("heading", name="Comment les demander").wait_for(timeout=300_000)  # the first build
    state = context.storage_state()
    context.close()
    return state, plan


def visit(page, cdp, url: str) -> dict:
    """One navigation: bytes on the wire (every response until the network is idle), FCP, load."""
    sizes: dict[str, float] = {}
    kinds: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_load_state("networkidle", timeout=120_000)
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
            return {fcp: fcp ? fcp.startTime : null, load: nav.loadEventEnd, dom: nav.domContentLoadedEventEnd};
        }"""
    )
    by_kind: dict[str, int] = {}
    for request_id, size in sizes.items():
        kind = kinds.get(request_id, "Other")
        by_kind[kind] = by_kind.get(kind, 0) + int(size)
    return {
        "bytes": int(sum(sizes.values())),
        "requests": len(sizes),
        "bytes_by_type": dict(sorted(by_kind.items())),
        "fcp_ms": round(timing["fcp"]) if timing["fcp"] is not None else None,
        "load_ms": round(timing["load"]),
    }


def measure(browser, base: str, pages: dict[str, str], state: dict, rounds: int) -> dict:
    out: dict[str, dict] = {}
    for name, path in pages.items():
        runs = []
        for _ in range(rounds):
            context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", storage_state=state)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            cold = visit(page, cdp, base + path)
            warm_page = context.new_page()
            warm_cdp = context.new_cdp_session(warm_page)
            warm_cdp.send("Network.enable")
            warm_cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            warm = visit(warm_page, warm_cdp, base + path)
            context.close()
            runs.append({"cold": cold, "warm": warm})
        out[name] = summarise(runs)
        log(name, json.dumps(out[name]["cold"]), "warm load", out[name]["warm"]["load_ms"])
    return out


def summarise(runs: list[dict]) -> dict:
    """One run as it is; several: the median of each number, the byte detail of the first."""
    if len(runs) == 1:
        return runs[0]
    result = {}
    for phase in ("cold", "warm"):
        first = dict(runs[0][phase])
        for key in ("bytes", "requests", "fcp_ms", "load_ms"):
            values = [r[phase][key] for r in runs if r[phase][key] is not None]
            first[key] = round(statistics.median(values)) if values else None
            first[f"{key}_all"] = [r[phase][key] for r in runs]
        result[phase] = first
    return result


def verdict(report: dict) -> dict:
    met = {}
    for name, page in report.items():
        cold, warm = page["cold"], page["warm"]
        met[name] = {
            "bytes_cold": cold["bytes"] <= TARGETS["bytes_cold_max"],
            "fcp_cold": cold["fcp_ms"] is not None and cold["fcp_ms"] <= TARGETS["fcp_cold_ms_max"],
            "load_cold": cold["load_ms"] <= TARGETS["load_cold_ms_max"],
            "load_warm": warm["load_ms"] <= TARGETS["load_warm_ms_max"],
        }
    return met


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1, help="cold + warm visits per page and configuration")
    parser.add_argument("--only", choices=sorted(CONFIGS), nargs="*", default=sorted(CONFIGS))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="cb_bench_pages_", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_pages",
        "DJANGO_SECRET_KEY": "bench-only-insecure-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{work / 'pages.sqlite3'}",
    }
    report: dict = {"network": {"latency_ms": 400, "down_kbit_s": 400, "up_kbit_s": 400}, "targets": TARGETS}
    try:
        prepare_database({**base_env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"})
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
            for config in args.only:
                env = {**base_env, **CONFIGS[config], "BENCH_STATIC_ROOT": str(work / f"static-{config}")}
                collectstatic(env)
                server, base = start_server(env)
                try:
                    state, plan = set_up_session(browser, base)
                    pages = {name: path or plan for name, path in PAGES.items()}
                    report[config] = measure(browser, base, pages, state, args.rounds)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                report[f"{config}_targets_met"] = verdict(report[config])
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "baseline" in report and "lean" in report:
        report["ratio_bytes_cold_lean_over_baseline"] = {
            name: round(report["lean"][name]["cold"]["bytes"] / report["baseline"][name]["cold"]["bytes"], 3)
            for name in PAGES
        }
    report["machine"] = machine()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
