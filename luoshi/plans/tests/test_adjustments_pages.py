"""Adjustments of milestones and indicators after a plan is issued: the lead unit proposes them,
the approver sees the diff, approval applies them, and the task's history keeps every change."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.plans.models import AdjustmentRequest, Indicator, Milestone, Task, TaskEvent
from luoshi.plans.services.adjustments import adjustment_decide, adjustment_request
from luoshi.plans.services.reports import ReportIn, report_submit

from .conftest import issue

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(org, plan) -> Task:
    """The econ unit's task, issued, with two milestones and an indicator."""
    econ = plan.tasks.get(code="2026-2-0-2")
    Milestone.objects.create(task=econ, title="组建方案", due_date=dt.date(2026, 3, 31))
    Milestone.objects.create(
        task=econ, title="首批聘任", due_date=dt.date(2026, 1, 20), done_on=dt.date(2026, 1, 18)
    )
    Indicator.objects.create(task=econ, name="聘任专家", target=decimal.Decimal(30), unit="人")
    issue(org, plan)
    return Task.objects.get(pk=econ.pk)


def milestone(task: Task, title: str) -> Milestone:
    return task.milestones.get(title=title)


def test_request_and_approve_milestone_and_indicator_changes(org, task) -> None:
    plan_m = milestone(task, "组建方案")
    ind = task.indicators.get()
    request = adjustment_request(
        actor=org.users["staff"],
        task=task,
        reason="进度调整",
        changes={
            "deadline": dt.date(2026, 9, 30),
            "milestones": [
                {
                    "op": "change",
                    "id": plan_m.pk,
                    "title": "印发组建方案",
                    "due_date": "2026-04-30",
                },
                {"op": "add", "title": "召开成立大会", "due_date": dt.date(2026, 9, 1)},
            ],
            "indicators": [
                {
                    "op": "change",
                    "id": ind.pk,
                    "name": "聘任专家",
                    "target": decimal.Decimal(40),
                    "unit": "人",
                    "direction": "higher",
                },
                {
                    "op": "add",
                    "name": "咨询报告",
                    "target": "5",
                    "unit": "篇",
                    "direction": "higher",
                },
            ],
        },
    )
    # Stored as plain JSON with what each changed item was; a milestone after the old
    # deadline is accepted because the deadline moves with it.
    assert request.changes["milestones"][0]["was"] == {
        "title": "组建方案",
        "due_date": "2026-03-31",
    }
    assert request.changes["indicators"][0]["target"] == "40.00"
    task.refresh_from_db()
    assert task.status == Task.Status.ADJUSTMENT_REQUESTED
    assert milestone(task, "组建方案")  # nothing applied yet

    adjustment_decide(
        actor=org.users["supervisor"], adjustment=request, approve=True, today=NOW.date()
    )
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS
    assert task.deadline == dt.date(2026, 9, 30)
    assert sorted(task.milestones.values_list("title", "due_date")) == sorted(
        [
            ("印发组建方案", dt.date(2026, 4, 30)),
            ("首批聘任", dt.date(2026, 1, 20)),
            ("召开成立大会", dt.date(2026, 9, 1)),
        ]
    )
    assert sorted(task.indicators.values_list("name", "target")) == [
        ("咨询报告", decimal.Decimal(5)),
        ("聘任专家", decimal.Decimal(40)),
    ]
    event = task.events.get(kind=TaskEvent.Kind.ADJUSTMENT_APPROVED)
    assert event.before["deadline"] == "2026-06-30" and event.after["deadline"] == "2026-09-30"
    assert event.before["milestones"] == [{"title": "组建方案", "due_date": "2026-03-31"}]
    assert [op["op"] for op in event.after["indicators"]] == ["change", "add"]
    update = AuditEntry.objects.filter(action="task.update").order_by("-id").first()
    assert update is not None and "milestones" in (update.after or {})


def test_remove_and_what_cannot_change(org, task) -> None:
    staff = org.users["staff"]
    done, open_m = milestone(task, "首批聘任"), milestone(task, "组建方案")
    ind = task.indicators.get()

    def propose(**changes):
        return adjustment_request(actor=staff, task=task, reason="调整", changes=changes)

    with pytest.raises(InvalidInput):  # a done milestone stays
        propose(milestones=[{"op": "remove", "id": done.pk}])
    with pytest.raises(InvalidInput):  # after the deadline
        propose(milestones=[{"op": "add", "title": "x", "due_date": "2026-12-31"}])
    with pytest.raises(InvalidInput):  # another task's milestone
        other = Milestone.objects.exclude(task=task).first()
        propose(milestones=[{"op": "remove", "id": other.pk if other else 0}])
    with pytest.raises(InvalidInput):
        propose(indicators=[{"op": "add", "name": "", "target": "1", "direction": "higher"}])
    with pytest.raises(InvalidInput):
        propose(indicators=[{"op": "add", "name": "x", "target": "abc", "direction": "higher"}])
    with pytest.raises(InvalidInput):  # nothing really changes
        propose(
            milestones=[
                {"op": "change", "id": open_m.pk, "title": "组建方案", "due_date": "2026-03-31"}
            ]
        )
    assert not AdjustmentRequest.objects.exists()

    report_submit(
        actor=staff,
        task=task,
        unit=org.econ,
        data=ReportIn(text="进展", indicator_values={ind.pk: decimal.Decimal(12)}),
        today=dt.date(2026, 2, 3),
    )
    task.refresh_from_db()
    with pytest.raises(InvalidInput):  # reported values: change the target instead
        propose(indicators=[{"op": "remove", "id": ind.pk}])

    request = propose(milestones=[{"op": "remove", "id": open_m.pk}])
    adjustment_decide(actor=org.users["vice"], adjustment=request, approve=False, note="否")
    assert task.milestones.filter(pk=open_m.pk).exists()  # rejected: nothing applied
    task.refresh_from_db()
    request = propose(milestones=[{"op": "remove", "id": open_m.pk}])
    adjustment_decide(actor=org.users["supervisor"], adjustment=request, approve=True)
    assert not task.milestones.filter(pk=open_m.pk).exists()


