"""Ended services are never proposed (one rule: `Service.objects.proposable()`), and say so on their page.

Each surface is checked the same way: a service it proposes disappears from it once ended, and
Lot'Ô car (ended at the end of 2020, shipped as such) is absent from the start.
"""

import copy
from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction

from carteblanche.directory.actions import import_offer
from carteblanche.directory.models import Service, Structure
from carteblanche.directory.search_index import invalidate_offer_index
from carteblanche.directory.selectors import search_services
from carteblanche.orientation import offer_cache
from carteblanche.orientation.selectors import OrientationRequest, build_person, candidate_offers
from carteblanche.rights.selectors import claim_plan
from carteblanche.territories.geo import PARIS
from carteblanche.territories.models import Commune

NOW = datetime(2026, 5, 11, 8, 0, tzinfo=PARIS)
ENDED_SOURCE = "https://example.org/fin-du-service"


def _end(source_id: str) -> Service:
    service = Service.objects.get(source_id=source_id)
    service.status = Service.Status.ENDED
    service.ended_on = date(2026, 1, 31)
    service.status_source_url = ENDED_SOURCE
    service.save()
    invalidate_offer_index()
    offer_cache.invalidate()
    return service


def _search_ids(commune_code: str, need: str) -> set[int]:
    found = search_services(commune=Commune.objects.get(code=commune_code), need=need, limit=50)
    return {r.service.id for r in found.results}


def _candidate_ids(commune: str, need: str, *, use_index: bool) -> set[str]:
    person = build_person(OrientationRequest(commune=commune, besoins=[need]), now=NOW)
    return {offer.id for offer in candidate_offers(person, use_index=use_index)}


def test_lotocar_is_shipped_ended_with_its_date_and_source_and_atchoum_unverified(shipped_data):
    lotocar = Service.objects.get(source_id="lotocar-covoiturage-solidaire")
    assert lotocar.is_ended and lotocar.ended_on == date(2020, 12, 31)
    assert "comobi.md" in lotocar.status_source_url
    assert Service.objects.get(source_id="atchoum-courvoiturage").is_unverified
    assert lotocar not in Service.objects.proposable()
    assert set(Service.objects.ended()) == {lotocar}


def test_an_ended_service_needs_a_date_and_a_source(shipped_data):
    service = Service.objects.get(source_id="caf-du-lot-prestations")
    service.status = Service.Status.ENDED
    with pytest.raises(IntegrityError), transaction.atomic():
        service.save()


def test_directory_search_never_lists_an_ended_service(shipped_data):
    lotocar = Service.objects.get(source_id="lotocar-covoiturage-solidaire")
    assert lotocar.id not in _search_ids("46007", "mobilite-solidaire")  # Arcambal: a 2019 Lot'Ô car line
    retraite = Service.objects.get(source_id="assurance-retraite-retraite-reversion")
    assert retraite.id in _search_ids("46070", "pension-reversion")
    _end("assurance-retraite-retraite-reversion")
    assert retraite.id not in _search_ids("46070", "pension-reversion")


@pytest.mark.parametrize("use_index", [True, False])
def test_orientation_never_offers_an_ended_service(shipped_data, use_index):
    lotocar = Service.objects.get(source_id="lotocar-covoiturage-solidaire")
    assert str(lotocar.pk) not in _candidate_ids("Arcambal", "mobilite-solidaire", use_index=use_index)
    retraite = Service.objects.get(source_id="assurance-retraite-retraite-reversion")
    assert str(retraite.pk) in _candidate_ids("Cieurac", "pension-reversion", use_index=use_index)
    _end("assurance-retraite-retraite-reversion")
    assert str(retraite.pk) not in _candidate_ids("Cieurac", "pension-reversion", use_index=use_index)


