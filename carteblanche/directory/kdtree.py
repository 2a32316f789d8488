"""A k-d tree over 3-D points whose k-nearest query is compiled (numba): exact, ties broken by index.

Why not scipy's ``cKDTree`` for this query: a search asks for ~14 neighbours of one point, and
``cKDTree.query`` spends most of its ~50 µs in Python-level argument handling and output
arrays, not in the tree walk. Here the whole walk is one compiled call (a few µs). The answer
is also exactly ordered: the k smallest (squared distance, index) pairs, so equal distances
(several services at one place) come out in index order, which is the search engine's
tie-break, with no second query. ``cKDTree`` stays for radius queries (``query_ball_point``).

Pure module (numpy, numba), no Django. Numba caches the compiled code beside this file
(``cache=True``): a process loads it in ~1 s, or compiles it in ~3 s when the cache is missing.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LEAF_SIZE = 16
_STACK = 128  # pending subtrees during a walk: the tree's depth is ~log2(n / LEAF_SIZE) + 1


class KDTree:
    """Immutable tree over ``points`` (n × 3); query results are indices into ``points``."""

    __slots__ = ("_nodes", "_order", "_points", "_split", "n")

    def __init__(self, points: np.ndarray, leaf_size: int = LEAF_SIZE) -> None:
        points = np.ascontiguousarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3:
            raise ValueError("points must be an n × 3 array")
        self.n = len(points)
        order = np.arange(self.n, dtype=np.int64)
        # Per node: first and past-last position of its points, split dimension (-1: a leaf),
        # first child (the second is next to it), in one row: a walk reads one cache line a node.
        nodes: list[list[int]] = [[0, self.n, -1, -1]]
        split: list[float] = [0.0]
        pending = [0]
        while pending:
            node = pending.pop()
            start, end = nodes[node][0], nodes[node][1]
            if end - start <= leaf_size:
                continue
            block = points[order[start:end]]
            dim = int(np.argmax(block.max(axis=0) - block.min(axis=0)))
            middle = (end - start) // 2
            part = np.argpartition(block[:, dim], middle)
            order[start:end] = order[start:end][part]
            child = len(nodes)
            nodes[node][2], nodes[node][3] = dim, child
            split[node] = float(points[order[start + middle], dim])
            nodes += [[start, start + middle, -1, -1], [start + middle, end, -1, -1]]
            split += [0.0, 0.0]
            pending += [child, child + 1]
        self._order = order
        self._points = np.ascontiguousarray(points[order])
        self._nodes = np.asarray(nodes, dtype=np.int64).reshape(-1, 4)
        self._split = np.asarray(split, dtype=np.float64)
        _load_compiled()

    def query(self, point: tuple[float, float, float], k: int, bound: float = math.inf) -> tuple[list, list]:
        """The k nearest points within `bound` (Euclidean): (distances, indices) as lists, nearest first.

        Exact and deterministic: the k smallest (distance, index) pairs, in that order.
        Fewer than k when fewer points lie within the bound.
        """
        squared, index = self.query_squared(point, k, bound)
        return np.sqrt(squared).tolist(), index.tolist()

    def query_squared(
        self, point: tuple[float, float, float], k: int, bound: float = math.inf
    ) -> tuple[np.ndarray, np.ndarray]:
        """As `query`, as arrays, with squared distances: (float64, int64)."""
        if self.n == 0 or k <= 0:
            return np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
        return _knn(
            self._points,
            self._order,
            self._nodes,
            self._split,
            point[0],
            point[1],
            point[2],
            min(k, self.n),
            bound * bound if bound != math.inf else math.inf,
        )

    @property
    def nbytes(self) -> int:
        arrays = (self._order, self._points, self._nodes, self._split)
        return sum(a.nbytes for a in arrays)


_compiled = False


def _load_compiled() -> None:
    """Compile (or load from numba's cache) the query once per process, when a tree is built.

    ~1 s from the cache, ~3 s without: paid while the offer index is built, not by the first
    search that queries it.
    """
    global _compiled
    if not _compiled:
        point = np.zeros((1, 3))
        _knn(point, np.zeros(1, dtype=np.int64), np.array([[0, 1, -1, -1]]), np.zeros(1), 0.0, 0.0, 0.0, 1, math.inf)
        _compiled = True


@njit(cache=True, nogil=True)
def _knn(points, order, nodes, split, qx, qy, qz, k, bound2):  # pragma: no cover - compiled
    best_d = np.empty(k, dtype=np.float64)
    best_i = np.empty(k, dtype=np.int64)
    count = 0
    stack_node = np.empty(_STACK, dtype=np.int64)
    stack_low = np.empty(_STACK, dtype=np.float64)
    stack_node[0] = 0
    stack_low[0] = 0.0
    top = 1
    while top > 0:
        top -= 1
        node = stack_node[top]
        low = stack_low[top]
        if low > bound2 or (count == k and low > best_d[k - 1]):
            continue  # nothing in this subtree can enter (a tie at the k-th distance still may)
        dim = nodes[node, 2]
        if dim < 0:
            for position in range(nodes[node, 0], nodes[node, 1]):
                dx = points[position, 0] - qx
                dy = points[position, 1] - qy
                dz = points[position, 2] - qz
                d2 = dx * dx + dy * dy + dz * dz
                if d2 > bound2:
                    continue
                idx = order[position]
                if count == k and (d2 > best_d[k - 1] or (d2 == best_d[k - 1] and idx > best_i[k - 1])):
                    continue
                # insert into the sorted (d2, idx) list, dropping the last one when full
                slot = count if count < k else k - 1
                while slot > 0 and (best_d[slot - 1] > d2 or (best_d[slot - 1] == d2 and best_i[slot - 1] > idx)):
                    best_d[slot] = best_d[slot - 1]
                    best_i[slot] = best_i[slot - 1]
                    slot -= 1
                best_d[slot] = d2
                best_i[slot] = idx
                if count < k:
                    count += 1
            continue
        q = qx if dim == 0 else (qy if dim == 1 else qz)
        diff = q - split[node]
        child = nodes[node, 3]
        near, far = (child, child + 1) if diff < 0 else (child + 1, child)
        far_low = max(low, diff * diff)
        stack_node[top] = far
        stack_low[top] = far_low
        stack_node[top + 1] = near
        stack_low[top + 1] = low
        top += 2
    return best_d[:count], best_i[:count]
