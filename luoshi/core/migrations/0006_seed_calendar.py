"""Fill the working-day calendar from the chinesecalendar package (every year it knows).

Idempotent: years already in the table are left alone. Later years come from administrators
(the calendar pages, a CSV import) or from `luoshi workdays seed` after a package upgrade.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from luoshi.core.calendar import seed_years

    seed_years(apps.get_model("core", "CalendarDay"), apps.get_model("core", "CalendarYear"))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_calendarday_calendaryear"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
