"""Buffered ballots encrypted: the marks of ballots still in the buffer are sealed under
settings.LUOSHI_BALLOT_KEY (luoshi.evaluation.sealing.seal_marks), then the clear column goes."""

from django.db import migrations, models


def seal_buffered(apps, schema_editor):
    # the cipher lives with the flush that opens it; it reads nothing but the settings
    from luoshi.evaluation.sealing import seal_marks

    PendingBallot = apps.get_model("evaluation", "PendingBallot")
    for row in PendingBallot.objects.all():
        row.payload = seal_marks(
            row.marks, row_id=row.id, campaign_id=row.campaign_id, category_id=row.category_id
        )
        row.save(update_fields=["payload"])


def open_buffered(apps, schema_editor):
    # back to clear marks (a rollback of this release); see seal_buffered
    from luoshi.evaluation.sealing import open_marks

    PendingBallot = apps.get_model("evaluation", "PendingBallot")
    for row in PendingBallot.objects.filter(refused=False):
        row.marks = open_marks(
            row.payload, row_id=row.id, campaign_id=row.campaign_id, category_id=row.category_id
        )
        row.save(update_fields=["marks"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0006_ballot_buffer_and_self_mark"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingballot",
            name="payload",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="pendingballot",
            name="refused",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(seal_buffered, open_buffered),
        migrations.RemoveField(model_name="pendingballot", name="marks"),
    ]
