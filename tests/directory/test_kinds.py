"""One list of remote channel kinds and one definition of a France Services structure, for every app."""

from carteblanche.directory import kinds
from carteblanche.directory.models import Channel
from carteblanche.orientation import scoring
from carteblanche.orientation.engine import ServiceOffer


def test_remote_channel_kinds_are_channel_kinds_without_a_place():
    assert set(kinds.REMOTE_CHANNEL_KINDS) < set(Channel.Kind.values)
    assert {Channel.Kind.COUNTER, Channel.Kind.ITINERANT}.isdisjoint(kinds.REMOTE_CHANNEL_KINDS)


def test_the_plan_calls_remote_the_same_kinds_as_the_directory():
    assert {str(kind) for kind in scoring.REMOTE_KINDS} == set(kinds.REMOTE_CHANNEL_KINDS)
    assert scoring.REMOTE_KINDS.isdisjoint(scoring.PHYSICAL_KINDS)


def test_france_services_by_operator_or_network():
    assert kinds.is_france_services("france-services", [])
    assert kinds.is_france_services("grand-cahors", ["france-service"])  # the agglomeration's bus
    assert kinds.is_france_services(None, ["france-services"])
    assert not kinds.is_france_services("caf", ["caf"])
    assert not kinds.is_france_services("conseillers-numeriques", None)


def test_accompaniment_is_france_services_or_digital_advisers():
    assert kinds.is_accompaniment("conseillers-numeriques", ())
    assert kinds.is_accompaniment("commune", ["conseillers-numeriques"])
    assert not kinds.is_accompaniment("caf", ())
    for operator, networks in [("france-services", ()), ("grand-cahors", ("france-service",)), ("caf", ())]:
        assert kinds.is_accompaniment(operator, networks) == kinds.is_france_services(operator, networks)


def test_the_engine_uses_the_same_rule():
    bus = ServiceOffer(
        id="1", name="Bus", structure_name="Bus", channels=(), operator="x", networks=("france-service",)
    )
    caf = ServiceOffer(id="2", name="CAF", structure_name="CAF", channels=(), operator="caf")
    assert bus.is_accompaniment and not caf.is_accompaniment
