"""Database-level guards: the audit log refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL).

Installed by migration core.0003. `remove()` exists for the test suite only, whose transactional
tests empty every table between tests; no application code path calls it.
"""

from __future__ import annotations

from typing import Any

_SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
_POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE
       ON core_auditentry FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
    """CREATE OR REPLACE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()""",
]
_POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def install(connection: Any) -> None:
    _run(connection, {"sqlite": _SQLITE_INSTALL, "postgresql": _POSTGRES_INSTALL})


def remove(connection: Any) -> None:
    _run(connection, {"sqlite": _SQLITE_REMOVE, "postgresql": _POSTGRES_REMOVE})
