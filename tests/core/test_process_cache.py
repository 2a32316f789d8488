"""The registry of process caches: one rule (the offer's token), one read per request."""

import threading

import pytest

from carteblanche.core import process_cache
from carteblanche.core.process_cache import UNTRACKED, ProcessCache


@pytest.fixture
def token(monkeypatch):
    """A stand-in for the offer's token: `token["value"]`, reads counted in `token["reads"]`."""
    state = {"value": 1, "reads": 0}

    def read(db):
        state["reads"] += 1
        return state["value"]

    monkeypatch.setattr(process_cache, "_read_token", read)
    monkeypatch.setattr(process_cache, "_database", lambda: "default")
    return state


def test_every_process_cache_is_registered_once():
    import carteblanche.directory.search.cache
    import carteblanche.directory.search_index
    import carteblanche.mobility.context
    import carteblanche.orientation.offer_cache
    import carteblanche.rights.openfisca_adapter
    import carteblanche.territories.selectors  # noqa: F401

    caches = process_cache.registered()
    assert set(caches) == {
        "offer index",
        "search offer",
        "orientation offers",
        "postcodes",
        "mobility context",
        "rights system",
    }
    assert [name for name, cache in caches.items() if not cache.per_offer] == ["rights system"]
    with pytest.raises(ValueError):
        process_cache.register("offer index", object)


def test_a_value_is_kept_while_the_token_is_the_same_and_rebuilt_when_it_changes(token):
    cache = ProcessCache("test", object)
    first = cache.get()
    assert cache.get() is first
    token["value"] = 2
    second = cache.get()
    assert second is not first
    assert cache.get() is second


def test_one_read_of_the_token_per_request(token):
    index, offers = ProcessCache("index", object), ProcessCache("offers", dict)
    with process_cache.one_token_read():
        index.get()
        offers.get()
        with process_cache.one_token_read():  # nested: the outer read serves
            index.get()
    assert token["reads"] == 1
    index.get()
    offers.get()
    assert token["reads"] == 3  # outside a request: one read per lookup


def test_nothing_is_kept_when_the_token_cannot_be_read(token):
    token["value"] = UNTRACKED
    built = ProcessCache("built", object)
    assert built.get() is not built.get()
    fallback = ProcessCache("fallback", object, when_untracked=lambda: None)
    assert fallback.get() is None


def test_a_cache_independent_of_the_offer_is_built_once(token):
    system = ProcessCache("system", object, per_offer=False)
    assert system.peek() is None
    first = system.get()
    token["value"] = 2
    assert system.get() is first
    assert token["reads"] == 0


def test_background_refresh_keeps_serving_the_old_value_meanwhile(token):
    release = threading.Event()
    built = []

    def build():
        if built:
            release.wait(10)  # a slow rebuild
        built.append(object())
        return built[-1]

    cache = ProcessCache("slow", build, refresh_in_background=lambda: True)
    first = cache.get()  # the first build is waited for
    assert first is built[0]
    token["value"] = 2
    assert cache.get() is first  # served at once while the rebuild runs in a thread
    assert cache.get() is first  # and only one rebuild runs
    release.set()
    cache.wait_for_refresh()
    assert len(built) == 2
    assert cache.get() is built[1]


def test_after_build_sees_the_new_value_installed(token):
    seen = []
    cache = ProcessCache("hooked", object, after_build=lambda value: seen.append(value is cache.peek()))
    cache.get()
    token["value"] = 2
    cache.get()
    assert seen == [True, True]


@pytest.mark.django_db
def test_the_token_is_the_offer_version_row(shipped_data):
    from carteblanche.directory import offer_version
    from carteblanche.directory.models import Need

    db, before = process_cache.offer_token()
    assert before == offer_version.current_token(db)
    Need.objects.update(label="Renommé")  # no signal: the triggers see it
    assert process_cache.offer_token()[1] != before
