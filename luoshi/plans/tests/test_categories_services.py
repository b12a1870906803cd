"""Task categories, kept per agency: the services (create, rename, reorder, deactivate,
reactivate, remove, classify a task), the office's page (its own agency's list only: anyone
else, and any other agency's category, gets 404), the task forms' and the ledger's choices."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django import forms
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import PASSWORD, Org
from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs import services as org_services
from luoshi.orgs.models import OrgUnit, Person, User
from luoshi.orgs.roles import Role
from luoshi.plans.forms.ledger import LedgerFilterForm
from luoshi.plans.forms.tasks import TaskEditForm, TaskForm
from luoshi.plans.models import Category, KeyPoint, Task, TaskEvent, WorkPlan
from luoshi.plans.services.carryover import task_carry_over
from luoshi.plans.services.categories import (
    category_create,
    category_deactivate,
    category_delete,
    category_move,
    category_reactivate,
    category_rename,
    category_reorder,
    task_classify,
)
from luoshi.plans.services.plans import plan_create
from luoshi.plans.services.tasks import TaskIn, task_agency_id, task_create

from .conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages in English (the source strings), in the test and in the pages it asks for."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_en(client_for: Any) -> Any:
    def make(persona: str) -> Client:
        client = client_for(persona)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


NO_CHOICES: dict[str, Any] = {
    "key_points": KeyPoint.objects.none(),
    "units": OrgUnit.objects.none(),
    "people": Person.objects.none(),
}


def offered(form: forms.Form) -> list[Category]:
    """The categories a task form offers."""
    queryset = cast(forms.ModelMultipleChoiceField, form.fields["categories"]).queryset
    assert queryset is not None
    return list(queryset)


def names(agency: OrgUnit) -> list[str]:
    return list(
        Category.objects.filter(agency=agency)
        .order_by("sort_order", "name")
        .values_list("name", flat=True)
    )


def office_of(unit: OrgUnit, username: str) -> User:
    """An office user (supervisor) of another organization than the test agency."""
    person = org_services.person_create(
        actor=None, name=f"{username}督查", gender=Person.Gender.MALE, unit=unit
    )
    user = org_services.user_create(actor=None, username=username, password=PASSWORD, person=person)
    org_services.role_assign(actor=None, user=user, role=Role.SUPERVISOR, anchor=unit)
    return user


def login(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="luoshi.orgs.auth.AccountBackend")
    return client


def city_plan(org: Org) -> WorkPlan:
    """The city federation's own plan with one task."""
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.city, year=2026, title="市侨联2026年工作要点")
    task_create(
        actor=sup,
        data=TaskIn(plan=plan, code="C-1", title="走访侨界代表", lead_unit=org.city),
    )
    return plan


# --- services ---------------------------------------------------------------------------------


def test_create_rename_reorder_and_remove(org: Org) -> None:
    sup, agency = org.users["supervisor"], org.agency
    a = category_create(actor=sup, agency=agency, name=" 重点  改革 ")
    b = category_create(actor=sup, agency=agency, name="民生实事")
    c = category_create(actor=sup, agency=agency, name="督查事项")
    assert a.name == "重点 改革" and a.agency == agency and a.is_active
    assert names(agency) == ["重点 改革", "民生实事", "督查事项"]
    with pytest.raises(InvalidInput):
        category_create(actor=sup, agency=agency, name="民生实事")
    with pytest.raises(InvalidInput):
        category_create(actor=sup, agency=agency, name="  ")
    with pytest.raises(InvalidInput):  # a department keeps no list
        category_create(actor=sup, agency=org.office, name="部门类别")

    category_rename(actor=sup, category=b, name="为民办实事", version=b.version)
    assert names(agency)[1] == "为民办实事"
    with pytest.raises(Conflict):  # the version read before the rename
        category_rename(actor=sup, category=b, name="x", version=1)
    with pytest.raises(InvalidInput):
        category_rename(actor=sup, category=c, name="重点 改革")

    category_move(actor=sup, category=c, step=-1)
    assert names(agency) == ["重点 改革", "督查事项", "为民办实事"]
    category_move(actor=sup, category=a, step=-1)  # already first
    assert names(agency) == ["重点 改革", "督查事项", "为民办实事"]
    category_reorder(actor=sup, agency=agency, order=[b.pk])
    assert names(agency) == ["为民办实事", "重点 改革", "督查事项"]
    with pytest.raises(InvalidInput):
        category_reorder(actor=sup, agency=agency, order=[999999])

    category_delete(actor=sup, category=a)
    assert names(agency) == ["为民办实事", "督查事项"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "category.create",
        "category.rename",
        "category.reorder",
        "category.delete",
    } <= actions


