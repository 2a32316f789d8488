"""frequencies.txt: headway-based trips are expanded into real departures for RAPTOR, or the feed
is refused naming the file and line — never half-imported."""

from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from carteblanche.mobility.context import get_mobility_context
from carteblanche.mobility.gtfs import GtfsError, parse_gtfs
from carteblanche.mobility.models import GtfsTrip
from carteblanche.mobility.travel import Mode, Point, TimeWindow, TravelMeans
from tests.mobility.conftest import H, feed

SHUTTLE = ("nav", "N", "SEM", [("GARE", 5 * H), ("CTR", 5 * H + 600)])  # template: only the 10-minute gap counts


def shuttle_feed(tmp_path, frequencies: str, trips=(SHUTTLE,)):
    return feed(
        tmp_path,
        "freq.zip",
        routes=[("N", "navette")],
        trips=list(trips),
        fares=[("F1", 1.0, "N")],
        overrides={"frequencies.txt": frequencies},
    )


@pytest.mark.parametrize("exact", ["0", "1", ""])
def test_headway_trips_become_one_trip_per_departure(tmp_path, exact):
    path = shuttle_feed(
        tmp_path,
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        f"nav,07:00:00,08:00:00,1200,{exact}\n"
        f"nav,17:00:00,17:30:00,900,{exact}\n",
    )
    parsed = parse_gtfs(path)
    assert "nav" not in parsed.trips  # the template's own 05:00 times are not a departure
    departures = sorted(times[0][3] for times in parsed.stop_times.values())
    assert departures == [7 * H, 7 * H + 1200, 7 * H + 2400, 17 * H, 17 * H + 900]  # end time excluded
    assert all(times[-1][2] - times[0][3] == 600 for times in parsed.stop_times.values())
    assert set(parsed.trips) == {"nav@07:00:00", "nav@07:20:00", "nav@07:40:00", "nav@17:00:00", "nav@17:15:00"}
    assert (parsed.frequency_templates, parsed.frequency_trips) == (1, 5)


@pytest.mark.django_db
def test_import_writes_expanded_trips_and_plans_use_them(tmp_path):
    trips = [
        ("nav", "N", "SEM", [("VIL", 5 * H), ("GARE", 5 * H + 1800), ("CTR", 5 * H + 2400)]),
        ("ret", "N", "SEM", [("CTR", 5 * H), ("GARE", 5 * H + 600), ("VIL", 5 * H + 2400)]),
    ]
    frequencies = (
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        "nav,09:00:00,12:00:00,3600,1\n"
        "ret,12:00:00,14:00:00,3600,0\n"
    )
    path = shuttle_feed(tmp_path, frequencies, trips)
    call_command("import_gtfs", str(path), "--apply", "--slug", "freq", verbosity=0)
    assert sorted(GtfsTrip.objects.values_list("trip_id", flat=True)) == [
        "nav@09:00:00",
        "nav@10:00:00",
        "nav@11:00:00",
        "ret@12:00:00",
        "ret@13:00:00",
    ]
    plans = get_mobility_context(refresh=True).trips(
        origin=Point(44.56, 1.34),
        origin_commune="46064",
        destination=Point(44.44, 1.46),
        destination_commune="46042",
        window=TimeWindow(datetime(2026, 3, 10, 10, 30), datetime(2026, 3, 10, 11, 30)),
        means=TravelMeans(on_demand=False, solidarity=False),
    )
    bus = [p for p in plans if p.mode == Mode.PUBLIC_TRANSPORT]
    assert len(bus) == 1  # there and back only exist as expanded departures (templates run at 05:00)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("nav,08:00:00,07:00:00,600,1", "frequencies.txt, ligne 2, champ « end_time »"),
        ("nav,07:00:00,08:00:00,0,1", "frequencies.txt, ligne 2, champ « headway_secs »"),
        ("nav,07:00:00,08:00:00,600,2", "frequencies.txt, ligne 2, champ « exact_times »"),
        ("fantome,07:00:00,08:00:00,600,1", "course inconnue « fantome »"),
        ("nav,7h,08:00:00,600,1", "frequencies.txt, ligne 2, champ « start_time »"),
        ("nav,07:00:00,09:00:00,600,1\nnav,08:30:00,10:00:00,600,1", "frequencies.txt, ligne 3, champ « start_time »"),
    ],
)
def test_bad_frequencies_refuse_the_feed_naming_file_line_and_field(tmp_path, rows, expected):
    path = shuttle_feed(tmp_path, "trip_id,start_time,end_time,headway_secs,exact_times\n" + rows + "\n")
    with pytest.raises(GtfsError) as exc:
        parse_gtfs(path)
    assert expected in str(exc.value)


def test_missing_header_column_is_named(tmp_path):
    path = shuttle_feed(tmp_path, "trip_id,start_time,end_time\nnav,07:00:00,08:00:00\n")
    with pytest.raises(GtfsError) as exc:
        parse_gtfs(path)
    assert "frequencies.txt, ligne 1, champ « headway_secs » : colonne obligatoire absente" in str(exc.value)


@pytest.mark.django_db
def test_refused_feed_writes_nothing(tmp_path):
    path = shuttle_feed(tmp_path, "trip_id,start_time,end_time,headway_secs\nnav,09:00:00,08:00:00,600\n")
    with pytest.raises(CommandError, match=r"frequencies\.txt"):
        call_command("import_gtfs", str(path), "--apply", "--slug", "freq", verbosity=0)
    assert GtfsTrip.objects.count() == 0
