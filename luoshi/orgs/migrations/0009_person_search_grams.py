"""People's text search through the gram index (luoshi.core.search), on PostgreSQL only."""

from django.db import migrations

from luoshi.core.search import create_gram_index, drop_gram_index


def forwards(apps, schema_editor):
    create_gram_index(schema_editor, "orgs_person", "person_search_grams_idx")


def backwards(apps, schema_editor):
    drop_gram_index(schema_editor, "person_search_grams_idx")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0008_news_editor_role"), ("core", "0010_search_grams")]
    operations = [migrations.RunPython(forwards, backwards)]
