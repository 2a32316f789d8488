"""Every read and change of personal data is journaled; nobody can edit or delete the journal."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from carteblanche.core.audit import record_audit
from carteblanche.core.models import AuditEntry
from tests.referrals.conftest import make_user


def test_reading_a_case_page_is_journaled_with_who_what_why(world):
    case = world.case()
    client = Client()
    client.force_login(world.agent_fs)
    client.get(f"/accompagnement/dossiers/{case.pk}/?motif=préparation du rendez-vous")
    entry = AuditEntry.objects.filter(action="read", object_id=str(case.pk)).first()
    assert entry.actor == world.agent_fs
    assert entry.object_type == "referrals.casefile"
    assert entry.reason == "préparation du rendez-vous"
    assert entry.at is not None


def test_reading_a_referral_and_the_follow_page_are_journaled(world):
    from carteblanche.referrals import actions

    referral = world.sent_referral()
    client = Client()
    client.force_login(world.agent_carsat)
    client.get(f"/accompagnement/orientations/{referral.pk}/")
    assert AuditEntry.objects.filter(action="read", actor=world.agent_carsat, object_id=str(referral.case_id)).exists()
    _, raw = actions.create_follow_link(actor=world.agent_fs, case=referral.case)
    assert Client().get(f"/accompagnement/suivi/{raw}/").status_code == 200
    assert AuditEntry.objects.filter(action="read", actor_label="lien de suivi").exists()


def test_changes_are_journaled(world):
    referral = world.sent_referral()
    actions = set(AuditEntry.objects.filter(actor=world.agent_fs).values_list("action", flat=True))
    assert {"create", "share"} <= actions
    assert AuditEntry.objects.filter(object_id=str(referral.pk), action="share").exists()


@pytest.fixture
def entry(db):
    return record_audit(actor=make_user("x"), action="read", object_type="referrals.casefile", object_id="1")


def test_orm_instance_cannot_change_or_delete(entry):
    entry.reason = "falsified"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_queryset_cannot_change_or_delete(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="falsified")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_database_refuses_raw_update(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET reason = 'falsified' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.reason == ""


@pytest.mark.postgres
def test_database_refuses_raw_delete_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_is_read_only_even_for_a_superuser(entry, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x-very-long-password")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"reason": "falsified"})
    assert response.status_code == 403
    assert client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    response = client.post(
        "/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()
