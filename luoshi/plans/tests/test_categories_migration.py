"""The migration that gives every existing category an agency (plans 0004): each goes to the
agency whose tasks use it (copied for every other agency that uses it), unused ones to the root
agency, and every task keeps exactly the tags it had."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("plans", "0003_ledger_columns_rollups")]
AFTER = [("plans", "0004_category_per_agency")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_categories_go_to_the_agencies_that_use_them() -> None:
    apps = _migrate(BEFORE)
    try:
        OrgUnit = apps.get_model("orgs", "OrgUnit")
        WorkPlan = apps.get_model("plans", "WorkPlan")
        Task = apps.get_model("plans", "Task")
        Category = apps.get_model("plans", "Category")

        def unit(code: str, kind: str, parent: Any = None) -> Any:
            u = OrgUnit.objects.create(name=code, code=code, kind=kind, level="provincial")
            u.path = (parent.path if parent else "/") + f"{u.pk}/"
            u.depth = parent.depth + 1 if parent else 0
            u.save()
            return u

        root = unit("ROOT", "agency")
        dept = unit("DEPT", "department", root)
        city = unit("CITY", "local", root)
        city_dept = unit("CITY-D", "department", city)
        root_plan = WorkPlan.objects.create(agency=root, year=2026, title="省")
        city_plan = WorkPlan.objects.create(agency=city, year=2026, title="市")
        t1 = Task.objects.create(plan=root_plan, code="1", title="t1", lead_unit=dept)
        t2 = Task.objects.create(plan=city_plan, code="2", title="t2", lead_unit=city)
        t3 = Task.objects.create(code="3", title="t3 without a plan", lead_unit=dept)
        t4 = Task.objects.create(code="4", title="t4 without a plan", lead_unit=city_dept)
        shared = Category.objects.create(name="共用", sort_order=10)
        unused = Category.objects.create(name="未用", sort_order=20)
        city_only = Category.objects.create(name="市用", sort_order=30)
        upper = Category.objects.create(name="Dup", sort_order=40)
        lower = Category.objects.create(name="dup", sort_order=50)
        t1.categories.set([shared, upper])
        t2.categories.set([shared, city_only, lower])
        t3.categories.set([shared])
        t4.categories.set([city_only])
        tags_before = {
            t.pk: sorted(t.categories.values_list("name", flat=True)) for t in (t1, t2, t3, t4)
        }

        apps = _migrate(AFTER)
        Category = apps.get_model("plans", "Category")
        Task = apps.get_model("plans", "Task")

        def agency_of(name: str) -> set[int]:
            return set(Category.objects.filter(name=name).values_list("agency_id", flat=True))

        # 共用: two root tasks (t1, t3 through its lead unit), one city task → root's, copied.
        assert Category.objects.get(pk=shared.pk).agency_id == root.pk
        assert agency_of("共用") == {root.pk, city.pk}
        assert Category.objects.get(pk=unused.pk).agency_id == root.pk
        assert Category.objects.get(pk=city_only.pk).agency_id == city.pk
        # Dup and dup land in different agencies: both stay.
        assert Category.objects.get(pk=upper.pk).agency_id == root.pk
        assert Category.objects.get(pk=lower.pk).agency_id == city.pk
        for task in Task.objects.all():
            tags = list(task.categories.values_list("name", "agency_id"))
            assert sorted(name for name, _ in tags) == tags_before[task.pk]
            own = task.plan.agency_id if task.plan_id else None
            if own is None:
                own = root.pk if task.lead_unit_id == dept.pk else city.pk
            assert {agency for _, agency in tags} == {own}, task.title
        assert all(c.is_active for c in Category.objects.all())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_same_names_in_one_agency_are_merged() -> None:
    apps = _migrate(BEFORE)
    try:
        OrgUnit = apps.get_model("orgs", "OrgUnit")
        WorkPlan = apps.get_model("plans", "WorkPlan")
        Task = apps.get_model("plans", "Task")
        Category = apps.get_model("plans", "Category")
        root = OrgUnit.objects.create(name="R", code="R", kind="agency", level="national")
        root.path = f"/{root.pk}/"
        root.save()
        plan = WorkPlan.objects.create(agency=root, year=2026, title="p")
        t1 = Task.objects.create(plan=plan, code="1", title="t1", lead_unit=root)
        t2 = Task.objects.create(plan=plan, code="2", title="t2", lead_unit=root)
        upper = Category.objects.create(name="Key")
        lower = Category.objects.create(name="key")
        spare = Category.objects.create(name="KEY")  # unused
        t1.categories.set([upper, lower])
        t2.categories.set([lower])

        apps = _migrate(AFTER)
        Category = apps.get_model("plans", "Category")
        Task = apps.get_model("plans", "Task")
        assert list(Category.objects.values_list("pk", "name")) == [(upper.pk, "Key")]
        assert not Category.objects.filter(pk__in=[lower.pk, spare.pk]).exists()
        for task in Task.objects.all():
            assert list(task.categories.values_list("pk", flat=True)) == [upper.pk]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
