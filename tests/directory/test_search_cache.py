"""The search's offer cache: shared between searches, never staler than the database.

Every write to a table a search reads changes the offer token (database triggers), whoever
writes and however: these tests write without signals (`update()`, `bulk_create`, raw SQL,
many-to-many) and expect the next search to show the change.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from carteblanche.core import process_cache
from carteblanche.directory import offer_version, selectors
from carteblanche.directory.models import Channel, Place, Service, Structure
from carteblanche.directory.search import cache as search_cache
from carteblanche.directory.search import loading, slots
from carteblanche.directory.selectors import search_services
from carteblanche.territories.geo import PARIS
from carteblanche.territories.models import Commune
from tests.directory.factories import (
    ChannelFactory,
    ItinerantStopFactory,
    NeedFactory,
    PlaceFactory,
    ServiceFactory,
    commune,
)

AT = datetime(2026, 3, 4, 8, 0, tzinfo=PARIS)

pytestmark = pytest.mark.usefixtures("shipped_data")


@pytest.fixture
def need_with_counter():
    need = NeedFactory()
    service = ServiceFactory(need=need, name="Accueil de test")
    place = PlaceFactory(structure=service.structure, commune_code="46042", opening_hours="Mo-Fr 09:00-12:00")
    ChannelFactory(service=service, kind=Channel.Kind.COUNTER, place=place)
    return need, service, place


def _cahors():
    return commune("46042")


def test_triggers_are_installed_by_migrate():
    assert offer_version.triggers_installed()


@pytest.mark.parametrize(
    "write",
    [
        lambda s: Structure.objects.filter(pk=s.structure_id).update(name="Renommée"),
        lambda s: Service.objects.filter(pk=s.pk).update(description="x"),
        lambda s: Place.objects.filter(structure_id=s.structure_id).update(address="1 rue de test"),
        lambda s: Channel.objects.filter(service=s).update(phone="0102030405"),
        lambda s: Commune.objects.filter(code="46042").update(name="Cahors"),
        lambda s: s.channels.first().area_communes.add("46042"),
        lambda s: Channel.objects.filter(service=s).delete(),
        lambda s: Service.objects.bulk_create(
            [Service(source="tests", source_id="bulk-token", structure_id=s.structure_id, name="Bulk")]
        ),
    ],
    ids=["structure", "service", "place", "channel", "commune", "area m2m", "channel delete", "bulk_create"],
)
def test_every_write_to_the_offer_changes_the_token(need_with_counter, write):
    _need, service, _place = need_with_counter
    before = offer_version.current_token()
    write(service)
    assert offer_version.current_token() != before


def test_the_caches_read_the_token_once_per_request_one_primary_key_read(django_assert_max_num_queries):
    offer_version.current_token()  # the process checks once that the triggers are there
    with django_assert_max_num_queries(1), process_cache.one_token_read():
        version = process_cache.offer_token()
        assert process_cache.offer_token() == version
    assert version[1] == offer_version.current_token()


def test_a_second_search_reuses_the_loaded_services(need_with_counter, django_assert_max_num_queries):
    need, service, _place = need_with_counter
    cahors = _cahors()
    first = search_services(commune=cahors, need=need, at=AT)
    with django_assert_max_num_queries(1):  # the token, read once for the offer cache and the index
        second = search_services(commune=cahors, need=need, at=AT)
    assert second.nearby[0].service is first.nearby[0].service  # the same shared instance
    assert second.nearby[0].service.id == service.id


def test_changes_without_signals_are_seen_by_the_next_search(need_with_counter):
    need, service, place = need_with_counter
    found = search_services(commune=_cahors(), need=need, at=AT)
    assert found.nearby[0].structure.name != "Nom changé"
    Structure.objects.filter(pk=service.structure_id).update(name="Nom changé")
    Place.objects.filter(pk=place.pk).update(opening_hours="Sa 09:00-12:00")
    with connection.cursor() as cursor:  # raw SQL, as another program would write
        cursor.execute(
            f"UPDATE {Channel._meta.db_table} SET phone = %s WHERE service_id = %s",  # noqa: S608
            ["0565000000", service.pk],
        )
    found = search_services(commune=_cahors(), need=need, at=AT)
    result = found.nearby[0]
    assert result.structure.name == "Nom changé"
    assert result.place.opening_hours == "Sa 09:00-12:00"
    assert result.next_opening.start.date() == date(2026, 3, 7)  # the Saturday
    assert result.channels[0].channel.phone == "0565000000"


def test_a_deleted_service_disappears_at_once(need_with_counter):
    need, service, _place = need_with_counter
    assert search_services(commune=_cahors(), need=need, at=AT).nearby
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Channel._meta.db_table} WHERE service_id = %s", [service.pk])  # noqa: S608
    assert search_services(commune=_cahors(), need=need, at=AT).nearby == []


def test_a_home_visit_area_changed_through_the_m2m_is_seen(need_with_counter):
    need, _service, _place = need_with_counter
    visit = ChannelFactory(service__need=need, kind=Channel.Kind.HOME_VISIT, place=None)
    visit.area_communes.add("46070")  # Cieurac only
    assert visit.service_id not in [r.service.id for r in search_services(commune=_cahors(), need=need, at=AT).remote]
    visit.area_communes.add("46042")
    assert visit.service_id in [r.service.id for r in search_services(commune=_cahors(), need=need, at=AT).remote]


def test_a_rolled_back_write_leaves_the_cache_valid_and_right(need_with_counter):
    from django.db import transaction

    need, service, _place = need_with_counter
    search_services(commune=_cahors(), need=need, at=AT)
    before = offer_version.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Structure.objects.filter(pk=service.structure_id).update(name="Jamais écrit")
        assert search_services(commune=_cahors(), need=need, at=AT).nearby[0].structure.name == "Jamais écrit"
        raise RuntimeError
    assert offer_version.current_token() == before
    assert search_services(commune=_cahors(), need=need, at=AT).nearby[0].structure.name != "Jamais écrit"


def test_answers_are_the_same_with_the_cache_off(need_with_counter, settings):
    need, _service, _place = need_with_counter
    ItinerantStopFactory(channel__service__need=need, commune_code="46070", schedule="Tu[1] 09:00-12:00")
    ChannelFactory(service__need=need, kind=Channel.Kind.PHONE, opening_hours="Mo-Fr 08:30-17:00")
    asks = [{}, {"open_on": date(2026, 3, 10)}, {"accessible": True}, {"channel_kinds": ["phone"]}]

    def answers():
        out = []
        for code in ("46042", "46070", "46064"):
            for ask in asks:
                found = search_services(commune=commune(code), need=need, at=AT, **ask)
                out.append(
                    [
                        (r.service.id, r.place and r.place.id, r.distance_km, r.next_opening, r.hours_known)
                        for r in found.results
                    ]
                    + [(found.excluded_unknown_hours, found.excluded_inaccessible_unknown, found.excluded_ineligible)]
                )
        return out

    cached = answers()
    again = answers()  # from the cache
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 0
    assert search_cache.current() is None
    assert cached == again == answers()


def test_next_slot_is_the_first_slot_of_the_window():
    rules = ["Mo-Fr 09:00-12:00,14:00-17:00", "Tu[2] 09:00-12:00", "24/7", "Sa 10:00-12:00; PH off", "", "bad rule"]
    for rule in rules:
        for hours_later in range(0, 24 * 9, 7):
            start = AT + timedelta(hours=hours_later, minutes=13)
            for days in (1, 14, 62):
                window, invalid = slots.window_slots(rule, start, days)
                first, known, next_invalid = slots.next_slot(rule, start, days)
                assert (first, known, next_invalid) == ((window[0] if window else None), window is not None, invalid)


def test_the_api_json_is_the_same_from_the_cache_and_without_it(need_with_counter, settings):
    from carteblanche.directory.api import search_json
    from carteblanche.territories.api import commune_out

    need, _service, _place = need_with_counter
    ChannelFactory(service__need=need, kind=Channel.Kind.PHONE, opening_hours="Mo-Fr 08:30-17:00")

    def body():
        found = search_services(commune=_cahors(), need=need, at=AT)
        return search_json(found, commune_out(_cahors()))

    first, cached = body(), body()
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 0
    assert first == cached == body()
    assert b'"structure"' in first.encode()


def test_a_search_request_reads_the_offer_token_once(client, shipped_data, monkeypatch, settings):
    """Commune, need and search share one read of the token (each read is one query)."""
    from django.urls import reverse

    client.get("/api/offre/services", {"commune": "Cahors (46000)"})  # builds the index
    calls = []
    real = offer_version.current_token
    monkeypatch.setattr(offer_version, "current_token", lambda *a, **k: calls.append(1) or real(*a, **k))
    need = "carte-identite"
    query = {"commune": "Cahors (46000)", "besoin": need}
    assert client.get("/api/offre/services", query).status_code == 200
    api_reads, calls[:] = len(calls), []
    assert client.get(reverse("directory:results"), query).status_code == 200
    assert (api_reads, len(calls)) == (1, 1)
    calls.clear()
    assert selectors.need_by_slug(need) is not None  # outside a request: read at each lookup
    assert selectors.need_by_slug(need) is not None
    assert len(calls) == 2


# --- prefill: the whole offer loaded once per version (servers) ---


@pytest.fixture
def unfrozen():
    """A prefill freezes the heap for the garbage collector: give the test process its collector back."""
    import gc

    yield
    gc.unfreeze()
    search_cache._prefilled_before = False


def _answers(need, asks=({}, {"accessible": True}, {"open_on": date(2026, 3, 10)})):
    out = []
    for code in ("46042", "46070", "46064"):
        for ask in asks:
            found = search_services(commune=commune(code), need=need, at=AT, **ask)
            out.append([(r.service.id, r.place and r.place.id, r.distance_km, r.next_opening) for r in found.results])
    return out


def test_prefill_loads_every_service_and_searches_then_read_none(
    need_with_counter, settings, unfrozen, django_assert_max_num_queries
):
    need, _service, _place = need_with_counter
    ChannelFactory(service__need=need, kind=Channel.Kind.PHONE, opening_hours="Mo-Fr 08:30-17:00")
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 0
    uncached = _answers(need)
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 100_000
    search_services(commune=_cahors(), need=need, at=AT)  # builds the index, loads a few services
    cache = search_cache.current()
    already = len(cache.services)

    loaded = search_cache.prefill_offer_cache()

    assert already + loaded == Service.objects.count() > 100  # the shipped offer and this test's services
    assert set(cache.services) == set(Service.objects.values_list("pk", flat=True))
    cieurac = commune("46070")
    with django_assert_max_num_queries(1):  # the token (once for the cache and the index): no service read
        search_services(commune=cieurac, need=need, at=AT, accessible=True)
    assert _answers(need) == uncached


def test_prefill_keeps_one_instance_per_place_structure_and_commune(need_with_counter, settings, unfrozen):
    need, service, place = need_with_counter
    other = ServiceFactory(need=need, structure=service.structure, name="Autre accueil")
    ChannelFactory(service=other, kind=Channel.Kind.COUNTER, place=place)
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 100_000
    search_cache.prefill_offer_cache()
    cache = search_cache.current()
    first, second = cache.services[service.pk], cache.services[other.pk]
    assert loading.channels_of(first)[0].place is loading.channels_of(second)[0].place
    assert first.structure is second.structure
    cahors = {
        id(channel.place.commune)
        for loaded in cache.services.values()
        if loaded is not None
        for channel in loading.channels_of(loaded)
        if channel.place_id and channel.place.commune_id == "46042"
    }
    assert len(cahors) == 1  # every place in Cahors points to one Commune instance


def test_prefill_stops_at_the_cache_bound(need_with_counter, settings, unfrozen):
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 10
    assert search_cache.prefill_offer_cache() == 10
    assert len(search_cache.current().services) == 10
    assert search_cache.prefill_offer_cache() == 0  # already full


def test_a_write_after_prefill_is_seen_by_the_next_search(need_with_counter, settings, unfrozen):
    need, service, _place = need_with_counter
    settings.CARTEBLANCHE_SEARCH_CACHE_SIZE = 100_000
    search_cache.prefill_offer_cache()
    prefilled = search_cache.current()
    Structure.objects.filter(pk=service.structure_id).update(name="Renommée après le préchargement")
    assert search_cache.current() is not prefilled  # a new version: a new, empty cache
    found = search_services(commune=_cahors(), need=need, at=AT)
    assert found.nearby[0].structure.name == "Renommée après le préchargement"


def test_with_prefill_on_a_new_version_is_prefilled_in_the_background(need_with_counter, settings, monkeypatch):
    from carteblanche.core import serving

    settings.CARTEBLANCHE_SEARCH_CACHE_PREFILL = True
    prefilled = []
    monkeypatch.setattr(search_cache, "prefill_offer_cache", prefilled.append)
    search_cache.SEARCH_OFFER.forget()
    monkeypatch.setattr(serving, "_serving", False)  # another test may have loaded config.wsgi
    assert search_cache.current() is not None and prefilled == []  # a command, not a server: no prefill
    monkeypatch.setattr(serving, "_serving", True)  # as config/wsgi.py marks gunicorn and runserver
    search_cache.SEARCH_OFFER.forget()
    cache = search_cache.current()
    search_cache.wait_for_prefill()
    assert prefilled == [cache]
    assert search_cache.current() is cache
    search_cache.wait_for_prefill()
    assert prefilled == [cache]  # once per version, not once per search


# --- PostgreSQL: one rewrite of the token row per transaction ---


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement triggers")
def test_postgresql_rewrites_the_token_row_once_per_transaction_yet_each_write_changes_the_token(
    need_with_counter,
):
    """Rewriting the row per statement made long imports quadratic; the token must still move."""
    from django.db import transaction

    _need, service, _place = need_with_counter

    def row_token():
        with connection.cursor() as cursor:
            cursor.execute("SELECT token FROM directory_offerversion WHERE id = 1")
            return cursor.fetchone()[0]

    with transaction.atomic():
        Service.objects.filter(pk=service.pk).update(description="première")
        row, tokens = row_token(), {offer_version.current_token()}
        for n in range(30):
            Service.objects.filter(pk=service.pk).update(description=f"écriture {n}")
            tokens.add(offer_version.current_token())
        assert row_token() == row  # the shared row: written once in this transaction
        assert len(tokens) == 31  # the transaction's own reads see every write
        before = offer_version.current_token()
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            Service.objects.filter(pk=service.pk).update(description="annulée")
            assert offer_version.current_token() != before
            raise RuntimeError
        assert offer_version.current_token() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement triggers")
def test_postgresql_a_first_write_inside_a_rolled_back_savepoint_leaves_no_trace(need_with_counter):
    from django.db import transaction

    _need, service, _place = need_with_counter
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM directory_offerversion WHERE id = 1")
        (row,) = cursor.fetchone()
    # The test's own transaction has written already (the fixture): start from a fresh one.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT set_config('{offer_version.WRITES_SETTING}', '', true)")
    before = offer_version.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(description="annulée")
        raise RuntimeError
    assert offer_version.current_token() == before
    Service.objects.filter(pk=service.pk).update(description="gardée")  # counted as a first write again
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM directory_offerversion WHERE id = 1")
        assert cursor.fetchone()[0] != row
