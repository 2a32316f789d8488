"""Read and validate a GTFS zip into plain records. Pure module (no Django).

Every problem names the file, the line (as a spreadsheet shows it: header = line 1) and the
field, so whoever publishes the feed can fix it. Nothing is written anywhere here.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

MAX_ERRORS = 50
TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")


@dataclass(frozen=True, slots=True)
class GtfsProblem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where}, champ « {self.field} » : {self.message}" if self.field else f"{where} : {self.message}"


class GtfsError(Exception):
    def __init__(self, problems: list[GtfsProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class ParsedFeed:
    agency_name: str = ""
    stops: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # id -> (name, lat, lon)
    routes: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # id -> (short, long, type)
    route_fares: dict[str, float] = field(default_factory=dict)  # route id -> price in EUR
    services: dict[str, dict] = field(default_factory=dict)  # id -> start, end, weekdays, added, removed
    trips: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (route, service, headsign)
    stop_times: dict[str, list[tuple[int, str, int, int]]] = field(
        default_factory=dict
    )  # trip -> (seq, stop, arr, dep)
    frequency_templates: int = 0  # trips of frequencies.txt, replaced by their expanded departures
    frequency_trips: int = 0  # trips added by expanding them

    @property
    def n_stop_times(self) -> int:
        return sum(len(v) for v in self.stop_times.values())


def parse_time(value: str) -> int:
    """'25:10:00' -> seconds after midnight of the service day."""
    match = TIME_RE.match(value)
    if not match:
        raise ValueError("heure attendue au format HH:MM:SS (ex. 08:05:00)")
    h, m, s = (int(x) for x in match.groups())
    if h > 47:
        raise ValueError("heure supérieure à 47:59:59")
    return h * 3600 + m * 60 + s


def parse_date(value: str) -> date:
    value = value.strip()
    if not re.fullmatch(r"\d{8}", value):
        raise ValueError("date attendue au format AAAAMMJJ (ex. 20260310)")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ValueError("date impossible") from None


class _Collector:
    def __init__(self) -> None:
        self.problems: list[GtfsProblem] = []

    def add(self, file: str, line: int | None, fld: str, message: str) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(GtfsProblem(file, line, fld, message))

    def full(self) -> bool:
        return len(self.problems) >= MAX_ERRORS


def _rows(zf: zipfile.ZipFile, name: str, required: tuple[str, ...], errors: _Collector) -> Iterator[tuple[int, dict]]:
    """Rows of one file as dicts, with their line numbers; checks the header first."""
    try:
        raw = zf.read(name)
    except KeyError:
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(name, None, "", f"le fichier n'est pas en UTF-8 (octet {exc.start})")
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        errors.add(name, None, "", "fichier vide (il faut au moins la ligne d'en-tête)")
        return
    missing = [f for f in required if f not in header]
    for f in missing:
        errors.add(name, 1, f, "colonne obligatoire absente de l'en-tête")
    if missing:
        return
    for line, values in enumerate(reader, start=2):
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            errors.add(name, line, "", f"{len(values)} valeurs pour {len(header)} colonnes")
            continue
        yield line, {h: v.strip() for h, v in zip(header, values, strict=True)}


def _check(errors: _Collector, file: str, line: int, fld: str, parse: Callable, value: str):
    try:
        return parse(value)
    except ValueError as exc:
        errors.add(file, line, fld, f"{exc} (valeur « {value} »)")
        return None


def _float_in(lo: float, hi: float) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ValueError("nombre attendu") from None
        if not lo <= number <= hi:
            raise ValueError(f"doit être entre {lo} et {hi}")
        return number

    return parse


def parse_gtfs(path: str | Path, *, progress: Callable[[Iterator], Iterator] | None = None) -> ParsedFeed:
    """Read and validate a GTFS zip; raise GtfsError listing every problem found (up to 50)."""
    errors = _Collector()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError) as exc:
        raise GtfsError([GtfsProblem(str(path), None, "", f"pas une archive zip lisible ({exc})")]) from None
    with zf:
        names = {Path(n).name: n for n in zf.namelist() if not n.endswith("/")}
        for required in ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"):
            if required not in names:
                errors.add(required, None, "", "fichier obligatoire absent de l'archive")
        if "calendar.txt" not in names and "calendar_dates.txt" not in names:
            errors.add("calendar.txt", None, "", "il faut calendar.txt ou calendar_dates.txt (jours de circulation)")
        if errors.problems:
            raise GtfsError(errors.problems)
        feed = ParsedFeed()

        def rows(name: str, required: tuple[str, ...]):
            return _rows(zf, names[name], required, errors) if name in names else iter(())

        for _, row in rows("agency.txt", ("agency_name",)):
            feed.agency_name = feed.agency_name or row["agency_name"]

        for line, row in rows("stops.txt", ("stop_id", "stop_name", "stop_lat", "stop_lon")):
            if row.get("location_type", "") not in ("", "0"):
                continue  # stations, entrances: not boarding points
            if not row["stop_id"]:
                errors.add("stops.txt", line, "stop_id", "identifiant vide")
                continue
            if row["stop_id"] in feed.stops:
                errors.add("stops.txt", line, "stop_id", f"identifiant en double « {row['stop_id']} »")
                continue
            lat = _check(errors, "stops.txt", line, "stop_lat", _float_in(-90, 90), row["stop_lat"])
            lon = _check(errors, "stops.txt", line, "stop_lon", _float_in(-180, 180), row["stop_lon"])
            if lat is not None and lon is not None:
                feed.stops[row["stop_id"]] = (row["stop_name"], lat, lon)

        for line, row in rows("routes.txt", ("route_id", "route_type")):
            short, long_ = row.get("route_short_name", ""), row.get("route_long_name", "")
            if not short and not long_:
                errors.add("routes.txt", line, "route_short_name", "il faut route_short_name ou route_long_name")
            kind = _check(errors, "routes.txt", line, "route_type", _int_in(0, 1702), row["route_type"])
            if row["route_id"] in feed.routes:
                errors.add("routes.txt", line, "route_id", f"identifiant en double « {row['route_id']} »")
            elif kind is not None:
                feed.routes[row["route_id"]] = (short, long_, kind)

        weekday_fields = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        for line, row in rows("calendar.txt", ("service_id", *weekday_fields, "start_date", "end_date")):
            days = [_check(errors, "calendar.txt", line, f, _int_in(0, 1), row[f]) for f in weekday_fields]
            start = _check(errors, "calendar.txt", line, "start_date", parse_date, row["start_date"])
            end = _check(errors, "calendar.txt", line, "end_date", parse_date, row["end_date"])
            if start and end and end < start:
                errors.add("calendar.txt", line, "end_date", "la date de fin précède la date de début")
            feed.services[row["service_id"]] = {
                "start": start,
                "end": end,
                "weekdays": [bool(d) for d in days],
                "added": [],
                "removed": [],
            }
        for line, row in rows("calendar_dates.txt", ("service_id", "date", "exception_type")):
            day = _check(errors, "calendar_dates.txt", line, "date", parse_date, row["date"])
            kind = _check(errors, "calendar_dates.txt", line, "exception_type", _int_in(1, 2), row["exception_type"])
            service = feed.services.setdefault(
                row["service_id"], {"start": None, "end": None, "weekdays": [False] * 7, "added": [], "removed": []}
            )
            if day and kind:
                service["added" if kind == 1 else "removed"].append(day)

        for line, row in rows("trips.txt", ("route_id", "service_id", "trip_id")):
            if row["route_id"] not in feed.routes:
                errors.add(
                    "trips.txt", line, "route_id", f"ligne inconnue « {row['route_id']} » (absente de routes.txt)"
                )
            if row["service_id"] not in feed.services:
                errors.add(
                    "trips.txt", line, "service_id", f"service inconnu « {row['service_id']} » (calendrier absent)"
                )
            if row["trip_id"] in feed.trips:
                errors.add("trips.txt", line, "trip_id", f"identifiant en double « {row['trip_id']} »")
            feed.trips[row["trip_id"]] = (row["route_id"], row["service_id"], row.get("trip_headsign", ""))

        read_times: dict[str, list[tuple[int, str, int, int, int | None]]] = {}  # with each row's line
        st_rows = rows("stop_times.txt", ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"))
        for line, row in progress(st_rows) if progress else st_rows:
            if errors.full():
                break
            trip_id, stop_id = row["trip_id"], row["stop_id"]
            if trip_id not in feed.trips:
                errors.add("stop_times.txt", line, "trip_id", f"course inconnue « {trip_id} » (absente de trips.txt)")
                continue
            if stop_id not in feed.stops:
                errors.add("stop_times.txt", line, "stop_id", f"arrêt inconnu « {stop_id} » (absent de stops.txt)")
                continue
            seq = _check(errors, "stop_times.txt", line, "stop_sequence", _int_in(0, 10**7), row["stop_sequence"])
            arr = dep = -1
            if row["arrival_time"] or row["departure_time"]:
                arr = _check(
                    errors,
                    "stop_times.txt",
                    line,
                    "arrival_time",
                    parse_time,
                    row["arrival_time"] or row["departure_time"],
                )
                dep = _check(
                    errors,
                    "stop_times.txt",
                    line,
                    "departure_time",
                    parse_time,
                    row["departure_time"] or row["arrival_time"],
                )
                if arr is not None and dep is not None and dep < arr:
                    errors.add("stop_times.txt", line, "departure_time", "départ avant l'arrivée à cet arrêt")
            if seq is None or arr is None or dep is None:
                continue
            read_times.setdefault(trip_id, []).append((seq, stop_id, arr, dep, line))

        _fares(feed, rows, errors)
        frequencies = _frequencies(feed, rows, errors)

    for trip_id in feed.trips:
        if trip_id not in read_times and not errors.full():
            errors.add("trips.txt", None, "trip_id", f"la course « {trip_id} » n'a aucun horaire dans stop_times.txt")
    for trip_id, times in read_times.items():
        times.sort()
        _interpolate(trip_id, times, errors)
        feed.stop_times[trip_id] = [(seq, stop, arr, dep) for seq, stop, arr, dep, _ in times]
    if errors.problems:
        raise GtfsError(errors.problems)
    _expand_frequencies(feed, frequencies, errors)
    if errors.problems:
        raise GtfsError(errors.problems)
    return feed


@dataclass(frozen=True, slots=True)
class Frequency:
    """One row of frequencies.txt: the trip runs every `headway` seconds from `start` (inclusive)
    to `end` (exclusive), at its first stop; `exact` is the file's exact_times."""

    trip_id: str
    start: int
    end: int
    headway: int
    exact: bool
    line: int


