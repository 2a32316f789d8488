"""Public transport plans from small generated GTFS feeds (pure: no database)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from carteblanche.mobility.gtfs import parse_gtfs, timetable_from_parsed
from carteblanche.mobility.travel import MobilityContext, Mode, Point, TimeWindow, TravelMeans
from carteblanche.territories.geo import PARIS

VILLAGE = Point(44.5600, 1.3400)
HAMLET = Point(44.6003, 1.3003)  # ~40 m from the hamlet stop
CENTRE = Point(44.4402, 1.4602)
MEANS = TravelMeans(public_transport=True, on_demand=False, solidarity=False)


def context(*paths, fare=None):
    return MobilityContext(
        timetable=timetable_from_parsed([(f"f{i}", parse_gtfs(p), fare) for i, p in enumerate(paths)])
    )


def plans(ctx, origin, start, end, **kwargs):
    return ctx.trips(
        origin=origin,
        origin_commune="46064",
        destination=CENTRE,
        destination_commune="46042",
        window=TimeWindow(start, end),
        means=kwargs.pop("means", MEANS),
        **kwargs,
    )


def only_pt(result):
    pts = [p for p in result if p.mode == Mode.PUBLIC_TRANSPORT]
    assert len(pts) <= 1
    return pts[0] if pts else None


def test_direct_trip_there_and_back(direct_feed):
    plan = only_pt(plans(context(direct_feed), VILLAGE, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12)))
    assert plan is not None
    rides = [leg for leg in plan.outbound if leg.mode == Mode.PUBLIC_TRANSPORT]
    assert [(r.line, r.stop_from, r.stop_to) for r in rides] == [("ligne 1", "Village - Mairie", "Centre")]
    assert rides[0].depart == datetime(2026, 3, 10, 8, 0)
    assert plan.outbound[-1].mode == Mode.WALK and plan.outbound[-1].arrive > datetime(2026, 3, 10, 8, 40)
    back = [leg for leg in plan.inbound if leg.mode == Mode.PUBLIC_TRANSPORT]
    assert back[0].depart == datetime(2026, 3, 10, 11, 0)  # first bus after the visit
    assert 40 <= plan.door_to_door_minutes < 45
    assert plan.cost_eur == 2.0  # 1 € each way, from fare_rules
    assert any("Dernier départ possible pour rentrer : 15 h 5" in c for c in plan.constraints)
    assert "ligne 1" in plan.explanation and "8 h" in plan.explanation


def test_aware_windows_give_aware_times(direct_feed):
    start = datetime(2026, 3, 10, 9, tzinfo=PARIS).astimezone(ZoneInfo("UTC"))
    plan = only_pt(plans(context(direct_feed), VILLAGE, start, start.replace(hour=11)))
    ride = next(leg for leg in plan.outbound if leg.mode == Mode.PUBLIC_TRANSPORT)
    assert ride.depart == datetime(2026, 3, 10, 8, tzinfo=PARIS)


def test_trip_with_one_transfer(transfer_feed):
    plan = only_pt(plans(context(transfer_feed), HAMLET, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12, 30)))
    assert plan is not None
    kinds = [(leg.mode, leg.line) for leg in plan.outbound]
    assert kinds == [
        (Mode.WALK, ""),
        (Mode.PUBLIC_TRANSPORT, "ligne 10"),
        (Mode.WALK, "correspondance à pied"),
        (Mode.PUBLIC_TRANSPORT, "ligne 20"),
        (Mode.WALK, ""),
    ]
    assert "1 correspondance" in plan.explanation
    assert plan.cost_eur is None  # the feed has no fares: unknown, not free
    assert any("Prix du trajet non communiqué" in c for c in plan.constraints)


def test_network_fare_given_as_data_applies_to_every_ride(transfer_feed):
    plan = only_pt(
        plans(context(transfer_feed, fare=0.0), HAMLET, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12, 30))
    )
    assert plan.cost_eur == 0.0


def test_no_service_on_a_day_off(direct_feed):
    ctx = context(direct_feed)
    assert only_pt(plans(ctx, VILLAGE, datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 12))) is None  # 1 May removed
    assert only_pt(plans(ctx, VILLAGE, datetime(2026, 3, 14, 9), datetime(2026, 3, 14, 12))) is None  # Saturday
    assert only_pt(plans(ctx, VILLAGE, datetime(2026, 4, 30, 9), datetime(2026, 4, 30, 12))) is not None


def test_no_return_the_same_day_means_no_plan(one_way_feed):
    assert only_pt(plans(context(one_way_feed), VILLAGE, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12))) is None


def test_visit_must_fit_before_the_slot_ends(direct_feed):
    # Slot 8:30-8:50: the bus arrives 8:40, a 45-minute visit does not fit.
    assert (
        only_pt(plans(context(direct_feed), VILLAGE, datetime(2026, 3, 10, 8, 30), datetime(2026, 3, 10, 8, 50)))
        is None
    )


def test_too_far_from_any_stop(direct_feed):
    far = Point(44.70, 1.10)
    assert only_pt(plans(context(direct_feed), far, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12))) is None


def test_public_transport_off_gives_no_public_transport(direct_feed):
    off = TravelMeans(public_transport=False, on_demand=False, solidarity=False)
    assert (
        only_pt(plans(context(direct_feed), VILLAGE, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12), means=off))
        is None
    )


def test_planner_gives_the_same_trips_as_trips_on_a_network(direct_feed):
    """The per-origin planner (shared one-to-many searches, skipped hopeless searches) changes nothing."""
    ctx = context(direct_feed)
    for origin in (VILLAGE, HAMLET, CENTRE):
        planner = ctx.planner(origin=origin, origin_commune="46064", means=MEANS)
        for day in (9, 10, 14, 15):  # Monday, Tuesday, Saturday, Sunday
            for start_hour, end_hour in ((7, 9), (9, 12), (8, 11), (14, 17), (16, 23)):
                window = TimeWindow(datetime(2026, 3, day, start_hour), datetime(2026, 3, day, end_hour))
                for destination in (VILLAGE, CENTRE, HAMLET):
                    expected = ctx.trips(
                        origin=origin,
                        origin_commune="46064",
                        destination=destination,
                        destination_commune="46042",
                        window=window,
                        means=MEANS,
                    )
                    got = planner.trips(destination=destination, destination_commune="46042", window=window)
                    assert got == expected


def test_planner_matches_trips_on_the_synthetic_national_network():
    import random

    from carteblanche.mobility.samples import synthetic_network

    tt = synthetic_network(n_routes=60, seed=3, n_hubs=30)
    ctx = MobilityContext(timetable=tt)
    rng = random.Random(5)
    found = 0
    for _ in range(12):
        o = rng.randrange(len(tt.stop_ids))
        origin = Point(float(tt.stop_lat[o]) + 0.003, float(tt.stop_lon[o]))
        planner = ctx.planner(origin=origin, origin_commune="00000", means=MEANS)
        near = tt.stops_near(origin.latitude, origin.longitude, 40.0, limit=60)
        # The nearest stops first: a place whose stop is within walking reach of home is the
        # case where "leaving any time" bounds nothing (a walk beats every ride).
        for d in [stop for stop, _ in near[1:4]] + [rng.choice(near)[0] for _ in range(6)]:
            destination = Point(float(tt.stop_lat[d]), float(tt.stop_lon[d]) - 0.002)
            day = rng.choice((9, 10, 14, 15))
            start = rng.randrange(6, 20)
            window = TimeWindow(
                datetime(2026, 3, day, start), datetime(2026, 3, day, min(23, start + rng.randint(1, 4)))
            )
            expected = ctx.trips(
                origin=origin,
                origin_commune="00000",
                destination=destination,
                destination_commune="00000",
                window=window,
                means=MEANS,
            )
            assert planner.trips(destination=destination, destination_commune="00000", window=window) == expected
            found += any(p.mode == Mode.PUBLIC_TRANSPORT for p in expected)
    assert found >= 10  # the comparison covered real public transport trips, not only "no way"
