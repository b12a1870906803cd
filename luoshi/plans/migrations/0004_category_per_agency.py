"""Task categories per agency, with an active flag.

Until now the categories were one list for the whole installation. Each existing category is
given to the agency whose tasks use it, so that every task keeps exactly the tags it had and
each agency finds them in its own list:

- the agency of a task is its plan's agency; for a task without a plan, the organization of
  its lead unit (the nearest agency or local federation at or above it, as
  `luoshi.orgs.selectors.organization_of` finds it);
- a category used by tasks of one agency goes to that agency;
- a category used by tasks of several agencies goes to the one with the most tasks using it
  (ties: the lowest id), and each other agency gets a copy of it (same name and order) that its
  tasks are moved to — no agency ends up with another agency's category on its tasks;
- a category no task uses goes to the root agency (the top-most agency or local federation of
  the org tree), whose office can remove or deactivate it;
- two categories whose names differ only in case and land in the same agency are merged into
  the older one (the new constraint allows one name per agency, whatever the case).

If the org tree is empty there can be no task (a task needs a lead unit); categories are then
unused and cannot be given to any agency, so they are removed.

Backwards, the agency and the active flag are simply dropped; copies made here stay separate
categories with the same name — reversing cannot know they were one, and the old global unique
name would refuse them, so the backward step renames the copies with their agency's id.
"""

from collections import Counter, defaultdict

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count, Q

AGENCY_KINDS = ("agency", "local")


def _organization(path, organizations):
    """The nearest agency or local federation at or above the unit with this path."""
    ids = [int(part) for part in path.strip("/").split("/") if part]
    for pk in reversed(ids):
        if pk in organizations:
            return pk
    return None


def assign_agencies(apps, schema_editor):
    _assign(apps)
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys of the rows changed above now: PostgreSQL refuses to
        # alter a table that still has pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _assign(apps):
    Category = apps.get_model("plans", "Category")
    Task = apps.get_model("plans", "Task")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    Link = Task.categories.through
    if not Category.objects.exists():
        return
    root = (
        OrgUnit.objects.filter(kind__in=AGENCY_KINDS).order_by("depth", "sort_order", "id").first()
        or OrgUnit.objects.order_by("depth", "sort_order", "id").first()
    )
    if root is None:  # no org tree, hence no tasks: nothing could use these categories
        Category.objects.all().delete()
        return
    organizations = set(OrgUnit.objects.filter(kind__in=AGENCY_KINDS).values_list("pk", flat=True))

    # How many tasks of each agency use each category.
    uses = defaultdict(Counter)
    planned = (
        Link.objects.filter(task__plan__isnull=False)
        .values("category_id", "task__plan__agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in planned:
        uses[row["category_id"]][row["task__plan__agency_id"]] += row["n"]
    # Tasks without a plan: the organization of their lead unit.
    lead_units_of = defaultdict(set)  # agency -> lead units of its plan-less tasks
    unplanned = (
        Link.objects.filter(task__plan__isnull=True)
        .values("category_id", "task__lead_unit_id", "task__lead_unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in unplanned:
        agency = _organization(row["task__lead_unit__path"], organizations) or root.pk
        lead_units_of[agency].add(row["task__lead_unit_id"])
        uses[row["category_id"]][agency] += row["n"]

    def tasks_of(agency):
        q = Q(task__plan__agency_id=agency)
        if lead_units_of[agency]:
            q |= Q(task__plan__isnull=True, task__lead_unit_id__in=sorted(lead_units_of[agency]))
        return q

    kept = {}  # (agency, lower-case name) -> the category id that agency keeps
    for category in Category.objects.order_by("id"):
        ranked = sorted(uses[category.pk].items(), key=lambda item: (-item[1], item[0]))
        own = None
        for agency in [a for a, _n in ranked] or [root.pk]:
            key = (agency, category.name.lower())
            target = kept.get(key)
            if target is None and own is None:  # the category itself stays with this agency
                own = kept[key] = category.pk
                owner = agency
                continue
            links = Link.objects.filter(tasks_of(agency), category_id=category.pk)
            if target is None:  # a copy for this agency's tasks
                target = kept[key] = Category.objects.create(
                    agency_id=agency, name=category.name, sort_order=category.sort_order
                ).pk
            else:  # merged into the same-named category the agency already has
                has_target = Link.objects.filter(category_id=target).values("task_id")
                links.filter(task_id__in=has_target).delete()
            links.update(category_id=target)
        if own is None:  # merged everywhere: nothing uses it any more
            category.delete()
        else:
            category.agency_id = owner
            category.save(update_fields=["agency"])


def drop_agencies(apps, schema_editor):
    """Backwards: names must be unique again across the installation."""
    Category = apps.get_model("plans", "Category")
    seen = set()
    for category in Category.objects.order_by("id"):
        if category.name in seen:
            category.name = f"{category.name} ({category.agency_id})"[:64]
            category.save(update_fields=["name"])
        seen.add(category.name)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_orgunit_top_index"),
        ("plans", "0003_ledger_columns_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="task_categories",
                to="orgs.orgunit",
                verbose_name="agency",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.AlterField(
            model_name="category",
            name="name",
            field=models.CharField(max_length=64, verbose_name="name"),
        ),
        migrations.RunPython(assign_agencies, drop_agencies),
        migrations.AlterField(
            model_name="category",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="task_categories",
                to="orgs.orgunit",
                verbose_name="agency",
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                models.F("agency"),
                django.db.models.functions.text.Lower("name"),
                name="category_name_per_agency",
            ),
        ),
    ]
