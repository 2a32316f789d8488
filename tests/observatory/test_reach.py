"""Reach from a commune, checked on small hand-built cases (no database)."""

from datetime import datetime

import pytest

from carteblanche.mobility.travel import MobilityContext, Point, TimeWindow, road_minutes
from carteblanche.observatory import reach
from carteblanche.observatory.reach import Access, Area, Profile, Way
from carteblanche.orientation.engine import ChannelOffer, Location, NeedRequest, ServiceOffer
from carteblanche.territories.geo import PARIS

WINDOW = TimeWindow(datetime(2026, 12, 1, 9, tzinfo=PARIS), datetime(2026, 12, 1, 12, tzinfo=PARIS))
HOME = Area("46070", "Cieurac", Point(44.38, 1.49), 500)
FAR = Point(44.38 + 15 / 111.0, 1.49)  # 15 km north
NEED = NeedRequest("pension-reversion", "Pension de réversion", ("retraite",), ("carsat",))
CONTEXT = MobilityContext()  # no public transport, no on-demand, no solidarity mobility


def _counter(point: Point, commune: str = "46042", *, kind: str = "counter", **extra) -> ChannelOffer:
    return ChannelOffer(
        id=f"{kind}-{point}", kind=kind, location=Location(f"place:{point}", "Accueil", point, commune), **extra
    )


def _offer(*channels: ChannelOffer, operator: str = "carsat") -> ServiceOffer:
    return ServiceOffer(
        id="1",
        name="Retraite",
        structure_name="Carsat",
        channels=channels,
        operator=operator,
        thematiques=("retraite",),
    )


def _access(offer: ServiceOffer, profile: Profile, area: Area = HOME) -> Access:
    family = reach.reachable(reach.competent_offers([offer], [NEED]))
    return reach.access_matrix([area], [family], profile, CONTEXT, WINDOW)[0][0]


def test_a_counter_in_the_commune_is_a_short_walk_for_everyone():
    offer = _offer(_counter(HOME.point, HOME.code))
    for profile in Profile:
        access = _access(offer, profile)
        assert access.minutes == 0
        assert access.way(10) is Way.TRIP


def test_a_distant_counter_is_reached_by_car_only():
    offer = _offer(_counter(FAR))
    by_car = _access(offer, Profile.CAR)
    expected = road_minutes(HOME.point, FAR)
    assert abs(by_car.minutes - expected) < 2.5  # + parking and walking to the door (CAR_ACCESS_MINUTES)
    assert by_car.way(30) is Way.TRIP
    assert by_car.way(10) is Way.NONE  # 15 km is more than 10 minutes, and nothing remote
    without = _access(offer, Profile.NO_CAR)
    assert without.minutes is None
    assert without.way(30) is Way.NONE


def test_an_itinerant_stop_in_the_commune_serves_it_whatever_the_distance_of_other_places():
    stop = Location("stop:1", "Bus France Services", Point(44.381, 1.491), HOME.code)
    offer = _offer(ChannelOffer(id="bus", kind="itinerant", stops=(stop,)))
    access = _access(offer, Profile.NO_CAR_NO_INTERNET)
    assert access.itinerant_here
    assert access.way(10) is Way.HERE
    assert access.in_person(10)


def test_home_visits_count_only_where_their_area_reaches():
    inside = _offer(ChannelOffer(id="v", kind="home_visit", area_communes=frozenset({HOME.code})))
    outside = _offer(ChannelOffer(id="v", kind="home_visit", area_communes=frozenset({"46042"})))
    assert _access(inside, Profile.NO_CAR).way(20) is Way.HOME
    assert _access(outside, Profile.NO_CAR).way(20) is Way.NONE


def test_online_channels_count_only_for_people_with_internet_and_phone_for_everyone():
    online = _offer(ChannelOffer(id="web", kind="online", url="https://www.info-retraite.fr"))
    assert _access(online, Profile.NO_CAR).way(20) is Way.REMOTE
    assert _access(online, Profile.NO_CAR_NO_INTERNET).way(20) is Way.NONE
    phone = _offer(ChannelOffer(id="tel", kind="phone", phone="3960"))
    assert _access(phone, Profile.NO_CAR_NO_INTERNET).way(20) is Way.REMOTE
    assert not _access(phone, Profile.NO_CAR_NO_INTERNET).in_person(20)


def test_services_of_other_needs_are_not_competent():
    other = _offer(_counter(HOME.point, HOME.code), operator="caf")
    other = ServiceOffer(
        id="2", name="Famille", structure_name="Caf", channels=other.channels, operator="caf", thematiques=("famille",)
    )
    assert reach.competent_offers([other], [NEED]) == []
    assert _access(other, Profile.CAR).way(30) is Way.NONE


def test_population_share_weights_communes_by_population():
    areas = [Area("1", "A", HOME.point, 100), Area("2", "B", HOME.point, 300), Area("3", "C", HOME.point, 0)]
    accesses = [Access(minutes=5), Access(minutes=25, remote=True), Access(minutes=None, itinerant_here=True)]
    in_person_20 = reach.population_share(areas, accesses, 20, in_person=True)
    assert (in_person_20.reached, in_person_20.population, in_person_20.ratio) == (100, 400, 0.25)
    total_20 = reach.population_share(areas, accesses, 20, in_person=False)
    assert total_20.ratio == 1.0
    assert reach.population_share(areas, accesses, 30, in_person=True).ratio == 1.0
    assert reach.population_share([areas[2]], [accesses[2]], 10, in_person=True).ratio is None


def test_two_step_floating_catchment_on_a_hand_computed_case():
    from carteblanche.observatory.catchment import two_step_fca

    # Two communes (1,000 and 3,000 people), two counters (10 h and 30 h a week).
    # Counter 0 is within 20 min of both communes; counter 1 only of the second.
    minutes = [[5.0, 40.0], [15.0, 10.0]]
    scores = two_step_fca([1000, 3000], [10, 30], minutes, 20)
    # R0 = 10 / 4000 = 0.0025 h per person; R1 = 30 / 3000 = 0.01.
    assert scores[0] == pytest.approx(2.5)  # per 1,000 inhabitants
    assert scores[1] == pytest.approx(12.5)
    # Nobody within reach of a counter: it adds nothing; no way at all gives 0.
    assert two_step_fca([100], [10], [[None]], 20) == [0.0]
