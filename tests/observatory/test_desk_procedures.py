"""The observatory reads the desk's procedures per structure, theme and month (France Services indicator)."""

from datetime import date

import pytest
from django.test import Client

from carteblanche.accounts.models import Membership
from carteblanche.desk.actions import record_procedure
from carteblanche.directory.models import Structure
from carteblanche.observatory import opendata
from carteblanche.observatory.actions import procedure_values
from carteblanche.territories.selectors import default_territory
from tests.referrals.conftest import make_user

pytestmark = pytest.mark.django_db


def test_procedures_of_the_territory_are_counted_per_structure_and_theme(shipped_data):
    territory = default_territory()
    catus = Structure.objects.filter(name__icontains="france services", places__commune__code="46064").first()
    agent = make_user("agent-catus", role=Membership.Role.AGENT, structure=catus)
    for day, need in ((3, "inscription-demandeur-emploi"), (4, "inscription-demandeur-emploi"), (5, "retraite")):
        record_procedure(
            actor=agent, structure_id=catus.pk, need_slug=need, body="x", what="y", done_on=date(2026, 11, day)
        )
    record_procedure(
        actor=agent, structure_id=catus.pk, need_slug="retraite", body="x", what="y", done_on=date(2026, 12, 1)
    )  # next month: not counted
    rows = {tuple(sorted(v.dims.items())): v.value for v in procedure_values(territory, date(2026, 11, 1))}
    assert rows[(("par", "tous"),)] == 3
    assert rows[(("par", "structure"), ("structure", str(catus.pk)))] == 3
    themes = {dims: value for dims, value in rows.items() if ("par", "structure-theme") in dims}
    assert sorted(themes.values()) == [1, 2]


def test_the_follow_through_page_and_open_data_show_them(shipped_data):
    from django.utils import timezone

    from carteblanche.mobility.travel import MobilityContext
    from carteblanche.observatory.actions import compute_indicators

    catus = Structure.objects.filter(name__icontains="france services", places__commune__code="46064").first()
    agent = make_user("agent-catus", role=Membership.Role.AGENT, structure=catus)
    today = timezone.localdate()
    record_procedure(actor=agent, structure_id=catus.pk, need_slug="retraite", body="Carsat", what="y", done_on=today)
    compute_indicators(territory=default_territory(), period=today, context=MobilityContext())
    client = Client()
    client.force_login(agent)
    page = client.get("/observatoire/suivi/").content.decode()
    assert "Démarches faites au guichet" in page and catus.name in page
    rows = opendata.rows("demarches-guichet", default_territory().slug, today.replace(day=1))
    assert rows and all(r["demarches"] is None for r in rows)  # one procedure: a small count, hidden
