"""Accessibility weighted by capacity: the two-step floating catchment area method (2SFCA). Pure module.

Luo & Wang (2003): step 1, each counter's capacity is shared among the people living within the
catchment threshold of it (ratio R_j = S_j / sum of P_k with t_kj <= d0); step 2, each commune adds
up the ratios of the counters within the threshold of it (A_i = sum of R_j with t_ij <= d0). Here
the capacity S_j is a counter's opening hours in a reference week, so A_i reads "hours of opening
per week available per inhabitant" (shown per 1,000 inhabitants). Unlike a nearest-distance figure,
it falls where many people share one small counter.
"""

from __future__ import annotations

from collections.abc import Sequence

PER_INHABITANTS = 1000


def two_step_fca(
    populations: Sequence[float],
    capacities: Sequence[float],
    minutes: Sequence[Sequence[float | None]],
    threshold: float,
) -> list[float]:
    """A_i for each commune i, per PER_INHABITANTS inhabitants. `minutes[i][j]`: travel time from
    commune i to counter j, None when there is no way."""
    n_supply = len(capacities)
    demand = [0.0] * n_supply
    for i, row in enumerate(minutes):
        for j, time in enumerate(row):
            if time is not None and time <= threshold:
                demand[j] += populations[i]
    ratios = [capacities[j] / demand[j] if demand[j] > 0 else 0.0 for j in range(n_supply)]
    return [
        PER_INHABITANTS * sum(ratios[j] for j, time in enumerate(row) if time is not None and time <= threshold)
        for row in minutes
    ]