def test_approval_refuses_a_stale_request(org, task) -> None:
    open_m = milestone(task, "组建方案")
    request = adjustment_request(
        actor=org.users["staff"],
        task=task,
        reason="调整",
        changes={
            "responsible_person": org.people["econ_colleague"],
            "milestones": [
                {"op": "change", "id": open_m.pk, "title": "新", "due_date": "2026-04-30"}
            ],
        },
    )
    Milestone.objects.filter(pk=open_m.pk).update(done_on=dt.date(2026, 2, 1))  # done meanwhile
    with pytest.raises(InvalidInput):
        adjustment_decide(actor=org.users["supervisor"], adjustment=request, approve=True)
    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status == AdjustmentRequest.Status.PENDING  # nothing written
    assert task.responsible_person_id is None
    assert milestone(task, "组建方案").due_date == dt.date(2026, 3, 31)


@time_machine.travel(NOW, tick=False)
def test_the_pages_propose_show_the_diff_and_apply(org, task, client_for) -> None:
    staff = client_for("staff")
    open_m = milestone(task, "组建方案")
    ind = task.indicators.get()
    page = staff.get(f"/tasks/{task.pk}/adjust/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="milestone_{open_m.pk}_title"' in html
    assert f'name="milestone_{milestone(task, "首批聘任").pk}_title"' not in html  # done
    assert f'name="indicator_{ind.pk}_target"' in html

    form = {
        "reason": "专家遴选推迟",
        f"milestone_{open_m.pk}_title": "组建方案",
        f"milestone_{open_m.pk}_due": "2026-04-15",
        f"indicator_{ind.pk}_name": "聘任专家",
        f"indicator_{ind.pk}_target": "30",
        f"indicator_{ind.pk}_unit": "人",
        f"indicator_{ind.pk}_direction": "higher",
        f"indicator_{ind.pk}_remove": "on",
        "new_milestones": "召开成立大会 | 2026-06-01",
        "new_indicators": "咨询报告 | 5 | 篇",
    }
    bad = staff.post(
        f"/tasks/{task.pk}/adjust/",
        {**form, "new_milestones": "x | 2027-01-01", "new_indicators": "咨询报告 | 1e15 | 篇"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422
    shown = bad.context["form"].non_field_errors()
    # The roadmap validator's reasons reach the page, each row named, and nothing is written.
    assert any("after the task" in str(e) for e in shown), shown
    assert any("The target is not a valid number." in str(e) for e in shown), shown
    assert not AdjustmentRequest.objects.exists()
    response = staff.post(f"/tasks/{task.pk}/adjust/", form)
    assert response.status_code == 302
    request = AdjustmentRequest.objects.get()
    assert [op["op"] for op in request.changes["milestones"]] == ["change", "add"]
    assert [op["op"] for op in request.changes["indicators"]] == ["remove", "add"]

    supervisor = client_for("supervisor")
    html = supervisor.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change milestone “组建方案” (due 2026-03-31) to “组建方案” (due 2026-04-15)" in html
    assert "Add milestone “召开成立大会”, due 2026-06-01" in html
    assert "Remove indicator “聘任专家” (target 30人)" in html
    assert "Add indicator “咨询报告”: target 5篇, Higher is better" in html

    response = supervisor.post(
        f"/adjustments/{request.pk}/decide/", {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert milestone(task, "组建方案").due_date == dt.date(2026, 4, 15)
    assert list(task.indicators.values_list("name", flat=True)) == ["咨询报告"]
    html = supervisor.get(f"/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("Add milestone “召开成立大会”, due 2026-06-01") == 2  # requested, approved


def test_who_may_request(org, task, client_for) -> None:
    for persona in ("outsider", "head"):  # cannot see the task
        assert client_for(persona).get(f"/tasks/{task.pk}/adjust/").status_code == 404, persona
    assert client_for("supervisor").get(f"/tasks/{task.pk}/adjust/").status_code == 403
    response = client_for("outsider").post(f"/tasks/{task.pk}/adjust/", {"reason": "x"})
    assert response.status_code == 404
    assert not AdjustmentRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_task_page_reads_adjustments_in_fixed_queries(org, task, client_for) -> None:
    supervisor = client_for("supervisor")

    def adjust(n: int, approve: bool = True) -> None:
        task.refresh_from_db()
        request = adjustment_request(
            actor=org.users["staff"],
            task=task,
            reason=f"调整{n}",
            changes={
                "responsible_person": org.people["econ_colleague" if n % 2 else "staff"],
                "milestones": [{"op": "add", "title": f"阶段{n}", "due_date": "2026-05-01"}],
            },
        )
        if approve:
            adjustment_decide(actor=org.users["supervisor"], adjustment=request, approve=True)

    def count() -> int:
        supervisor.get(f"/tasks/{task.pk}/")  # warm: the cached navigation is filled
        with CaptureQueriesContext(connection) as ctx:
            assert supervisor.get(f"/tasks/{task.pk}/").status_code == 200
        return len(ctx.captured_queries)

    adjust(1)
    adjust(2, approve=False)
    small = count()
    adjustment_decide(
        actor=org.users["supervisor"],
        adjustment=AdjustmentRequest.objects.get(status="pending"),
        approve=True,
    )
    for n in range(3, 7):
        adjust(n)
    adjust(7, approve=False)
    assert count() == small
