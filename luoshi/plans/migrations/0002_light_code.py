from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [
        migrations.RenameField("task", "light_reason", "light_code"),
        migrations.AlterField(
            model_name="task",
            name="light_code",
            field=models.CharField(blank=True, max_length=200, verbose_name="reason for the light"),
        ),
    ]
