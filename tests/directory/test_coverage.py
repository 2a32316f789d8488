"""The offer coverage report: what the stewards read, computed from the offer and the mobility model."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from carteblanche.directory.coverage import offer_report
from carteblanche.directory.models import Service
from carteblanche.mobility.context import get_mobility_context
from carteblanche.territories.selectors import default_territory

TODAY = date(2026, 12, 6)


def _report() -> dict:
    return offer_report(territory=default_territory(), mobility=get_mobility_context(refresh=True), today=TODAY)


def _family(report: dict, name: str) -> dict:
    return next(row for row in report["families"] if row["family"] == name)


def test_the_report_counts_proposable_services_and_their_completeness(shipped_data):
    report = _report()
    assert report["population"] == sum(c.population or 0 for c in default_territory().communes.all())
    assert report["services"] == Service.objects.proposable().count()
    assert report["ended_services_left_out"] == Service.objects.ended().count() == 1
    for row in report["families"]:
        for name, value in row.items():
            if name.startswith(("share_", "population_within_")) and value is not None:
                assert 0 <= value <= 1, (row["family"], name)
        assert row["population_within_20_min_without_car"] <= row["population_within_30_min_without_car"]
    papiers = _family(report, "papiers")
    titles = Service.objects.filter(needs__life_event="papiers").distinct()
    assert papiers["services"] == titles.count()
    with_address = [s for s in titles if s.channels.filter(kind="counter").exclude(place__address="").exists()]
    assert papiers["share_with_address"] == round(len(with_address) / titles.count(), 3)


def test_a_service_ending_leaves_the_report(shipped_data):
    before = _family(_report(), "retraite")
    service = Service.objects.get(source_id="assurance-retraite-retraite-reversion")
    service.status, service.ended_on, service.status_source_url = "ended", date(2026, 1, 1), "https://example.org"
    service.save()
    after = _family(_report(), "retraite")
    assert after["services"] == before["services"] - 1


def test_identity_cards_have_their_own_row_with_the_equipped_town_halls(shipped_data):
    report = _report()
    row = next(r for r in report["needs"] if r["need"] == "carte-identite")
    assert row["family"] == "papiers"
    assert row["services"] == Service.objects.proposable().filter(needs__slug="carte-identite").count()
    civil = next(r for r in report["needs"] if r["need"] == "etat-civil")
    # Every town hall does état civil; only nine take identity-card applications.
    assert row["places"] < civil["places"]
    assert row["population_within_20_min_without_car"] < civil["population_within_20_min_without_car"]


def test_reach_without_a_car_follows_the_mobility_model(shipped_data):
    report = _report()
    # Every commune has its town hall (état civil): the papiers family is reached on foot everywhere.
    assert _family(report, "papiers")["population_within_20_min_without_car"] == 1.0
    # Student grants are online only: no place, nobody "reaches" one.
    assert _family(report, "études")["population_within_30_min_without_car"] == 0.0


def test_the_command_prints_json_and_refuses_a_bad_date(shipped_data):
    out = StringIO()
    call_command("offer_report", date="2026-12-06", stdout=out)
    report = json.loads(out.getvalue())
    assert report["computed_on"] == "2026-12-06" and report["travel_day"] == "2026-12-08"
    with pytest.raises(CommandError, match="--date"):
        call_command("offer_report", date="06/12/2026")


def test_the_stewards_page_is_for_staff_only(shipped_data, client, admin_client):
    assert client.get("/donnees/couverture/").status_code == 302  # to the login page
    page = admin_client.get("/donnees/couverture/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Couverture de l'offre" in text and "Habitants à 30 min sans voiture" in text
    assert "Faire ou renouveler sa carte d&#x27;identité" in text or "Faire ou renouveler sa carte d'identité" in text
