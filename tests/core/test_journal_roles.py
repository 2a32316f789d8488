"""PostgreSQL: once set up for production, the application's role cannot tamper with the journal (finding 10)."""

import uuid

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from carteblanche.core.audit import record_audit
from carteblanche.core.journal_roles import journal_owner_statements

pytestmark = pytest.mark.postgres


@pytest.fixture
def roles(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    app, owner = f"cb_app_{uuid.uuid4().hex[:8]}", f"cb_journal_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{app}" NOLOGIN')
        # Before the set-up, as in a default deployment: the application's role ran the migrations.
        cursor.execute(f'ALTER TABLE core_auditentry OWNER TO "{app}"')
        cursor.execute(f'ALTER FUNCTION core_auditentry_append_only() OWNER TO "{app}"')
        for statement in journal_owner_statements(app_role=app, owner_role=owner):
            cursor.execute(statement)
    yield app, owner


ATTEMPTS = {
    "update": "UPDATE core_auditentry SET reason = 'falsifié'",
    "delete": "DELETE FROM core_auditentry",
    "truncate": "TRUNCATE core_auditentry",
    "disable_trigger": "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update_delete",
    "disable_all_triggers": "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "drop_trigger": "DROP TRIGGER core_auditentry_no_update_delete ON core_auditentry",
    "replace_function": "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS "
    "$$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
    "replica_mode": "SET session_replication_role = replica",
    "take_ownership": "ALTER TABLE core_auditentry OWNER TO CURRENT_USER",
    "drop_table": "DROP TABLE core_auditentry",
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_app_role_cannot_change_or_hide_the_journal(roles, attempt):
    app, _ = roles
    entry = record_audit(actor_label="test", action="read", object_type="x", object_id="1", reason="vrai")
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app}"')
        cursor.execute(ATTEMPTS[attempt])
    assert isinstance(info.value.__cause__, psycopg.errors.InsufficientPrivilege), repr(info.value.__cause__)
    assert "permission denied" in str(info.value) or "must be owner" in str(info.value), str(info.value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM core_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone() == ("vrai",)


def test_app_role_still_writes_and_reads_the_journal(roles, django_user_model):
    app, owner = roles
    user = django_user_model.objects.create_user("agent-journal", password="x")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app}"')
        entry = record_audit(actor=user, action="read", object_type="x", object_id="2", reason="lecture")
        cursor.execute("SELECT count(*) FROM core_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone() == (1,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'core_auditentry'")
        assert cursor.fetchone() == (owner,)