def _frequencies(feed: ParsedFeed, rows, errors: _Collector) -> list[Frequency]:
    """Read frequencies.txt (absent: no row). Its trips are templates: only the gaps between their
    stop_times count, the departures come from here."""
    found: list[Frequency] = []
    required = ("trip_id", "start_time", "end_time", "headway_secs")
    for line, row in rows("frequencies.txt", required):
        trip_id = row["trip_id"]
        if trip_id not in feed.trips:
            errors.add("frequencies.txt", line, "trip_id", f"course inconnue « {trip_id} » (absente de trips.txt)")
            continue
        start = _check(errors, "frequencies.txt", line, "start_time", parse_time, row["start_time"])
        end = _check(errors, "frequencies.txt", line, "end_time", parse_time, row["end_time"])
        headway = _check(errors, "frequencies.txt", line, "headway_secs", _int_in(1, 86_400), row["headway_secs"])
        exact = _check(errors, "frequencies.txt", line, "exact_times", _int_in(0, 1), row.get("exact_times") or "0")
        if None in (start, end, headway, exact):
            continue
        if end <= start:
            errors.add("frequencies.txt", line, "end_time", "l'heure de fin doit suivre l'heure de début")
            continue
        for other in found:
            if other.trip_id == trip_id and start < other.end and other.start < end:
                errors.add(
                    "frequencies.txt",
                    line,
                    "start_time",
                    f"période qui chevauche celle de la ligne {other.line} pour la course « {trip_id} »",
                )
                break
        else:
            found.append(Frequency(trip_id, start, end, headway, bool(exact), line))
    return found


