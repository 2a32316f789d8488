"""The shipped Cahors offer: data files in the repository, loaded idempotently, never invented, dated by
their sources, serving the personas' first needs."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from carteblanche.directory.actions import import_offer
from carteblanche.directory.exports import export_datainclusion
from carteblanche.directory.management.commands.load_offer import OFFER_FILES
from carteblanche.directory.models import Channel, ItinerantStop, Place, Service, Structure
from carteblanche.territories.selectors import default_territory
from tests.directory.conftest import offer_counts

COMPILED_ON = date(2026, 11, 25)  # the day the facts file was compiled: never a source's date
CURATED = "carteblanche-cahors"
RECUEIL_TOWN_HALLS = {"46042", "46045", "46063", "46102", "46127", "46128", "46231", "46251", "46309"}


def test_load_offer_twice_changes_nothing(shipped_data):
    call_command("load_offer", verbosity=0)
    first = offer_counts()
    exported = export_datainclusion(Structure.objects.all(), Service.objects.all())
    for file_format, path in OFFER_FILES:  # what a second load would write: nothing
        diff = import_offer(file_format=file_format, path=path, apply=False)
        writes = [change for change in diff.changes if not change.startswith("= ")]  # "=": replaced, left out
        assert not diff.rejected and not writes, writes[:5]
        assert not any(diff.created.values()) and not any(diff.updated.values()) and not any(diff.absent.values())
    call_command("load_offer", verbosity=0)
    assert offer_counts() == first
    assert export_datainclusion(Structure.objects.all(), Service.objects.all()) == exported
    assert first[0] >= 120


def test_the_build_reads_only_files_in_the_repository():
    for _, path in OFFER_FILES:
        assert path.is_file() and "shared" not in path.parts


def test_every_record_names_source_and_a_real_date(shipped_data):
    for model in (Structure, Place, Service):
        assert not model.objects.filter(source="").exists()
        assert not model.objects.filter(verified_on__isnull=True).exists()
        assert not model.objects.filter(verified_on=COMPILED_ON).exists()
        assert not model.objects.filter(verified_on__gt=date(2026, 12, 6)).exists()  # no date after the last check
        curated = model.objects.filter(source=CURATED)
        assert curated.exists()
        assert not curated.filter(source_url="").exists()
        assert not curated.filter(curated_by="").exists()


def test_the_curated_file_says_source_date_and_curator_for_every_record():
    _, path = OFFER_FILES[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data["structures"] + data["services"]
    records += [place for s in data["structures"] for place in s["extension_carteblanche"].get("places", [])]
    for record in records:
        ext = record.get("extension_carteblanche", record)
        assert record.get("lien_source") or record.get("source_url"), record.get("id") or record.get("source_id")
        assert ext["verified_on"] and ext["verified_on"] != COMPILED_ON.isoformat()
        assert ext["curated_by"]


def test_only_the_nine_equipped_town_halls_take_identity_card_applications(shipped_data):
    titles = Service.objects.filter(needs__slug__in=["carte-identite", "passeport"], operator_id="commune").distinct()
    communes = {
        code for s in titles for code in s.channels.filter(kind="counter").values_list("place__commune_id", flat=True)
    }
    assert communes == RECUEIL_TOWN_HALLS
    for service in titles:
        kinds = set(service.channels.values_list("kind", flat=True))
        assert {"counter", "phone", "online"} <= kinds  # the appointment line and the ANTS pre-request
        assert service.channels.get(kind="online").url == "https://ants.gouv.fr"
        assert service.channels.get(kind="counter").appointment_required
    other_town_halls = Service.objects.filter(source_id__startswith="mairie-").exclude(pk__in=titles)
    assert other_town_halls.count() >= 84
    assert not other_town_halls.filter(needs__slug__in=["carte-identite", "passeport"]).exists()


def test_cahors_town_hall_address_phone_and_hours(shipped_data):
    place = Place.objects.get(source_id="mairie-46042")
    assert (place.address, place.postcode) == ("73 boulevard Gambetta", "46000")
    assert place.opening_hours.startswith("Mo-Fr 08:30-12:30,13:30-17:30")
    assert Structure.objects.get(source_id="mairie-46042").phone == "05 65 20 87 87"
    assert place.source_url.startswith("http://mairie-cahors.fr")


def test_unknown_addresses_stay_empty_and_approximate(shipped_data):
    cpam = Place.objects.get(source_id="cpam-du-lot-cahors")
    assert cpam.address == "rue Hautesserre" and cpam.position_approximate and cpam.hours_unknown
    msd = Place.objects.get(source_id="msd-cahors")
    assert msd.address == "" and msd.position_approximate
    territory = default_territory()
    town_halls = Place.objects.filter(source_id__startswith="mairie-", commune__in=territory.communes.all())
    assert town_halls.count() == territory.communes.count()
    assert not town_halls.exclude(address="").exclude(source_id="mairie-46042").exists()
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
