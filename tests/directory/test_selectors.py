from datetime import date, datetime

import pytest

from carteblanche.directory.models import Channel
from carteblanche.directory.selectors import (
    get_place_detail,
    get_service_detail,
    get_structure_detail,
    is_eligible,
    search_services,
)
from carteblanche.territories.geo import PARIS
from tests.directory.factories import (
    ChannelFactory,
    ItinerantStopFactory,
    NeedFactory,
    OperatorFactory,
    PlaceFactory,
    ServiceFactory,
    commune,
)

# A Wednesday in term time, morning.
AT = datetime(2026, 3, 4, 8, 0, tzinfo=PARIS)

pytestmark = pytest.mark.usefixtures("shipped_data")


def counter(need, commune_code="46042", **place_kwargs):
    service = ServiceFactory(need=need)
    place = PlaceFactory(structure=service.structure, commune_code=commune_code, **place_kwargs)
    ChannelFactory(service=service, kind=Channel.Kind.COUNTER, place=place)
    return service, place


def ids(results):
    return [r.service.id for r in results]


def test_nearest_place_first_with_distance_from_the_commune():
    need = NeedFactory()
    in_cahors, _ = counter(need, "46042")
    in_catus, _ = counter(need, "46064")
    ServiceFactory()  # another thematique: never shown
    found = search_services(commune=commune("46224"), need=need, at=AT)
    assert ids(found.nearby) == [in_cahors.id, in_catus.id]
    assert 2 < found.nearby[0].distance_km < 6  # Pradines to Cahors
    assert found.nearby[1].distance_km > found.nearby[0].distance_km
    assert found.remote == []


def test_need_given_by_slug_and_one_result_per_service_at_its_nearest_place():
    need = NeedFactory()
    service, _far = counter(need, "46064")
    near = PlaceFactory(structure=service.structure, commune_code="46042")
    ChannelFactory(service=service, kind=Channel.Kind.COUNTER, place=near)
    found = search_services(commune=commune("46224"), need=need.slug, at=AT)
    assert ids(found.nearby) == [service.id]
    assert found.nearby[0].place == near
    assert [view.place for view in found.nearby[0].channels] == [near]


def test_remote_services_are_included_with_how_to_contact_them():
    need = NeedFactory()
    phone = ChannelFactory(service__need=need, kind=Channel.Kind.PHONE, phone="3960", opening_hours="Mo-Fr 08:00-17:00")
    online = ChannelFactory(service__need=need, kind=Channel.Kind.ONLINE, url="https://www.info-retraite.fr")
    found = search_services(commune=commune("46070"), need=need, at=AT)
    assert sorted(ids(found.remote)) == sorted([phone.service_id, online.service_id])
    by_id = {r.service.id: r for r in found.remote}
    assert by_id[phone.service_id].channels[0].channel.phone == "3960"
    assert by_id[phone.service_id].next_opening.start == datetime(2026, 3, 4, 8, 0, tzinfo=PARIS)
    assert by_id[online.service_id].channels[0].channel.url == "https://www.info-retraite.fr"
    assert found.nearby == []


def test_remote_services_of_the_needs_operators_come_first():
    operator = OperatorFactory(code="test-carsat")
    need = NeedFactory()
    need.operators.add(operator)
    other = ChannelFactory(service__need=need, service__name="A autre", kind=Channel.Kind.PHONE)
    own = ChannelFactory(service__need=need, service__name="Z caisse", service__operator=operator, kind="phone")
    other.service.needs.add(need)  # linked to the need, but not its operator
    own.service.needs.add(need)
    found = search_services(commune=commune("46070"), need=need, at=AT)
    assert ids(found.remote) == [own.service_id, other.service_id]


def test_channel_filter_keeps_services_reachable_that_way():
    need = NeedFactory()
    counter_only, _ = counter(need)
    by_phone = ChannelFactory(service__need=need, kind=Channel.Kind.PHONE)
    found = search_services(commune=commune("46042"), need=need, channel_kinds=["phone"], at=AT)
    assert ids(found.results) == [by_phone.service_id]
    found = search_services(commune=commune("46042"), need=need, channel_kinds=["counter"], at=AT)
    assert ids(found.results) == [counter_only.id]


