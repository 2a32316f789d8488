"""The per-process cache of ServiceOffers (orientation/offer_cache.py): reused, and forgotten on change."""

from datetime import datetime

import pytest

from carteblanche.directory.models import Channel, Need, Service, Structure
from carteblanche.orientation import offer_cache, selectors
from carteblanche.orientation.render import plan_to_dict
from carteblanche.orientation.selectors import OrientationRequest, compute_plan
from carteblanche.territories.geo import PARIS

NOW = datetime(2026, 5, 11, 8, 0, tzinfo=PARIS)
REQUEST = OrientationRequest(commune="Cieurac", besoins=["pension-reversion"], numerique="no_internet", age=78)


@pytest.fixture
def builds(monkeypatch):
    """Records the service pks built from the database."""
    built: list[list[int]] = []
    real = selectors._build_offers

    def spy(pks):
        built.append(sorted(pks))
        return real(pks)

    monkeypatch.setattr(selectors, "_build_offers", spy)
    offer_cache.invalidate()
    return built


@pytest.mark.django_db
def test_second_plan_builds_nothing_and_is_the_same(cahors_offer, builds):
    first, _ = compute_plan(REQUEST, now=NOW)
    assert builds and builds[0]
    builds.clear()
    second, _ = compute_plan(REQUEST, now=NOW)
    assert builds == []
    assert plan_to_dict(first) == plan_to_dict(second)


@pytest.mark.django_db
def test_a_change_in_the_directory_is_seen_at_once(cahors_offer, builds):
    compute_plan(REQUEST, now=NOW)
    carsat = Structure.objects.get(name="Carsat (test)")
    carsat.name = "Carsat Midi-Pyrénées (test)"
    carsat.save()  # a structure: not in the offer index's version
    plan, _ = compute_plan(REQUEST, now=NOW)
    assert any(o.structure == "Carsat Midi-Pyrénées (test)" for o in plan.options)
    phone = Channel.objects.filter(service__structure=carsat, kind="phone").first()
    phone.delete()
    plan, _ = compute_plan(REQUEST, now=NOW)
    assert not any(o.phone == phone.phone and o.structure == carsat.name for o in plan.options)


@pytest.mark.django_db
def test_a_new_link_to_a_need_is_seen(cahors_offer, builds):
    compute_plan(REQUEST, now=NOW)
    builds.clear()
    ccas = Service.objects.get(name__icontains="CCAS")
    ccas.needs.add(Need.objects.get(slug="pension-reversion"))  # many-to-many: no save of the service
    compute_plan(REQUEST, now=NOW)
    assert builds, "the link must rebuild the offers"


@pytest.mark.django_db
def test_same_pk_with_another_version_is_rebuilt(cahors_offer, builds):
    versions = dict(Service.objects.values_list("pk", "updated_at"))
    offer_cache.offers(versions, selectors._build_offers)
    builds.clear()
    pk = next(iter(versions))
    offer_cache.offers({pk: "another row"}, selectors._build_offers)
    assert builds == [[pk]]


@pytest.mark.django_db
def test_nothing_is_kept_when_the_offer_token_cannot_be_read(cahors_offer, builds, monkeypatch):
    from carteblanche.core import process_cache

    monkeypatch.setattr(process_cache, "_read_token", lambda db: process_cache.UNTRACKED)
    compute_plan(REQUEST, now=NOW)
    compute_plan(REQUEST, now=NOW)
    assert len(builds) == 2
