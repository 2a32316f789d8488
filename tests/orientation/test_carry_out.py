"""Carry-out-able options only: no phone, evenings/weekends only, the driver's windows, where trips
start, and unknown hours that never hide the nearest competent place."""

from carteblanche.mobility.travel import Mode, TravelMeans
from carteblanche.orientation.engine import Engine, HoursStatus, NeedRequest
from carteblanche.orientation.scoring import OptionKind
from tests.orientation.factories import (
    CAHORS,
    CIEURAC,
    FRANCE_SERVICES_THEME,
    REVERSION,
    channel,
    driver_windows,
    location,
    person,
    service,
)

NEED = NeedRequest("aide-logement", "Aide au logement", thematiques=(FRANCE_SERVICES_THEME,), deciders=("caf",))
FAR = location("far", CAHORS, name="Guichet de Cahors")  # about 9 km from Cieurac


def _caf(*channels):
    return service("caf", channels, operator="caf", need_slugs=(NEED.slug,))


def test_without_a_phone_nothing_that_needs_a_call():
    offer = [
        _caf(channel("phone", "p"), channel("callback", "cb")),
        service("social", (channel("home_visit", "hv", phone="05 00 00 00 02"),), need_slugs=(NEED.slug,)),
        _caf(channel("counter", "c", location=FAR)),
    ]
    no_phone = person(needs=(NEED,), has_phone=False, means=TravelMeans(has_car=False, solidarity=True, on_demand=True))
    plan = Engine().plan(no_phone, offer)
    kinds = {o.kind for o in plan.options}
    assert not kinds & {OptionKind.PHONE, OptionKind.CALLBACK, OptionKind.HOME_VISIT}
    for option in plan.options:
        assert option.travel is None or option.travel.mode not in (Mode.SOLIDARITY, Mode.ON_DEMAND)
    with_phone = Engine().plan(person(needs=(NEED,)), offer)
    assert OptionKind.HOME_VISIT in {o.kind for o in with_phone.options}  # the rule, not a missing offer


def test_free_only_on_saturday_a_place_with_unknown_hours_is_said_probably_closed():
    unknown = location("unknown", CIEURAC, hours="", name="Accueil sans horaires")
    offer = [_caf(channel("counter", "c", location=unknown), channel("phone", "caf-phone", phone="05 00 00 00 03"))]
    saturday = Engine().plan(person(needs=(NEED,), free="samedi 9-12", means=TravelMeans(has_car=True)), offer)
    assert all(o.location is None or o.location.key != "unknown" for o in saturday.options)
    finding = next(f for f in saturday.findings if f.kind == "probably_closed")
    assert "Accueil sans horaires" in finding.text and "05 00 00 00 03" in finding.text
    weekday = Engine().plan(person(needs=(NEED,), free="mardi 9-12", means=TravelMeans(has_car=True)), offer)
    assert any(o.location is not None and o.location.key == "unknown" for o in weekday.options)


def test_a_driven_trip_only_inside_the_drivers_windows():
    counter = channel("counter", "c", location=location("c", CAHORS, hours="Mo-Fr 09:00-17:00"))
    means = TravelMeans(has_car=False, driver_windows=driver_windows("mardi 9-12"), solidarity=True)
    plan = Engine().plan(person(needs=(NEED,), means=means), [_caf(counter)])
    option = next(o for o in plan.options if o.kind == OptionKind.COUNTER)
    if option.travel.mode == Mode.DRIVEN:
        assert option.slots and all(slot.start.weekday() == 1 for slot in option.slots)
    else:
        assert option.travel.mode == Mode.SOLIDARITY


def test_unknown_hours_never_hide_the_nearest_competent_place():
    near = location("near", CIEURAC, hours="", name="Antenne proche")
    far = location("far2", CAHORS, hours="Mo-Fr 09:00-17:00", name="Agence lointaine")
    offer = [
        _caf(channel("counter", "near", location=near, phone="05 00 00 00 04")),
        service("caf2", (channel("counter", "far", location=far),), operator="caf", need_slugs=(NEED.slug,)),
    ]
    plan = Engine().plan(person(needs=(NEED,), means=TravelMeans(has_car=True)), offer)
    nearest = next(o for o in plan.options if o.location is not None and o.location.key == "near")
    assert nearest.hours_status == HoursStatus.TO_CONFIRM
    assert any("appelez avant" in w and "05 00 00 00 04" in w for w in nearest.warnings)
    assert nearest.rank < next(o for o in plan.options if o.location is not None and o.location.key == "far2").rank


def _after_work_plan(closing: str):
    from carteblanche.mobility.travel import Point

    lalbenque = Point(44.3380, 1.5450)  # work, about 15 km from Cahors
    counter = channel("counter", "c", location=location("c", CAHORS, hours=f"Mo-Fr 09:00-{closing}"))
    worker = person(
        needs=(REVERSION,),
        free="sauf semaine 8-18",
        means=TravelMeans(has_car=True),
        other_place=lalbenque,
        other_commune="46148",
    )
    busy = person(needs=(REVERSION,), free="semaine 8-18").availability
    worker = worker.__class__(**{n: getattr(worker, n) for n in worker.__slots__} | {"busy": busy})
    return Engine().plan(worker, [service("fund", (counter,), need_slugs=(REVERSION.slug,))])


def test_after_work_the_trip_starts_from_work_and_must_leave_time_there():
    option = next(o for o in _after_work_plan("19:00").options if o.kind == OptionKind.COUNTER)
    assert option.slots and all(slot.start.weekday() < 5 and slot.start.hour == 18 for slot in option.slots)
    assert option.travel.origin_label == "votre lieu de travail"
    # Closing at 18:30: leaving work at 18:00 and driving there leaves no time to be received.
    too_short = _after_work_plan("18:30")
    assert not [o for o in too_short.options if o.kind == OptionKind.COUNTER]
    assert any(f.kind == "unreachable" for f in too_short.findings)


def test_without_a_phone_a_counter_booked_by_phone_only_is_left_out():
    by_phone = channel(
        "counter", "c1", location=location("c1", CIEURAC), appointment_required=True, booking="au 05 00 00 00 05"
    )
    at_desk = channel(
        "counter", "c2", location=location("c2", CAHORS), appointment_required=True, booking="rendez-vous sur place"
    )
    offer = [_caf(by_phone), service("caf2", (at_desk,), operator="caf", need_slugs=(NEED.slug,))]
    keys = {
        o.location.key
        for o in Engine().plan(person(needs=(NEED,), has_phone=False, means=TravelMeans(has_car=True)), offer).options
        if o.location is not None
    }
    assert keys == {"c2"}
    with_phone = Engine().plan(person(needs=(NEED,), means=TravelMeans(has_car=True)), offer)
    assert {o.location.key for o in with_phone.options if o.location is not None} == {"c1", "c2"}