def test_open_on_a_saturday_and_unknown_hours_are_counted_not_shown():
    need = NeedFactory()
    counter(need, opening_hours="Mo-Fr 09:00-12:00")
    saturday, _ = counter(need, opening_hours="Mo-Fr 09:00-12:00; Sa 09:00-12:00")
    counter(need, opening_hours="")
    found = search_services(commune=commune("46042"), need=need, open_on=date(2026, 3, 7), at=AT)
    assert ids(found.nearby) == [saturday.id]
    assert found.excluded_unknown_hours == 1


def test_accessible_filter_excludes_unknown_and_inaccessible_places():
    need = NeedFactory()
    ok, _ = counter(need, wheelchair_accessible=True)
    counter(need, wheelchair_accessible=False)
    counter(need, wheelchair_accessible=None)
    by_phone = ChannelFactory(service__need=need, kind=Channel.Kind.PHONE)
    found = search_services(commune=commune("46042"), need=need, accessible=True, at=AT)
    assert ids(found.nearby) == [ok.id]
    assert ids(found.remote) == [by_phone.service_id]
    assert found.excluded_inaccessible_unknown == 1


def test_language_filter():
    need = NeedFactory()
    english, _ = counter(need)
    english.languages = ["fr", "en"]
    english.save()
    french_by_default, _ = counter(need)
    assert ids(search_services(commune=commune("46042"), need=need, language="en", at=AT).nearby) == [english.id]
    assert sorted(ids(search_services(commune=commune("46042"), need=need, language="fr", at=AT).nearby)) == sorted(
        [english.id, french_by_default.id]
    )


def test_next_opening_skips_a_public_holiday():
    need = NeedFactory()
    counter(need, opening_hours="Mo-Fr 09:00-12:00; PH off")
    may_day = datetime(2026, 5, 1, 8, 0, tzinfo=PARIS)  # Friday 1 May: Fête du Travail
    found = search_services(commune=commune("46042"), need=need, at=may_day)
    assert found.nearby[0].next_opening.start == datetime(2026, 5, 4, 9, 0, tzinfo=PARIS)
    assert found.nearby[0].hours_known


def test_unknown_or_malformed_hours_are_shown_as_unknown():
    need = NeedFactory()
    counter(need, opening_hours="")
    counter(need, "46064", opening_hours="lundi matin")  # malformed, stored before validation
    found = search_services(commune=commune("46042"), need=need, at=AT)
    assert len(found.nearby) == 2
    assert all(r.next_opening is None and not r.hours_known for r in found.nearby)


def test_eligibility_by_age_and_zone():
    need = NeedFactory()
    youth, _ = counter(need)
    youth.age_min, youth.age_max = 16, 25
    youth.save()
    lot_only, _ = counter(need)
    lot_only.zone_eligibilite = ["46"]
    lot_only.save()
    catus_only, _ = counter(need)
    catus_only.zone_eligibilite = ["46064"]
    catus_only.save()
    cieurac = commune("46070")
    assert sorted(ids(search_services(commune=cieurac, need=need, age=78, at=AT).nearby)) == [lot_only.id]
    assert sorted(ids(search_services(commune=cieurac, need=need, age=23, at=AT).nearby)) == sorted(
        [youth.id, lot_only.id]
    )
    found = search_services(commune=commune("46064"), need=need, at=AT)
    assert sorted(ids(found.nearby)) == sorted([youth.id, lot_only.id, catus_only.id])
    assert is_eligible(catus_only, commune=cieurac, age=None) is False


def test_itinerant_stop_in_the_commune_with_its_next_visit():
    need = NeedFactory()
    stop = ItinerantStopFactory(channel__service__need=need, commune_code="46070", schedule="Tu[2] 09:00-12:00")
    found = search_services(commune=commune("46070"), need=need, at=AT)
    assert ids(found.nearby) == [stop.channel.service_id]
    view = found.nearby[0].stops[0]
    assert view.in_commune
    assert view.next_visit.start == datetime(2026, 3, 10, 9, 0, tzinfo=PARIS)  # 2nd Tuesday of March
    assert found.nearby[0].distance_km == pytest.approx(0, abs=0.01)


def test_far_itinerant_stop_is_not_listed():
    need = NeedFactory()
    ItinerantStopFactory(channel__service__need=need, commune_code="46064")  # Catus: ~25 km from Cieurac
    assert search_services(commune=commune("46070"), need=need, at=AT).results == []


def test_home_visit_outside_its_area_is_not_offered():
    need = NeedFactory()
    visit = ChannelFactory(service__need=need, kind=Channel.Kind.HOME_VISIT)
    visit.area_communes.set([commune("46064")])
    assert search_services(commune=commune("46070"), need=need, at=AT).results == []
    assert ids(search_services(commune=commune("46064"), need=need, at=AT).remote) == [visit.service_id]


