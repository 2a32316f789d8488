"""The compiled k-d tree: exactly the k smallest (distance, index) pairs, like sorting every point."""

import math

import numpy as np
import pytest

from carteblanche.directory.kdtree import KDTree


def _sorted_answer(points: np.ndarray, point, k: int, bound: float = math.inf) -> tuple[list, list]:
    squared = ((points - np.asarray(point)) ** 2).sum(axis=1)
    keep = np.flatnonzero(squared <= bound * bound)
    order = keep[np.lexsort((keep, squared[keep]))][:k]
    return np.sqrt(squared[order]).tolist(), order.tolist()


@pytest.fixture(scope="module")
def clustered_points() -> np.ndarray:
    """Unit vectors around France, many of them repeated (several services at one place)."""
    rng = np.random.default_rng(7)
    lat = np.radians(rng.normal(46.5, 2.0, 3_000))
    lon = np.radians(rng.normal(2.5, 2.5, 3_000))
    points = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))
    return np.concatenate([points, points[rng.integers(0, 3_000, 2_000)]])  # 2,000 exact duplicates


def test_answers_equal_a_full_sort_with_ties_in_index_order(clustered_points):
    tree = KDTree(clustered_points)
    rng = np.random.default_rng(8)
    for target in rng.integers(0, len(clustered_points), 200):
        point = tuple(clustered_points[target] + rng.normal(0, 1e-4, 3))
        for k in (1, 10, 57):
            assert tree.query(point, k) == _sorted_answer(clustered_points, point, k)


def test_a_point_shared_by_many_records_returns_them_in_index_order():
    points = np.array([[1.0, 0.0, 0.0]] * 40 + [[0.0, 1.0, 0.0]] * 5)
    tree = KDTree(points, leaf_size=4)
    distances, indices = tree.query((1.0, 0.0, 0.0), 12)
    assert indices == list(range(12)) and distances == [0.0] * 12
    _, indices = tree.query((0.0, 1.0, 0.0), 7)
    assert indices == [40, 41, 42, 43, 44, 0, 1]


def test_the_bound_limits_the_answer(clustered_points):
    tree = KDTree(clustered_points)
    point = tuple(clustered_points[0])
    for bound in (0.0, 1e-3, 5e-3, 0.05):
        assert tree.query(point, 500, bound) == _sorted_answer(clustered_points, point, 500, bound)
    assert len(tree.query(point, 500, 0.0)[0]) >= 1  # the point itself lies at distance 0


def test_small_and_empty_trees():
    assert KDTree(np.empty((0, 3))).query((1.0, 0.0, 0.0), 5) == ([], [])
    tree = KDTree(np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]))
    assert tree.query((0.0, 0.0, 1.0), 10)[1] == [0, 1]  # k above n: every point
    assert tree.query((0.0, 0.0, 1.0), 0) == ([], [])
    with pytest.raises(ValueError, match="n × 3"):
        KDTree(np.zeros((4, 2)))
