"""The one great-circle distance and the one time zone of the territory."""

import math

import numpy as np
import pytest
from django.conf import settings

from carteblanche.territories.geo import EARTH_RADIUS_KM, PARIS, great_circle_km, great_circle_km_radians

PARIS_CENTRE = (48.8566, 2.3522)
LYON = (45.7640, 4.8357)
CAHORS = (44.4475, 1.4419)


def test_known_distances():
    assert great_circle_km(*PARIS_CENTRE, *LYON) == pytest.approx(391.5, abs=1.0)
    assert great_circle_km(*CAHORS, *CAHORS) == 0.0
    # A quarter of a meridian, from the equator to the pole.
    assert great_circle_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)


def test_symmetric_and_antipodes_do_not_overflow():
    assert great_circle_km(*CAHORS, *LYON) == pytest.approx(great_circle_km(*LYON, *CAHORS))
    assert great_circle_km(10.0, 20.0, -10.0, -160.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_the_array_form_is_the_same_formula():
    rng = np.random.default_rng(5)
    lats, lons = rng.uniform(-80, 80, 500), rng.uniform(-179, 179, 500)
    many = great_circle_km_radians(math.radians(CAHORS[0]), math.radians(CAHORS[1]), np.radians(lats), np.radians(lons))
    one_by_one = [great_circle_km(*CAHORS, lat, lon) for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True)]
    assert many.tolist() == pytest.approx(one_by_one, rel=1e-12, abs=1e-9)


def test_the_time_zone_is_the_settings_one():
    assert PARIS.key == settings.TIME_ZONE == "Europe/Paris"
