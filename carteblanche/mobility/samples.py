"""Small GTFS feeds for tests and a deterministic synthetic national network for benchmarks.

NOT real data: nothing here describes an existing line, stop or timetable.
"""

from __future__ import annotations

import csv
import io
import math
import random
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from carteblanche.mobility.raptor import Service, Timetable, build_timetable

WEEKDAYS = (1, 1, 1, 1, 1, 0, 0)


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def write_gtfs_zip(
    path: str | Path,
    *,
    stops: Iterable[tuple[str, str, float, float]],
    routes: Iterable[tuple[str, str]],
    trips: Iterable[tuple[str, str, str, Sequence[tuple[str, int]]]],
    calendar: Iterable[tuple[str, Sequence[int], str, str]] = (),
    calendar_dates: Iterable[tuple[str, str, int]] = (),
    fares: Iterable[tuple[str, float, str]] = (),
    overrides: dict[str, str] | None = None,
) -> Path:
    """Write a GTFS zip. trips: (trip_id, route_id, service_id, [(stop_id, seconds), ...]);
    calendar: (service_id, 7 weekday flags, start YYYYMMDD, end); fares: (fare_id, price, route_id).
    `overrides` replaces whole files by raw text (to write broken feeds in tests)."""

    def table(header: list[str], rows: Iterable[Sequence]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    fares = list(fares)
    files = {
        "agency.txt": table(
            ["agency_id", "agency_name", "agency_url", "agency_timezone"],
            [["A", "Réseau d'essai", "https://example.org", "Europe/Paris"]],
        ),
        "stops.txt": table(["stop_id", "stop_name", "stop_lat", "stop_lon"], stops),
        "routes.txt": table(
            ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
            [[r, "A", short, "", 3] for r, short in routes],
        ),
        "trips.txt": table(["route_id", "service_id", "trip_id"], [[r, s, t] for t, r, s, _ in trips]),
        "stop_times.txt": table(
            ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
            [[t, hms(sec), hms(sec), stop, i + 1] for t, _, _, times in trips for i, (stop, sec) in enumerate(times)],
        ),
        "calendar.txt": table(
            [
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "start_date",
                "end_date",
            ],
            [[s, *days, a, b] for s, days, a, b in calendar],
        ),
        "calendar_dates.txt": table(["service_id", "date", "exception_type"], calendar_dates),
    }
    if fares:
        files["fare_attributes.txt"] = table(
            ["fare_id", "price", "currency_type", "payment_method", "transfers"],
            [[f, f"{p:.2f}", "EUR", 0, 0] for f, p, _ in fares],
        )
        files["fare_rules.txt"] = table(["fare_id", "route_id"], [[f, r] for f, _, r in fares])
    files.update(overrides or {})
    path = Path(path)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


# --- synthetic national network (benchmarks) ------------------------------------------------
FRANCE_BBOX = (42.6, 50.9, -4.4, 7.6)  # lat min, lat max, lon min, lon max (mainland, roughly)


def synthetic_network(*, n_routes: int = 300, seed: int = 46, n_hubs: int = 80) -> Timetable:
    """Deterministic bus network spread across mainland France: routes between nearby hubs,
    stops every 2-5 km, a trip every 30-120 minutes from 6:00 to 21:00 in both directions,
    weekday service (a third of the routes also run on Saturdays)."""
    rng = random.Random(seed)
    lat0, lat1, lon0, lon1 = FRANCE_BBOX
    hubs = [(rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)) for _ in range(n_hubs)]
    stops: list[tuple[str, str, float, float]] = []
    hub_stop = {}
    for h, (lat, lon) in enumerate(hubs):
        hub_stop[h] = f"H{h}"
        stops.append((f"H{h}", f"Pôle {h}", lat, lon))
    routes, trips = [], []
    services = [
        Service("weekdays", date(2020, 1, 1), date(2035, 12, 31), (True,) * 5 + (False, False)),
        Service("saturday", date(2020, 1, 1), date(2035, 12, 31), (False,) * 5 + (True, False)),
    ]
    for r in range(n_routes):
        a = rng.randrange(n_hubs)
        # the nearest hubs make plausible regional lines
        by_distance = sorted(
            range(n_hubs), key=lambda h: (hubs[h][0] - hubs[a][0]) ** 2 + (hubs[h][1] - hubs[a][1]) ** 2
        )
        b = by_distance[rng.randint(1, 4)]
        (la, loa), (lb, lob) = hubs[a], hubs[b]
        km = math.hypot((lb - la) * 111.2, (lob - loa) * 111.2 * math.cos(math.radians(la)))
        n_mid = max(1, min(40, int(km / rng.uniform(2, 5))))
        line = [hub_stop[a]]
        for i in range(1, n_mid + 1):
            f = i / (n_mid + 1)
            sid = f"R{r}S{i}"
            jitter = rng.uniform(-0.01, 0.01)
            stops.append((sid, f"Arrêt {r}-{i}", la + (lb - la) * f + jitter, loa + (lob - loa) * f + jitter))
            line.append(sid)
        line.append(hub_stop[b])
        routes.append((f"R{r}", f"ligne {r}", None if r % 3 else 2.0))
        hop = max(60, int(km / (n_mid + 1) / 40 * 3600))  # 40 km/h between stops
        headway = rng.choice((1800, 3600, 5400, 7200))
        for direction, seq in enumerate((line, line[::-1])):
            for k, t0 in enumerate(range(6 * 3600 + rng.randrange(0, 1800), 21 * 3600, headway)):
                service = "saturday" if (r % 3 == 0 and k % 2) else "weekdays"
                times = [
                    (s, t0 + i * hop, t0 + i * hop + (30 if 0 < i < len(seq) - 1 else 0)) for i, s in enumerate(seq)
                ]
                trips.append((f"R{r}D{direction}T{k}", f"R{r}", service, "", times))
    return build_timetable(stops=stops, routes=routes, services=services, trips=trips)
