"""The shipped Cahors offer: loads idempotently, never invents, serves the personas' first needs."""

import pytest
from django.core.management import call_command

from carteblanche.directory.models import Channel, ItinerantStop, Place, Service, Structure
from carteblanche.territories.selectors import default_territory
from tests.directory.conftest import offer_counts


def test_load_offer_twice_gives_the_same_counts(shipped_data):
    call_command("load_offer", verbosity=0)
    first = offer_counts()
    call_command("load_offer", verbosity=0)
    assert offer_counts() == first
    assert first[0] >= 120


def test_every_record_names_source_and_date(shipped_data):
    for model in (Structure, Place, Service):
        assert not model.objects.filter(source="").exists()
        assert not model.objects.filter(verified_on__isnull=True).exists()


def test_unknown_addresses_stay_empty_and_approximate(shipped_data):
    cpam = Place.objects.get(source_id="cpam-du-lot-cahors")
    assert cpam.address == "rue Hautesserre" and cpam.position_approximate and cpam.hours_unknown
    msd = Place.objects.get(source_id="msd-cahors")
    assert msd.address == "" and msd.position_approximate
    territory = default_territory()
    town_halls = Place.objects.filter(source_id__startswith="mairie-")
    assert town_halls.count() == territory.communes.count()
    assert not town_halls.exclude(address="").exists()
    assert not town_halls.filter(position_approximate=False).exists()


def test_bus_has_26_monthly_stops_with_unknown_dates(shipped_data):
    bus = Service.objects.get(source_id="bus-france-services-grand-cahors-accompagnement")
    stops = ItinerantStop.objects.filter(channel__service=bus)
    assert stops.count() == 26
    assert not stops.exclude(schedule="").exists()
    assert set(stops.values_list("schedule_note", flat=True)) == {"permanence mensuelle, dates à confirmer"}


def test_france_services_counters_come_from_the_dataset(shipped_data):
    catus = Place.objects.get(source="anct-france-services-2021", commune_id="46064")
    assert catus.address == "Place de la Halle" and not catus.position_approximate
    st_gery = Place.objects.get(source="anct-france-services-2021", commune_id="46268")
    assert st_gery.opening_hours.startswith("Mo 09:00-12:30,14:00-18:00")
    assert str(catus.verified_on) == "2021-01-01"


@pytest.mark.parametrize(
    ("commune", "need", "expected_kinds"),
    [
        ("46070", "pension-reversion", {"itinerant", "phone"}),  # Martine, Cieurac
        ("46064", "inscription-demandeur-emploi", {"counter", "online"}),  # Kevin, Catus
        ("46224", "aide-logement", {"phone", "online", "callback"}),  # Sarah, Pradines
    ],
)
def test_personas_first_needs_have_services(shipped_data, commune, need, expected_kinds):
    services = Service.objects.filter(needs=need)
    kinds = set(Channel.objects.filter(service__in=services).values_list("kind", flat=True))
    assert expected_kinds <= kinds
    local = services.filter(channels__place__commune_id=commune) | services.filter(channels__stops__commune_id=commune)
    if commune != "46224":
        assert local.exists()


def test_mission_locale_is_for_16_to_25(shipped_data):
    service = Service.objects.get(source_id="mission-locale-accompagnement-jeunes")
    assert (service.age_min, service.age_max) == (16, 25)
    assert service.needs.filter(slug="contrat-engagement-jeune").exists()
    assert service.documents and service.languages == ["fr"]
