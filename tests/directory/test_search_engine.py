"""The in-process search engine: exact against brute force, deterministic, honest about bounds."""

import math
import random

import numpy as np
import pytest

from carteblanche.directory.search_engine import Candidate, OfferIndex, OfferRow
from carteblanche.territories.geo import great_circle_km

PARIS = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)
CAHORS = (44.4475, 1.4419)


def _keys(candidates: list[Candidate]) -> list[tuple]:
    return [(c.service_id, c.place_id, c.stop_id) for c in candidates]


def _random_rows(seed: int) -> list[OfferRow]:
    rng = random.Random(seed)
    themes = [f"t{i}" for i in range(6)]
    places = [(pid, 43 + rng.random() * 3, -1 + rng.random() * 5) for pid in range(400)]
    rows = []
    for sid in range(1500):
        thematiques = tuple(rng.sample(themes, rng.randint(1, 3)))
        if rng.random() < 0.1:
            rows.append(OfferRow(sid, None, thematiques, None, None))
            continue
        for _ in range(rng.choice([1, 1, 1, 2, 8])):  # some services have many places, places many services
            pid, lat, lon = rng.choice(places)
            rows.append(OfferRow(sid, pid, thematiques, lat, lon))
        if rng.random() < 0.05:
            rows.append(OfferRow(sid, None, thematiques, 44 + rng.random(), rng.random(), stop_id=sid * 10))
    return rows


@pytest.fixture(scope="module")
def random_index() -> OfferIndex:
    return OfferIndex.build(_random_rows(seed=7))


def test_nearest_equals_brute_force_on_random_data(random_index):
    rng = random.Random(11)
    for _ in range(400):
        lat, lon = 42.5 + rng.random() * 4, -1.5 + rng.random() * 6
        themes = rng.sample([f"t{i}" for i in range(7)], rng.randint(1, 3))  # t6 does not exist
        k = rng.choice([1, 3, 10, 40])
        max_km = rng.choice([None, 2.0, 30.0])
        per_service = rng.random() < 0.5
        fast = random_index.nearest(themes, lat, lon, k, max_km, one_per_service=per_service)
        slow = random_index.nearest_bruteforce(themes, lat, lon, k, max_km, one_per_service=per_service)
        assert _keys(fast) == _keys(slow)
        assert [c.distance_km for c in fast] == pytest.approx([c.distance_km for c in slow], abs=1e-6)
        assert len(fast) <= k
        if max_km is not None:
            assert all(c.distance_km <= max_km for c in fast)


def test_results_are_sorted_by_distance_then_service(random_index):
    found = random_index.nearest(["t0", "t1"], 44.0, 1.0, k=60)
    keys = [(c.distance_km, c.service_id) for c in found]
    assert keys == sorted(keys)
    assert len(found) == 60


def test_great_circle_distance_in_km():
    index = OfferIndex.build([OfferRow(1, 10, ("sante",), *LYON)])
    [found] = index.nearest(["sante"], *PARIS, k=5)
    assert found == Candidate(1, 10, pytest.approx(391.5, abs=1.0))
    assert index.nearest_bruteforce(["sante"], *PARIS)[0].distance_km == pytest.approx(found.distance_km, abs=1e-6)


def test_ties_at_one_place_are_broken_by_service_id():
    # 30 services at the same place: the window of the tree is full of ties.
    rows = [OfferRow(sid, 5, ("sante",), *CAHORS) for sid in random.Random(3).sample(range(100, 200), 30)]
    rows.append(OfferRow(1, 6, ("sante",), CAHORS[0] + 0.01, CAHORS[1]))
    index = OfferIndex.build(rows)
    found = index.nearest(["sante"], *CAHORS, k=5)
    assert [c.service_id for c in found] == sorted(r.service_id for r in rows if r.place_id == 5)[:5]
    assert _keys(found) == _keys(index.nearest_bruteforce(["sante"], *CAHORS, k=5))


