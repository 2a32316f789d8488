"""In-process nearest-service search: k nearest (service, place) pairs of some thematiques.

Pure module (numpy/scipy, no Django), so the directory pages, the API and the orientation
engine share one exact, fast answer to "which services of these thematiques are closest to
this point?".

Design (measured in bench/bench_search.py): every located (service, place) pair becomes a 3-D
unit vector; one k-d tree per thematique (``kdtree.KDTree``, its query compiled with numba)
holds the pairs of that thematique. The
chord distance between unit vectors is monotonic with the great-circle distance, so the
tree's Euclidean k-nearest are exactly the great-circle k-nearest; the chord is converted to
km at the end. Several thematiques are queried tree by tree and merged. Results are exact
and deterministic: equal distances are ordered by service id, then place id, then stop id.
``nearest_bruteforce`` computes the same answer with a vectorised haversine over every pair
of the thematiques: the benchmark baseline, and the "index switched off" mode.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

from carteblanche.directory.kdtree import KDTree
from carteblanche.territories.geo import EARTH_RADIUS_KM, great_circle_km_radians

_NONE = -1  # stands for a missing place or stop id in the int64 arrays
_TIE_ROOM = 4  # pairs asked beyond k with one_per_service, so that a service's other places rarely need a second query
_KDTREE_NODE_BYTES = 72  # approximate size of one cKDTree node (ids, split, children pointers)


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One way a service is offered: at a place (or an itinerant stop), or remotely.

    ``place_id`` None with no coordinates means a remote-only offer (phone, online,
    call-back, home visit). ``stop_id`` names an itinerant stop, which has coordinates but
    no place.
    """

    service_id: int
    place_id: int | None
    thematiques: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    stop_id: int | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Candidate(NamedTuple):
    """A (service, place) pair found near a point; ``distance_km`` is great-circle.

    A named tuple rather than a frozen dataclass: a query builds ten or more of them, and a
    tuple is built three times faster.
    """

    service_id: int
    place_id: int | None
    distance_km: float | None
    stop_id: int | None = None


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat = np.radians(lat_deg)
    lon = np.radians(lon_deg)
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def _unit_vector(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    cos_lat = math.cos(lat)
    return (cos_lat * math.cos(lon), cos_lat * math.sin(lon), math.sin(lat))


def km_to_chord(km: float) -> float:
    """Straight-line distance between unit vectors whose great-circle distance is `km`."""
    angle = min(km / EARTH_RADIUS_KM, math.pi)
    return 2.0 * math.sin(angle / 2.0)


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def _km_of_chords(chords: list[float], *, squared: bool = False) -> list[float]:
    """`chord_to_km` for the few chords of one query, in plain Python (numpy's per-call cost dominates)."""
    asin, sqrt, two_r = math.asin, math.sqrt, 2.0 * EARTH_RADIUS_KM
    if squared:
        return [two_r * asin(min(sqrt(c) * 0.5, 1.0)) for c in chords]
    return [two_r * asin(min(c * 0.5, 1.0)) for c in chords]


def _check_point(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"latitude {lat!r} hors de [-90, 90]")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ValueError(f"longitude {lon!r} hors de [-180, 180]")


def _first_per_service(window: list[tuple[float, int]], services: np.ndarray, k: int) -> list[tuple[float, int]]:
    """The first k entries of a sorted window, keeping each service's nearest only."""
    if not window:
        return []
    chosen = []
    seen = set()
    for entry, service in zip(window, services[[position for _, position in window]].tolist(), strict=True):
        if service not in seen:
            seen.add(service)
            chosen.append(entry)
            if len(chosen) == k:
                break
    return chosen


class OfferIndex:
    """Immutable index of the offer; build it once, query it from any thread."""

    __slots__ = (
        "_lat_rad",
        "_lon_rad",
        "_pair_keys",
        "_pair_place",
        "_pair_service",
        "_pair_stop",
        "_remote",
        "_stop_trees",
        "_theme_keys",
        "_theme_pairs",
        "_trees",
    )

    def __init__(
        self,
        *,
        pair_service: np.ndarray,
        pair_place: np.ndarray,
        pair_stop: np.ndarray,
        lat_deg: np.ndarray,
        lon_deg: np.ndarray,
        theme_pairs: dict[str, np.ndarray],
        remote: dict[str, np.ndarray],
    ) -> None:
        self._pair_service = pair_service
        self._pair_place = pair_place
        self._pair_stop = pair_stop
        self._lat_rad = np.radians(lat_deg)
        self._lon_rad = np.radians(lon_deg)
        self._theme_pairs = theme_pairs
        self._remote = remote
        # (service, place, stop) of every pair, whole and per thematique in tree order: one
        # gather turns a query's positions into ids.
        self._pair_keys = np.column_stack((pair_service, pair_place, pair_stop)).astype(np.int64, copy=False)
        self._theme_keys = {theme: self._pair_keys[pairs] for theme, pairs in theme_pairs.items()}
        xyz = _unit_vectors(lat_deg, lon_deg)
        self._trees = {theme: KDTree(xyz[pairs]) for theme, pairs in theme_pairs.items()}
        # Itinerant stops alone, per thematique: "which stops pass near this commune" without
        # walking past every place of a dense city.
        self._stop_trees = {}
        for theme, pairs in theme_pairs.items():
            stop_pairs = pairs[pair_stop[pairs] != _NONE]
            if len(stop_pairs):
                self._stop_trees[theme] = (cKDTree(xyz[stop_pairs], leafsize=16, balanced_tree=False), stop_pairs)

    # --- construction -----------------------------------------------------------------

    @classmethod
    def build(cls, rows: Iterable[OfferRow]) -> OfferIndex:
        """Index the rows; duplicate (service, place, stop) rows are merged (thematiques united)."""
        located: dict[tuple[int, int, int], tuple[float, float, set[str]]] = {}
        remote_sets: dict[str, set[int]] = {}
        for row in rows:
            if row.latitude is None or row.longitude is None:
                if row.latitude is not None or row.longitude is not None:
                    raise ValueError(f"service {row.service_id}: latitude et longitude vont ensemble")
                if row.place_id is not None or row.stop_id is not None:
                    raise ValueError(f"service {row.service_id}: lieu {row.place_id} sans coordonnées")
                for theme in row.thematiques:
                    remote_sets.setdefault(theme, set()).add(row.service_id)
                continue
            lat, lon = float(row.latitude), float(row.longitude)
            try:
                _check_point(lat, lon)
            except ValueError as exc:
                raise ValueError(f"service {row.service_id}, lieu {row.place_id}: {exc}") from None
            key = (
                row.service_id,
                _NONE if row.place_id is None else row.place_id,
                _NONE if row.stop_id is None else row.stop_id,
            )
            entry = located.get(key)
            if entry is None:
                located[key] = (lat, lon, set(row.thematiques))
            else:
                entry[2].update(row.thematiques)
        return cls._from_pairs(located, remote_sets)

    @classmethod
    def build_from_arrays(
        cls,
        *,
        service_ids: np.ndarray,
        place_ids: np.ndarray,
        latitudes: np.ndarray,
        longitudes: np.ndarray,
        theme_of_pair: dict[str, np.ndarray],
        remote: dict[str, np.ndarray] | None = None,
        stop_ids: np.ndarray | None = None,
    ) -> OfferIndex:
        """Fast path for large offers already in arrays (one entry per unique located pair).

        ``theme_of_pair[theme]`` holds the positions of that thematique's pairs; place and
        stop ids use -1 for "none". Pairs are reordered here by (service, place, stop).
        """
        n = len(service_ids)
        stops = np.full(n, _NONE, dtype=np.int64) if stop_ids is None else np.asarray(stop_ids, dtype=np.int64)
        services = np.asarray(service_ids, dtype=np.int64)
        places = np.asarray(place_ids, dtype=np.int64)
        order = np.lexsort((stops, places, services))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        lat = np.asarray(latitudes, dtype=np.float64)[order]
        lon = np.asarray(longitudes, dtype=np.float64)[order]
        if n and (np.abs(lat).max() > 90 or np.abs(lon).max() > 180 or not np.isfinite(lat + lon).all()):
            raise ValueError("coordonnées hors des bornes (latitude [-90, 90], longitude [-180, 180])")
        theme_pairs = {
            theme: np.sort(rank[np.asarray(pos, dtype=np.int64)]) for theme, pos in theme_of_pair.items() if len(pos)
        }
        remote_arrays = {t: np.unique(np.asarray(ids, dtype=np.int64)) for t, ids in (remote or {}).items()}
        return cls(
            pair_service=services[order],
            pair_place=places[order],
            pair_stop=stops[order],
            lat_deg=lat,
            lon_deg=lon,
            theme_pairs=theme_pairs,
            remote=remote_arrays,
        )

    @classmethod
    def _from_pairs(
        cls, located: dict[tuple[int, int, int], tuple[float, float, set[str]]], remote_sets: dict[str, set[int]]
    ) -> OfferIndex:
        keys = sorted(located)  # (service, place, stop): the position is the tie-break order
        n = len(keys)
        services = np.fromiter((k[0] for k in keys), dtype=np.int64, count=n)
        places = np.fromiter((k[1] for k in keys), dtype=np.int64, count=n)
        stops = np.fromiter((k[2] for k in keys), dtype=np.int64, count=n)
        lat = np.fromiter((located[k][0] for k in keys), dtype=np.float64, count=n)
        lon = np.fromiter((located[k][1] for k in keys), dtype=np.float64, count=n)
        theme_lists: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            for theme in located[key][2]:
                theme_lists.setdefault(theme, []).append(position)
        return cls(
            pair_service=services,
            pair_place=places,
            pair_stop=stops,
            lat_deg=lat,
            lon_deg=lon,
            theme_pairs={t: np.asarray(p, dtype=np.int64) for t, p in theme_lists.items()},
            remote={t: np.asarray(sorted(s), dtype=np.int64) for t, s in remote_sets.items()},
        )

    # --- queries ------------------------------------------------------------------------

    def nearest(
        self,
        thematiques: Sequence[str],
        lat: float,
        lon: float,
        k: int = 20,
        max_km: float | None = None,
        *,
        one_per_service: bool = False,
    ) -> list[Candidate]:
        """The k nearest (service, place) pairs whose service has any of the thematiques.

        With ``one_per_service`` each service appears once, at its nearest place.

        Each tree answers its exact top `want` in (distance, position) order (`kdtree.KDTree`),
        kept in plain Python lists: for ~10 results numpy's per-call overhead would cost more
        than the walk. Without ``one_per_service`` the top k of those windows is the answer;
        with it, a window filled by several places of few services is asked again, larger.
        """
        _check_point(lat, lon)
        if k <= 0:
            return []
        themes = [t for t in dict.fromkeys(thematiques) if t in self._trees]
        if not themes:
            return []
        point = _unit_vector(lat, lon)
        bound = math.inf if max_km is None else km_to_chord(max_km) * (1 + 1e-12) + 1e-15
        if not one_per_service and len(themes) == 1:  # the common case, in as few steps as possible
            squared, positions = self._trees[themes[0]].query_squared(point, k, bound)
            keys = self._theme_keys[themes[0]][positions].tolist()
            return self._made(_km_of_chords(squared.tolist(), squared=True), keys, max_km)
        if not one_per_service:
            # Any pair of the global top k is in the top k of its own tree, ties included.
            chosen = self._window_trees(themes, point, k, bound)[0][:k]
        else:
            want = k + _TIE_ROOM
            while True:
                window, cutoff = self._window_trees(themes, point, want, bound)
                chosen = _first_per_service(window, self._pair_service, k)
                if cutoff == math.inf or (len(chosen) == k and chosen[-1][0] < cutoff):
                    break  # every pair closer than the k-th answer has been seen
                want *= 4  # several places of one service filled the window: look further
        if not chosen:
            return []
        km = _km_of_chords([chord for chord, _ in chosen])
        return self._made(km, self._pair_keys[[pair for _, pair in chosen]].tolist(), max_km)

    @staticmethod
    def _made(km: list[float], keys: list[list[int]], max_km: float | None) -> list[Candidate]:
        """Candidates from distances and (service, place, stop) ids; -1 ids become None."""
        result = []
        new = tuple.__new__  # Candidate(...) would run a Python-level __new__ per candidate
        for dist, (service, place, stop) in zip(km, keys, strict=True):
            if max_km is not None and dist > max_km:
                continue  # float rounding at the bound
            result.append(
                new(Candidate, (service, None if place == _NONE else place, dist, None if stop == _NONE else stop))
            )
        return result

    def _window_trees(
        self, themes: list[str], point: tuple[float, float, float], want: int, bound: float
    ) -> tuple[list[tuple[float, int]], float]:
        """The `want` nearest pairs of each thematique, merged as sorted (chord, pair position).

        A tree's positions follow the (service, place, stop) order of its pairs, so each tree's
        answer already breaks ties as the index promises. ``cutoff``: every pair not returned
        is at least this far (chord); inf when every pair within the bound was returned.
        """
        merged: dict[int, float] = {}
        cutoff = math.inf
        for theme in themes:
            tree = self._trees[theme]
            chords, positions = tree.query(point, want, bound)
            if len(chords) == want and want < tree.n:
                cutoff = min(cutoff, chords[-1])
            # a pair may carry several thematiques: it is met once per tree, at the same distance
            pairs = self._theme_pairs[theme][positions].tolist() if positions else []
            merged.update(zip(pairs, chords, strict=True))
        window = [(chord, pair) for pair, chord in merged.items()]
        window.sort()
        return window, cutoff

    def _pick(self, pairs: np.ndarray, chords: np.ndarray, k: int, one_per_service: bool) -> np.ndarray:
        order = np.lexsort((pairs, chords))  # distance, then (service, place, stop) order
        if one_per_service:
            services = self._pair_service[pairs[order]]
            _, first = np.unique(services, return_index=True)
            order = order[np.sort(first)]
        return order[:k]

    def _candidates(self, pairs: np.ndarray, chords: np.ndarray, max_km: float | None) -> list[Candidate]:
        km = chord_to_km(chords)
        return self._make(pairs, km, max_km)

    def _make(self, pairs: np.ndarray, km: np.ndarray, max_km: float | None) -> list[Candidate]:
        return self._made(km.tolist(), self._pair_keys[pairs].tolist(), max_km)

    def nearest_bruteforce(
        self,
        thematiques: Sequence[str],
        lat: float,
        lon: float,
        k: int = 20,
        max_km: float | None = None,
        *,
        one_per_service: bool = False,
    ) -> list[Candidate]:
        """Same answer as `nearest`, by a vectorised haversine over every pair of the thematiques."""
        _check_point(lat, lon)
        if k <= 0:
            return []
        arrays = [self._theme_pairs[t] for t in dict.fromkeys(thematiques) if t in self._theme_pairs]
        if not arrays:
            return []
        pairs = arrays[0] if len(arrays) == 1 else np.unique(np.concatenate(arrays))
        km = great_circle_km_radians(math.radians(lat), math.radians(lon), self._lat_rad[pairs], self._lon_rad[pairs])
        if max_km is not None:
            keep = km <= max_km
            pairs, km = pairs[keep], km[keep]
        if not one_per_service and len(km) > k:
            kth = np.partition(km, k - 1)[k - 1]
            keep = km <= kth  # keeps every pair tied with the k-th
            pairs, km = pairs[keep], km[keep]
        chosen = self._pick(pairs, km, k, one_per_service)
        return self._make(pairs[chosen], km[chosen], None)

    def stops_within(self, thematiques: Sequence[str], lat: float, lon: float, max_km: float) -> list[Candidate]:
        """Every itinerant stop of the thematiques within `max_km`, nearest first (same order as `nearest`)."""
        _check_point(lat, lon)
        point = _unit_vector(lat, lon)
        bound = km_to_chord(max_km) * (1 + 1e-12) + 1e-15
        found = []
        for theme in dict.fromkeys(thematiques):
            if theme in self._stop_trees:
                tree, stop_pairs = self._stop_trees[theme]
                found.append(stop_pairs[np.asarray(tree.query_ball_point(point, bound), dtype=np.int64)])
        if not found:
            return []
        pairs = np.unique(np.concatenate(found))
        if not len(pairs):
            return []
        x, y, z = point
        lat_rad, lon_rad = self._lat_rad[pairs], self._lon_rad[pairs]
        cos_lat = np.cos(lat_rad)
        dx, dy, dz = cos_lat * np.cos(lon_rad) - x, cos_lat * np.sin(lon_rad) - y, np.sin(lat_rad) - z
        chords = np.sqrt(dx * dx + dy * dy + dz * dz)
        order = np.lexsort((pairs, chords))
        return self._candidates(pairs[order], chords[order], max_km)

    def remote(self, thematiques: Sequence[str]) -> list[int]:
        """Ids (sorted) of services of any of the thematiques reachable without travelling."""
        arrays = [self._remote[t] for t in dict.fromkeys(thematiques) if t in self._remote]
        if not arrays:
            return []
        ids = arrays[0] if len(arrays) == 1 else np.unique(np.concatenate(arrays))
        return ids.tolist()

    # --- introspection ------------------------------------------------------------------

    @property
    def thematiques(self) -> frozenset[str]:
        return frozenset(self._theme_pairs) | frozenset(self._remote)

    @property
    def pair_count(self) -> int:
        return len(self._pair_service)

    def memory_bytes(self) -> int:
        """Approximate bytes held: id and coordinate arrays plus each tree's points and nodes."""
        total = sum(
            a.nbytes for a in (self._pair_service, self._pair_place, self._pair_stop, self._lat_rad, self._lon_rad)
        )
        total += self._pair_keys.nbytes
        total += sum(a.nbytes for a in self._theme_pairs.values())
        total += sum(a.nbytes for a in self._theme_keys.values())
        total += sum(a.nbytes for a in self._remote.values())
        total += sum(tree.nbytes for tree in self._trees.values())
        for tree, _ in self._stop_trees.values():
            total += tree.data.nbytes + tree.indices.nbytes + tree.size * _KDTREE_NODE_BYTES
        total += sum(pairs.nbytes for _, pairs in self._stop_trees.values())
        return total


class RemoteOffices:
    """Where the offices of the services reachable without travelling are.

    The phone line of a local office is only worth offering near that office, while a
    national line (a service with no office at all) is offered everywhere. Ranking the
    remote services of a thematique needs, per service, its name, its operator and its
    offices (counters, itinerant stops, else its structure's places): kept here, built with
    the index, so a search ranks thousands of remote services without loading them.
    """

    __slots__ = ("_names", "_office_lat", "_office_lon", "_office_service", "_operators", "_tree", "_with_office")

    def __init__(
        self,
        *,
        names: dict[int, str],
        operators: dict[int, str | None],
        office_service: np.ndarray,
        office_lat: np.ndarray,
        office_lon: np.ndarray,
    ) -> None:
        self._names = names
        self._operators = operators
        self._office_service = np.asarray(office_service, dtype=np.int64)
        self._office_lat = np.asarray(office_lat, dtype=np.float64)
        self._office_lon = np.asarray(office_lon, dtype=np.float64)
        self._with_office = frozenset(self._office_service.tolist())
        xyz = _unit_vectors(self._office_lat, self._office_lon)
        self._tree = cKDTree(xyz, leafsize=16, balanced_tree=False) if len(xyz) else None

    def name(self, service_id: int) -> str:
        return self._names.get(service_id, "")

    def operator(self, service_id: int) -> str | None:
        return self._operators.get(service_id)

    def has_office(self, service_id: int) -> bool:
        return service_id in self._with_office

    def nearest_office_km(self, lat: float, lon: float, max_km: float) -> dict[int, float]:
        """Service id -> great-circle km to its nearest office, for the services with an office within `max_km`.

        A hair more than `max_km` may be kept (the chord bound): callers compare the distance.
        Vectorised: a dense city has hundreds of offices within 30 km.
        """
        _check_point(lat, lon)
        if self._tree is None:
            return {}
        bound = km_to_chord(max_km) * (1 + 1e-9) + 1e-12
        found = np.asarray(self._tree.query_ball_point(_unit_vector(lat, lon), bound), dtype=np.int64)
        if not len(found):
            return {}
        office_lat, office_lon = np.radians(self._office_lat[found]), np.radians(self._office_lon[found])
        km = great_circle_km_radians(math.radians(lat), math.radians(lon), office_lat, office_lon)
        services = self._office_service[found]
        order = np.lexsort((km, services))  # per service, nearest office first
        services, km = services[order], km[order]
        first = np.flatnonzero(np.concatenate(([True], services[1:] != services[:-1])))
        return dict(zip(services[first].tolist(), km[first].tolist(), strict=True))
