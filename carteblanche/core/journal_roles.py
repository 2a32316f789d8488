"""PostgreSQL production set-up of the audit journal: the application's role does not own it.

Row triggers refuse UPDATE and DELETE (migration core 0003), but a table's owner may disable its
triggers, TRUNCATE it or drop it. In production the journal table and its trigger function belong
to a separate role that never logs in; the application's role keeps INSERT and SELECT only.
`manage.py audit_journal_sql` prints these statements for the DBA (or runs them with `--execute`
on a connection with the rights to change owners). Run them again after a migration that recreates
the journal table; a migration that alters it must run as the owner role.
"""

from psycopg import sql

TABLE = "core_auditentry"
TRIGGER_FUNCTION = "core_auditentry_append_only()"


def journal_owner_statements(*, app_role: str, owner_role: str) -> list[str]:
    """SQL (identifiers quoted) that hands the journal to `owner_role` and leaves `app_role` INSERT/SELECT."""
    if not app_role or not owner_role or app_role == owner_role:
        raise ValueError(
            "Deux rôles distincts sont nécessaires : celui de l'application et le propriétaire du journal."
        )
    app, owner = sql.Identifier(app_role), sql.Identifier(owner_role)
    owner_literal = sql.Literal(owner_role)
    statements = [
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {owner_literal}) THEN "
            "CREATE ROLE {owner} NOLOGIN; END IF; END $$"
        ).format(owner_literal=owner_literal, owner=owner),
        sql.SQL("ALTER TABLE {table} OWNER TO {owner}").format(table=sql.Identifier(TABLE), owner=owner),
        sql.SQL("ALTER FUNCTION core_auditentry_append_only() OWNER TO {owner}").format(owner=owner),
        sql.SQL("REVOKE ALL ON {table} FROM PUBLIC").format(table=sql.Identifier(TABLE)),
        sql.SQL("REVOKE ALL ON {table} FROM {app}").format(table=sql.Identifier(TABLE), app=app),
        sql.SQL("GRANT SELECT, INSERT ON {table} TO {app}").format(table=sql.Identifier(TABLE), app=app),
        # The id sequence follows the table's owner; the application may draw the next id.
        sql.SQL(
            "DO $$ DECLARE seq text := pg_get_serial_sequence({table_literal}, 'id'); BEGIN "
            "IF seq IS NOT NULL THEN EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', seq, {app_literal}); "
            "END IF; END $$"
        ).format(table_literal=sql.Literal(TABLE), app_literal=sql.Literal(app_role)),
    ]
    return statements


def render(statements: list, connection) -> str:
    """The statements as text, for a DBA's psql."""
    return ";\n".join(statement.as_string(connection) for statement in statements) + ";\n"
