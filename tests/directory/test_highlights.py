"""The one-glance summary of a search: which results a hurried reader needs first."""

from datetime import datetime, timedelta

from carteblanche.directory.hours import Slot
from carteblanche.directory.models import Channel, Service, Structure
from carteblanche.directory.selectors import ChannelView, SearchResult, ServiceResult, search_highlights
from carteblanche.territories.geo import PARIS
from carteblanche.territories.models import Commune

AT = datetime(2026, 3, 4, 8, 0, tzinfo=PARIS)


def _result(pk, *, remote=False, operator=False, opens_in_h=None, km=None, channels=()):
    service = Service(pk=pk, name=f"Service {pk}")
    opening = Slot(AT + timedelta(hours=opens_in_h), AT + timedelta(hours=opens_in_h + 3)) if opens_in_h else None
    views = [ChannelView(Channel(kind=kind, phone=phone, url=url), None, True) for kind, phone, url in channels]
    return ServiceResult(
        service=service,
        structure=Structure(name=f"Structure {pk}"),
        place=None,
        distance_km=km,
        next_opening=opening,
        hours_known=opening is not None,
        channels=views,
        stops=[],
        remote=remote,
        operator_matches_need=operator,
    )


def _found(nearby=(), remote=()):
    return SearchResult(
        commune=Commune(code="46070", name="Cieurac"),
        need=None,
        text="",
        matched_needs=[],
        thematiques=[],
        nearby=list(nearby),
        remote=list(remote),
        at=AT,
    )


def test_the_needs_own_operator_comes_first_with_its_phone_and_online_procedure():
    generic = _result(1, remote=True, channels=[("phone", "0800000000", "")])
    own = _result(
        2,
        remote=True,
        operator=True,
        channels=[("online", "", "https://example.org/demande"), ("phone", "3960", ""), ("phone", "3961", "")],
    )
    found = search_highlights(_found(remote=[generic, own]))
    assert found.without_trip is own
    assert found.phone.channel.phone == "3960"
    assert found.online.channel.url == "https://example.org/demande"


def test_without_the_operator_the_first_remote_result_and_no_invented_contact():
    first, second = _result(1, remote=True), _result(2, remote=True)
    found = search_highlights(_found(remote=[first, second]))
    assert found.without_trip is first
    assert found.phone is None and found.online is None


def test_soonest_is_the_earliest_opening_among_the_nearest_few_unless_it_is_the_nearest():
    nearest = _result(1, km=1.0, opens_in_h=48)
    sooner = _result(2, km=5.0, opens_in_h=2)
    soonest_far = _result(3, km=30.0, opens_in_h=1)  # sixth: out of reach of the summary
    nearby = [nearest, _result(4, km=2.0), sooner, _result(5, km=6.0), _result(6, km=7.0), soonest_far]
    found = search_highlights(_found(nearby=nearby))
    assert found.nearest is nearest and found.soonest is sooner
    assert search_highlights(_found(nearby=[_result(1, km=1.0, opens_in_h=2), sooner])).soonest is None


def test_nothing_found_gives_an_empty_summary():
    found = search_highlights(_found())
    assert (found.without_trip, found.phone, found.online, found.nearest, found.soonest) == (None,) * 5
