"""(d) and (e) of the search benchmark: the full search in-process and through HTTP (JSON on stdout).

Loads the synthetic national offer (bench/synthetic.py, same seed and queries as
bench_search.py) into a throwaway SQLite database (executemany through Django's
connection), then times, for each query (a commune and a thematique; a third of them also
ask for wheelchair access, a third for a place open on a given day):
  (d) the search in-process, serialisation to JSON included;
  (e) the same search through HTTP, against a gunicorn worker on 127.0.0.1.
The directory's own search (selectors.search_services and GET /api/offre/services) is used
when it exists; otherwise bench/fullsearch.py, a thin search over the offer index.
Called by bench_search.py; runnable alone:

    .venv/bin/python bench/fullsearch_django.py [--queries 1000] [--postgres [ADMIN_URL]]

With --postgres the offer goes into a throwaway database of that PostgreSQL server (default
BENCH_PG_URL or the local one), dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AT = "2026-11-24T10:00:00+01:00"  # a Tuesday morning: fixed, so next openings are reproducible
OPEN_ON = date(2026, 11, 26)  # the Thursday after
BATCH = 20_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentiles(samples_s: list[float]) -> dict[str, float]:
    import numpy as np

    arr = np.asarray(samples_s) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 3),
        "p90_ms": round(float(np.percentile(arr, 90)), 3),
        "p99_ms": round(float(np.percentile(arr, 99)), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "max_ms": round(float(arr.max()), 3),
        "n": len(arr),
    }


def fast_insert(model, rows, batch: int = BATCH) -> int:
    """INSERT dict rows with executemany: the ORM's table, columns and defaults, no model instances.

    bulk_create builds a model instance per row: minutes for this offer on a busy 2-core
    machine; this takes seconds. Values of JSON and date fields are prepared by their field.
    """
    from django.db import connection, models
    from django.utils import timezone

    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    defaults = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif isinstance(field, models.CharField | models.TextField) and not field.null:
            value = ""
        else:
            defaults.append(None)  # ids, relations and coordinates are given by every row
            continue
        defaults.append(field.get_db_prep_save(value, connection))
    prepare = [
        field.get_db_prep_save if isinstance(field, models.JSONField | models.DateField) else None for field in fields
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    names = [field.attname for field in fields]
    total = 0
    chunk = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(
                [
                    default if name not in row else (row[name] if prep is None else prep(row[name], connection))
                    for name, default, prep in zip(names, defaults, prepare, strict=True)
                ]
            )
            if len(chunk) == batch:
                cursor.executemany(sql, chunk)
                total += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            total += len(chunk)
    return total


def load_offer(offer) -> dict:
    """Insert the synthetic offer; ids are the bench's ids (place i+1, service i+1)."""
    from django.db import transaction

    from bench.synthetic import CHANNEL_KINDS, OPENING_HOURS, REMOTE_KINDS
    from carteblanche.directory.models import Channel, ItinerantStop, Need, Place, Service, Structure

    codes = offer.commune_codes.tolist()
    place_commune = offer.place_commune.tolist()
    place_lat, place_lon = offer.place_lat.tolist(), offer.place_lon.tolist()
    place_hours, wheelchair = offer.place_hours.tolist(), offer.place_wheelchair.tolist()
    ptr, theme_ids, names = offer.service_theme_ptr.tolist(), offer.service_theme_ids.tolist(), offer.thematiques
    places = offer.service_place.tolist()
    kinds = offer.service_kind.tolist()
    channels, stops = [], []
    for i, place in enumerate(places):
        if place < 0:
            kind = REMOTE_KINDS[kinds[i] % len(REMOTE_KINDS)]
            channels.append(
                {
                    "id": i + 1,
                    "service_id": i + 1,
                    "kind": kind,
                    "phone": "00 00 00 00 00",
                    "url": "https://bench.invalid/",
                }
            )
        elif CHANNEL_KINDS[kinds[i]] == "itinerant":
            channels.append({"id": i + 1, "service_id": i + 1, "kind": Channel.Kind.ITINERANT.value})
            stops.append(
                {
                    "id": i + 1,
                    "channel_id": i + 1,
                    "commune_id": codes[place_commune[place]],
                    "latitude": place_lat[place],
                    "longitude": place_lon[place],
                    "schedule": "Tu[2] 09:00-12:00",
                }
            )
        else:
            channels.append(
                {"id": i + 1, "service_id": i + 1, "kind": Channel.Kind.COUNTER.value, "place_id": place + 1}
            )
    with transaction.atomic():
        counts = {
            "structures": fast_insert(
                Structure,
                (
                    {"id": i + 1, "source": "bench", "source_id": str(i + 1), "name": f"Structure {i + 1}"}
                    for i in range(offer.n_places)
                ),
            ),
            "places": fast_insert(
                Place,
                (
                    {
                        "id": i + 1,
                        "source": "bench",
                        "source_id": str(i + 1),
                        "structure_id": i + 1,
                        "name": f"Lieu {i + 1}",
                        "commune_id": codes[place_commune[i]],
                        "latitude": place_lat[i],
                        "longitude": place_lon[i],
                        "position_approximate": True,
                        "opening_hours": OPENING_HOURS[place_hours[i]],
                        "wheelchair_accessible": wheelchair[i],
                    }
                    for i in range(offer.n_places)
                ),
            ),
            "services": fast_insert(
                Service,
                (
                    {
                        "id": i + 1,
                        "source": "bench",
                        "source_id": str(i + 1),
                        "structure_id": (place if place >= 0 else i % offer.n_places) + 1,
                        "name": f"Service {i + 1}",
                        "thematiques": [names[t] for t in theme_ids[ptr[i] : ptr[i + 1]]],
                    }
                    for i, place in enumerate(places)
                ),
            ),
            "channels": fast_insert(Channel, channels),
            "itinerant_stops": fast_insert(ItinerantStop, stops),
        }
        Need.objects.bulk_create(
            Need(slug=f"bench-{t}", label=f"Besoin {t}", thematiques=[theme]) for t, theme in enumerate(names)
        )
        counts["needs"] = len(names)
    return counts


