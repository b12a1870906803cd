# The news editor (责任编辑), who holds the first review (初审) of news releases (luoshi.news).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0007_discipline_inspector_role'),
    ]

    operations = [
        migrations.AlterField(
            model_name='roleassignment',
            name='role',
            field=models.CharField(choices=[('system_admin', 'System administrator'), ('security_admin', 'Security administrator'), ('audit_admin', 'Audit administrator'), ('agency_leader', 'Agency leader'), ('leader_in_charge', 'Leader in charge'), ('unit_head', 'Unit head'), ('staff', 'Staff'), ('supervisor', 'Supervisor'), ('personnel_officer', 'Personnel officer'), ('committee_member', 'Appraisal committee member'), ('discipline_inspector', 'Discipline inspector'), ('news_editor', 'News editor')], max_length=32, verbose_name='role'),
        ),
    ]
