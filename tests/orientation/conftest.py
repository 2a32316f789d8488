"""A small test offer around Cahors in the database (test values, not facts about real services)."""

from datetime import date

import pytest

from carteblanche.directory.models import Channel, ItinerantStop, Need, Operator, Place, Service, Structure
from carteblanche.territories.models import Commune

FS_THEME = "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"
WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"


def _service(structure, name, *, operator=None, thematiques=(), needs=(), **kw):
    service = Service.objects.create(
        structure=structure,
        operator=operator,
        name=name,
        thematiques=list(thematiques),
        source="test",
        source_id=name,
        verified_on=date(2026, 1, 15),
        **kw,
    )
    service.needs.set(needs)
    return service


@pytest.fixture
def cahors_offer(shipped_data):
    """Needs, operators, a France Services counter and bus, pension, CAF, CCAS and youth services."""
    cahors = Commune.objects.get(code="46042")
    cieurac = Commune.objects.get(code="46070")
    ops = {
        code: Operator.objects.get_or_create(code=code, defaults={"name": code.upper(), "short_name": label})[0]
        for code, label in [
            ("assurance-retraite", "Assurance retraite"),
            ("caf", "CAF"),
            ("france-services", "France Services"),
            ("ccas", "CCAS"),
        ]
    }
    reversion = Need.objects.get(slug="pension-reversion")
    energy = Need.objects.get(slug="cheque-energie")
    caf_need = Need.objects.get(slug="allocations-familiales")
    structures = {}
    for key, name, networks in [
        ("fs", "France Services de Cahors (test)", ["france-service"]),
        ("carsat", "Carsat (test)", []),
        ("ccas", "CCAS (test)", []),
        ("caf", "CAF du Lot (test)", []),
    ]:
        structures[key] = Structure.objects.create(name=name, networks=networks, source="test", source_id=key)
    fs_place = Place.objects.create(
        structure=structures["fs"],
        name="France Services Cahors (test)",
        address="1 rue de test",
        postcode="46000",
        commune=cahors,
        latitude=44.4475,
        longitude=1.4419,
        opening_hours=WEEKDAYS,
        source="test",
        source_id="fs-place",
    )
    fs = _service(
        structures["fs"],
        "Accompagnement France Services (test)",
        operator=ops["france-services"],
        thematiques=[FS_THEME],
        needs=[reversion, energy, caf_need],
    )
    Channel.objects.create(service=fs, kind="counter", place=fs_place)
    bus = Channel.objects.create(service=fs, kind="itinerant")
    ItinerantStop.objects.create(
        channel=bus, commune=cieurac, latitude=44.3717, longitude=1.4958, schedule="Tu 09:00-12:00; PH off"
    )
    carsat = _service(
        structures["carsat"], "Retraite de réversion (test)", operator=ops["assurance-retraite"], needs=[reversion]
    )
    Channel.objects.create(service=carsat, kind="phone", phone="05 00 00 00 01", opening_hours="Mo-Fr 08:00-17:00")
    Channel.objects.create(service=carsat, kind="online", url="https://exemple.test/reversion")
    ccas = _service(structures["ccas"], "Aide énergie (test)", operator=ops["ccas"], needs=[energy])
    Channel.objects.create(service=ccas, kind="home_visit", phone="05 00 00 00 02")
    caf = _service(structures["caf"], "Prestations familiales (test)", operator=ops["caf"], needs=[caf_need])
    Channel.objects.create(service=caf, kind="online", url="https://exemple.test/caf")
    Channel.objects.create(service=caf, kind="callback", phone="05 00 00 00 03", opening_hours="Mo-Sa 08:00-20:00")
    return {"needs": [reversion, energy, caf_need], "structures": structures}


def pytest_collection_modifyitems(items):
    """A fresh clone has no collected static files: whitenoise warns on the first request (not ours)."""
    here = str(__file__).rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))
