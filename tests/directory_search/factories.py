"""factory_boy factories for the offer models, used by the search tests."""

import factory

from carteblanche.directory.models import Channel, ItinerantStop, Place, Service, Structure
from carteblanche.territories.models import Commune


def cahors() -> Commune:
    return Commune.objects.get(code="46042")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    source = "tests"
    source_id = factory.Sequence(lambda n: f"structure-{n}")
    name = factory.Sequence(lambda n: f"Structure {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    source = "tests"
    source_id = factory.Sequence(lambda n: f"place-{n}")
    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Lieu {n}")
    commune = factory.LazyFunction(cahors)
    latitude = 44.4475
    longitude = 1.4419


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    source = "tests"
    source_id = factory.Sequence(lambda n: f"service-{n}")
    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    thematiques = factory.LazyFunction(lambda: ["test-theme-a"])


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    service = factory.SubFactory(ServiceFactory)
    kind = Channel.Kind.COUNTER
    place = factory.SubFactory(PlaceFactory)


class ItinerantStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItinerantStop

    channel = factory.SubFactory(ChannelFactory, kind=Channel.Kind.ITINERANT, place=None)
    commune = factory.LazyFunction(cahors)
    latitude = 44.5
    longitude = 1.6
    schedule = "Tu[2] 09:00-12:00"
