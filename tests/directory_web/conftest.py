import pytest

from carteblanche.directory.models import Channel
from tests.directory_web.factories import (
    ChannelFactory,
    ItinerantStopFactory,
    NeedFactory,
    PlaceFactory,
    ServiceFactory,
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
