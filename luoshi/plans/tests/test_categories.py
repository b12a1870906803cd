"""Task categories: the services (create, rename, reorder, remove, classify a task), the office's
page (scoped: anyone else gets 404), and the task form's categories and source."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.plans import services_categories
from luoshi.plans.models import Category, Task, TaskEvent

from .conftest import issue

pytestmark = pytest.mark.django_db


def names() -> list[str]:
    return list(Category.objects.order_by("sort_order", "name").values_list("name", flat=True))


def test_create_rename_reorder_and_remove(org) -> None:
    sup = org.users["supervisor"]
    a = services_categories.category_create(actor=sup, name=" 重点  改革 ")
    b = services_categories.category_create(actor=sup, name="民生实事")
    c = services_categories.category_create(actor=sup, name="督查事项")
    assert a.name == "重点 改革"
    assert names() == ["重点 改革", "民生实事", "督查事项"]
    with pytest.raises(InvalidInput):
        services_categories.category_create(actor=sup, name="民生实事")
    with pytest.raises(InvalidInput):
        services_categories.category_create(actor=sup, name="  ")

    services_categories.category_rename(actor=sup, category=b, name="为民办实事", version=b.version)
    assert names()[1] == "为民办实事"
    with pytest.raises(Conflict):  # the version read before the rename
        services_categories.category_rename(actor=sup, category=b, name="x", version=1)
    with pytest.raises(InvalidInput):
        services_categories.category_rename(actor=sup, category=c, name="重点 改革")

    services_categories.category_move(actor=sup, category=c, step=-1)
    assert names() == ["重点 改革", "督查事项", "为民办实事"]
    services_categories.category_move(actor=sup, category=a, step=-1)  # already first
    assert names() == ["重点 改革", "督查事项", "为民办实事"]
    services_categories.category_reorder(actor=sup, order=[b.pk])
    assert names() == ["为民办实事", "重点 改革", "督查事项"]
    with pytest.raises(InvalidInput):
        services_categories.category_reorder(actor=sup, order=[999999])

    services_categories.category_delete(actor=sup, category=a)
    assert names() == ["为民办实事", "督查事项"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "category.create",
        "category.rename",
        "category.reorder",
        "category.delete",
    } <= actions


def test_a_category_in_use_is_not_removed(org, plan) -> None:
    sup = org.users["supervisor"]
    cat = services_categories.category_create(actor=sup, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    services_categories.task_classify(actor=sup, task=task, categories=[cat])
    with pytest.raises(InvalidInput) as info:
        services_categories.category_delete(actor=sup, category=cat)
    assert info.value.code == "category_in_use"
    assert Category.objects.filter(pk=cat.pk).exists()


def test_classify_records_the_history(org, plan) -> None:
    sup = org.users["supervisor"]
    cat = services_categories.category_create(actor=sup, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    issue(org, plan)
    task.refresh_from_db()
    services_categories.task_classify(
        actor=sup, task=task, categories=[cat], source=Task.Source.MEETING, version=task.version
    )
    task.refresh_from_db()
    assert task.source == Task.Source.MEETING
    assert list(task.categories.all()) == [cat]
    event = task.events.filter(kind=TaskEvent.Kind.CHANGED).first()
    assert event is not None
    assert event.after == {"source": "meeting", "categories": [cat.pk]}
    assert AuditEntry.objects.filter(action="task.classify").count() == 1
    # Nothing changed: no event, no audit entry.
    services_categories.task_classify(actor=sup, task=task, categories=[cat], source="meeting")
    assert AuditEntry.objects.filter(action="task.classify").count() == 1
    with pytest.raises(InvalidInput):
        services_categories.task_classify(actor=sup, task=task, source="rumour")


def test_the_page_is_the_office_s_only(org, client_for) -> None:
    for persona in ("staff", "leader", "head", "admin", "outsider"):
        assert client_for(persona).get("/plans/categories/").status_code == 404, persona
        response = client_for(persona).post("/plans/categories/", {"action": "create", "name": "x"})
        assert response.status_code == 404, persona
    assert not Category.objects.exists()
    assert client_for("supervisor").get("/plans/categories/").status_code == 200


def test_the_page_adds_renames_moves_and_removes(org, plan, client_for) -> None:
    client = client_for("supervisor")
    response = client.post("/plans/categories/", {"action": "create", "name": "重点改革"})
    assert response.status_code == 302
    client.post("/plans/categories/", {"action": "create", "name": "民生实事"})
    response = client.post("/plans/categories/", {"action": "create", "name": "民生实事"})
    assert response.status_code == 422
    assert "民生实事 already exists" in response.content.decode() or response.context["form"].errors

    first, second = Category.objects.order_by("sort_order")
    response = client.post(
        "/plans/categories/",
        {"action": "rename", "pk": second.pk, "name": "为民办实事", "version": second.version},
    )
    assert response.status_code == 302
    response = client.post(
        "/plans/categories/",
        {"action": "rename", "pk": second.pk, "name": "重点改革", "version": second.version + 1},
    )
    assert response.status_code == 422 and response.context["rename_pk"] == second.pk
    client.post("/plans/categories/", {"action": "up", "pk": second.pk})
    assert names() == ["为民办实事", "重点改革"]

    task = plan.tasks.get(code="2026-2-0-1")
    services_categories.task_classify(actor=None, task=task, categories=[first])
    client.post("/plans/categories/", {"action": "delete", "pk": first.pk})
    assert Category.objects.filter(pk=first.pk).exists()  # in use
    client.post("/plans/categories/", {"action": "delete", "pk": second.pk})
    assert not Category.objects.filter(pk=second.pk).exists()
    assert client.post("/plans/categories/", {"action": "up", "pk": 999999}).status_code == 404


def test_the_page_has_a_fixed_number_of_queries(org, client_for) -> None:
    client = client_for("supervisor")
    for n in range(3):
        services_categories.category_create(actor=None, name=f"类别{n}")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/plans/categories/").status_code == 200
    for n in range(3, 30):
        services_categories.category_create(actor=None, name=f"类别{n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get("/plans/categories/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_task_form_takes_categories_and_source(org, plan, client_for) -> None:
    cat = services_categories.category_create(actor=None, name="重点改革")
    client = client_for("supervisor")
    html = client.get(f"/plans/{plan.pk}/tasks/new/").content.decode()
    assert 'name="categories"' in html and 'name="source"' in html and "重点改革" in html
    response = client.post(
        f"/plans/{plan.pk}/tasks/new/",
        {
            "code": "2026-2-0-9",
            "title": "落实省委交办事项",
            "lead_unit": org.econ.pk,
            "source": Task.Source.HIGHER_LEVEL,
            "categories": [cat.pk],
            "deadline": "2026-10-31",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(code="2026-2-0-9")
    assert task.source == Task.Source.HIGHER_LEVEL
    assert list(task.categories.all()) == [cat]

    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": task.title,
            "report_cadence": "quarterly",
            "report_due_day": 10,
            "source": Task.Source.INSTRUCTION,
            "categories": [],
            "version": task.version,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.source, task.report_cadence) == ("instruction", "quarterly")
    assert task.report_due_day == 10
    assert not task.categories.exists()
    # A stale version is refused, nothing overwritten.
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": "改",
            "report_cadence": "monthly",
            "report_due_day": 5,
            "source": Task.Source.MEETING,
            "version": 1,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    task.refresh_from_db()
    assert task.source == "instruction" and task.title == "落实省委交办事项"
