"""People's list order in one indexed column (Person.sort_key: unit path + post order), and
the active people's count by an index-only scan."""

from django.db import migrations, models

POST_ORDER_WIDTH = 10  # luoshi.orgs.services.POST_ORDER_WIDTH


def fill(apps, schema_editor):
    Person = apps.get_model("orgs", "Person")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    Post = apps.get_model("orgs", "Post")
    paths = dict(OrgUnit.objects.values_list("id", "path"))
    orders = {
        pk: f"{order + 2**31:0{POST_ORDER_WIDTH}d}"
        for pk, order in Post.objects.values_list("id", "sort_order")
    }
    pairs = Person.objects.values_list("unit_id", "post_id").distinct().order_by()
    for unit_id, post_id in pairs:
        key = paths[unit_id] + "!" + orders.get(post_id, "9" * POST_ORDER_WIDTH)
        Person.objects.filter(unit_id=unit_id, post_id=post_id).update(sort_key=key)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0011_two_factor")]
    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=912),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_key", "id"], name="person_sort_key_idx"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(is_active=True), fields=["id"], name="person_active_idx"
            ),
        ),
    ]
