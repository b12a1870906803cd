"""The authenticator apps' TOTP secrets encrypted in the database (luoshi.core.secretbox)."""

from django.conf import settings
from django.db import migrations, models

from luoshi.core import secretbox


def _box(user_id):
    return {
        "key": settings.LUOSHI_TWO_FACTOR_KEY,
        "purpose": "luoshi-totp",
        "associated": f"luoshi-totp:{user_id}".encode(),
    }


def seal(apps, schema_editor):
    Device = apps.get_model("orgs", "TwoFactorDevice")
    for device in Device.objects.all():
        device.sealed_secret = secretbox.seal(device.secret.encode(), **_box(device.user_id))
        device.save(update_fields=["sealed_secret"])


def unseal(apps, schema_editor):
    Device = apps.get_model("orgs", "TwoFactorDevice")
    for device in Device.objects.all():
        device.secret = secretbox.unseal(device.sealed_secret, **_box(device.user_id)).decode()
        device.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0012_person_sort_key")]

    operations = [
        migrations.AddField(
            model_name="twofactordevice",
            name="sealed_secret",
            field=models.CharField(default="", max_length=128),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="twofactordevice",
            name="secret",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="twofactordevice", name="secret"),
    ]