def test_free_text_is_matched_to_the_catalogue():
    need = NeedFactory(label="Zorglubiser mon dossier", phrases=["zorglubiser mon dossier"])
    service, _ = counter(need)
    found = search_services(commune=commune("46042"), text="zorglubiser mon dossier", at=AT)
    assert found.need == need
    assert ids(found.nearby) == [service.id]


def test_free_text_matching_nothing_gives_no_result():
    found = search_services(commune=commune("46042"), text="qwxzv qwxzv", at=AT)
    assert found.need is None
    assert found.results == []


def test_search_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    need = NeedFactory()
    operator = OperatorFactory(code="test-bounded")
    need.operators.add(operator)
    for code in ("46042", "46064", "46070", "46224"):
        service, _ = counter(need, code)
        service.operator = operator
        service.save()
        ChannelFactory(service=service, kind=Channel.Kind.PHONE)
    ItinerantStopFactory(channel__service__need=need, channel__service__operator=operator)
    cieurac = commune("46070")
    search_services(commune=cieurac, need=need, at=AT)  # warm: the spatial index is built once per process
    with django_assert_max_num_queries(12):
        found = search_services(commune=cieurac, need=need, at=AT)
    assert len(found.nearby) == 5


def test_service_detail_has_a_week_of_hours_per_channel_and_stops():
    need = NeedFactory()
    service, place = counter(need)
    ChannelFactory(service=service, kind=Channel.Kind.PHONE, opening_hours="Mo 14:00-16:00")
    detail = get_service_detail(service.id, commune=commune("46070"), at=AT)
    assert detail.places == [place]
    by_kind = {view.kind: view for view in detail.channels}
    assert len(by_kind["counter"].week) == 7
    assert by_kind["phone"].next_opening.start == datetime(2026, 3, 9, 14, 0, tzinfo=PARIS)


def test_place_and_structure_details():
    need = NeedFactory()
    service, place = counter(need, opening_hours="")
    detail = get_place_detail(place.id, at=AT)
    assert detail.services == [service]
    assert not detail.hours_known
    structure = get_structure_detail(service.structure_id)
    assert structure.places == [place]
    assert structure.services == [service]


def test_broad_thematiques_keep_the_needs_operators_and_linked_services():
    operator = OperatorFactory(code="test-msa")
    need = NeedFactory()
    need.operators.add(operator)
    own, _ = counter(need, "46064")
    own.operator = operator
    own.save()
    linked, _ = counter(need, "46064")
    linked.needs.add(need)
    via_structure, _ = counter(need, "46064")
    via_structure.structure.operator = operator
    via_structure.structure.save()
    counter(need, "46042")  # same thematique, another operator, nearer: not for this need
    found = search_services(commune=commune("46224"), need=need, at=AT)
    assert sorted(ids(found.nearby)) == sorted([own.id, linked.id, via_structure.id])


def test_without_operator_match_thematiques_decide():
    operator = OperatorFactory(code="test-nobody")
    need = NeedFactory()
    need.operators.add(operator)
    other, _ = counter(need)
    assert ids(search_services(commune=commune("46042"), need=need, at=AT).nearby) == [other.id]


def test_week_view_shows_todays_past_slots_too():
    need = NeedFactory()
    _service, place = counter(need, opening_hours="Mo-Fr 09:00-12:00; PH off")
    evening = datetime(2026, 3, 4, 18, 0, tzinfo=PARIS)
    detail = get_place_detail(place.id, at=evening)
    assert detail.week[0].day == date(2026, 3, 4)
    assert [slot.start.hour for slot in detail.week[0].slots] == [9]
    assert detail.week[3].slots == []  # Saturday
    assert detail.next_opening.start == datetime(2026, 3, 5, 9, 0, tzinfo=PARIS)


def test_a_service_with_a_counter_and_a_phone_is_listed_nearby_and_without_a_trip():
    need = NeedFactory()
    service, place = counter(need)
    ChannelFactory(service=service, kind=Channel.Kind.PHONE, phone="3949")
    found = search_services(commune=commune("46064"), need=need, at=AT)
    assert ids(found.nearby) == ids(found.remote) == [service.id]
    assert [view.kind for view in found.nearby[0].channels] == ["counter"]
    assert [view.kind for view in found.remote[0].channels] == ["phone"]
    assert found.nearby[0].place == place


