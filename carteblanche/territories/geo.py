"""Where and when on the territory: the one great-circle distance and the one time zone.

Pure module (no Django): the search index, the travel model, the RAPTOR router and the
orientation engine all import it, so that a distance shown on a results page, a plan and a
referral is the same number, and every "today" is the same day.
"""

import math
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike

# The territory's clock: opening hours, slots, periods of indicators and "today" are read in it.
PARIS = ZoneInfo("Europe/Paris")

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two points in degrees, in kilometres.

    Plain ``math`` rather than numpy: one pair costs well under a microsecond this way, and the
    callers ask for thousands of single pairs (a plan's options, a results page's stops).
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    sin_dphi = math.sin((phi2 - phi1) * 0.5)
    sin_dlambda = math.sin(math.radians(lon2 - lon1) * 0.5)
    h = sin_dphi * sin_dphi + math.cos(phi1) * math.cos(phi2) * sin_dlambda * sin_dlambda
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def great_circle_km_radians(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """`great_circle_km` over numpy arrays given in radians (broadcast), for many pairs at once.

    Radians because the offer index keeps its points converted once; the router converts its stops.
    """
    sin_dphi = np.sin(np.subtract(lat2, lat1) * 0.5)
    sin_dlambda = np.sin(np.subtract(lon2, lon1) * 0.5)
    h = sin_dphi * sin_dphi + np.cos(lat1) * np.cos(lat2) * sin_dlambda * sin_dlambda
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
