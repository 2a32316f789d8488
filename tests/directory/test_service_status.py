"""Ended services are never proposed (one rule: `Service.objects.proposable()`), and say so on their page.

Each surface is checked the same way: a service it proposes disappears from it once ended, and
Lot'Ô car (ended at the end of 2020, shipped as such) is absent from the start.
"""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction

from carteblanche.directory.models import Service
from carteblanche.directory.search_index import invalidate_offer_index
from carteblanche.directory.selectors import search_services
from carteblanche.orientation import offer_cache
from carteblanche.orientation.availability import PARIS
from carteblanche.orientation.selectors import OrientationRequest, build_person, candidate_offers
from carteblanche.rights.selectors import claim_plan
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
        return [row["name"] for row in claim_plan("rsa", "caf", commune_code="46224").services]

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