def test_filters_fall_back_to_the_next_place_of_the_same_service():
    need = NeedFactory()
    service, _near = counter(need, "46042", wheelchair_accessible=False)
    farther = PlaceFactory(structure=service.structure, commune_code="46064", wheelchair_accessible=True)
    ChannelFactory(service=service, kind=Channel.Kind.COUNTER, place=farther)
    found = search_services(commune=commune("46224"), need=need, accessible=True, at=AT)
    assert [r.place for r in found.nearby] == [farther]


def test_the_needs_operators_are_found_under_their_own_thematiques():
    operator = OperatorFactory(code="test-france-services")
    need = NeedFactory()
    need.operators.add(operator)
    generalist = ServiceFactory(operator=operator, thematiques=["test-theme--generalist"])
    place = PlaceFactory(structure=generalist.structure, commune_code="46064")
    ChannelFactory(service=generalist, kind=Channel.Kind.COUNTER, place=place)
    unrelated = ServiceFactory(thematiques=["test-theme--generalist"])
    ChannelFactory(service=unrelated, kind=Channel.Kind.COUNTER)
    found = search_services(commune=commune("46064"), need=need, at=AT)
    assert ids(found.nearby) == [generalist.id]
    assert found.nearby[0].distance_km < 1


def test_national_lines_first_then_local_offices_lines_and_not_far_offices_lines():
    need = NeedFactory()
    national = ChannelFactory(service__need=need, service__name="Z ligne nationale", kind=Channel.Kind.PHONE)
    local, _ = counter(need, "46042")  # Cahors, 12 km from Cieurac
    ChannelFactory(service=local, kind=Channel.Kind.PHONE)
    far, _ = counter(need, "46102")  # Figeac, about 55 km away
    ChannelFactory(service=far, kind=Channel.Kind.PHONE)
    found = search_services(commune=commune("46070"), need=need, at=AT)
    assert ids(found.remote) == [national.service_id, local.id]


def test_services_linked_to_the_need_come_first_without_a_trip():
    need = NeedFactory()
    generic = ChannelFactory(service__need=need, service__name="A ligne généraliste", kind=Channel.Kind.PHONE)
    linked = ChannelFactory(service__need=need, service__name="Z ligne de la caisse", kind=Channel.Kind.PHONE)
    linked.service.needs.add(need)
    found = search_services(commune=commune("46070"), need=need, at=AT)
    assert ids(found.remote) == [linked.service_id]  # the link makes it the relevant one
    assert generic.service_id not in ids(found.results)


def test_a_day_at_the_edge_of_the_calendar_does_not_crash():
    need = NeedFactory()
    counter(need)
    found = search_services(commune=commune("46042"), need=need, open_on=date(9999, 12, 31), at=AT)
    assert found.nearby == []


def test_places_and_itinerant_stops_share_the_nearby_list_by_distance():
    need = NeedFactory()
    in_cieurac = ItinerantStopFactory(channel__service__need=need, commune_code="46070")  # 0 km
    in_cahors, _ = counter(need, "46042")  # ~12 km
    in_lalbenque = ItinerantStopFactory(channel__service__need=need, commune_code="46148")  # ~5 km
    counter(need, "46102")  # Figeac, ~55 km
    ItinerantStopFactory(channel__service__need=need, commune_code="46224")  # Pradines, ~15 km: maybe listed
    found = search_services(commune=commune("46070"), need=need, at=AT, limit=3)
    assert ids(found.nearby) == [in_cieurac.channel.service_id, in_lalbenque.channel.service_id, in_cahors.id]


def test_filters_rejecting_many_candidates_load_more_until_the_list_is_full(django_assert_max_num_queries):
    need = NeedFactory()
    for _ in range(25):
        counter(need, "46042", wheelchair_accessible=None)
    accessible, _ = counter(need, "46064", wheelchair_accessible=True)  # Catus, farther
    cieurac = commune("46070")
    search_services(commune=cieurac, need=need, at=AT)  # warm: the spatial index is built once per process
    with django_assert_max_num_queries(12):
        found = search_services(commune=cieurac, need=need, accessible=True, at=AT, limit=3)
    assert ids(found.nearby) == [accessible.id]
    assert found.excluded_inaccessible_unknown == 25


