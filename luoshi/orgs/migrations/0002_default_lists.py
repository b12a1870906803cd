"""Sensible Chinese defaults for the editable lists (administrators may change them)."""

from django.db import migrations

from luoshi.orgs.defaults import seed_lists


def seed(apps, schema_editor):
    seed_lists(
        apps.get_model("orgs", "Post"),
        apps.get_model("orgs", "Rank"),
        apps.get_model("orgs", "StaffCategory"),
        apps.get_model("orgs", "PoliticalStatus"),
    )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
