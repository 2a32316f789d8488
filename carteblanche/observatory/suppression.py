"""Small-cell suppression for published counts. Pure module (no Django).

Rule of the open-data exports: a count under `MIN_CELL` is never published, nor a share computed
on fewer than `MIN_CELL` answers; and when one cell of a row is hidden, a second one (the smallest
other non-zero cell) is hidden too, so the row's total cannot reveal it (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_CELL = 5
HIDDEN = None  # what a suppressed cell becomes; exports write "secret" / null


def is_small(count: float | None) -> bool:
    """A positive count under the threshold (zero is published: it reveals nobody)."""
    return count is not None and 0 < count < MIN_CELL


def suppress_row(cells: Mapping[str, float | None]) -> dict[str, float | None]:
    """Hide small cells of one row whose total is published, and one more cell when only one is hidden."""
    out = dict(cells)
    hidden = [name for name, count in cells.items() if is_small(count)]
    for name in hidden:
        out[name] = HIDDEN
    if len(hidden) == 1:
        others = sorted((count, name) for name, count in cells.items() if name not in hidden and count not in (None, 0))
        if others:
            out[others[0][1]] = HIDDEN
    return out


def share_or_none(part: float, total: float) -> float | None:
    """A share only when it rests on at least `MIN_CELL` answers."""
    if total < MIN_CELL:
        return None
    return part / total
