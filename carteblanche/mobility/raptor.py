"""Earliest-arrival public transport search (RAPTOR) over a compact timetable. Pure module.

RAPTOR (Delling, Pajor, Werneck, "Round-Based Public Transit Routing", 2012) scans routes
round by round: round k holds the best arrivals with k vehicles. Trips are grouped into
patterns (same stop sequence, no overtaking) so that the first catchable trip at a stop is a
binary search in a sorted column. The same code answers "arrive by" questions on the
reversed timetable (`Timetable.reversed()`), where every time is negated.

Times are integer seconds after midnight of the service day (GTFS allows > 24 h).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from carteblanche.territories.geo import great_circle_km_radians

WALK_TRANSFER_KM = 0.4  # stops closer than this (great circle) are linked by a walking transfer
TRANSFER_CIRCUITY = 1.25
TRANSFER_KMH = 4.5
BOARD_SLACK_S = 60  # a change of vehicle at the same stop takes at least a minute
MAX_ROUNDS = 4  # at most four vehicles (three transfers)
INF = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Service:
    """A GTFS service: calendar days and exceptions."""

    service_id: str
    start: date | None = None
    end: date | None = None
    weekdays: tuple[bool, bool, bool, bool, bool, bool, bool] = (False,) * 7  # Monday first
    added: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()

    def runs_on(self, day: date) -> bool:
        if day in self.removed:
            return False
        if day in self.added:
            return True
        if self.start is None or self.end is None:
            return False
        return self.start <= day <= self.end and self.weekdays[day.weekday()]


@dataclass(frozen=True, slots=True)
class TripInput:
    """One trip as read from GTFS: its stops in order with arrival and departure seconds."""

    trip_id: str
    route: int  # index into Timetable.route_names
    service: int  # index into Timetable.services
    stops: tuple[int, ...]
    arrivals: tuple[int, ...]
    departures: tuple[int, ...]
    headsign: str = ""


@dataclass(slots=True)
class RideLeg:
    route: int
    trip: int  # index into Timetable.trip_ids
    from_stop: int
    to_stop: int
    depart: int
    arrive: int


@dataclass(slots=True)
class WalkLeg:
    from_stop: int | None  # None = the origin point
    to_stop: int | None  # None = the destination point
    seconds: int


@dataclass(slots=True)
class Journey:
    depart: int  # leaving the origin point (seconds of the service day)
    arrive: int  # reaching the destination point
    legs: list[RideLeg | WalkLeg] = field(default_factory=list)

    @property
    def rides(self) -> list[RideLeg]:
        return [leg for leg in self.legs if isinstance(leg, RideLeg)]


def walk_seconds(km: float, *, kmh: float = TRANSFER_KMH) -> int:
    return math.ceil(km * TRANSFER_CIRCUITY / kmh * 3600)


class Timetable:
    """Stops, patterns of trips and walking transfers, in flat arrays built once per process."""

    def __init__(
        self,
        *,
        stop_ids: Sequence[str],
        stop_names: Sequence[str],
        stop_lat: Sequence[float] | np.ndarray,
        stop_lon: Sequence[float] | np.ndarray,
        route_names: Sequence[str],
        route_fares: Sequence[float | None],
        services: Sequence[Service],
        trips: Iterable[TripInput],
        transfer_km: float = WALK_TRANSFER_KM,
        _reversed: bool = False,
    ) -> None:
        self.stop_ids = list(stop_ids)
        self.stop_names = list(stop_names)
        self.stop_lat = np.asarray(stop_lat, dtype=np.float64)
        self.stop_lon = np.asarray(stop_lon, dtype=np.float64)
        self.route_names = list(route_names)
        self.route_fares = np.array([np.nan if f is None else f for f in route_fares], dtype=np.float64)
        self.services = list(services)
        self.is_reversed = _reversed
        self._build_patterns(list(trips))
        self._build_transfers(transfer_km)
        self._active_cache: dict[date, np.ndarray] = {}
        self._reverse: Timetable | None = None

    # --- construction ---------------------------------------------------------------------
    def _build_patterns(self, trips: list[TripInput]) -> None:
        """Group trips by stop sequence, then split groups so that no trip overtakes another."""
        groups: dict[tuple[int, ...], list[TripInput]] = {}
        for trip in trips:
            groups.setdefault(trip.stops, []).append(trip)
        self.pattern_stops: list[np.ndarray] = []
        self.pattern_dep: list[np.ndarray] = []  # (n_stops, n_trips), each row sorted
        self.pattern_arr: list[np.ndarray] = []
        self.pattern_trip0: list[int] = []  # global index of the pattern's first trip
        trip_ids: list[str] = []
        trip_route: list[int] = []
        trip_service: list[int] = []
        trip_headsign: list[str] = []
        for stops, members in groups.items():
            members.sort(key=lambda t: (t.departures[0], t.arrivals[-1]))
            chains: list[list[TripInput]] = []
            for trip in members:
                for chain in chains:
                    last = chain[-1]
                    if all(a <= b for a, b in zip(last.departures, trip.departures, strict=True)) and all(
                        a <= b for a, b in zip(last.arrivals, trip.arrivals, strict=True)
                    ):
                        chain.append(trip)
                        break
                else:
                    chains.append([trip])
            for chain in chains:
                self.pattern_stops.append(np.asarray(stops, dtype=np.int32))
                self.pattern_dep.append(np.ascontiguousarray(np.array([t.departures for t in chain], np.int32).T))
                self.pattern_arr.append(np.ascontiguousarray(np.array([t.arrivals for t in chain], np.int32).T))
                self.pattern_trip0.append(len(trip_ids))
                for t in chain:
                    trip_ids.append(t.trip_id)
                    trip_route.append(t.route)
                    trip_service.append(t.service)
                    trip_headsign.append(t.headsign)
        self.trip_ids = trip_ids
        self.trip_route = np.asarray(trip_route, dtype=np.int32)
        self.trip_service = np.asarray(trip_service, dtype=np.int32)
        self.trip_headsign = trip_headsign
        # Python lists for the inner loop (indexing numpy scalars one by one is slow).
        self._stops_list = [p.tolist() for p in self.pattern_stops]
        self._dep_rows = [[row.tolist() for row in p] for p in self.pattern_dep]
        self._arr_rows = [[row.tolist() for row in p] for p in self.pattern_arr]
        stop_patterns: list[list[tuple[int, int]]] = [[] for _ in self.stop_ids]
        for p, stops in enumerate(self._stops_list):
            for pos, stop in enumerate(stops[:-1]):  # nobody boards at the last stop
                stop_patterns[stop].append((p, pos))
        self.stop_patterns = stop_patterns

    def _build_transfers(self, transfer_km: float) -> None:
        """Walking links between nearby stops, found through a grid of ~transfer_km cells."""
        self.transfers: list[list[tuple[int, int]]] = [[] for _ in self.stop_ids]
        if not self.stop_ids or transfer_km <= 0:
            return
        cell_lat = transfer_km / 111.2
        cells: dict[tuple[int, int], list[int]] = {}
        keys = []
        for i, (lat, lon) in enumerate(zip(self.stop_lat.tolist(), self.stop_lon.tolist(), strict=True)):
            cell_lon = cell_lat / max(0.1, math.cos(math.radians(lat)))
            key = (int(lat // cell_lat), int(lon // cell_lon))
            keys.append(key)
            cells.setdefault(key, []).append(i)
        lat_rad, lon_rad = np.radians(self.stop_lat), np.radians(self.stop_lon)
        for i, (ki, kj) in enumerate(keys):
            near = [j for di in (-1, 0, 1) for dj in (-1, 0, 1) for j in cells.get((ki + di, kj + dj), ()) if j != i]
            if not near:
                continue
            km = great_circle_km_radians(lat_rad[i], lon_rad[i], lat_rad[near], lon_rad[near])
            self.transfers[i] = [(j, walk_seconds(float(d))) for j, d in zip(near, km, strict=True) if d <= transfer_km]

    def reversed(self) -> Timetable:
        """The same network with time running backwards: answers 'latest departure to arrive by T'."""
        if self._reverse is None:
            trips = []
            for p, stops in enumerate(self._stops_list):
                dep, arr = self.pattern_dep[p], self.pattern_arr[p]
                for k in range(dep.shape[1]):
                    g = self.pattern_trip0[p] + k
                    trips.append(
                        TripInput(
                            trip_id=str(g),  # the forward trip index, to map legs back
                            route=int(self.trip_route[g]),
                            service=int(self.trip_service[g]),
                            stops=tuple(reversed(stops)),
                            arrivals=tuple(-int(x) for x in reversed(dep[:, k])),
                            departures=tuple(-int(x) for x in reversed(arr[:, k])),
                        )
                    )
            rev = Timetable(
                stop_ids=self.stop_ids,
                stop_names=self.stop_names,
                stop_lat=self.stop_lat,
                stop_lon=self.stop_lon,
                route_names=self.route_names,
                route_fares=[None if math.isnan(f) else f for f in self.route_fares.tolist()],
                services=self.services,
                trips=trips,
                transfer_km=0,
                _reversed=True,
            )
            rev.transfers = self.transfers  # walking is symmetric
            rev._reverse = self
            self._reverse = rev
        return self._reverse

    # --- sizes -----------------------------------------------------------------------------
    @property
    def n_stop_times(self) -> int:
        return int(sum(p.size for p in self.pattern_dep))

    def nbytes(self) -> int:
        """Approximate memory of the timetable (numpy arrays and the Python lists of the inner loop)."""
        import sys

        arrays: list[np.ndarray] = [self.stop_lat, self.stop_lon, self.route_fares, self.trip_route, self.trip_service]
        arrays += self.pattern_stops + self.pattern_dep + self.pattern_arr
        total = sum(a.nbytes for a in arrays)
        # Python ints below 256 are shared; others cost 28 bytes each plus an 8-byte pointer.
        total += self.n_stop_times * 2 * (28 + 8) + sum(len(s) for s in self._stops_list) * 8
        total += sum(sys.getsizeof(t) + 16 * len(t) for t in self.transfers)
        total += sum(sys.getsizeof(p) + 72 * len(p) for p in self.stop_patterns)
        total += sum(sys.getsizeof(s) for s in self.stop_ids + self.stop_names + self.trip_ids)
        return int(total)

    # --- queries ---------------------------------------------------------------------------
    def active_trips(self, day: date) -> np.ndarray:
        """Which trips run on `day` (one boolean per trip), cached per day."""
        active = self._active_cache.get(day)
        if active is None:
            service_active = np.array([s.runs_on(day) for s in self.services] + [False], dtype=bool)
            active = service_active[self.trip_service] if len(self.trip_service) else np.zeros(0, bool)
            if len(self._active_cache) > 64:
                self._active_cache.clear()
            self._active_cache[day] = active
        return active

    def stops_near(self, lat: float, lon: float, radius_km: float, limit: int = 12) -> list[tuple[int, float]]:
        """(stop, great-circle km) of the nearest stops within `radius_km`, nearest first."""
        if not self.stop_ids:
            return []
        dlat = radius_km / 111.2
        box = np.flatnonzero(np.abs(self.stop_lat - lat) <= dlat)
        if box.size == 0:
            return []
        km = great_circle_km_radians(
            math.radians(lat), math.radians(lon), np.radians(self.stop_lat[box]), np.radians(self.stop_lon[box])
        )
        inside = np.flatnonzero(km <= radius_km)
        order = inside[np.argsort(km[inside], kind="stable")][:limit]
        return [(int(box[i]), float(km[i])) for i in order]

    def search(
        self,
        *,
        depart: int,
        access: dict[int, int],
        egress: dict[int, int],
        day: date,
        max_rounds: int = MAX_ROUNDS,
        latest: int = INF,
    ) -> Journey | None:
        """Earliest arrival at the destination point with at least one vehicle.

        depart: when the person leaves the origin point; access: stop -> walking seconds from
        the origin point; egress: stop -> walking seconds to the destination point. `latest`
        prunes anything arriving later. Returns None when nothing arrives.
        """
        if not access or not egress:
            return None
        labels, parents, target_at = self._scan(depart, access, egress, day, max_rounds, latest)
        if target_at is None:
            return None
        return self._journey(target_at, labels, parents, access, egress)

    def search_tree(
        self, *, depart: int, access: dict[int, int], day: date, max_rounds: int = MAX_ROUNDS
    ) -> SearchTree:
        """One-to-many: the earliest arrival at every stop (per round), leaving the origin at `depart`.

        Shared by every destination of one origin: `SearchTree.arrival(egress)` equals the
        arrival of `search(depart=depart, access=access, egress=egress, day=day)` (target pruning
        never changes an optimal arrival), at the cost of one scan without that pruning.
        """
        labels, _, _ = self._scan(depart, access, {}, day, max_rounds, INF)
        return SearchTree(labels)

    def _scan(
        self, depart: int, access: dict[int, int], egress: dict[int, int], day: date, max_rounds: int, latest: int
    ) -> tuple[list[dict[int, int]], list[dict[int, tuple]], tuple[int, int] | None]:
        """The RAPTOR rounds; labels and parents per round, and (round, stop) of the best target arrival."""
        active = self.active_trips(day)
        best: dict[int, int] = {}
        labels: list[dict[int, int]] = []
        parents: list[dict[int, tuple]] = []
        round0: dict[int, int] = {s: depart + secs for s, secs in access.items()}
        par0: dict[int, tuple] = dict.fromkeys(access, ("access",))
        best.update(round0)
        marked = set(round0)
        for s in list(access):
            for t, secs in self.transfers[s]:
                arrival = round0[s] + secs
                if arrival < best.get(t, INF):
                    round0[t] = best[t] = arrival
                    par0[t] = ("walk", s, secs)
                    marked.add(t)
        labels.append(round0)
        parents.append(par0)
        target_best, target_at = latest, None

        stops_list, dep_rows, arr_rows, trip0 = self._stops_list, self._dep_rows, self._arr_rows, self.pattern_trip0
        for k in range(1, max_rounds + 1):
            queue: dict[int, int] = {}
            for s in marked:
                for p, pos in self.stop_patterns[s]:
                    if pos < queue.get(p, INF):
                        queue[p] = pos
            prev = labels[k - 1]
            slack = BOARD_SLACK_S if k > 1 else 0
            lab: dict[int, int] = {}
            par: dict[int, tuple] = {}
            marked = set()
            for p, pos0 in queue.items():
                stops = stops_list[p]
                dep, arr = dep_rows[p], arr_rows[p]
                first = trip0[p]
                n_trips = len(dep[0])
                trip = -1
                board_pos = -1
                for i in range(pos0, len(stops)):
                    s = stops[i]
                    if trip >= 0:
                        a = arr[i][trip]
                        if a < best.get(s, INF) and a < target_best:
                            lab[s] = best[s] = a
                            par[s] = ("ride", p, trip, board_pos, i)
                            marked.add(s)
                    t_prev = prev.get(s)
                    if t_prev is not None:
                        ready = t_prev + slack
                        if trip < 0 or ready <= dep[i][trip]:
                            j = bisect_left(dep[i], ready)
                            while j < n_trips and not active[first + j]:
                                j += 1
                            if j < n_trips and (trip < 0 or j < trip):
                                trip, board_pos = j, i
            for s in list(marked):
                base = lab[s]
                for t, secs in self.transfers[s]:
                    arrival = base + secs
                    if arrival < best.get(t, INF) and arrival < target_best:
                        lab[t] = best[t] = arrival
                        par[t] = ("walk", s, secs)
                        marked.add(t)
            labels.append(lab)
            parents.append(par)
            for s, secs in egress.items():
                if s in lab and lab[s] + secs < target_best:
                    target_best, target_at = lab[s] + secs, (k, s)
            if not marked:
                break
        return labels, parents, target_at

    def _journey(self, target_at, labels, parents, access, egress) -> Journey:
        k, stop = target_at
        arrive = labels[k][stop] + egress[stop]
        legs: list[RideLeg | WalkLeg] = [WalkLeg(stop, None, egress[stop])]
        while True:
            parent = parents[k][stop]
            if parent[0] == "access":
                break
            if parent[0] == "walk":
                _, origin, secs = parent
                legs.append(WalkLeg(origin, stop, secs))
                stop = origin
                continue
            _, p, trip, board_pos, alight_pos = parent
            stops = self._stops_list[p]
            g = self.pattern_trip0[p] + trip
            legs.append(
                RideLeg(
                    route=int(self.trip_route[g]),
                    trip=g,
                    from_stop=stops[board_pos],
                    to_stop=stops[alight_pos],
                    depart=self._dep_rows[p][board_pos][trip],
                    arrive=self._arr_rows[p][alight_pos][trip],
                )
            )
            stop = stops[board_pos]
            k -= 1
        legs.append(WalkLeg(None, stop, access[stop]))
        legs.reverse()
        # Leave as late as the first vehicle allows: its departure minus the walks before it.
        first = next(i for i, leg in enumerate(legs) if isinstance(leg, RideLeg))
        ride = legs[first]
        assert isinstance(ride, RideLeg)
        depart = ride.depart - sum(leg.seconds for leg in legs[:first] if isinstance(leg, WalkLeg))
        return Journey(depart=depart, arrive=arrive, legs=[leg for leg in legs if not _empty_walk(leg)])


def _empty_walk(leg: RideLeg | WalkLeg) -> bool:
    return isinstance(leg, WalkLeg) and leg.seconds == 0 and leg.from_stop is not None and leg.to_stop is not None


class SearchTree:
    """Labels of a one-to-many search: answers 'earliest arrival at this destination' for any egress."""

    __slots__ = ("labels",)

    def __init__(self, labels: list[dict[int, int]]) -> None:
        self.labels = labels

    def arrival(self, egress: dict[int, int]) -> int | None:
        """Earliest arrival at the destination point with at least one vehicle; None when unreachable."""
        best = INF
        for lab in self.labels[1:]:
            for s, secs in egress.items():
                at = lab.get(s)
                if at is not None and at + secs < best:
                    best = at + secs
        return None if best == INF else best


def reverse_journey(journey: Journey, forward: Timetable) -> Journey:
    """A journey found on `forward.reversed()`, turned back into forward time and order."""
    legs: list[RideLeg | WalkLeg] = []
    for leg in reversed(journey.legs):
        if isinstance(leg, WalkLeg):
            legs.append(WalkLeg(leg.to_stop, leg.from_stop, leg.seconds))
        else:
            trip = int(forward.reversed().trip_ids[leg.trip])
            legs.append(RideLeg(leg.route, trip, leg.to_stop, leg.from_stop, -leg.arrive, -leg.depart))
    return Journey(depart=-journey.arrive, arrive=-journey.depart, legs=legs)


def build_timetable(
    *,
    stops: Iterable[tuple[str, str, float, float]],
    routes: Iterable[tuple[str, str, float | None]],
    services: Iterable[Service],
    trips: Iterable[tuple[str, str, str, str, Sequence[tuple[str, int, int]]]],
) -> Timetable:
    """A timetable from plain records keyed by strings (unique across feeds, e.g. 'feed:stop').

    stops: (key, name, lat, lon); routes: (key, display name, fare in EUR or None);
    trips: (key, route key, service key, headsign, [(stop key, arrival s, departure s), ...]).
    """
    stop_keys, stop_names, lats, lons = [], [], [], []
    for key, name, lat, lon in stops:
        stop_keys.append(key)
        stop_names.append(name)
        lats.append(lat)
        lons.append(lon)
    stop_index = {k: i for i, k in enumerate(stop_keys)}
    route_index: dict[str, int] = {}
    route_names: list[str] = []
    route_fares: list[float | None] = []
    for key, name, fare in routes:
        route_index[key] = len(route_names)
        route_names.append(name)
        route_fares.append(fare)
    service_list = list(services)
    service_index = {s.service_id: i for i, s in enumerate(service_list)}
    inputs = [
        TripInput(
            trip_id=key,
            route=route_index[route],
            service=service_index[service],
            stops=tuple(stop_index[s] for s, _, _ in times),
            arrivals=tuple(a for _, a, _ in times),
            departures=tuple(d for _, _, d in times),
            headsign=headsign,
        )
        for key, route, service, headsign, times in trips
        if len(times) >= 2
    ]
    return Timetable(
        stop_ids=stop_keys,
        stop_names=stop_names,
        stop_lat=lats,
        stop_lon=lons,
        route_names=route_names,
        route_fares=route_fares,
        services=service_list,
        trips=inputs,
    )