def test_one_per_service_keeps_the_nearest_place_of_each_service():
    rows = [OfferRow(1, pid, ("sante",), CAHORS[0] + pid * 0.001, CAHORS[1]) for pid in range(1, 50)]
    rows.append(OfferRow(2, 99, ("sante",), CAHORS[0] + 0.5, CAHORS[1]))
    index = OfferIndex.build(rows)
    assert [c.service_id for c in index.nearest(["sante"], *CAHORS, k=3)] == [1, 1, 1]
    per_service = index.nearest(["sante"], *CAHORS, k=3, one_per_service=True)
    assert [(c.service_id, c.place_id) for c in per_service] == [(1, 1), (2, 99)]


def test_several_thematiques_are_merged_without_duplicates():
    rows = [
        OfferRow(1, 10, ("sante", "famille"), *CAHORS),
        OfferRow(2, 11, ("famille",), CAHORS[0] + 0.1, CAHORS[1]),
        OfferRow(3, 12, ("logement",), CAHORS[0] + 0.05, CAHORS[1]),
    ]
    index = OfferIndex.build(rows)
    assert [c.service_id for c in index.nearest(["sante", "famille"], *CAHORS)] == [1, 2]
    assert [c.service_id for c in index.nearest(["famille", "sante", "famille"], *CAHORS)] == [1, 2]


def test_max_km_excludes_farther_places():
    index = OfferIndex.build([OfferRow(1, 10, ("sante",), *LYON), OfferRow(2, 11, ("sante",), *CAHORS)])
    assert [c.service_id for c in index.nearest(["sante"], *PARIS, max_km=450)] == [1]
    assert index.nearest(["sante"], *PARIS, max_km=300) == []
    assert index.nearest_bruteforce(["sante"], *PARIS, max_km=300) == []


def test_remote_services_are_listed_apart():
    index = OfferIndex.build(
        [
            OfferRow(7, None, ("sante",), None, None),
            OfferRow(3, None, ("sante", "famille"), None, None),
            OfferRow(3, None, ("sante",), None, None),
            OfferRow(9, 1, ("sante",), *CAHORS),
        ]
    )
    assert index.remote(["sante"]) == [3, 7]
    assert index.remote(["famille", "sante"]) == [3, 7]
    assert index.remote(["logement"]) == []
    assert [c.service_id for c in index.nearest(["sante"], *CAHORS)] == [9]


def test_itinerant_stops_are_points_without_place():
    index = OfferIndex.build([OfferRow(4, None, ("numerique",), *CAHORS, stop_id=12)])
    assert index.nearest(["numerique"], *CAHORS) == [Candidate(4, None, 0.0, 12)]
    assert index.remote(["numerique"]) == []


def test_unknown_thematique_or_empty_index_gives_nothing():
    assert OfferIndex.build([]).nearest(["sante"], *CAHORS) == []
    index = OfferIndex.build([OfferRow(1, 1, ("sante",), *CAHORS)])
    assert index.nearest(["inconnue"], *CAHORS) == []
    assert index.nearest([], *CAHORS) == []
    assert index.nearest(["sante"], *CAHORS, k=0) == []


@pytest.mark.parametrize(("lat", "lon", "field"), [(91.0, 1.0, "latitude"), (44.0, 181.0, "longitude")])
def test_query_point_out_of_bounds_is_refused(lat, lon, field):
    index = OfferIndex.build([OfferRow(1, 1, ("sante",), *CAHORS)])
    with pytest.raises(ValueError, match=field):
        index.nearest(["sante"], lat, lon)
    with pytest.raises(ValueError, match=field):
        index.nearest_bruteforce(["sante"], lat, lon)


def test_bad_rows_are_refused_with_their_service():
    with pytest.raises(ValueError, match=r"service 5.*latitude"):
        OfferIndex.build([OfferRow(5, 1, ("sante",), 44.0, None)])
    with pytest.raises(ValueError, match="service 6, lieu 2: latitude"):
        OfferIndex.build([OfferRow(6, 2, ("sante",), 123.0, 1.0)])
    with pytest.raises(ValueError, match="service 8: lieu 3 sans coordonnées"):
        OfferIndex.build([OfferRow(8, 3, ("sante",), None, None)])