@pytest.mark.parametrize(
    "rule",
    [
        "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
        "Tu[2] 09:00-12:00",
        "24/7",
        'Mo-Fr 09:00-12:00 "sur rendez-vous"; We 14:00-17:00',
        "Sa 22:00-02:00",
        "",
        "pas des horaires",
    ],
)
def test_opening_hours_cut_from_the_hourly_cache_are_those_of_the_rule(rule):
    from carteblanche.directory import hours
    from carteblanche.directory.search.slots import evaluate, window_slots

    starts = [
        datetime(2026, 3, 4, 8, 0, tzinfo=PARIS),
        datetime(2026, 3, 28, 23, 59, 59, 999_000, tzinfo=PARIS),  # the night the clocks go forward
        datetime(2026, 10, 24, 21, 17, 3, tzinfo=PARIS),  # and back
        datetime(2026, 12, 24, 12, 0, 1, tzinfo=PARIS),
        datetime(2026, 7, 14, 0, 0, tzinfo=PARIS),  # a public holiday at midnight
    ]
    for start in starts:
        for days in (1, 14, 62):
            assert window_slots(rule, start, days) == evaluate(rule, start, days), (start, days)
    assert window_slots(rule, starts[0])[0] == (hours.open_slots(rule, starts[0]) if hours.is_valid(rule) else None)


def test_light_rejections_give_the_same_answer_and_counts_as_loading_everything(monkeypatch):
    from carteblanche.directory.search import loading

    need = NeedFactory()
    rules = ["Mo-Fr 09:00-12:00", "Tu 09:00-12:00", "", "Sa 09:00-12:00"]
    for i in range(12):
        counter(
            need,
            ("46042", "46070", "46224")[i % 3],
            opening_hours=rules[i % 4],
            wheelchair_accessible=(True, None)[i % 2],
        )
        ItinerantStopFactory(channel__service__need=need, commune_code="46070", schedule=rules[i % 4])
        ChannelFactory(service__need=need, kind=Channel.Kind.PHONE, opening_hours=rules[i % 4])
    ChannelFactory(service__need=need, service__age_min=60, kind=Channel.Kind.PHONE, opening_hours=rules[0])
    cieurac = commune("46070")
    asks = [
        {"open_on": date(2026, 3, 10)},  # a Tuesday
        {"open_on": date(2026, 3, 7), "accessible": True},
        {"channel_kinds": ["phone"], "age": 30},
        {"channel_kinds": ["itinerant", "counter"], "language": "fr"},
    ]

    def answer(ask):
        found = search_services(commune=cieurac, need=need, at=AT, limit=3, **ask)
        counts = (found.excluded_unknown_hours, found.excluded_inaccessible_unknown, found.excluded_ineligible)
        return ids(found.nearby), ids(found.remote), counts

    light = [answer(ask) for ask in asks]
    monkeypatch.setattr(loading.LightRows, "rows", lambda self, service_id: None)  # load everything
    assert light == [answer(ask) for ask in asks]
    assert any(counts != (0, 0, 0) for *_ids, counts in light)  # the counts are exercised


def test_light_rows_judge_home_visits_by_the_communes_they_cover(monkeypatch):
    """Light rows carry the covered communes: a remote candidate is judged without loading it in full."""
    from carteblanche.directory.search import loading

    need = NeedFactory()
    elsewhere = []
    for i in range(6):
        visit = ChannelFactory(
            service__need=need,
            service__name=f"A visite {i}",
            kind=Channel.Kind.HOME_VISIT,
            opening_hours="Mo 09:00-12:00",
        )
        visit.area_communes.set([commune("46064")])
        elsewhere.append(visit.service_id)
    here = ChannelFactory(
        service__need=need, service__name="Z visite", kind=Channel.Kind.HOME_VISIT, opening_hours="Mo 09:00-12:00"
    )
    here.area_communes.set([commune("46070")])
    cieurac = commune("46070")
    loaded = []
    real = loading.services_with_channels
    monkeypatch.setattr(loading, "services_with_channels", lambda ids: loaded.extend(ids) or real(ids))

    def answer():
        found = search_services(commune=cieurac, need=need, at=AT, channel_kinds=["home_visit"], limit=1)
        return ids(found.remote)

    light = answer()
    assert light == [here.service_id]
    assert set(elsewhere[3:]).isdisjoint(loaded)  # beyond the first batch: rejected on their light rows
    monkeypatch.setattr(loading.LightRows, "rows", lambda self, service_id: None)  # load everything
    assert answer() == light