def test_names_are_unique_per_agency_whatever_the_case(org: Org) -> None:
    sup = org.users["supervisor"]
    mine = category_create(actor=sup, agency=org.agency, name="Party Work")
    theirs = category_create(actor=sup, agency=org.city, name="Party Work")
    assert mine.pk != theirs.pk  # the city federation keeps its own list
    with pytest.raises(InvalidInput) as info:
        category_create(actor=sup, agency=org.agency, name="party  work")
    assert "already exists" in info.value.details[0]["message"]
    category_deactivate(actor=sup, category=mine)
    with pytest.raises(InvalidInput) as info:  # an inactive one still holds its name
        category_create(actor=sup, agency=org.agency, name="PARTY WORK")
    assert "reactivate" in info.value.details[0]["message"]
    other = category_create(actor=sup, agency=org.city, name="党建")
    category_rename(actor=sup, category=other, name="party work ok")
    with pytest.raises(InvalidInput):
        category_rename(actor=sup, category=other, name="PARTY work")
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(agency=org.agency, name="PARTY WORK")


def test_moves_among_the_active_ones_when_the_inactive_are_hidden(org: Org) -> None:
    sup = org.users["supervisor"]
    _a, b, c = (category_create(actor=sup, agency=org.agency, name=n) for n in ("甲", "乙", "丙"))
    category_deactivate(actor=sup, category=b)
    category_move(actor=sup, category=c, step=-1, among_active=True)
    assert names(org.agency) == ["丙", "乙", "甲"]  # past the hidden 乙
    category_move(actor=sup, category=c, step=1)
    assert names(org.agency) == ["乙", "丙", "甲"]


