"""Retention: expired personal data is purged on schedule, what a case file uses is kept (finding 8)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from carteblanche.core.models import AuditEntry, Situation
from carteblanche.core.retention import purge_expired
from carteblanche.orientation.models import SavedPlan
from carteblanche.referrals.models import CaseFile, IdempotencyRecord
from carteblanche.rights.models import Simulation
from tests.referrals.conftest import World

NOW = timezone.make_aware(timezone.datetime(2026, 12, 1, 3, 30))


def _aged(model, obj, days: float, field: str = "created_at"):
    model.objects.filter(pk=obj.pk).update(**{field: NOW - timedelta(days=days)})


def _simulation(situation=None):
    return Simulation.objects.create(
        month="2026-11", inputs={"household": {}}, openfisca_france_version="x", situation=situation
    )


@pytest.mark.django_db
def test_purge_deletes_expired_rows_and_keeps_what_case_files_use(settings):
    settings.RETENTION_RIGHTS_SIMULATION_DAYS = 30
    settings.RETENTION_ORIENTATION_PLAN_DAYS = 30
    settings.RETENTION_SITUATION_DAYS_AFTER_EXPIRY = 0
    settings.REFERRALS_IDEMPOTENCY_HOURS = 24
    world = World()
    expired = Situation.objects.create(expires_at=NOW - timedelta(days=1))
    expired_sim = _simulation(expired)
    live = Situation.objects.create(expires_at=NOW + timedelta(days=5))
    case_situation = Situation.objects.create(expires_at=NOW - timedelta(days=90))
    case = world.case()
    CaseFile.objects.filter(pk=case.pk).update(situation=case_situation)
    old_sim, fresh_sim, case_sim = _simulation(), _simulation(), _simulation()
    _aged(Simulation, old_sim, 31)
    _aged(Simulation, fresh_sim, 29)
    _aged(Simulation, case_sim, 400)
    CaseFile.objects.filter(pk=case.pk).update(simulation=case_sim)
    old_plan = SavedPlan.objects.create(situation=live, plan={})
    fresh_plan = SavedPlan.objects.create(situation=live, plan={})
    case_plan = SavedPlan.objects.create(situation=case_situation, plan={})
    _aged(SavedPlan, old_plan, 31)
    _aged(SavedPlan, case_plan, 31)
    from carteblanche.referrals.models import ApiToken
    from tests.referrals.test_api import make_token

    make_token(world.fs)
    token = ApiToken.objects.get()
    old_key = IdempotencyRecord.objects.create(token=token, key="a", request_hash="x", status_code=201)
    new_key = IdempotencyRecord.objects.create(token=token, key="b", request_hash="x", status_code=201)
    _aged(IdempotencyRecord, old_key, 2)
    IdempotencyRecord.objects.filter(pk=new_key.pk).update(created_at=NOW - timedelta(hours=1))

    dry = purge_expired(now=NOW, dry_run=True)
    assert dry == {"idempotency": 1, "plans": 1, "simulations": 1, "situations": 1}
    assert Situation.objects.filter(pk=expired.pk).exists()  # a dry run changes nothing

    counts = purge_expired(now=NOW)
    assert counts == dry
    assert not Situation.objects.filter(pk=expired.pk).exists()
    assert not Simulation.objects.filter(pk__in=[expired_sim.pk, old_sim.pk]).exists()
    assert set(Simulation.objects.values_list("pk", flat=True)) == {fresh_sim.pk, case_sim.pk}
    assert set(SavedPlan.objects.values_list("pk", flat=True)) == {fresh_plan.pk, case_plan.pk}
    assert set(Situation.objects.values_list("pk", flat=True)) >= {live.pk, case_situation.pk}
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]
    entry = AuditEntry.objects.get(actor_label="purge automatique")
    assert entry.details == counts
    assert purge_expired(now=NOW) == {"idempotency": 0, "plans": 0, "simulations": 0, "situations": 0}


@pytest.mark.django_db
def test_retention_is_configurable_and_the_command_reports(settings):
    settings.RETENTION_RIGHTS_SIMULATION_DAYS = 400
    simulation = _simulation()
    Simulation.objects.filter(pk=simulation.pk).update(created_at=timezone.now() - timedelta(days=100))
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert Simulation.objects.filter(pk=simulation.pk).exists()
    assert "0 simulation(s) de droits supprimé(e)s" in out.getvalue()
    settings.RETENTION_RIGHTS_SIMULATION_DAYS = 90
    call_command("purge_expired", "--dry-run", stdout=out)
    assert Simulation.objects.filter(pk=simulation.pk).exists()
    call_command("purge_expired", stdout=out)
    assert not Simulation.objects.filter(pk=simulation.pk).exists()