def test_rights_where_to_claim_never_lists_an_ended_service(shipped_data):
    def names() -> list[str]:
        return claim_plan("rsa", "caf", commune_code="46224").service_names

    caf = Service.objects.get(source_id="caf-du-lot-prestations")
    assert caf.name in names()
    _end("caf-du-lot-prestations")
    assert caf.name not in names()


def test_an_ended_service_page_says_it_ended_and_since_when(shipped_data, client):
    lotocar = Service.objects.get(source_id="lotocar-covoiturage-solidaire")
    page = client.get(f"/services/{lotocar.pk}/").content.decode()
    assert "Ce service a cessé" in page and "décembre 2020" in page and "comobi.md" in page
    structure_page = client.get(f"/structures/{lotocar.structure_id}/").content.decode()
    assert "service arrêté" in structure_page
    atchoum = Service.objects.get(source_id="atchoum-courvoiturage")
    assert "Existence à vérifier" in client.get(f"/services/{atchoum.pk}/").content.decode()


def test_the_admin_form_says_what_an_ended_service_lacks(shipped_data):
    from django.core.exceptions import ValidationError

    service = Service.objects.get(source_id="caf-du-lot-prestations")
    service.status = Service.Status.ENDED
    with pytest.raises(ValidationError, match="depuis quand"):
        service.full_clean()
    service.status, service.ended_on = Service.Status.ACTIVE, date(2026, 1, 1)
    with pytest.raises(ValidationError, match="date de fin"):
        service.full_clean()


@pytest.mark.parametrize(
    ("extension", "field", "fragment"),
    [
        ({"status": "closed"}, "statut", "statut inconnu « closed »"),
        ({"status": "ended"}, "statut", "depuis quand"),
        ({"status": "ended", "ended_on": "2020-12-31"}, "statut", "où c'est écrit"),
        ({"status": "ended", "ended_on": "31/12/2020", "status_source_url": ENDED_SOURCE}, "fin_le", "AAAA-MM-JJ"),
        ({"status": "active", "ended_on": "2020-12-31"}, "fin_le", "service arrêté"),
    ],
)
def test_a_bad_status_in_a_file_is_refused_naming_the_field(shipped_data, write_json, extension, field, fragment):
    from tests.directory.conftest import VALID_DI

    data = copy.deepcopy(VALID_DI)
    data["services"][0]["extension_carteblanche"] = {**extension, "channels": [{"kind": "phone", "phone": "3230"}]}
    diff = import_offer(file_format="datainclusion", path=write_json(data, "status.json"), apply=True)
    assert not diff.written
    assert any(r.field == field and fragment in r.reason for r in diff.rejected), [str(r) for r in diff.rejected]
    assert not Service.objects.filter(source="test-source").exists()


def test_a_status_round_trips_through_the_csv_template(shipped_data):
    from carteblanche.directory.exports import export_csv
    from carteblanche.directory.importers import csv_format

    lotocar = Service.objects.filter(source_id="lotocar-covoiturage-solidaire")
    text = export_csv(Structure.objects.filter(services__in=lotocar), lotocar)
    batch = csv_format.parse(text)
    [record] = [s for s in batch.services if s["key"][1] == "lotocar-covoiturage-solidaire"]
    assert (record["status"], record["status_source_url"]) == ("ended", lotocar.get().status_source_url)
    assert str(record["ended_on"]) == "2020-12-31" and not batch.rejections


def test_the_api_says_a_service_ended_on_its_own_record_and_never_lists_it(shipped_data, client):
    lotocar = Service.objects.get(source_id="lotocar-covoiturage-solidaire")
    detail = client.get(f"/api/offre/services/{lotocar.pk}").json()["service"]
    assert (detail["status"], detail["ended_on"]) == ("ended", "2020-12-31")
    found = client.get("/api/offre/services", {"commune": "46007", "besoin": "mobilite-solidaire"}).json()
    ids = {r["service"]["id"] for r in found["nearby"] + found["remote"]}
    assert lotocar.pk not in ids
