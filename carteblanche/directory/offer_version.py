"""A token that changes with every write to the offer, kept by the database itself.

Why: the search keeps the offer in memory (the index, loaded services). It must see every
change, by any process and any means (admin, imports, `bulk_create`, `update()`, raw SQL),
and checking must cost microseconds, not the ~0.3 s of counting 330,000 rows. Triggers on
every table a search reads write a fresh random token into the single `OfferVersion` row,
in the writer's transaction: a rolled-back write leaves the token as it was, a committed one
changes it for everyone. A random token, not a counter: a rolled-back write can never hand
its number to the next one. On PostgreSQL the row is rewritten once per transaction, and the
transaction's own later writes are counted in a transaction-local setting that
`current_token` reads with the row (see `_PG_FUNCTION`).

The triggers are (re)installed after every `migrate` (post_migrate): SQLite drops a table's
triggers when a migration rebuilds the table. Where they are missing (another database
vendor, a database never migrated), `current_token` says so and the callers fall back to
slower checks.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections

PREFIX = "directory_offer_version"
# (app label, model name, many-to-many field or None): the tables whose rows a search or a plan shows.
WATCHED = (
    ("directory", "Service", None),
    ("directory", "Service", "needs"),
    ("directory", "Structure", None),
    ("directory", "Operator", None),
    ("directory", "Place", None),
    ("directory", "Channel", None),
    ("directory", "Channel", "area_communes"),
    ("directory", "ItinerantStop", None),
    ("directory", "Need", None),
    ("directory", "Need", "operators"),
    ("territories", "Commune", None),
    # How people reach the offer: the plan's transport (mobility.context keeps it per token too).
    ("mobility", "GtfsFeed", None),
    ("mobility", "GtfsStop", None),
    ("mobility", "GtfsRoute", None),
    ("mobility", "GtfsService", None),
    ("mobility", "GtfsTrip", None),
    ("mobility", "GtfsStopTime", None),
    ("mobility", "OnDemandService", None),
    ("mobility", "SolidarityOffer", None),
)

# Table names in this module's SQL come from the models' own metadata, never from input.
# PostgreSQL: every write statement counts in a transaction-local setting (its own later reads
# see the change at once), but the shared row is rewritten once per transaction. Rewriting it
# per statement made a long import quadratic: each UPDATE of a row walks the versions of it
# that the same, still open, transaction made (8,000 single-row inserts: 0.68 s of triggers,
# a national offer loaded statement by statement: over 20 min). A savepoint rolled back
# undoes both the row and the setting.
WRITES_SETTING = "carteblanche.offer_writes"
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION " + PREFIX + "_bump() RETURNS trigger AS $$\n"  # noqa: S608
    "DECLARE\n"
    "    writes bigint := coalesce(nullif(current_setting('" + WRITES_SETTING + "', true), ''), '0')::bigint;\n"
    "BEGIN\n"
    "    PERFORM set_config('" + WRITES_SETTING + "', (writes + 1)::text, true);\n"
    "    IF writes = 0 THEN\n"
    "        INSERT INTO {version} (id, token) VALUES (1, (random() * 9.2e18)::bigint)\n"
    "        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;\n"
    "    END IF;\n"
    "    RETURN NULL;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;"
)


def watched_tables(apps=global_apps) -> list[str]:
    tables = []
    for app_label, model_name, m2m in WATCHED:
        model = apps.get_model(app_label, model_name)
        tables.append(model._meta.get_field(m2m).remote_field.through._meta.db_table if m2m else model._meta.db_table)
    return tables


def _trigger_names(tables: list[str]) -> list[str]:
    return [f"{PREFIX}_{table}_{op}" for table in tables for op in ("insert", "update", "delete")]


def install_triggers(using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> bool:
    """Create (or re-create) the triggers; False on a database vendor without support."""
    connection = connections[using]
    try:
        version = apps.get_model("directory", "OfferVersion")._meta.db_table
        tables = watched_tables(apps)
    except (LookupError, FieldDoesNotExist):  # migrated back before the version table
        return False
    existing = set(connection.introspection.table_names())
    if version not in existing or not set(tables) <= existing:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in tables:
                for op in ("insert", "update", "delete"):
                    name = f"{PREFIX}_{table}_{op}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} BEGIN "  # noqa: S608
                        f"INSERT INTO {version} (id, token) VALUES (1, random()) "
                        "ON CONFLICT (id) DO UPDATE SET token = excluded.token; END"
                    )
        elif connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION.format(version=version))
            for table in tables:
                name = f"{PREFIX}_{table}"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                # Once per statement: a bulk import pays once, not once per row.
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_bump()"
                )
        else:
            return False
    _available.pop(using, None)
    return True


def triggers_installed(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether every trigger is there (checked in the database's catalogue)."""
    connection = connections[using]
    tables = watched_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{PREFIX}%"])
            return set(_trigger_names(tables)) <= {row[0] for row in cursor.fetchall()}
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
                [f"{PREFIX}%"],
            )
            return set(tables) <= {row[0] for row in cursor.fetchall()}
    return False


# using -> (available, SQL): checked once per process and database.
_available: dict[str, tuple[bool, str]] = {}


class Unavailable(Exception):
    """No triggers on this database: the caller must use another way to see changes."""


def current_token(using: str = DEFAULT_DB_ALIAS) -> Hashable:
    """The offer's current token, to compare with an earlier one. Unavailable if no triggers.

    SQLite: the row's number (None: no write seen since the table was emptied). PostgreSQL:
    the row's number and the count of this transaction's own writes (see `_PG_FUNCTION`).
    """
    known = _available.get(using)
    if known is None:
        try:
            ok = triggers_installed(using)
        except Exception:  # no table yet, another vendor: fall back, never break a search
            ok = False
        table = global_apps.get_model("directory", "OfferVersion")._meta.db_table
        if connections[using].vendor == "postgresql":
            sql = (
                f"SELECT (SELECT token FROM {table} WHERE id = 1), "  # noqa: S608
                f"current_setting('{WRITES_SETTING}', true)"
            )
        else:
            sql = f"SELECT token FROM {table} WHERE id = 1"  # noqa: S608
        known = _available[using] = (ok, sql)
    ok, sql = known
    if not ok:
        raise Unavailable(using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0] if len(row) == 1 else (row[0], row[1] or "")


def forget(using: str | None = None) -> None:
    """Check again for the triggers at the next `current_token` (after a migration, in tests)."""
    if using is None:
        _available.clear()
    else:
        _available.pop(using, None)


def _after_migrate(sender, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    install_triggers(using, apps)
