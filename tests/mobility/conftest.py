"""Small GTFS feeds written to tmp_path (fictional stops and times near Cahors)."""

import pytest

from carteblanche.mobility.samples import write_gtfs_zip

H = 3600
# Fictional stops: a village stop, a station with a second stop 70 m away, a town-centre stop.
STOPS = [
    ("VIL", "Village - Mairie", 44.5600, 1.3400),
    ("GARE", "Gare", 44.4500, 1.4400),
    ("GARE2", "Gare - quai bus", 44.4505, 1.4405),
    ("CTR", "Centre", 44.4400, 1.4600),
    ("HAM", "Hameau", 44.6000, 1.3000),
]
WEEKDAY_SERVICE = ("SEM", (1, 1, 1, 1, 1, 0, 0), "20260101", "20261231")


def feed(tmp_path, name="feed.zip", **kwargs):
    kwargs.setdefault("stops", STOPS)
    kwargs.setdefault("calendar", [WEEKDAY_SERVICE])
    return write_gtfs_zip(tmp_path / name, **kwargs)


@pytest.fixture
def direct_feed(tmp_path):
    """Line 1 village -> centre at 8:00, back at 11:00 and 16:00, weekdays except 1 May."""
    return feed(
        tmp_path,
        "direct.zip",
        routes=[("L1", "1")],
        trips=[
            ("out1", "L1", "SEM", [("VIL", 8 * H), ("GARE", 8 * H + 1800), ("CTR", 8 * H + 2400)]),
            ("back1", "L1", "SEM", [("CTR", 11 * H), ("GARE", 11 * H + 600), ("VIL", 11 * H + 2400)]),
            ("back2", "L1", "SEM", [("CTR", 16 * H), ("GARE", 16 * H + 600), ("VIL", 16 * H + 2400)]),
        ],
        calendar_dates=[("SEM", "20260501", 2)],
        fares=[("F1", 1.0, "L1")],
    )


@pytest.fixture
def transfer_feed(tmp_path):
    """Hamlet -> station on line 10, walk 70 m, station quay -> centre on line 20; and back."""
    return feed(
        tmp_path,
        "transfer.zip",
        routes=[("L10", "10"), ("L20", "20")],
        trips=[
            ("a", "L10", "SEM", [("HAM", 7 * H + 1800), ("GARE", 8 * H + 600)]),
            ("b", "L20", "SEM", [("GARE2", 8 * H + 1200), ("CTR", 8 * H + 1800)]),
            ("c", "L20", "SEM", [("CTR", 12 * H), ("GARE2", 12 * H + 600)]),
            ("d", "L10", "SEM", [("GARE", 12 * H + 1200), ("HAM", 12 * H + 3600)]),
        ],
    )


@pytest.fixture
def one_way_feed(tmp_path):
    """Only a morning trip to the centre: no way back the same day."""
    return feed(
        tmp_path,
        "oneway.zip",
        routes=[("L1", "1")],
        trips=[("out1", "L1", "SEM", [("VIL", 8 * H), ("CTR", 8 * H + 2400)])],
    )
