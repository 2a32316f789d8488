"""On-demand transport and solidarity mobility: rules (pure) and the shipped Cahors offers."""

import re
from datetime import datetime, time

import pytest
from django.core.management import call_command

from carteblanche.mobility.context import get_mobility_context
from carteblanche.mobility.models import OnDemandService, SolidarityOffer
from carteblanche.mobility.offers import OnDemandOffer
from carteblanche.mobility.offers import SolidarityOffer as SolidarityData
from carteblanche.mobility.travel import MobilityContext, Mode, Point, TimeWindow, TravelMeans

CAHORS = Point(44.45084, 1.44053)
CATUS = Point(44.55807, 1.34112)
PRADINES = Point(44.46481, 1.38916)
CIEURAC = Point(44.37056, 1.49819)
TUESDAY_9_12 = TimeWindow(datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 12))
NO_PT = TravelMeans(public_transport=False)

# Fictional test offer (not real data): booking the day before 12:00, Tuesdays and Thursdays 8:30-17:00.
ZONE = OnDemandOffer(
    key="test:tad",
    name="TAD d'essai",
    area_label="zone d'essai",
    communes=frozenset({"46064", "46042"}),
    operator="la communauté d'essai",
    booking_phone="01 02 03 04 05",
    booking_days_before=1,
    booking_deadline=time(12, 0),
    cost_eur=2.0,
    destinations=frozenset({"46042"}),
    weekdays=frozenset({1, 3}),
    hours=((time(8, 30), time(17, 0)),),
)


def trips(ctx, origin, origin_commune, window=TUESDAY_9_12, **kwargs):
    return ctx.trips(
        origin=origin,
        origin_commune=origin_commune,
        destination=CAHORS,
        destination_commune=kwargs.pop("destination_commune", "46042"),
        window=window,
        means=kwargs.pop("means", NO_PT),
        **kwargs,
    )


def by_mode(plans, mode):
    return [p for p in plans if p.mode == mode]


def test_on_demand_plan_states_the_booking_rule():
    [plan] = by_mode(trips(MobilityContext(on_demand=[ZONE]), CATUS, "46064"), Mode.ON_DEMAND)
    assert plan.outbound[0].booking_rule == "Réserver la veille avant 12 h au 01 02 03 04 05."
    assert "Réserver la veille avant 12 h" in plan.explanation
    assert plan.cost_eur == 4.0  # there and back
    assert plan.door_to_door_minutes > 20  # shared ride: slower than the car


def test_on_demand_respects_zone_days_hours_and_booking_deadline():
    ctx = MobilityContext(on_demand=[ZONE])
    assert by_mode(trips(ctx, CIEURAC, "46070"), Mode.ON_DEMAND) == []  # outside the zone
    wednesday = TimeWindow(datetime(2026, 3, 11, 9), datetime(2026, 3, 11, 12))
    assert by_mode(trips(ctx, CATUS, "46064", wednesday), Mode.ON_DEMAND) == []  # no service that day
    evening = TimeWindow(datetime(2026, 3, 10, 17), datetime(2026, 3, 10, 19))
    assert by_mode(trips(ctx, CATUS, "46064", evening), Mode.ON_DEMAND) == []  # outside the hours
    in_time = datetime(2026, 3, 9, 11, 59)
    too_late = datetime(2026, 3, 9, 12, 1)
    assert len(by_mode(trips(ctx, CATUS, "46064", now=in_time), Mode.ON_DEMAND)) == 1
    assert by_mode(trips(ctx, CATUS, "46064", now=too_late), Mode.ON_DEMAND) == []
    off = TravelMeans(public_transport=False, on_demand=False)
    assert by_mode(trips(ctx, CATUS, "46064", means=off), Mode.ON_DEMAND) == []


def test_unknown_hours_are_flagged_not_invented():
    vague = OnDemandOffer(
        key="t:v", name="TAD flou", area_label="z", communes=frozenset({"46224", "46042"}), operator="le réseau"
    )
    [plan] = by_mode(trips(MobilityContext(on_demand=[vague]), PRADINES, "46224"), Mode.ON_DEMAND)
    assert plan.cost_eur is None
    assert "Réservation : délai à confirmer auprès de le réseau." in plan.constraints
    assert any(
        c.startswith("Destinations desservies, horaires, jours de circulation à confirmer") for c in plan.constraints
    )
    # Unknown destinations: a trip leaving the zone is not offered.
    assert (
        by_mode(
            trips(MobilityContext(on_demand=[vague]), PRADINES, "46224", destination_commune="46070"), Mode.ON_DEMAND
        )
        == []
    )


