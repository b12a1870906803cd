"""The database itself refuses UPDATE and DELETE on the audit log."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
