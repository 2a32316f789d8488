"""Choosing where to refer: partners grouped by their part in the need, nearest first, searchable,
town halls only where the need is theirs (referrals.selectors.referral_partners and the form)."""

import re

import pytest
from django.test import Client

from carteblanche.directory.models import Structure
from carteblanche.referrals.selectors import TOWN_HALL_OPERATOR, referral_partners
from carteblanche.territories.geo import great_circle_km
from carteblanche.territories.models import Commune

CATUS = "46064"


def _town_halls(groups) -> list[str]:
    ids = {o.structure_id for g in groups for o in g.options}
    return list(Structure.objects.filter(pk__in=ids, operator_id=TOWN_HALL_OPERATOR).values_list("name", flat=True))


def test_the_deciding_body_comes_first_and_no_town_hall_for_a_job_need(shipped_data):
    groups = referral_partners(need_slug="inscription-demandeur-emploi", commune_code=CATUS)
    assert groups[0].label.startswith("Organismes qui décident")
    assert all("France Travail" in o.name or "Pôle emploi" in o.name for o in groups[0].options), groups[0]
    assert groups[1].label == "Prennent la demande ou aident à la faire"
    assert any("France Services" in o.name for o in groups[1].options)
    assert _town_halls(groups) == []
    everyone = [o for g in groups for o in g.options]
    assert len(everyone) < Structure.objects.count() - 80  # the 85+ town halls are not listed


def test_each_group_is_nearest_first_with_the_projects_distance(shipped_data):
    catus = Commune.objects.get(code=CATUS)
    groups = referral_partners(need_slug="pension-reversion", commune_code=CATUS)
    for group in groups:
        known = [o.km for o in group.options if o.km is not None]
        assert known == sorted(known)
        assert all(o.km is not None for o in group.options[: len(known)])  # unknown distances last
    option = next(o for g in groups for o in g.options if o.km is not None)
    structure = Structure.objects.get(pk=option.structure_id)
    nearest = min(
        great_circle_km(catus.latitude, catus.longitude, p.latitude, p.longitude) for p in structure.places.all()
    )
    assert option.km == pytest.approx(nearest)
    assert re.fullmatch(rf"{re.escape(option.name)} \(.+, \d+ km\)", option.label)


def test_town_halls_are_listed_for_civil_status_nearest_first(shipped_data):
    groups = referral_partners(need_slug="etat-civil", commune_code=CATUS)
    halls = [o for o in groups[0].options if Structure.objects.get(pk=o.structure_id).operator_id == "commune"]
    assert len(halls) > 50
    assert "Catus" in halls[0].name  # his own town hall first


def test_search_by_name_or_commune_and_a_town_hall_found_by_name(shipped_data):
    found = [o.name for g in referral_partners(query="mairie catus", commune_code=CATUS) for o in g.options]
    assert found and all("Catus" in name or "catus" in name.lower() for name in found)
    assert _town_halls(referral_partners(query="", commune_code=CATUS)) == []  # no search: no town hall
    carsat = [o.name for g in referral_partners(query="CARSAT") for o in g.options]
    assert carsat and all("Carsat" in n or "carsat" in n.lower() for n in carsat)


def test_the_referral_form_groups_filters_and_still_accepts_any_partner(world, shipped_data):
    case = world.case(commune_code=CATUS)
    client = Client()
    client.force_login(world.agent_fs)
    body = client.get(f"/accompagnement/dossiers/{case.pk}/orienter/?besoin=inscription-demandeur-emploi").content
    body = body.decode()
    assert "<optgroup" in body and "Organismes qui décident" in body
    assert "Mairie" not in body.split('id="id_to_structure"')[1].split("</select>")[0]
    assert 'name="q"' in body and 'method="get"' in body  # the text filter works without JavaScript
    posted = client.post(
        f"/accompagnement/dossiers/{case.pk}/orienter/?besoin=inscription-demandeur-emploi",
        {"to_structure": world.carsat.pk, "need_label": "pension de réversion"},
    )
    assert posted.status_code == 302