MAX_EXPANDED_TRIPS = 200_000


def _expand_frequencies(feed: ParsedFeed, frequencies: list[Frequency], errors: _Collector) -> None:
    """Replace each frequency-based template trip by one trip per departure, so RAPTOR sees them all.

    exact_times=1: departures at start, start + headway, ... while before end (GTFS reference).
    exact_times=0 ("every n minutes", no timetable): expanded the same way; the real wait at a stop
    may then differ from the plan's by up to one headway (said in docs/mobility.md).
    Expanded trips are named "<trip_id>@HH:MM:SS" (the departure at the first stop)."""
    if not frequencies:
        return
    by_trip: dict[str, list[Frequency]] = {}
    for frequency in frequencies:
        by_trip.setdefault(frequency.trip_id, []).append(frequency)
    total = sum(len(range(f.start, f.end, f.headway)) for f in frequencies)
    if total + len(feed.trips) > MAX_EXPANDED_TRIPS:
        errors.add(
            "frequencies.txt",
            None,
            "headway_secs",
            f"{total} courses une fois les fréquences dépliées : plus que les {MAX_EXPANDED_TRIPS} acceptées",
        )
        return
    for trip_id, periods in by_trip.items():
        route, service, headsign = feed.trips.pop(trip_id)
        template = feed.stop_times.pop(trip_id)
        origin = template[0][3]
        for period in periods:
            for departure in range(period.start, period.end, period.headway):
                shift = departure - origin
                new_id = f"{trip_id}@{_hms(departure)}"
                if len(new_id) > 100:
                    errors.add("frequencies.txt", period.line, "trip_id", f"identifiant trop long pour « {new_id} »")
                    return
                if new_id in feed.trips:
                    errors.add("frequencies.txt", period.line, "trip_id", f"course dépliée en double « {new_id} »")
                    return
                feed.trips[new_id] = (route, service, headsign)
                feed.stop_times[new_id] = [(seq, stop, arr + shift, dep + shift) for seq, stop, arr, dep in template]
                feed.frequency_trips += 1
        feed.frequency_templates += 1


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("nombre entier attendu") from None
        if not lo <= number <= hi:
            raise ValueError(f"doit être entre {lo} et {hi}")
        return number

    return parse


