"""Factories for the directory pages' tests: independent of the shipped offer.

Places sit in real communes (the shipped territory is loaded once per session); needs use
thematiques of their own by default so the shipped offer never mixes into the results.
"""

import datetime

import factory

from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Place, Service, Structure
from carteblanche.territories.models import Commune


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


def next_saturday() -> str:
    """A Saturday in the coming week: 'open on' accepts the next twelve months only."""
    from django.utils import timezone

    today = timezone.localdate()
    return (today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)).isoformat()


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-operator-{n}")
    name = factory.LazyAttribute(lambda o: f"Opérateur {o.code}")
    short_name = factory.LazyAttribute(lambda o: o.code.upper())


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    slug = factory.Sequence(lambda n: f"test-need-{n}")
    label = factory.Sequence(lambda n: f"Besoin de test {n}")
    thematiques = factory.LazyAttribute(lambda o: [f"test-theme--{o.slug}"])
    phrases = factory.List([])
    source = "tests"


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Structure de test {n}")
    source = "tests"
    source_id = factory.Sequence(lambda n: f"structure-{n}")
    verified_on = datetime.date(2026, 10, 1)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    class Params:
        commune_code = "46042"

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Lieu de test {n}")
    commune = factory.LazyAttribute(lambda o: commune(o.commune_code))
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude)
    address = "1 place de test"
    postcode = "46000"
    opening_hours = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
    wheelchair_accessible = True
    source = "tests"
    source_id = factory.Sequence(lambda n: f"place-{n}")
    verified_on = datetime.date(2026, 10, 1)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    class Params:
        need = None

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Service de test {n}")
    thematiques = factory.LazyAttribute(lambda o: list(o.need.thematiques) if o.need else ["test-theme--other"])
    source = "tests"
    source_id = factory.Sequence(lambda n: f"service-{n}")
    verified_on = datetime.date(2026, 10, 1)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    service = factory.SubFactory(ServiceFactory)
    kind = Channel.Kind.COUNTER
    place = factory.LazyAttribute(
        lambda o: PlaceFactory(structure=o.service.structure) if o.kind == Channel.Kind.COUNTER else None
    )
    phone = factory.LazyAttribute(lambda o: "05 65 00 00 00" if o.kind in ("phone", "callback") else "")
    url = factory.LazyAttribute(lambda o: "https://www.example.org/demarche" if o.kind == "online" else "")


class ItinerantStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItinerantStop

    class Params:
        commune_code = "46070"

    channel = factory.SubFactory(ChannelFactory, kind=Channel.Kind.ITINERANT)
    commune = factory.LazyAttribute(lambda o: commune(o.commune_code))
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude)
    schedule = "Tu[2] 09:00-12:00"
