"""The API does what the pages do: suspend and resume, bulletins, the ledger export; and the work
plans' task page lists the supervision items linked to the task."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.core.models import AuditEntry
from luoshi.plans.services.plans import plan_create
from luoshi.plans.services.tasks import TaskIn, task_create
from luoshi.supervision import services
from luoshi.supervision.models import Bulletin, SupervisionItem

from .conftest import D, register

pytestmark = pytest.mark.django_db

API = "/api/v1/supervision"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-09-26 09:00 +08:00", tick=False):
        yield


def assigned(org, **overrides) -> SupervisionItem:
    item = register(org, **overrides)
    services.item_assign(actor=org.users["supervisor"], item=item, today=D(2025, 9, 26))
    item.refresh_from_db()
    return item


def post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_suspend_and_resume_through_the_api(org, client_for, token_for) -> None:
    item = assigned(org)
    sup, auth = client_for("supervisor"), token_for("supervisor")
    # an outsider cannot tell the item exists; the lead unit's staff may not suspend it
    outsider = token_for("outsider")
    assert post(sup, f"{API}/items/{item.pk}/suspend", {"reason": "x"}, outsider).status_code == 404
    assert post(sup, f"{API}/items/{item.pk}/resume", {}, outsider).status_code == 404
    assert (
        post(sup, f"{API}/items/{item.pk}/suspend", {"reason": "x"}, token_for("staff")).status_code
        == 403
    )
    response = post(
        sup,
        f"{API}/items/{item.pk}/suspend",
        {"reason": "等待上级进一步部署", "version": item.version},
        auth,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == SupervisionItem.Status.SUSPENDED
    assert AuditEntry.objects.filter(action="supervision.suspend", object_id=str(item.pk)).exists()
    # a stale version is refused like on the page
    stale = post(sup, f"{API}/items/{item.pk}/resume", {"version": item.version}, auth)
    assert stale.status_code == 409
    response = post(sup, f"{API}/items/{item.pk}/resume", {"version": body["version"]}, auth)
    assert response.status_code == 200, response.content
    assert response.json()["status"] != SupervisionItem.Status.SUSPENDED
    assert AuditEntry.objects.filter(action="supervision.resume", object_id=str(item.pk)).exists()
    # an empty reason is an input error, next to the field
    assert post(sup, f"{API}/items/{item.pk}/suspend", {"reason": ""}, auth).status_code == 422


def test_ledger_xlsx_is_the_pages_file_scoped_and_audited(org, client_for, token_for) -> None:
    item = assigned(org)
    other = assigned(org, title="另一事项", kind=SupervisionItem.Kind.SPECIAL)
    client = client_for("supervisor")
    response = client.get(f"{API}/ledger.xlsx?kind=routine", **token_for("supervisor"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content)), read_only=True
        ).active.iter_rows(values_only=True)
    )
    page = client.get("/supervision/export.xlsx?kind=routine")
    page_rows = list(
        load_workbook(
            io.BytesIO(b"".join(page.streaming_content)), read_only=True
        ).active.iter_rows(values_only=True)
    )
    assert rows == page_rows
    assert [r[0] for r in rows[1:]] == [item.number] and other.number not in str(rows)
    entry = AuditEntry.objects.filter(action="supervision.export").order_by("id").first()
    assert entry is not None and entry.actor_id == org.users["supervisor"].pk
    # forbidden looks like missing: the outsider's file has no rows; no scope at all is a 404
    outsider = client.get(f"{API}/ledger.xlsx", **token_for("outsider"))
    assert outsider.status_code == 200
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(b"".join(outsider.streaming_content)), read_only=True
                ).active.iter_rows(values_only=True)
            )
        )
        == 1
    )
    assert client.get(f"{API}/ledger.xlsx", **token_for("admin")).status_code == 404


def test_bulletins_through_the_api(org, client_for, token_for) -> None:
    assigned(org)
    sup, auth = client_for("supervisor"), token_for("supervisor")
    with time_machine.travel("2025-11-01 09:00 +08:00", tick=False):
        assert post(
            sup, f"{API}/bulletins", {"month": "2025-10"}, token_for("staff")
        ).status_code in (
            403,
            404,
        )
        response = post(sup, f"{API}/bulletins", {"month": "2025-10"}, auth)
        assert response.status_code == 201, response.content
        body = response.json()
        pk = body["id"]
        assert body["status"] == "draft" and body["data"]["totals"]["assigned"] == 1
        assert AuditEntry.objects.filter(action="supervision.bulletin_compile").count() == 1
        assert post(sup, f"{API}/bulletins", {"month": "2025-13"}, auth).status_code == 422
        # the draft: the office sees it, staff and outsiders do not
        listed = sup.get(f"{API}/bulletins", **auth).json()
        assert [b["id"] for b in listed["results"]] == [pk]
        assert sup.get(f"{API}/bulletins", **token_for("staff")).json()["count"] == 0
        assert sup.get(f"{API}/bulletins/{pk}", **token_for("staff")).status_code == 404
        # edit
        response = sup.patch(
            f"{API}/bulletins/{pk}",
            {"closing": "请各单位抓紧办理。", "version": body["version"]},
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["closing"] == "请各单位抓紧办理。" and body["title"]
        assert AuditEntry.objects.filter(action="supervision.bulletin_update").count() == 1
        assert (
            sup.patch(
                f"{API}/bulletins/{pk}",
                {"closing": "x"},
                content_type="application/json",
                **token_for("outsider"),
            ).status_code
            == 404
        )
        # publish
        assert (
            post(sup, f"{API}/bulletins/{pk}/publish", {}, token_for("outsider")).status_code == 404
        )
        response = post(sup, f"{API}/bulletins/{pk}/publish", {"version": body["version"]}, auth)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "published"
        assert Bulletin.objects.get().status == Bulletin.Status.PUBLISHED
        assert AuditEntry.objects.filter(action="supervision.bulletin_publish").count() == 1
        # published: all staff of the agency see it; the outsider's organization does not
        staff = sup.get(f"{API}/bulletins/{pk}", **token_for("staff"))
        assert staff.status_code == 200 and staff.json()["closing"] == "请各单位抓紧办理。"
        assert sup.get(f"{API}/bulletins", **token_for("staff")).json()["count"] == 1
        assert sup.get(f"{API}/bulletins", **token_for("outsider")).json()["count"] == 0
        assert sup.get(f"{API}/bulletins/{pk}", **token_for("outsider")).status_code == 404
        # a published bulletin is neither edited, republished nor recompiled
        assert post(sup, f"{API}/bulletins/{pk}/publish", {}, auth).status_code == 422
        assert (
            sup.patch(
                f"{API}/bulletins/{pk}", {"closing": "x"}, content_type="application/json", **auth
            ).status_code
            == 422
        )
        assert post(sup, f"{API}/bulletins", {"month": "2025-10"}, auth).status_code == 422


def test_task_page_lists_the_linked_supervision_items(org, client_for) -> None:
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=2025, title="2025年工作要点")
    task = task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            code="2025-1-0-1",
            title="组建侨界专家智库",
            lead_unit=org.econ,
            deadline=dt.date(2025, 12, 31),
            is_key=True,
        ),
    )
    item = assigned(org, source=SupervisionItem.Source.WORK_PLAN, task=task)
    other = register(org, title="未关联的事项")
    url = reverse("plans:task", args=[task.pk])
    client = client_for("staff")  # 经济科技部: sees the task and the item
    assert client.get(reverse("supervision:item", args=[item.pk])).status_code == 200
    client.get(url)  # warm: cached lists (units, the tree's top units) are read once
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert item.number in page and item.title in page and other.title not in page
    assert reverse("supervision:item", args=[item.pk]) in page
    assert item.get_status_display() in page and item.get_light_display() in page
    # the number of queries does not grow with the number of linked items
    for n in range(3):
        assigned(org, title=f"关联事项{n}", source=SupervisionItem.Source.WORK_PLAN, task=task)
    client.get(url)  # warm again: new items renew the cached navigation (it offers the modules)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.content.decode().count(reverse("supervision:item", args=[item.pk])) == 1
    assert "关联事项2" in response.content.decode()
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]


def test_task_page_hides_linked_items_the_viewer_may_not_see(org, client_for) -> None:
    """The task is the staff's unit's; an item on it led by another unit stays invisible."""
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=2025, title="2025年要点")
    task = task_create(
        actor=sup,
        data=TaskIn(plan=plan, code="2025-1-0-2", title="侨界人才对接", lead_unit=org.econ),
    )
    hidden = assigned(
        org,
        title="联络部牵头的督办事项",
        source=SupervisionItem.Source.WORK_PLAN,
        task=task,
        lead_unit=org.liaison,
        cooperating_units=[org.office],
        responsible_person=None,
    )
    client = client_for("staff")
    assert client.get(reverse("supervision:item", args=[hidden.pk])).status_code == 404
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert "侨界人才对接" in page and hidden.title not in page
    leader_page = client_for("leader").get(reverse("plans:task", args=[task.pk])).content.decode()
    assert hidden.title in leader_page