def test_a_category_in_use_is_not_removed_but_can_be_deactivated(
    org: Org, plan: WorkPlan, client_en: Any
) -> None:
    sup = org.users["supervisor"]
    cat = category_create(actor=sup, agency=org.agency, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    task_classify(actor=sup, task=task, categories=[cat])
    with pytest.raises(InvalidInput) as info:
        category_delete(actor=sup, category=cat)
    assert info.value.code == "category_in_use"
    assert "deactivate it instead" in str(info.value.message)
    assert Category.objects.filter(pk=cat.pk).exists()

    with pytest.raises(Conflict):
        category_deactivate(actor=sup, category=cat, version=cat.version + 1)
    category_deactivate(actor=sup, category=cat, version=cat.version)
    cat.refresh_from_db()
    assert not cat.is_active
    assert list(task.categories.all()) == [cat]  # the task keeps it
    assert AuditEntry.objects.filter(action="category.deactivate").count() == 1

    # No longer offered for new tasks: the new-task form and page leave it out ...
    assert cat not in offered(TaskForm(plan=plan, **NO_CHOICES))
    html = client_en("supervisor").get(f"/plans/{plan.pk}/tasks/new/").content.decode()
    assert "重点改革" not in html
    # ... and the services refuse it for a task that does not have it yet,
    other = plan.tasks.get(code="2026-2-0-2")
    with pytest.raises(InvalidInput) as info:
        task_classify(actor=sup, task=other, categories=[cat])
    assert info.value.code == "category_not_allowed"
    assert not other.categories.exists()
    # but a task that has it keeps it when its form is saved.
    assert cat in offered(TaskEditForm(task=task, initial={"categories": [cat]}))
    assert cat not in offered(TaskEditForm(task=other))
    task_classify(actor=sup, task=task, categories=[cat], source="meeting")
    assert list(task.categories.all()) == [cat]

    category_reactivate(actor=sup, category=cat)
    assert cat in offered(TaskForm(plan=plan, **NO_CHOICES))
    assert AuditEntry.objects.filter(action="category.reactivate").count() == 1


def test_classify_refuses_another_agency_s_category(org: Org, plan: WorkPlan) -> None:
    sup = org.users["supervisor"]
    city_cat = category_create(actor=sup, agency=org.city, name="市级重点")
    own = category_create(actor=sup, agency=org.agency, name="省级重点")
    task = plan.tasks.get(code="2026-2-0-1")
    with pytest.raises(InvalidInput) as info:
        task_classify(actor=sup, task=task, categories=[own, city_cat], source="meeting")
    assert info.value.code == "category_not_allowed"
    assert info.value.details == [
        {
            "field": "categories",
            "message": "The category 市级重点 belongs to another agency's list: "
            "choose one of the task's agency.",
        }
    ]
    task.refresh_from_db()
    assert not task.categories.exists() and task.source == "work_plan"  # nothing half-done
    # A task without a plan uses the list of its lead unit's organization.
    loose = task_create(actor=sup, data=TaskIn(code="X-1", title="无计划任务", lead_unit=org.econ))
    assert task_agency_id(loose) == org.agency.pk
    task_classify(actor=sup, task=loose, categories=[own])
    with pytest.raises(InvalidInput):
        task_classify(actor=sup, task=loose, categories=[city_cat])


def test_classify_records_the_history(org: Org, plan: WorkPlan) -> None:
    sup = org.users["supervisor"]
    cat = category_create(actor=sup, agency=org.agency, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    issue(org, plan)
    task.refresh_from_db()
    task_classify(
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
    task_classify(actor=sup, task=task, categories=[cat], source="meeting")
    assert AuditEntry.objects.filter(action="task.classify").count() == 1
    with pytest.raises(InvalidInput):
        task_classify(actor=sup, task=task, source="rumour")


# --- the office's page ------------------------------------------------------------------------


def test_the_page_is_the_office_s_only(org: Org, client_en: Any) -> None:
    for persona in ("staff", "leader", "head", "admin", "outsider"):
        assert client_en(persona).get("/plans/categories/").status_code == 404, persona
        response = client_en(persona).post("/plans/categories/", {"action": "create", "name": "x"})
        assert response.status_code == 404, persona
    assert not Category.objects.exists()
    assert client_en("supervisor").get("/plans/categories/").status_code == 200


def test_each_office_sees_and_changes_its_own_agency_s_list_only(org: Org, client_en: Any) -> None:
    sup = org.users["supervisor"]
    provincial = category_create(actor=sup, agency=org.agency, name="省级重点")
    city = office_of(org.city, "city_office")
    city_client = login(city)
    html = city_client.get("/plans/categories/").content.decode()
    assert "省级重点" not in html and "测试市归国华侨联合会" in html
    response = city_client.post("/plans/categories/", {"action": "create", "name": "市级重点"})
    assert response.status_code == 302
    mine = Category.objects.get(name="市级重点")
    assert mine.agency == org.city
    # The provincial list is not the city office's: every action on it is "not found".
    for action in ("rename", "up", "deactivate", "reactivate", "delete"):
        response = city_client.post(
            "/plans/categories/",
            {"action": action, "pk": provincial.pk, "name": "改", "version": provincial.version},
        )
        assert response.status_code == 404, action
    provincial.refresh_from_db()
    assert provincial.name == "省级重点" and provincial.is_active
    # Nor is the city's list the provincial office's to change (its page shows its own).
    client = client_en("supervisor")
    assert "市级重点" not in client.get("/plans/categories/").content.decode()
    response = client.post("/plans/categories/", {"action": "delete", "pk": mine.pk})
    assert response.status_code == 404
    assert Category.objects.filter(pk=mine.pk).exists()
    # An unknown action is not found either.
    response = client.post("/plans/categories/", {"action": "drop", "pk": provincial.pk})
    assert response.status_code == 404


def test_the_page_adds_renames_moves_deactivates_and_removes(
    org: Org, plan: WorkPlan, client_en: Any
) -> None:
    client = client_en("supervisor")
    response = client.post("/plans/categories/", {"action": "create", "name": "重点改革"})
    assert response.status_code == 302
    client.post("/plans/categories/", {"action": "create", "name": "民生实事"})
    response = client.post("/plans/categories/", {"action": "create", "name": "民生实事"})
    assert response.status_code == 422
    assert response.context["form"].errors

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
    assert names(org.agency) == ["为民办实事", "重点改革"]

    task = plan.tasks.get(code="2026-2-0-1")
    task_classify(actor=None, task=task, categories=[first])
    client.post("/plans/categories/", {"action": "delete", "pk": first.pk})
    assert Category.objects.filter(pk=first.pk).exists()  # in use
    html = client.get("/plans/categories/").content.decode()
    assert "Deactivate the category 重点改革?" in html and "the 1 task that has it" in html

    # Deactivate: hidden from the page until the toggle shows it, still on its task.
    response = client.post(  # the version read before the move: refused, nothing changed
        "/plans/categories/", {"action": "deactivate", "pk": first.pk, "version": first.version}
    )
    assert response.status_code == 302
    assert Category.objects.get(pk=first.pk).is_active
    first.refresh_from_db()
    response = client.post(
        "/plans/categories/", {"action": "deactivate", "pk": first.pk, "version": first.version}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert not first.is_active and list(task.categories.all()) == [first]
    html = client.get("/plans/categories/").content.decode()
    assert "重点改革" not in html and "Show 1 inactive category" in html
    html = client.get("/plans/categories/", {"inactive": "1"}).content.decode()
    assert "重点改革" in html and "Reactivate" in html and "Hide inactive categories" in html
    response = client.post(
        "/plans/categories/?inactive=1",
        {"action": "reactivate", "pk": first.pk, "version": first.version},
    )
    assert response.status_code == 302 and response["Location"].endswith("?inactive=1")
    first.refresh_from_db()
    assert first.is_active

    client.post("/plans/categories/", {"action": "delete", "pk": second.pk})
    assert not Category.objects.filter(pk=second.pk).exists()
    assert client.post("/plans/categories/", {"action": "up", "pk": 999999}).status_code == 404


def test_the_page_has_a_fixed_number_of_queries(org: Org, plan: WorkPlan, client_en: Any) -> None:
    client = client_en("supervisor")
    tasks = list(plan.tasks.all())
    for n in range(3):
        category = category_create(actor=None, agency=org.agency, name=f"类{n}")
        task_classify(actor=None, task=tasks[n], categories=[category])
    counts = []
    for query in ({}, {"inactive": "1"}):
        client.get("/plans/categories/", query)  # warm: the cached navigation is filled
        with CaptureQueriesContext(connection) as small:
            assert client.get("/plans/categories/", query).status_code == 200
        counts.append(len(small.captured_queries))
    for n in range(3, 30):
        category = category_create(actor=None, agency=org.agency, name=f"类{n}")
        category_create(actor=None, agency=org.city, name=f"市{n}")
        if n % 3 == 0:
            category_deactivate(actor=None, category=category)
    for query, count in zip(({}, {"inactive": "1"}), counts, strict=True):
        with CaptureQueriesContext(connection) as large:
            response = client.get("/plans/categories/", query)
        assert response.status_code == 200
        assert len(large.captured_queries) == count, query
        assert "市3" not in response.content.decode()


# --- the task forms and the ledger's filter ---------------------------------------------------


def test_the_task_form_takes_categories_and_source(
    org: Org, plan: WorkPlan, client_en: Any
) -> None:
    cat = category_create(actor=None, agency=org.agency, name="重点改革")
    client = client_en("supervisor")
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

    # Deactivated, it stays on the task when the task is saved.
    category_deactivate(actor=None, category=cat)
    edit = {"title": task.title, "report_cadence": "monthly", "report_due_day": 5}
    response = client.post(
        f"/tasks/{task.pk}/edit/",
        {**edit, "source": Task.Source.MEETING, "categories": [cat.pk], "version": task.version},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.source == "meeting" and list(task.categories.all()) == [cat]

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


def test_the_task_forms_offer_the_plan_s_agency_s_list(org: Org, plan: WorkPlan) -> None:
    own = category_create(actor=None, agency=org.agency, name="省级重点")
    city_cat = category_create(actor=None, agency=org.city, name="市级重点")
    assert offered(TaskForm(plan=plan, **NO_CHOICES)) == [own]
    other = city_plan(org)
    assert offered(TaskForm(plan=other, **NO_CHOICES)) == [city_cat]
    task = plan.tasks.get(code="2026-2-0-1")
    assert offered(TaskEditForm(task=task)) == [own]
    form = TaskEditForm(
        {"title": "t", "report_cadence": "monthly", "report_due_day": 5, "source": "work_plan"}
        | {"categories": [city_cat.pk], "version": 1},
        task=task,
    )
    assert not form.is_valid() and "categories" in form.errors


def _ledger_categories(user: User, query: dict[str, Any] | None = None) -> list[Any]:
    form = LedgerFilterForm(query or None, units=[], leaders=[], user=user)
    return list(form.fields["category"].widget.choices)[1:]


def test_the_ledger_filter_lists_the_categories_of_the_scope_s_agencies(
    org: Org, plan: WorkPlan, client_en: Any
) -> None:
    sup = org.users["supervisor"]
    own = category_create(actor=sup, agency=org.agency, name="省级重点")
    old = category_create(actor=sup, agency=org.agency, name="旧类别")
    category_deactivate(actor=sup, category=old)
    city_cat = category_create(actor=sup, agency=org.city, name="市级重点")
    national = org_services.org_unit_create(
        actor=None, name="另一机关", code="OTHER", kind="agency", level="national"
    )
    elsewhere = category_create(actor=sup, agency=national, name="外部类别")

    # The provincial office's scope covers its agency and the city federation below it.
    choices = dict(_ledger_categories(sup))
    assert set(choices) == {own.pk, old.pk, city_cat.pk}
    assert choices[city_cat.pk] == "市级重点（测试市归国华侨联合会）"
    assert choices[old.pk] == "旧类别（测试省归国华侨联合会机关） (inactive)"
    # A department's staff: the list of their own organization.
    assert dict(_ledger_categories(org.users["staff"])) == {
        own.pk: "省级重点",
        old.pk: "旧类别 (inactive)",
    }
    # The city's office: the city's list only, never the province's above it.
    city = office_of(org.city, "city_office")
    assert dict(_ledger_categories(city)) == {city_cat.pk: "市级重点"}
    # A chosen category outside the scope is not listed either.
    assert elsewhere.pk not in dict(_ledger_categories(city, {"category": str(elsewhere.pk)}))
    assert elsewhere.pk not in dict(_ledger_categories(sup, {"category": "99999999999999999999"}))

    # The filter itself: tasks tagged with the category.
    task = plan.tasks.get(code="2026-2-0-1")
    task_classify(actor=sup, task=task, categories=[own])
    form = LedgerFilterForm({"category": str(own.pk)}, units=[], leaders=[], user=sup)
    assert form.to_filter().category == own.pk
    html = client_en("supervisor").get("/tasks/", {"category": own.pk}).content.decode()
    assert "举办海外侨团负责人研习班" in html and "组建侨界专家智库" not in html


def test_the_ledger_filter_lists_in_a_fixed_number_of_queries(org: Org) -> None:
    sup, staff = org.users["supervisor"], org.users["staff"]
    for n in range(2):
        category_create(actor=None, agency=org.agency, name=f"类{n}")
    counts = {}
    for user in (sup, staff):
        _ledger_categories(user)  # the scope is read once per request
        with CaptureQueriesContext(connection) as small:
            _ledger_categories(user, {"category": "1"})
        counts[user.pk] = len(small.captured_queries)
        assert counts[user.pk] <= 4
    for n in range(2, 40):
        category_create(actor=None, agency=org.agency, name=f"类{n}")
        category_create(actor=None, agency=org.city, name=f"市{n}")
    for user in (sup, staff):
        with CaptureQueriesContext(connection) as large:
            _ledger_categories(user, {"category": "1"})
        assert len(large.captured_queries) == counts[user.pk]


def test_lists_stay_apart_across_years_and_carry_over(org: Org, plan: WorkPlan) -> None:
    """Carrying a task into next year's plan of the same agency keeps the same list."""
    sup = org.users["supervisor"]
    cat = category_create(actor=sup, agency=org.agency, name="重点改革")
    task = plan.tasks.get(code="2026-2-0-1")
    task_classify(actor=sup, task=task, categories=[cat])
    later = plan_create(actor=sup, agency=org.agency, year=2027, title="2027年工作要点")
    new = task_carry_over(actor=sup, task=task, to_plan=later, deadline=dt.date(2027, 6, 30))
    task_classify(actor=sup, task=new, categories=[cat])
    assert list(new.categories.all()) == [cat]
