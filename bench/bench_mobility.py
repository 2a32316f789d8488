"""Benchmark of the public transport search on a synthetic national network. Prints JSON.

    .venv/bin/python bench/bench_mobility.py [--routes 300] [--queries 2000] [--seed 46]

Measures: build time and memory of the timetable (forward + reversed), one RAPTOR
earliest-arrival query (p50/p99), and a full MobilityContext.trips call with public
transport (outbound arrive-by, fallback, return, last return: up to four searches) p50/p99.
"""

import argparse
import json
import os
import random
import sys
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from carteblanche.mobility.samples import synthetic_network
from carteblanche.mobility.travel import MobilityContext, Mode, Point, TimeWindow, TravelMeans


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", type=int, default=300)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=46)
    args = parser.parse_args()

    t0 = time.perf_counter()
    tt = synthetic_network(n_routes=args.routes, seed=args.seed)
    tt.reversed()
    build_s = time.perf_counter() - t0
    tracemalloc.start()  # a second build, traced (tracing slows it down, so it is not timed)
    synthetic_network(n_routes=args.routes, seed=args.seed).reversed()
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rng = random.Random(args.seed)
    day = date(2026, 3, 10)  # a Tuesday
    # Origin and destination: two stops of one pattern, or one stop and a stop of a pattern met at its end.
    pairs = []
    while len(pairs) < args.queries:
        p = rng.randrange(len(tt.pattern_stops))
        stops = tt.pattern_stops[p].tolist()
        i = rng.randrange(len(stops) - 1)
        if rng.random() < 0.5:
            b = stops[rng.randrange(i + 1, len(stops))]
        else:
            q = rng.choice([q for q, _ in tt.stop_patterns[stops[-1]]] or [p])
            qs = tt.pattern_stops[q].tolist()
            b = qs[rng.randrange(1, len(qs))]
        pairs.append((stops[i], b, rng.randrange(6 * 3600, 16 * 3600)))

    raptor_ms, found = [], 0
    for a, b, t in pairs:
        s = time.perf_counter()
        j = tt.search(depart=t, access={a: 120}, egress={b: 120}, day=day)
        raptor_ms.append((time.perf_counter() - s) * 1000)
        found += j is not None

    ctx = MobilityContext(timetable=tt)
    means = TravelMeans(public_transport=True, on_demand=False, solidarity=False)
    trips_ms, planned = [], 0
    for a, b, t in pairs[: max(1, args.queries // 2)]:
        start = datetime.combine(day, datetime.min.time()).replace(hour=t // 3600)
        window = TimeWindow(start, start.replace(hour=min(23, start.hour + 3)))
        o = Point(float(tt.stop_lat[a]) + 0.002, float(tt.stop_lon[a]))
        d = Point(float(tt.stop_lat[b]) - 0.002, float(tt.stop_lon[b]))
        s = time.perf_counter()
        plans = ctx.trips(
            origin=o, origin_commune="", destination=d, destination_commune="", window=window, means=means
        )
        trips_ms.append((time.perf_counter() - s) * 1000)
        planned += any(p.mode == Mode.PUBLIC_TRANSPORT for p in plans)

    # One origin, many destinations and slots (what one orientation plan asks): trips() one call
    # at a time vs. the per-origin planner (shared one-to-many searches); answers must be equal.
    batch_trips_ms, batch_planner_ms, batch_equal, batch_pt = [], [], 0, 0
    origins = [p for p in pairs if tt.stops_near(float(tt.stop_lat[p[0]]), float(tt.stop_lon[p[0]]), 30.0, 13)]
    for a, _, _ in origins[: max(1, args.queries // 20)]:
        o = Point(float(tt.stop_lat[a]) + 0.002, float(tt.stop_lon[a]))
        near = tt.stops_near(o.latitude, o.longitude, 30.0, limit=13)[1:]
        dests = [Point(float(tt.stop_lat[b]) - 0.002, float(tt.stop_lon[b])) for b, _ in near]
        windows = []
        for h in (8, 9, 10, 14, 15, 16):
            start = datetime.combine(day, datetime.min.time()).replace(hour=h)
            windows.append(TimeWindow(start, start.replace(hour=h + 2)))
        s = time.perf_counter()
        one_by_one = [
            ctx.trips(origin=o, origin_commune="", destination=d, destination_commune="", window=w, means=means)
            for d in dests
            for w in windows
        ]
        batch_trips_ms.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        planner = ctx.planner(origin=o, origin_commune="", means=means)
        shared = [planner.trips(destination=d, destination_commune="", window=w) for d in dests for w in windows]
        batch_planner_ms.append((time.perf_counter() - s) * 1000)
        batch_equal += shared == one_by_one
        batch_pt += sum(any(p.mode == Mode.PUBLIC_TRANSPORT for p in x) for x in shared)

    result = {
        "network": {
            "routes": args.routes,
            "stops": len(tt.stop_ids),
            "trips": len(tt.trip_ids),
            "stop_times": tt.n_stop_times,
            "patterns": len(tt.pattern_stops),
            "walking_transfers": sum(len(t) for t in tt.transfers),
        },
        "build_seconds": round(build_s, 3),
        "memory_mb": {
            "timetable_estimate_forward": round(tt.nbytes() / 1e6, 1),
            "timetable_estimate_forward_and_reversed": round((tt.nbytes() + tt.reversed().nbytes()) / 1e6, 1),
            "traced_python_heap_after_build": round(traced / 1e6, 1),
        },
        "raptor_query_ms": {
            "n": len(raptor_ms),
            "found": found,
            "p50": round(percentile(raptor_ms, 50), 3),
            "p99": round(percentile(raptor_ms, 99), 3),
            "max": round(max(raptor_ms), 3),
        },
        "trips_with_public_transport_ms": {
            "n": len(trips_ms),
            "with_plan": planned,
            "p50": round(percentile(trips_ms, 50), 3),
            "p99": round(percentile(trips_ms, 99), 3),
        },
        "one_origin_12_destinations_6_windows_ms": {
            "origins": len(batch_trips_ms),
            "with_public_transport_plan": batch_pt,
            "identical_answers": f"{batch_equal}/{len(batch_trips_ms)}",
            "trips_one_by_one_p50": round(percentile(batch_trips_ms, 50), 3),
            "trips_one_by_one_p99": round(percentile(batch_trips_ms, 99), 3),
            "planner_p50": round(percentile(batch_planner_ms, 50), 3),
            "planner_p99": round(percentile(batch_planner_ms, 99), 3),
        },
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
