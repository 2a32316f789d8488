"""The engine's hard rules, one test each (see carteblanche/orientation/engine.py)."""

from carteblanche.mobility.travel import MODE_LABELS_FR, Leg, MobilityContext, Mode, TravelMeans, TripPlan
from carteblanche.orientation.engine import Engine, HoursStatus
from carteblanche.orientation.scoring import PHYSICAL_KINDS, Digital, OptionKind
from tests.orientation.factories import (
    CAHORS,
    CIEURAC,
    ENERGY,
    FRANCE_SERVICES_THEME,
    REVERSION,
    channel,
    driver_windows,
    location,
    person,
    service,
)


def _carsat(*channels):
    return service("carsat", channels, operator="carsat", operator_name="Carsat", thematiques=("famille--retraite",))


def _france_services(point=CAHORS):
    return service(
        "fs",
        (channel("counter", "fs-counter", location=location("fs", point, name="France Services")),),
        networks=("france-service",),
        thematiques=(FRANCE_SERVICES_THEME,),
    )


class CarAnyway(MobilityContext):
    """A broken mobility model that always offers a car: the engine must still refuse it."""

    def trips(self, *, origin, origin_commune, destination, destination_commune, window, means):
        leg = Leg(Mode.CAR, 15.0, 12.0)
        return [TripPlan(Mode.CAR, (leg,), (leg,), 15.0, None, "En voiture : 15 minutes.")]


def test_no_online_only_option_without_internet_unless_accompanied():
    offers = [_carsat(channel("online", "web")), _france_services(point=CIEURAC)]
    alone = Engine().plan(person(digital=Digital.NO_INTERNET), [offers[0]])
    assert alone.options == ()
    assert alone.uncovered == ("pension-de-reversion",)

    helped = Engine().plan(person(digital=Digital.NO_INTERNET), offers)
    assert [o.kind for o in helped.options] == [OptionKind.ACCOMPANIED]
    assert helped.options[0].helped_by == "Structure fs"
    assert all(o.kind not in (OptionKind.ONLINE, OptionKind.VIDEO) for o in helped.options)


def test_autonomous_person_gets_the_online_procedure():
    plan = Engine().plan(person(digital=Digital.AUTONOMOUS), [_carsat(channel("online", "web"))])
    assert [o.kind for o in plan.options] == [OptionKind.ONLINE]
    assert plan.options[0].hours_status == HoursStatus.ALWAYS


def test_no_car_trip_without_car_or_driver_even_if_the_model_offers_one():
    offers = [_carsat(channel("counter", location=location("carsat", CAHORS)))]
    plan = Engine(CarAnyway()).plan(person(means=TravelMeans(has_car=False)), offers)
    assert plan.options == ()
    assert [f.kind for f in plan.findings] == ["unreachable", "uncovered_need"]
    assert "pas de moyen d'y aller" in plan.findings[0].text

    with_car = Engine(CarAnyway()).plan(person(means=TravelMeans(has_car=True)), offers)
    assert with_car.options[0].travel.mode == Mode.CAR


def test_driven_only_inside_the_drivers_windows():
    offers = [_carsat(channel("counter", location=location("carsat", CAHORS)))]
    means = TravelMeans(driver_windows=driver_windows("mardi 9-12"))
    plan = Engine().plan(person(means=means), offers)
    option = plan.options[0]
    assert option.travel.mode == Mode.DRIVEN
    assert option.slots and all(s.start.weekday() == 1 and 9 <= s.start.hour < 12 for s in option.slots)


def test_never_an_option_closed_during_all_the_persons_availability():
    offers = [
        _carsat(
            channel("phone", hours="Mo-Fr 09:00-16:00; PH off"),
            channel("counter", location=location("carsat", CIEURAC)),
        )
    ]
    plan = Engine().plan(person(free="samedi 9-12, dimanche"), offers)
    assert plan.options == ()


def test_public_holidays_are_honoured():
    # 14 May 2026 is Ascension Day: the next Thursday slot is the 21st.
    offers = [_carsat(channel("phone", hours="Mo-Fr 09:00-16:00; PH off"))]
    plan = Engine().plan(person(free="jeudi 9-12"), offers)
    assert [s.start.day for s in plan.options[0].slots] == [21]


