"""Benchmark: k nearest services of a thematique on a synthetic national offer (JSON on stdout).

Measured in one run, on the same data and the same queries:
  (a) the in-process engine (carteblanche.directory.search_engine.OfferIndex.nearest);
  (b) its vectorised numpy brute force (haversine over every pair of the thematique);
  (c) PostgreSQL + PostGIS, several index layouts, warm cache (installed from Debian's
      packages if missing, in a database created and dropped here);
  (d), (e) the full search in-process and through HTTP, by bench/bench_fullsearch.py
      (run separately, or through bench/run_all.py).
Checks that (a), (b) and (c) return the same services. Not a test: numbers vary with load.

    .venv/bin/python bench/bench_search.py [--queries 2000] [--k 10] [--no-postgis]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synthetic
from carteblanche.directory.search_engine import (
    EARTH_RADIUS_KM,
    OfferIndex,
    OfferRow,
    chord_to_km,
)

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def percentiles(samples_s: list[float]) -> dict[str, float]:
    arr = np.asarray(samples_s) * 1e3
    return {
        "p50_ms": round(float(np.percentile(arr, 50)), 4),
        "p90_ms": round(float(np.percentile(arr, 90)), 4),
        "p99_ms": round(float(np.percentile(arr, 99)), 4),
        "mean_ms": round(float(arr.mean()), 4),
        "max_ms": round(float(arr.max()), 4),
        "n": len(arr),
    }


def located_arrays(offer: synthetic.SyntheticOffer):
    """One pair per located service (ids from 1), and the pair positions of each thematique."""
    located = np.flatnonzero(offer.service_place >= 0)
    position = np.full(offer.n_services, -1, dtype=np.int64)
    position[located] = np.arange(len(located))
    theme_of_pair = {}
    for theme, services in offer.services_of_theme().items():
        pos = position[services]
        theme_of_pair[offer.thematiques[theme]] = pos[pos >= 0]
    places = offer.service_place[located]
    remote = {}
    for theme, services in offer.services_of_theme().items():
        remote[offer.thematiques[theme]] = services[offer.service_place[services] < 0] + 1
    return {
        "service_ids": located + 1,
        "place_ids": places + 1,
        "latitudes": offer.place_lat[places],
        "longitudes": offer.place_lon[places],
        "theme_of_pair": theme_of_pair,
        "remote": remote,
    }


def offer_rows(offer: synthetic.SyntheticOffer) -> list[OfferRow]:
    rows = []
    ptr, theme_ids, names = offer.service_theme_ptr, offer.service_theme_ids, offer.thematiques
    for i, place in enumerate(offer.service_place.tolist()):
        themes = tuple(names[t] for t in theme_ids[ptr[i] : ptr[i + 1]].tolist())
        if place < 0:
            rows.append(OfferRow(i + 1, None, themes, None, None))
        else:
            rows.append(
                OfferRow(i + 1, place + 1, themes, float(offer.place_lat[place]), float(offer.place_lon[place]))
            )
    return rows


def time_queries(fn, queries, warmup: int = 200) -> tuple[list[float], list]:
    for lat, lon, theme in queries[:warmup]:
        fn(theme, lat, lon)
    samples, answers = [], []
    clock = time.perf_counter
    for lat, lon, theme in queries:
        start = clock()
        answer = fn(theme, lat, lon)
        samples.append(clock() - start)
        answers.append(answer)
    return samples, answers


# --- PostGIS ------------------------------------------------------------------------------


def _pg_connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, connect_timeout=5, **kwargs)


def ensure_postgis() -> str | None:
    """Install Debian's PostGIS for the running server if needed. Returns why not, or None."""
    try:
        with _pg_connect(PG_ADMIN_URL) as conn:
            available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
            major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    if available:
        return None
    package = f"postgresql-{major}-postgis-3"
    print(f"installing {package} from Debian's packages…", file=sys.stderr)
    install = ["apt-get", "install", "-y", "-qq", package]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, capture_output=True, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
        done = subprocess.run(install, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            return f"could not install {package}: {done.stderr.strip()[-300:]}"
    return None


LAYOUTS = {
    # The usual layout (DORA, data·inclusion): geography points, list-partitioned by thematique, one
    # GiST index per partition; KNN `<->` on geography orders by sphere distance.
    "geography_partitioned_gist": {
        "column": "g geography(Point, 4326)",
        "index": "USING gist (g)",
        "value": "SRID=4326;POINT({lon!r} {lat!r})",
        "query": (
            "SELECT service_id, place_id, ST_Distance(g, q, false) / 1000.0 FROM {table}, "
            "ST_GeogFromText(%(point)s) AS q WHERE theme = %(theme)s ORDER BY g <-> q LIMIT %(k)s"
        ),
        "point": lambda lat, lon: f"SRID=4326;POINT({lon!r} {lat!r})",
        "to_km": lambda d: d,
    },
    # The engine's own trick in PostGIS: 3-D unit vectors, n-D GiST, `<<->>` (chord, exact order).
    "unit_vector_3d_nd_gist": {
        "column": "g geometry(PointZ)",
        "index": "USING gist (g gist_geometry_ops_nd)",
        "value": "POINT Z({x!r} {y!r} {z!r})",
        "query": (
            "SELECT service_id, place_id, g <<->> q FROM {table}, ST_GeomFromText(%(point)s) AS q "
            "WHERE theme = %(theme)s ORDER BY g <<->> q LIMIT %(k)s"
        ),
        "point": lambda lat, lon: "POINT Z({!r} {!r} {!r})".format(*_xyz(lat, lon)),
        "to_km": lambda d: float(chord_to_km(np.asarray(d))),
    },
}


def _xyz(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))


