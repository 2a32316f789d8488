"""A small structure with a place, a service and its channels, a steward and an agent."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from carteblanche.directory.models import Channel, Place, Service, Structure
from carteblanche.stewardship import actions, counters

TODAY = date(2026, 12, 6)  # fixed: tests pass `today=` or compute dates relative to timezone.localdate()


@pytest.fixture(autouse=True)
def clean_rate_limits_and_counts():
    cache.clear()
    counters._pending.clear()
    yield
    cache.clear()
    counters._pending.clear()


@pytest.fixture
def records(shipped_data):
    structure = Structure.objects.create(
        source="test-stewards",
        source_id="s1",
        name="Mairie d'Essai-sur-Lot",
        phone="05 65 00 00 01",
        email="accueil@essai-sur-lot.fr",
        verified_on=date(2025, 1, 15),
    )
    place = Place.objects.create(
        source="test-stewards",
        source_id="p1",
        structure=structure,
        name="Mairie",
        address="1 place de la Mairie",
        postcode="46000",
        commune_id="46042",
        latitude=44.45,
        longitude=1.44,
        opening_hours="Mo-Fr 09:00-12:00; PH off",
        verified_on=date(2025, 1, 15),
    )
    service = Service.objects.create(
        source="test-stewards",
        source_id="v1",
        structure=structure,
        name="Carte d'identité",
        verified_on=date(2025, 1, 15),
    )
    counter = Channel.objects.create(service=service, kind="counter", place=place)
    phone = Channel.objects.create(service=service, kind="phone", phone="05 65 00 00 02")
    return {"structure": structure, "place": place, "service": service, "counter": counter, "phone": phone}


@pytest.fixture
def steward(django_user_model):
    user = django_user_model.objects.create_user("gestion", password="un-mot-de-passe-solide-2026")
    user.user_permissions.add(Permission.objects.get(codename="manage_campaigns"))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent", password="un-mot-de-passe-solide-2026")


@pytest.fixture
def issued(records, steward, django_capture_on_commit_callbacks):
    """A campaign for the test structure; its raw link."""
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.start_campaign(actor=steward, label="Essai", structure_ids=[records["structure"].pk], days=30)
    return result.issued[0]
