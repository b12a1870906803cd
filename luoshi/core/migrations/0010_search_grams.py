"""The luoshi_grams(text) function behind the text-search indexes (luoshi.core.search), on
PostgreSQL only."""

from django.db import migrations

from luoshi.core.search import GRAMS_FUNCTION_SQL


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRAMS_FUNCTION_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS luoshi_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0009_light_run")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