def test_unknown_hours_are_to_confirm_ranked_lower_and_never_shown_open():
    known = service(
        "a", (channel("phone", "p1", phone="05 00 00 00 01", hours="Mo-Fr 09:00-16:00"),), thematiques=("x",)
    )
    unknown = service("b", (channel("phone", "p2", phone="05 00 00 00 02", hours=""),), thematiques=("x",))
    need = REVERSION.__class__("n", "Besoin", thematiques=("x",))
    plan = Engine().plan(person(needs=(need,)), [unknown, known])
    assert [o.phone for o in plan.options] == ["05 00 00 00 01", "05 00 00 00 02"]
    to_confirm = plan.options[1]
    assert to_confirm.hours_status == HoursStatus.TO_CONFIRM
    assert to_confirm.slots == ()
    assert any("à confirmer" in w for w in to_confirm.warnings)


def test_never_a_service_whose_eligibility_excludes_the_person():
    youth = _carsat(channel("phone"))
    youth = youth.__class__(**{**{f: getattr(youth, f) for f in youth.__slots__}, "id": "y", "age_max": 25})
    seniors_only = service("s", (channel("phone", phone="05 00 00 00 03"),), thematiques=("famille--retraite",))
    seniors_only = seniors_only.__class__(
        **{**{f: getattr(seniors_only, f) for f in seniors_only.__slots__}, "publics": ("jeunes",)}
    )
    other_zone = service(
        "z", (channel("phone", phone="05 00 00 00 04"),), thematiques=("famille--retraite",), zone_eligibilite=("75",)
    )
    my_zone = service(
        "m", (channel("phone", phone="05 00 00 00 05"),), thematiques=("famille--retraite",), zone_eligibilite=("46",)
    )
    need = REVERSION.__class__("n", "Retraite", thematiques=("famille--retraite",))
    plan = Engine().plan(person(needs=(need,), age=78), [youth, seniors_only, other_zone, my_zone])
    assert [o.service_ids for o in plan.options] == [("m",)]
    assert {f.detail for f in plan.findings if f.kind == "excluded"} == {"y", "s", "z"}


def test_every_travel_time_is_explained_by_its_mode():
    offers = [
        _carsat(channel("counter", location=location("carsat", CAHORS, name="Agence Carsat"))),
        _france_services(point=CIEURAC),
    ]
    means = TravelMeans(has_car=True)
    plan = Engine().plan(person(needs=(REVERSION,), means=means, digital=Digital.WITH_HELP), offers)
    physical = [o for o in plan.options if o.kind in PHYSICAL_KINDS]
    assert physical
    for option in physical:
        assert option.travel is not None
        assert MODE_LABELS_FR[option.travel.mode].lower() in option.travel.text.lower()
        assert "minute" in option.travel.text


def test_one_visit_covering_two_needs_ranks_higher():
    both = service(
        "both",
        (channel("counter", location=location("both", CAHORS, name="Deux en un")),),
        thematiques=("famille--retraite", "difficultes-financieres--energie"),
        operator="carsat",
    )
    one = service(
        "one",
        (channel("counter", location=location("one", CAHORS, name="Un seul")),),
        thematiques=("famille--retraite",),
        operator="carsat",
    )
    means = TravelMeans(has_car=True)
    plan = Engine().plan(person(needs=(REVERSION, ENERGY), means=means), [one, both])
    assert plan.options[0].location.name == "Deux en un"
    assert set(plan.options[0].needs) == {"pension-de-reversion", "factures-energie"}
    assert plan.options[0].score > plan.options[1].score


def test_at_most_five_options_and_no_phone_without_phone():
    offers = [
        service(f"s{i}", (channel("phone", f"p{i}", phone=f"05 00 00 00 {i:02d}"),), thematiques=("famille--retraite",))
        for i in range(9)
    ] + [
        service(
            f"c{i}", (channel("callback", f"c{i}", phone=f"05 10 00 00 {i:02d}"),), thematiques=("famille--retraite",)
        )
        for i in range(9)
    ]
    need = REVERSION.__class__("n", "Retraite", thematiques=("famille--retraite",))
    plan = Engine().plan(person(needs=(need,)), offers)
    assert 0 < len(plan.options) <= 5
    assert Engine().plan(person(needs=(need,), has_phone=False), offers).options == ()