def test_solidarity_plan_needs_both_ends_in_the_area_and_says_a_driver_must_be_free():
    offer = SolidarityData(
        key="t:s", name="Covoit d'essai", area_label="z", communes=frozenset({"46064", "46042"}), cost_eur=0.0
    )
    ctx = MobilityContext(solidarity=[offer])
    [plan] = by_mode(trips(ctx, CATUS, "46064"), Mode.SOLIDARITY)
    assert "Sous réserve d'un conducteur disponible." in plan.constraints
    assert "sous réserve d'un conducteur disponible" in plan.explanation
    assert plan.cost_eur == 0.0
    assert by_mode(trips(ctx, CIEURAC, "46070"), Mode.SOLIDARITY) == []
    assert (
        by_mode(
            trips(ctx, CATUS, "46064", means=TravelMeans(public_transport=False, solidarity=False)), Mode.SOLIDARITY
        )
        == []
    )


@pytest.mark.django_db
def test_shipped_offers_kevin_and_sarah(shipped_data):
    call_command("load_mobility", verbosity=0)
    call_command("load_mobility", verbosity=0)  # idempotent
    assert OnDemandService.objects.count() == 2 and SolidarityOffer.objects.count() == 2
    # Lot'Ô car stopped at the end of 2020: kept for the record, never offered as a way to travel.
    lotocar = SolidarityOffer.objects.get(source_id="lotocar")
    assert not lotocar.active and "fin 2020" in lotocar.notes
    ctx = get_mobility_context(refresh=True)
    kevin = trips(ctx, CATUS, "46064")
    assert by_mode(kevin, Mode.ON_DEMAND) == []  # Catus is not in a known on-demand zone
    assert by_mode(kevin, Mode.SOLIDARITY) == []  # Atchoum serves Lalbenque-Limogne only
    sarah = by_mode(trips(ctx, PRADINES, "46224"), Mode.ON_DEMAND)
    [evidence] = sarah
    assert evidence.cost_eur is None
    text = " ".join(evidence.constraints)
    assert "à confirmer auprès de réseau Évidence (Grand Cahors)" in text
    assert not re.search(r"\d\d \d\d \d\d \d\d \d\d", text)  # no phone number was invented
    martine = trips(ctx, CIEURAC, "46070")
    assert [p.mode for p in martine] == []  # no TAD nor running solidarity scheme known in Cieurac


@pytest.mark.django_db
def test_shipped_atchoum_serves_lalbenque_limogne(shipped_data):
    call_command("load_mobility", verbosity=0)
    ctx = get_mobility_context(refresh=True)
    lalbenque, limogne = Point(44.33330, 1.56515), Point(44.39651, 1.77831)
    plans = ctx.trips(
        origin=limogne,
        origin_commune="46173",
        destination=lalbenque,
        destination_commune="46148",
        window=TUESDAY_9_12,
        means=NO_PT,
    )
    names = {p.outbound[0].line for p in plans}
    assert {"Atchoum", "Transport à la demande du Pays de Lalbenque-Limogne"} <= names
    assert "Lot'Ô car" not in names  # ended


def test_planner_builds_slot_free_trips_once_and_as_trips_does():
    """On foot, by car and solidarity trips do not depend on the slot: one set per destination."""
    offer = SolidarityData(
        key="t:s", name="Covoit d'essai", area_label="z", communes=frozenset({"46064", "46042"}), cost_eur=0.0
    )
    ctx = MobilityContext(solidarity=[offer], on_demand=[ZONE])
    means = TravelMeans(has_car=True, public_transport=False, walk_max_km=20.0)
    planner = ctx.planner(origin=CATUS, origin_commune="46064", means=means)
    thursday = TimeWindow(datetime(2026, 3, 12, 14), datetime(2026, 3, 12, 17))
    first = planner.trips(destination=CAHORS, destination_commune="46042", window=TUESDAY_9_12)
    second = planner.trips(destination=CAHORS, destination_commune="46042", window=thursday)
    for window, got in ((TUESDAY_9_12, first), (thursday, second)):
        direct = ctx.trips(
            origin=CATUS,
            origin_commune="46064",
            destination=CAHORS,
            destination_commune="46042",
            window=window,
            means=means,
        )
        assert got == direct
    assert [t.mode for t in first] == [Mode.WALK, Mode.CAR, Mode.ON_DEMAND, Mode.SOLIDARITY]
    slot_free = [t for t in first if t.mode != Mode.ON_DEMAND]
    assert all(a is b for a, b in zip(slot_free, [t for t in second if t.mode != Mode.ON_DEMAND], strict=True))
