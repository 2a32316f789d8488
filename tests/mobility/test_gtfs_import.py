"""import_gtfs: validate, write all or nothing, clear errors naming file, line and field."""

from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from carteblanche.mobility.context import get_mobility_context
from carteblanche.mobility.models import GtfsFeed, GtfsStopTime, GtfsTrip
from carteblanche.mobility.travel import Mode, Point, TimeWindow, TravelMeans
from tests.mobility.conftest import STOPS, feed

pytestmark = pytest.mark.django_db


def counts():
    return GtfsFeed.objects.count(), GtfsTrip.objects.count(), GtfsStopTime.objects.count()


def test_without_apply_nothing_is_written(direct_feed, capsys):
    call_command("import_gtfs", str(direct_feed), verbosity=0)
    assert counts() == (0, 0, 0)
    assert "Rien n'est écrit" in capsys.readouterr().out


def test_apply_loads_the_feed_and_the_context_plans_with_it(direct_feed):
    call_command("import_gtfs", str(direct_feed), "--apply", "--slug", "essai", verbosity=0)
    assert counts() == (1, 3, 9)
    ctx = get_mobility_context(refresh=True)
    plans = ctx.trips(
        origin=Point(44.56, 1.34),
        origin_commune="46064",
        destination=Point(44.44, 1.46),
        destination_commune="46042",
        window=TimeWindow(datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12)),
        means=TravelMeans(on_demand=False, solidarity=False),
    )
    pt = [p for p in plans if p.mode == Mode.PUBLIC_TRANSPORT]
    assert len(pt) == 1 and pt[0].cost_eur == 2.0


def test_reimport_replaces_and_network_fare_is_data(transfer_feed, direct_feed):
    call_command("import_gtfs", str(direct_feed), "--apply", "--slug", "essai", verbosity=0)
    call_command(
        "import_gtfs",
        str(transfer_feed),
        "--apply",
        "--slug",
        "essai",
        "--fare-eur",
        "0",
        "--fare-source",
        "https://www.transbus.org/actualite/actu-2019-11-cahors-transports-gratuits-raynal.html",
        verbosity=0,
    )
    assert counts() == (1, 4, 8)
    assert GtfsFeed.objects.get().fare_eur == 0


def test_context_is_rebuilt_when_a_feed_is_imported(direct_feed):
    before = get_mobility_context(refresh=True)
    call_command("import_gtfs", str(direct_feed), "--apply", verbosity=0)
    after = get_mobility_context()
    assert after is not before and after.timetable is not None


HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
BAD_CASES = [
    # (overrides, expected fragments of the message)
    (
        {"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nVIL,Village,95.0,1.34\n"},
        ["stops.txt, ligne 2", "stop_lat", "entre -90"],
    ),
    (
        {"stop_times.txt": HEADER + "out1,8h00,08:00:00,VIL,1\n"},
        ["stop_times.txt, ligne 2", "arrival_time", "HH:MM:SS"],
    ),
    (
        {"stop_times.txt": HEADER + "out1,08:00:00,08:00:00,NOPE,1\n"},
        ["stop_times.txt, ligne 2", "stop_id", "arrêt inconnu « NOPE »"],
    ),
    ({"trips.txt": "route_id,service_id,trip_id\nL9,SEM,out1\n"}, ["trips.txt, ligne 2", "route_id", "ligne inconnue"]),
    ({"routes.txt": "route_id,route_short_name\nL1,1\n"}, ["routes.txt, ligne 1", "route_type", "colonne obligatoire"]),
    ({"calendar.txt": "service_id,monday\nSEM,1\n"}, ["calendar.txt, ligne 1", "tuesday"]),
]


@pytest.mark.parametrize(("overrides", "fragments"), BAD_CASES)
def test_bad_feed_is_refused_with_a_precise_message_and_nothing_changes(tmp_path, direct_feed, overrides, fragments):
    call_command("import_gtfs", str(direct_feed), "--apply", "--slug", "essai", verbosity=0)
    before = counts()
    bad = feed(
        tmp_path,
        name="bad.zip",
        routes=[("L1", "1")],
        trips=[("out1", "L1", "SEM", [("VIL", 8 * 3600), ("CTR", 9 * 3600)])],
        overrides=overrides,
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_gtfs", str(bad), "--apply", "--slug", "essai", verbosity=0)
    for fragment in fragments:
        assert fragment in str(exc.value)
    assert counts() == before


def test_missing_file_and_not_a_zip(tmp_path):
    bad = feed(tmp_path, routes=[], trips=[])
    import zipfile

    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(bad) as src, zipfile.ZipFile(stripped, "w") as dst:
        for name in src.namelist():
            if name != "stop_times.txt":
                dst.writestr(name, src.read(name))
    with pytest.raises(CommandError, match=r"stop_times.txt : fichier obligatoire absent"):
        call_command("import_gtfs", str(stripped), verbosity=0)
    text = tmp_path / "notes.zip"
    text.write_text("pas un zip")
    with pytest.raises(CommandError, match="pas une archive zip"):
        call_command("import_gtfs", str(text), verbosity=0)
    assert counts() == (0, 0, 0)


def test_time_going_backwards_in_a_trip(tmp_path):
    bad = feed(
        tmp_path,
        routes=[("L1", "1")],
        trips=[("out1", "L1", "SEM", [("VIL", 9 * 3600), ("CTR", 8 * 3600)])],
    )
    with pytest.raises(CommandError, match=r"stop_times.txt, ligne 3, champ « arrival_time » : l'heure recule"):
        call_command("import_gtfs", str(bad), "--apply", verbosity=0)
    assert counts() == (0, 0, 0)


def test_fare_without_source_is_refused(direct_feed):
    with pytest.raises(CommandError, match="--fare-source"):
        call_command("import_gtfs", str(direct_feed), "--fare-eur", "0", verbosity=0)
    with pytest.raises(CommandError, match="--fare-eur : nombre attendu"):
        call_command("import_gtfs", str(direct_feed), "--fare-eur", "gratuit", "--fare-source", "x", verbosity=0)


def test_untimed_intermediate_stop_is_interpolated(tmp_path):
    path = feed(
        tmp_path,
        routes=[("L1", "1")],
        trips=[("out1", "L1", "SEM", [("VIL", 8 * 3600), ("CTR", 9 * 3600)])],
        overrides={
            "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "out1,08:00:00,08:00:00,VIL,1\nout1,,,GARE,2\nout1,09:00:00,09:00:00,CTR,3\n"
        },
    )
    call_command("import_gtfs", str(path), "--apply", verbosity=0)
    assert list(GtfsStopTime.objects.order_by("sequence").values_list("arrival", flat=True)) == [28800, 30600, 32400]


def test_stops_fixture_is_fictional():
    assert {s[0] for s in STOPS} == {"VIL", "GARE", "GARE2", "CTR", "HAM"}