def postgis_bench(offer, arrays, queries, k: int) -> dict:
    why_not = ensure_postgis()
    if why_not:
        return {"skipped": why_not}
    db = f"cb_bench_search_{os.getpid()}"
    prefix = PG_ADMIN_URL.rsplit("/", 1)[0]
    with _pg_connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
        admin.execute(f'CREATE DATABASE "{db}"')
    result: dict = {"database": db, "layouts": {}}
    try:
        with _pg_connect(f"{prefix}/{db}", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            conn.execute("SET max_parallel_workers_per_gather = 0")  # one small query: workers only add latency
            result["postgis_version"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
            result["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
            theme_number = {name: i for i, name in enumerate(offer.thematiques)}
            rows = []  # (theme, service_id, place_id, lat, lon, x, y, z)
            lat_all, lon_all = arrays["latitudes"], arrays["longitudes"]
            for theme, positions in arrays["theme_of_pair"].items():
                for pos in positions.tolist():
                    rows.append(
                        (theme_number[theme], int(arrays["service_ids"][pos]), int(arrays["place_ids"][pos]), pos)
                    )
            for name, layout in LAYOUTS.items():
                table = f"offer_{name}"
                started = time.perf_counter()
                conn.execute(
                    f"CREATE TABLE {table} (theme smallint NOT NULL, service_id integer NOT NULL, "
                    f"place_id integer NOT NULL, {layout['column']}) PARTITION BY LIST (theme)"
                )
                for i in range(len(offer.thematiques)):
                    conn.execute(f"CREATE TABLE {table}_{i} PARTITION OF {table} FOR VALUES IN ({i})")
                with conn.cursor().copy(f"COPY {table} (theme, service_id, place_id, g) FROM STDIN") as copy:
                    for theme, service_id, place_id, pos in rows:
                        lat, lon = float(lat_all[pos]), float(lon_all[pos])
                        x, y, z = _xyz(lat, lon)
                        copy.write_row(
                            (theme, service_id, place_id, layout["value"].format(lat=lat, lon=lon, x=x, y=y, z=z))
                        )
                for i in range(len(offer.thematiques)):
                    conn.execute(f"CREATE INDEX ON {table}_{i} {layout['index']}")
                conn.execute(f"VACUUM ANALYZE {table}")
                load_s = time.perf_counter() - started
                size = conn.execute(
                    "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = %s::regclass",
                    (table,),
                ).fetchone()[0]
                sql = layout["query"].format(table=table)
                plan = conn.execute(
                    "EXPLAIN " + sql, {"point": layout["point"](44.45, 1.44), "theme": 0, "k": k}
                ).fetchall()

                def run(theme, lat, lon, sql=sql, layout=layout):
                    cur = conn.execute(sql, {"point": layout["point"](lat, lon), "theme": theme_number[theme], "k": k})
                    return [(s, p, layout["to_km"](d)) for s, p, d in cur.fetchall()]

                time_queries(run, queries, warmup=len(queries))  # warm the cache on every query once
                samples, answers = time_queries(run, queries, warmup=0)
                result["layouts"][name] = {
                    "latency": percentiles(samples),
                    "rows": len(rows),
                    "load_and_index_s": round(load_s, 2),
                    "table_and_indexes_bytes": int(size),
                    "plan": [line[0] for line in plan],
                    "answers": answers,
                }
    finally:
        with _pg_connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return result


# --- agreement ----------------------------------------------------------------------------


def agreement(reference: list, other: list, tie_km: float = 1e-6) -> dict:
    """Share of queries where `other` returns the same services as `reference`.

    ``same_up_to_ties`` also accepts differences among services exactly as far as the k-th
    (equal distances, ordered differently by another tie-break or a float rounding).
    """
    exact = same_set = up_to_ties = 0
    for ref, oth in zip(reference, other, strict=True):
        ref_ids = [r[0] for r in ref]
        oth_ids = [o[0] for o in oth]
        if ref_ids == oth_ids:
            exact += 1
        if set(ref_ids) == set(oth_ids):
            same_set += 1
            up_to_ties += 1
            continue
        if len(ref) == len(oth) and ref:
            kth = ref[-1][2]
            diff = set(ref_ids) ^ set(oth_ids)
            dist = {r[0]: r[2] for r in ref} | {o[0]: o[2] for o in oth}
            if all(abs(dist[s] - kth) <= tie_km for s in diff):
                up_to_ties += 1
    n = len(reference)
    return {
        "same_order": round(exact / n, 5),
        "same_set": round(same_set / n, 5),
        "same_up_to_ties": round(up_to_ties / n, 5),
        "queries": n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    k = args.k
    report: dict = {"benchmark": "search", "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}

    started = time.perf_counter()
    offer = synthetic.generate()
    queries = synthetic.queries(offer, args.queries)
    report["offer"] = synthetic.describe(offer) | {"generate_s": round(time.perf_counter() - started, 2)}
    report["queries"] = {"n": len(queries), "k": k, "points": "communes weighted by population, 2 km scatter"}

    arrays = located_arrays(offer)
    started = time.perf_counter()
    index = OfferIndex.build_from_arrays(**arrays)
    build_arrays_s = time.perf_counter() - started
    rows = offer_rows(offer)
    started = time.perf_counter()
    OfferIndex.build(rows)
    build_rows_s = time.perf_counter() - started
    del rows
    report["engine_index"] = {
        "located_pairs": index.pair_count,
        "theme_pairs": int(sum(len(p) for p in arrays["theme_of_pair"].values())),
        "build_from_arrays_s": round(build_arrays_s, 3),
        "build_from_rows_s": round(build_rows_s, 3),
        "memory_bytes": index.memory_bytes(),
        "earth_radius_km": EARTH_RADIUS_KM,
    }

    def engine(theme, lat, lon):
        return [(c.service_id, c.place_id, c.distance_km) for c in index.nearest([theme], lat, lon, k)]

    def brute(theme, lat, lon):
        return [(c.service_id, c.place_id, c.distance_km) for c in index.nearest_bruteforce([theme], lat, lon, k)]

    def engine_bare(theme, lat, lon):
        return index.nearest([theme], lat, lon, k)

    samples_a, answers_a = time_queries(engine_bare, queries)
    answers_a = [[(c.service_id, c.place_id, c.distance_km) for c in answer] for answer in answers_a]
    samples_b, answers_b = time_queries(brute, queries)
    report["a_engine"] = percentiles(samples_a)
    report["b_bruteforce"] = percentiles(samples_b)

    # What orientation asks: three thematiques, 20 distinct services.
    rng = np.random.default_rng(synthetic.SEED + 2)
    triples = [tuple(rng.choice(offer.thematiques, size=3, replace=False).tolist()) for _ in queries]
    multi = [(lat, lon, triple) for (lat, lon, _), triple in zip(queries, triples, strict=True)]
    samples_m, _ = time_queries(lambda t, la, lo: index.nearest(t, la, lo, 20, one_per_service=True), multi)
    samples_mb, _ = time_queries(lambda t, la, lo: index.nearest_bruteforce(t, la, lo, 20, one_per_service=True), multi)
    samples_r, _ = time_queries(lambda t, la, lo: index.nearest([t], la, lo, k, max_km=10.0), queries)
    report["engine_variants"] = {
        "three_thematiques_k20_one_per_service": percentiles(samples_m),
        "three_thematiques_k20_one_per_service_bruteforce": percentiles(samples_mb),
        "one_thematique_k10_within_10km": percentiles(samples_r),
    }
    report["agreement"] = {"engine_vs_bruteforce": agreement(answers_b, answers_a)}

    if args.no_postgis:
        report["c_postgis"] = {"skipped": "--no-postgis"}
    else:
        pg = postgis_bench(offer, arrays, queries, k)
        report["c_postgis"] = pg
        if "layouts" in pg:
            for name, layout in pg["layouts"].items():
                answers = layout.pop("answers")
                report["agreement"][f"postgis_{name}_vs_bruteforce"] = agreement(answers_b, answers)
                report["agreement"][f"postgis_{name}_vs_engine"] = agreement(answers_a, answers)
            best = min(pg["layouts"], key=lambda n: pg["layouts"][n]["latency"]["p99_ms"])
            pg["best_layout"] = best

    a, b = report["a_engine"], report["b_bruteforce"]
    ratios = {
        "bruteforce_p50_over_engine_p50": round(b["p50_ms"] / a["p50_ms"], 1),
        "bruteforce_p99_over_engine_p99": round(b["p99_ms"] / a["p99_ms"], 1),
    }
    if "best_layout" in report["c_postgis"]:
        c = report["c_postgis"]["layouts"][report["c_postgis"]["best_layout"]]["latency"]
        ratios["postgis_p99_over_engine_p99"] = round(c["p99_ms"] / a["p99_ms"], 1)
        ratios["postgis_p99_over_engine_p50"] = round(c["p99_ms"] / a["p50_ms"], 1)
        ratios["postgis_p50_over_engine_p50"] = round(c["p50_ms"] / a["p50_ms"], 1)
        report["targets"] = {
            "engine_10x_faster_than_postgis_p99": {
                "target": ">= 10",
                "measured_postgis_p99_over_engine_p99": ratios["postgis_p99_over_engine_p99"],
                "met": ratios["postgis_p99_over_engine_p99"] >= 10,
            }
        }
    report["ratios"] = ratios
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    with contextlib.redirect_stderr(io.StringIO()) if os.environ.get("BENCH_QUIET") else contextlib.nullcontext():
        main()