def _interpolate(trip_id: str, times: list, errors: _Collector) -> None:
    """Fill untimed stops linearly between timed ones; check that time never goes back."""
    if len(times) < 2:
        errors.add("stop_times.txt", times[0][4], "trip_id", f"la course « {trip_id} » n'a qu'un arrêt")
        return
    if times[0][2] < 0 or times[-1][2] < 0:
        errors.add(
            "stop_times.txt", times[0][4], "arrival_time", f"premier et dernier arrêts de « {trip_id} » sans heure"
        )
        return
    seqs = [t[0] for t in times]
    if len(set(seqs)) != len(seqs):
        errors.add("stop_times.txt", times[0][4], "stop_sequence", f"numéro d'ordre en double dans « {trip_id} »")
        return
    last = 0
    for i, (seq, stop, arr, dep, line) in enumerate(times):
        if arr < 0:
            j = next(k for k in range(i + 1, len(times)) if times[k][2] >= 0)
            before, after = times[i - 1][3], times[j][2]
            arr = dep = before + (after - before) * 1 // (j - i + 1)
            times[i] = (seq, stop, arr, dep, line)
        if arr < last:
            errors.add("stop_times.txt", line, "arrival_time", f"l'heure recule dans la course « {trip_id} »")
            return
        last = dep


def _fares(feed: ParsedFeed, rows, errors: _Collector) -> None:
    """GTFS fares v1: a price per route when fare_rules says so, or one price for the whole feed."""
    prices: dict[str, float] = {}
    for line, row in rows("fare_attributes.txt", ("fare_id", "price", "currency_type")):
        price = _check(errors, "fare_attributes.txt", line, "price", _float_in(0, 10_000), row["price"])
        if row["currency_type"] != "EUR":
            continue  # only euros are shown
        if price is not None:
            prices[row["fare_id"]] = price
    ruled = False
    for line, row in rows("fare_rules.txt", ("fare_id",)):
        ruled = True
        route = row.get("route_id", "")
        if row["fare_id"] not in prices:
            continue
        if (
            route
            and route in feed.routes
            and not (row.get("origin_id") or row.get("destination_id") or row.get("contains_id"))
        ):
            feed.route_fares[route] = prices[row["fare_id"]]
        elif route and route not in feed.routes:
            errors.add("fare_rules.txt", line, "route_id", f"ligne inconnue « {route} »")
    if not ruled and len(set(prices.values())) == 1:
        price = next(iter(prices.values()))
        feed.route_fares = dict.fromkeys(feed.routes, price)


def route_display_name(short: str, long_: str) -> str:
    if short and long_:
        return f"ligne {short} ({long_})"
    return f"ligne {short}" if short else long_


def timetable_from_parsed(feeds: list[tuple[str, ParsedFeed, float | None]]):
    """Build a RAPTOR timetable straight from parsed feeds (slug, feed, network-wide fare or None)."""
    from carteblanche.mobility.raptor import Service, build_timetable

    stops, routes, services, trips = [], [], [], []
    for slug, feed, fare in feeds:
        stops += [(f"{slug}:{k}", n, la, lo) for k, (n, la, lo) in feed.stops.items()]
        routes += [
            (f"{slug}:{k}", route_display_name(s, ln), feed.route_fares.get(k, fare))
            for k, (s, ln, _) in feed.routes.items()
        ]
        services += [
            Service(
                f"{slug}:{k}",
                v["start"],
                v["end"],
                tuple(v["weekdays"]),
                frozenset(v["added"]),
                frozenset(v["removed"]),
            )
            for k, v in feed.services.items()
        ]
        trips += [
            (
                f"{slug}:{k}",
                f"{slug}:{r}",
                f"{slug}:{s}",
                h,
                [(f"{slug}:{stop}", a, d) for _, stop, a, d in feed.stop_times.get(k, [])],
            )
            for k, (r, s, h) in feed.trips.items()
        ]
    return build_timetable(stops=stops, routes=routes, services=services, trips=trips)
