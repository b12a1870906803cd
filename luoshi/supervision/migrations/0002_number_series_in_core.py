"""Supervision's numbers move to the shared numbered series (luoshi.core.numbering).

Every NumberCounter row becomes a core NumberSeries row with the same agency, year and last
number, its kind named "supervision.<kind>"; then NumberCounter is dropped. Reversible: going
back recreates NumberCounter, copies supervision's series into it and removes them from core.
"""

from django.db import migrations

KINDS = {"item": "supervision.item", "urging": "supervision.urging"}


def to_core(apps, schema_editor):
    NumberCounter = apps.get_model("supervision", "NumberCounter")
    NumberSeries = apps.get_model("core", "NumberSeries")
    NumberSeries.objects.bulk_create(
        NumberSeries(
            agency_id=row.agency_id, year=row.year, kind=KINDS[row.kind], last=row.last
        )
        for row in NumberCounter.objects.order_by("id")
    )


def from_core(apps, schema_editor):
    NumberCounter = apps.get_model("supervision", "NumberCounter")
    NumberSeries = apps.get_model("core", "NumberSeries")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    old_kind = {new: old for old, new in KINDS.items()}
    series = NumberSeries.objects.filter(kind__in=old_kind).order_by("id")
    agencies = set(
        OrgUnit.objects.filter(pk__in=series.values("agency_id")).values_list("pk", flat=True)
    )
    NumberCounter.objects.bulk_create(
        NumberCounter(
            agency_id=row.agency_id, kind=old_kind[row.kind], year=row.year, last=row.last
        )
        for row in series
        if row.agency_id in agencies  # a series of a deleted agency has no counter to go to
    )
    series.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_numberseries"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(
            name="NumberCounter",
        ),
    ]