def test_build_from_arrays_matches_build(random_index):
    rows = [r for r in _random_rows(seed=7) if r.place_id is not None]
    unique = {(r.service_id, r.place_id): r for r in rows}
    keys = list(unique)
    random.Random(2).shuffle(keys)  # any input order
    themes: dict[str, list[int]] = {}
    for pos, key in enumerate(keys):
        for theme in unique[key].thematiques:
            themes.setdefault(theme, []).append(pos)
    index = OfferIndex.build_from_arrays(
        service_ids=np.array([k[0] for k in keys]),
        place_ids=np.array([k[1] for k in keys]),
        latitudes=np.array([unique[k].latitude for k in keys]),
        longitudes=np.array([unique[k].longitude for k in keys]),
        theme_of_pair={t: np.array(p) for t, p in themes.items()},
    )
    from_rows = OfferIndex.build(rows)
    for lat, lon in [(44.0, 1.0), (45.5, 3.2), (43.1, -0.5)]:
        assert _keys(index.nearest(["t2", "t4"], lat, lon, 15)) == _keys(from_rows.nearest(["t2", "t4"], lat, lon, 15))


def test_memory_grows_with_the_offer():
    small = OfferIndex.build(_random_rows(seed=1)[:100])
    large = OfferIndex.build(_random_rows(seed=1))
    assert 0 < small.memory_bytes() < large.memory_bytes()


@pytest.mark.parametrize("themes", [["t0"], ["t1", "t4"], ["t0", "t1", "t2", "t3", "t4", "t5"]])
def test_stops_within_are_every_stop_of_the_thematiques_in_the_radius_nearest_first(random_index, themes):
    rows = _random_rows(seed=7)
    lat, lon = 44.5, 0.5
    expected = sorted(
        (great_circle_km(lat, lon, r.latitude, r.longitude), r.service_id, r.stop_id)
        for r in rows
        if r.stop_id is not None and set(r.thematiques) & set(themes)
    )
    expected = [(service, stop) for km, service, stop in expected if km <= 60]
    found = random_index.stops_within(themes, lat, lon, 60)
    assert [(c.service_id, c.stop_id) for c in found] == expected
    assert all(c.place_id is None for c in found)
    assert [c.distance_km for c in found] == sorted(c.distance_km for c in found)
    assert expected  # the radius holds some stops: the test can fail


def test_remote_offices_within_a_radius():
    from carteblanche.directory.search_engine import RemoteOffices

    offices = RemoteOffices(
        names={1: "Ligne locale", 2: "Ligne nationale"},
        operators={1: "caf", 2: None},
        office_service=np.array([1, 1]),
        office_lat=np.array([CAHORS[0], LYON[0]]),
        office_lon=np.array([CAHORS[1], LYON[1]]),
    )
    assert offices.has_office(1) and not offices.has_office(2)
    assert offices.nearest_office_km(*CAHORS, 30) == {1: 0.0}
    assert offices.nearest_office_km(*PARIS, 30) == {}
    assert (offices.name(2), offices.operator(1), offices.name(99)) == ("Ligne nationale", "caf", "")


def test_each_service_gets_the_distance_of_its_nearest_office_within_the_radius():
    from carteblanche.directory.search_engine import RemoteOffices

    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(44.0, 45.0, 300), rng.uniform(1.0, 2.0, 300)
    service = rng.integers(1, 40, 300)
    offices = RemoteOffices(names={}, operators={}, office_service=service, office_lat=lat, office_lon=lon)
    expected: dict[int, float] = {}
    for s_id, a, b in zip(service.tolist(), lat.tolist(), lon.tolist(), strict=True):
        km = great_circle_km(*CAHORS, a, b)
        if km <= 30:
            expected[s_id] = min(km, expected.get(s_id, math.inf))
    found = offices.nearest_office_km(*CAHORS, 30)
    assert found.keys() == expected.keys() and expected  # some offices lie within 30 km: the test can fail
    assert all(found[s_id] == pytest.approx(km, abs=1e-9) for s_id, km in expected.items())
