"""Fixtures of the directory tests: small valid offer files in each format, a small offer of its own."""

import copy
import json

import pytest

from carteblanche.directory.models import Channel, ItinerantStop, Place, Service, Structure
from tests.directory.factories import (
    ChannelFactory,
    ItinerantStopFactory,
    NeedFactory,
    PlaceFactory,
    ServiceFactory,
)

VALID_DI = {
    "structures": [
        {
            "source": "test-source",
            "id": "test--s1",
            "nom": "Structure d'essai",
            "date_maj": "2025-01-15",
            "code_insee": "46042",
            "code_postal": "46000",
            "adresse": "1 rue d'essai",
            "latitude": 44.45,
            "longitude": 1.44,
            "horaires_accueil": "Mo-Fr 09:00-12:00; PH off",
            "reseaux_porteurs": ["caf"],
        }
    ],
    "services": [
        {
            "source": "test-source",
            "structure_id": "test--s1",
            "id": "test--v1",
            "nom": "Service d'essai",
            "description": "Un service pour les tests.",
            "date_maj": "2025-01-15",
            "thematiques": ["famille--garde-denfants"],
            "publics": ["familles"],
            "modes_accueil": ["en-presentiel"],
            "telephone": "05 00 00 00 00",
        }
    ],
}

CSV_HEADER = (
    "source,structure_id,structure_nom,lieu_id,lieu_nom,adresse,code_insee,latitude,longitude,horaires,"
    "service_id,service_nom,thematiques,besoins,age_min,age_max,canaux\n"
)
CSV_ROW = (
    "csv-test,s1,Structure CSV,l1,Lieu CSV,2 rue du test,46042,44.45,1.44,Mo 09:00-12:00,v1,Service CSV,"
    'famille--garde-denfants,garde-enfants,16,25,"[{""kind"": ""phone"", ""phone"": ""05 00 00 00 01""}]"\n'
)


@pytest.fixture
def di_payload():
    return copy.deepcopy(VALID_DI)


@pytest.fixture
def write_json(tmp_path):
    def write(data, name="offer.json"):
        path = tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_text(tmp_path):
    def write(text, name="offer.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def offer_counts() -> tuple[int, ...]:
    return (
        Structure.objects.count(),
        Place.objects.count(),
        Service.objects.count(),
        Channel.objects.count(),
        ItinerantStop.objects.count(),
    )


@pytest.fixture
def offer(shipped_data):
    """A small offer of its own for one need: a counter in Cahors, a phone line, a bus stop at Cieurac."""
    need = NeedFactory(
        label="Demander une pension de test",
        phrases=["zorglub pension"],
        life_event="Retraite",
    )
    service = ServiceFactory(need=need, name="Accueil retraite de test", documents=["Pièce d'identité"])
    place = PlaceFactory(structure=service.structure, commune_code="46042", name="Agence de test Cahors")
    ChannelFactory(service=service, kind=Channel.Kind.COUNTER, place=place)
    unknown = PlaceFactory(
        structure=service.structure,
        commune_code="46064",
        name="Permanence de test Catus",
        address="",
        opening_hours="",
        position_approximate=True,
        wheelchair_accessible=None,
    )
    other = ServiceFactory(need=need, name="Permanence sans horaires", structure=service.structure)
    ChannelFactory(service=other, kind=Channel.Kind.COUNTER, place=unknown)
    phone = ChannelFactory(
        service__need=need, service__name="Ligne retraite de test", kind=Channel.Kind.PHONE, phone="3960"
    )
    stop = ItinerantStopFactory(
        channel__service__need=need,
        channel__service__name="Bus de test",
        commune_code="46070",
        location_label="place de la mairie",
    )
    return {
        "need": need,
        "service": service,
        "place": place,
        "unknown": unknown,
        "other": other,
        "phone": phone,
        "stop": stop,
    }