def _load_database(offer, report: dict, started: float) -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a throwaway file: no need to survive a power cut
            cursor.execute("PRAGMA journal_mode = MEMORY")
            cursor.execute("PRAGMA synchronous = OFF")
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    log(f"migrated in {time.perf_counter() - started:.1f} s")
    call_command("load_territories", verbosity=0, stdout=io.StringIO())
    report["migrate_and_communes_s"] = round(time.perf_counter() - started, 1)
    log(f"communes loaded at {report['migrate_and_communes_s']} s")
    started = time.perf_counter()
    report["loaded"] = load_offer(offer)
    report["bulk_create_s"] = round(time.perf_counter() - started, 1)
    log(f"offer loaded in {report['bulk_create_s']} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather them


def directory_search():
    """The directory's own search and its serialisation, or None while it does not exist."""
    try:
        from carteblanche.directory import selectors
        from carteblanche.directory.api import search_json
        from carteblanche.territories.api import commune_out

        search_services = selectors.search_services
    except (ImportError, AttributeError):
        return None

    def run(commune, need, accessible, open_on, at):
        found = search_services(commune=commune, need=need, accessible=accessible, open_on=open_on, at=at, limit=10)
        return search_json(found, commune_out(commune))  # what GET /api/offre/services sends

    return run


def _throwaway_postgres(admin_url: str) -> tuple[str, callable]:
    """A new database on the server of `admin_url` and the function that drops it."""
    import psycopg

    name = f"cb_bench_fullsearch_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"created PostgreSQL database {name}")

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{admin_url.rpartition('/')[0]}/{name}", drop


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def prefill(offer_services: int) -> dict:
    """Switch this process to the server configuration and prefill its offer cache (timed)."""
    from django.conf import settings

    from carteblanche.directory.search import cache

    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = offer_services + 1
    before = rss_mb()
    started = time.perf_counter()
    loaded = cache.prefill_offer_cache()
    return {
        "services": loaded,
        "seconds": round(time.perf_counter() - started, 1),
        "rss_mb_before": before,
        "rss_mb_after": rss_mb(),
    }


def thin_search():
    from bench.fullsearch import full_search, serialise

    def run(commune, need, accessible, open_on, at):
        body = full_search(
            lat=commune.latitude,
            lon=commune.longitude,
            thematiques=need.thematiques,
            at=at,
            limit=10,
            accessible=accessible,
            open_on=open_on,
        )
        return serialise(body)

    return run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn worker serving the bench settings on a free port of 127.0.0.1."""

    def __init__(self, env: dict) -> None:
        self.port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", "1", "--timeout", "300", "--log-level", "error"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    error = self.process.stderr.read().decode()[-500:]
                    raise RuntimeError(f"the server did not start: {error}") from None
                time.sleep(0.2)

    def get(self, path: str, timeout: float = 60) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def timed(calls: list, budget_s: float, repeats: int = 3) -> tuple[list[float], list[float], list[int]]:
    """Run the calls in order until done or out of budget, then again `repeats - 1` times.

    Returns the first pass's latencies, each call's best over the passes (a shared machine
    preempts some calls for milliseconds: the best of 3 is closer to what a call costs),
    and body sizes. Later passes stop when over twice the budget.
    """
    samples, sizes = [], []
    deadline = time.monotonic() + budget_s
    for call in calls:
        start = time.perf_counter()
        body = call()
        samples.append(time.perf_counter() - start)
        sizes.append(len(body))
        if time.monotonic() > deadline:
            break
    best = list(samples)
    deadline = time.monotonic() + 2 * budget_s
    for _ in range(repeats - 1):
        for i, call in enumerate(calls[: len(samples)]):
            start = time.perf_counter()
            call()
            best[i] = min(best[i], time.perf_counter() - start)
        if time.monotonic() > deadline:
            break
    return samples, best, sizes


def commune_label(commune) -> str:
    from carteblanche.territories.selectors import commune_label as label

    return label(commune)


def http_path(name: str, commune, need, accessible, open_on) -> str:
    if name == "directory":
        # The autocomplete's label: an INSEE code may also be another commune's postcode (409).
        params = {"commune": commune_label(commune), "besoin": need.slug, "limite": 10}
        url = "/api/offre/services?"
        if accessible:
            params["accessible"] = "true"
    else:
        params = {"lat": commune.latitude, "lon": commune.longitude, "thematique": need.thematiques[0]}
        params |= {"at": AT, "limite": 10}
        url = "/bench/search?"
        if accessible:
            params["accessible"] = "1"
    if open_on and name == "directory":
        # The API answers at the server's clock and refuses a past day (422): the same weekday from today.
        today = date.today()
        params["ouvert_le"] = (today + timedelta(days=(open_on.weekday() - today.weekday()) % 7)).isoformat()
    elif open_on:
        params["ouvert_le"] = open_on.isoformat()
    return url + urllib.parse.urlencode(params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--budget", type=float, default=40.0, help="seconds at most per measure (fewer queries if slow)"
    )
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--reuse-db", metavar="PATH", help="load into this SQLite file once, reuse it after")
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        nargs="?",
        const=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="load into a throwaway PostgreSQL database of this server instead of SQLite",
    )
    args = parser.parse_args()

    # In memory-backed /dev/shm when there is one: a throwaway database needs no disk.
    shm = Path("/dev/shm")
    tmp = tempfile.mkdtemp(prefix="cb-bench-search-", dir=shm if shm.is_dir() else None)
    db_path = Path(args.reuse_db) if args.reuse_db else Path(tmp) / "bench.sqlite3"
    reuse = db_path.exists() and not args.postgres
    database_url = f"sqlite:///{db_path}"
    drop_database = None
    if args.postgres:
        database_url, drop_database = _throwaway_postgres(args.postgres)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    report: dict = {"database": "PostgreSQL (throwaway database)" if args.postgres else "SQLite (throwaway file)"}
    try:
        import django

        django.setup()
        from bench import synthetic
        from carteblanche.directory.models import Need, Service
        from carteblanche.directory.search_index import get_offer_index
        from carteblanche.territories.models import Commune

        started = time.perf_counter()
        offer = synthetic.generate()
        if reuse:
            log(f"reusing {db_path}")
        else:
            _load_database(offer, report, started)
        started = time.perf_counter()
        index = get_offer_index()

        report["index_from_database_s"] = round(time.perf_counter() - started, 2)
        report["index_pairs"] = index.pair_count
        report["index_memory_bytes"] = index.memory_bytes()

        queries = synthetic.queries_with_communes(offer, args.queries)
        communes = Commune.objects.select_related("epci", "department").in_bulk({q[3] for q in queries})
        needs = {need.thematiques[0]: need for need in Need.objects.filter(slug__startswith="bench-")}
        from carteblanche.territories.geo import PARIS

        at = datetime.fromisoformat(AT).astimezone(PARIS)
        plan = []
        for i, (_, _, theme, code) in enumerate(queries):
            accessible = True if i % 3 == 1 else None
            open_on = OPEN_ON if i % 3 == 2 else None
            plan.append((communes[code], needs[theme], accessible, open_on))

        implementations = {"thin_index_search": thin_search()}
        report["implementations"] = {
            "thin_index_search": "bench/fullsearch.py: index + 2-3 primary-key queries + hours + json.dumps"
        }
        directory = directory_search()
        if directory is None:
            report["implementations"]["directory"] = "not measured: the directory search API has not landed"
        else:
            implementations = {"directory": directory} | implementations
            report["implementations"]["directory"] = "selectors.search_services + api.search_json (the API's JSON)"
        report["budget_s_per_measure"] = args.budget
        offer_services = Service.objects.count()
        # The server configuration (config/settings/prod.py): the offer's services prefilled in a
        # cache that holds them all (docs/bench.md says what it costs in memory and time).
        server_env = env | {
            "CARTEBLANCHE_SEARCH_CACHE_SIZE": str(offer_services + 1),
            "CARTEBLANCHE_SEARCH_CACHE_PREFILL": "1",
        }
        server = None if args.no_http else Server(server_env)
        try:
            if server is not None:
                started = time.perf_counter()
                server.get(http_path("thin", *plan[0]), timeout=300)  # the worker builds its index
                report["http_first_request_s"] = round(time.perf_counter() - started, 2)
                started = time.perf_counter()
                server.get("/bench/ready", timeout=600)  # the worker's offer cache is prefilled
                report["http_prefill_wait_s"] = round(time.perf_counter() - started, 2)
            for name, impl in implementations.items():
                result = report[name] = {}
                for commune, need, accessible, open_on in plan[:20]:  # warm-up
                    impl(commune, need, accessible, open_on, at)
                calls = [lambda p=p, impl=impl: impl(*p, at) for p in plan]
                if name == "directory":
                    # First as a process without prefill sees it: the cache starts empty (default bound).
                    samples, best, sizes = timed(calls, args.budget)
                    result["d_in_process_cold_cache"] = percentiles(samples)
                    result["d_in_process_cold_cache_best_of_3"] = percentiles(best)
                    log(f"{name} in-process, cold cache: {result['d_in_process_cold_cache']}")
                    result["prefill"] = prefill(offer_services)
                    log(f"prefill: {result['prefill']}")
                samples, best, sizes = timed(calls, args.budget)
                result["d_in_process"] = percentiles(samples) | {"mean_body_bytes": round(sum(sizes) / len(sizes))}
                result["d_in_process_best_of_3"] = percentiles(best)
                log(f"{name} in-process: {result['d_in_process']} best of 3: {result['d_in_process_best_of_3']}")
                if server is None:
                    continue
                paths = [http_path(name, *p) for p in plan]
                for path in paths[:20]:
                    server.get(path)
                statuses: dict[int, int] = {}

                def call(path, statuses=statuses):
                    status, body = server.get(path)
                    statuses[status] = statuses.get(status, 0) + 1
                    return body

                samples, best, sizes = timed([lambda p=p: call(p) for p in paths], args.budget)
                result["e_http"] = percentiles(samples) | {
                    "mean_body_bytes": round(sum(sizes) / len(sizes)),
                    "statuses": statuses,
                }
                result["e_http_best_of_3"] = percentiles(best)
                log(f"{name} HTTP: {result['e_http']} best of 3: {result['e_http_best_of_3']}")
            report["http_server"] = "gunicorn, 1 sync worker, a new TCP connection per request, " + (
                "PostgreSQL on 127.0.0.1" if args.postgres else "SQLite in /dev/shm"
            )
        finally:
            if server is not None:
                server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if drop_database is not None:
            from django.db import connections

            connections.close_all()
            drop_database()
    json.dump(report, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
