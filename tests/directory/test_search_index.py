"""The process-wide offer index: built from the database, rebuilt when the offer changes."""

import pytest

from carteblanche.directory.models import Channel, Service
from carteblanche.directory.search_engine import Candidate
from carteblanche.directory.search_index import build_offer_index, get_offer_index, invalidate_offer_index

from .factories import ChannelFactory, ItinerantStopFactory, PlaceFactory, StructureFactory

CAHORS = (44.4475, 1.4419)
THEME = "test-theme-a"


@pytest.fixture
def offer(shipped_data):
    near = PlaceFactory(latitude=44.45, longitude=1.44)
    far = PlaceFactory(latitude=44.60, longitude=1.70)
    counter_near = ChannelFactory(place=near, service__thematiques=[THEME, "test-theme-b"])
    counter_far = ChannelFactory(place=far, service__thematiques=[THEME])
    # The same service at two places, and a second counter at the same place (one pair).
    ChannelFactory(service=counter_far.service, place=near, kind=Channel.Kind.ITINERANT)
    ChannelFactory(service=counter_far.service, place=near)
    stop = ItinerantStopFactory(channel__service__thematiques=[THEME], latitude=44.70, longitude=1.45)
    phone = ChannelFactory(kind=Channel.Kind.PHONE, place=None, phone="3646", service__thematiques=[THEME])
    online = ChannelFactory(kind=Channel.Kind.ONLINE, place=None, url="https://example.org", service=phone.service)
    return {
        "near": near,
        "far": far,
        "a": counter_near.service,
        "b": counter_far.service,
        "stop": stop,
        "remote": phone.service,
        "online": online,
    }


def test_index_holds_places_stops_and_remote_services(offer):
    index = build_offer_index()
    found = index.nearest([THEME], *CAHORS, k=10)
    a, b, stop = offer["a"], offer["b"], offer["stop"]
    near, far = offer["near"], offer["far"]
    # Same place: service id breaks the tie; then the far place (~27 km), then the stop (~28 km).
    assert _keys(found) == [
        (a.pk, near.pk, None),
        (b.pk, near.pk, None),
        (b.pk, far.pk, None),
        (stop.channel.service_id, None, stop.pk),
    ]
    assert found[0].distance_km == pytest.approx(0.28, abs=0.05)
    assert index.remote([THEME]) == [offer["remote"].pk]
    assert [c.service_id for c in index.nearest(["test-theme-b"], *CAHORS)] == [a.pk]


def _keys(found: list[Candidate]) -> list[tuple]:
    return [(c.service_id, c.place_id, c.stop_id) for c in found]


def test_index_is_built_once_and_reused(offer):
    assert get_offer_index() is get_offer_index()


def test_saving_the_offer_rebuilds_the_index(offer):
    before = get_offer_index()
    place = PlaceFactory(latitude=CAHORS[0], longitude=CAHORS[1])
    channel = ChannelFactory(place=place, service__thematiques=[THEME])
    after = get_offer_index()
    assert after is not before
    assert after.nearest([THEME], *CAHORS, k=1)[0].service_id == channel.service_id
    channel.service.delete()
    assert channel.service_id not in [c.service_id for c in get_offer_index().nearest([THEME], *CAHORS)]


def test_changes_without_signals_are_seen_at_once(offer):
    before = get_offer_index()
    structure = StructureFactory()
    service = Service.objects.bulk_create(
        [Service(source="tests", source_id="bulk-1", structure=structure, name="Bulk", thematiques=[THEME])]
    )[0]
    Channel.objects.bulk_create([Channel(service=service, kind=Channel.Kind.COUNTER, place=offer["far"])])
    after = get_offer_index()
    assert after is not before
    assert service.pk in [c.service_id for c in after.nearest([THEME], *CAHORS)]
    assert get_offer_index() is after  # nothing changed since: no rebuild


def test_invalidate_forces_a_rebuild(offer):
    before = get_offer_index()
    invalidate_offer_index()
    assert get_offer_index() is not before


def test_service_without_thematiques_is_found_by_no_search(shipped_data):
    ChannelFactory(service__thematiques=[])
    ChannelFactory(kind=Channel.Kind.PHONE, place=None, phone="3939", service__thematiques=[])
    index = build_offer_index()
    assert index.nearest([""], *CAHORS) == []
    assert index.remote([""]) == []


def test_fast_build_matches_the_row_by_row_build(offer):
    from carteblanche.directory.search_engine import OfferIndex
    from carteblanche.directory.search_index import offer_rows

    fast, slow = build_offer_index(), OfferIndex.build(offer_rows())
    for themes in ([THEME], ["test-theme-b"], [THEME, "test-theme-b"]):
        assert fast.nearest(themes, *CAHORS, k=10) == slow.nearest(themes, *CAHORS, k=10)
        assert fast.remote(themes) == slow.remote(themes)
    assert fast.pair_count == slow.pair_count
