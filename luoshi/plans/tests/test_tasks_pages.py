"""Plan pages: the plan outline, the ledger, a task, its actions; scoped and with fixed queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from luoshi.plans.models import Task
from luoshi.plans.services.adjustments import adjustment_request
from luoshi.plans.services.closeout import completion_request
from luoshi.plans.services.plans import plan_create
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.tasks import MilestoneIn, TaskIn, task_create
from luoshi.plans.views import mywork

from .conftest import issue

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    client.get(url)  # warm: the cached navigation and filter lists are filled
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def add_tasks(org, plan, n: int, start: int) -> None:
    for i in range(start, start + n):
        task_create(
            actor=None,
            data=TaskIn(
                plan=plan,
                code=f"2026-9-0-{i}",
                title=f"批量任务{i}",
                lead_unit=org.econ,
                cooperating_units=[org.office],
                deadline=dt.date(2026, 12, 31),
                key_point=plan.key_points.first(),
                milestones=[MilestoneIn("阶段", dt.date(2026, 6, 30))],
            ),
        )


@pytest.mark.parametrize(
    "url",
    [
        "/plans/",
        "/plans/{plan}/",
        "/tasks/",
        "/tasks/?light=grey&page=2",
        "/my-work/",
        "/tasks/{task}/",
        "/",
        "/reports/",
    ],
)
def test_pages_have_a_fixed_number_of_queries(org, plan, client_for, url: str) -> None:
    client = client_for("supervisor")
    add_tasks(org, plan, 25, 1)
    target = url.format(plan=plan.pk, task=Task.objects.get(code="2026-1-1-1").pk)
    small = queries(client, target)
    add_tasks(org, plan, 40, 100)
    assert queries(client, target) == small


def test_plan_page_shows_the_outline(org, plan, client_for) -> None:
    html = client_for("leader").get(f"/plans/{plan.pk}/").content.decode()
    assert "一、坚持把政治建设摆在首位" in html and "（一）深入学习贯彻" in html
    assert "制定年度学习计划" in html


def test_draft_plans_are_hidden_from_staff_and_outsiders(org, plan, client_for) -> None:
    assert client_for("staff").get(f"/plans/{plan.pk}/").status_code == 404
    issue(org, plan)
    assert client_for("staff").get(f"/plans/{plan.pk}/").status_code == 200
    assert client_for("outsider").get(f"/plans/{plan.pk}/").status_code == 404
    assert client_for("auditor").get("/tasks/").status_code == 404


def test_ledger_is_scoped_and_filters(org, plan, client_for) -> None:
    issue(org, plan)
    html = client_for("staff").get("/tasks/").content.decode()
    assert "组建侨界专家智库" in html  # led by the staff's unit
    assert "制定年度学习计划" in html  # the staff's unit cooperates
    assert "举办海外侨团负责人研习班" not in html
    html = client_for("leader").get("/tasks/", {"q": "研習班"}).content.decode()  # Traditional
    assert "举办海外侨团负责人研习班" in html and "组建侨界专家智库" not in html


def test_report_close_out_flow_through_the_pages(org, plan, client_for) -> None:
    issue(org, plan)
    t = Task.objects.get(code="2026-2-0-2")
    staff = client_for("staff")
    response = staff.post(f"/tasks/{t.pk}/report/", {"text": "已遴选专家30名", "percent": 60})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.progress == 60
    bad = staff.post(
        f"/tasks/{t.pk}/report/", {"text": "", "percent": 500}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 422
    staff.post(f"/tasks/{t.pk}/completion/", {"note": "专家智库组建完成", "version": t.version})
    assert Task.objects.get(pk=t.pk).status == "completion_requested"
    assert (
        client_for("staff")
        .post(f"/tasks/{t.pk}/verify/", {"decision": "accept", "version": 1})
        .status_code
        == 403
    )
    t.refresh_from_db()
    client_for("supervisor").post(
        f"/tasks/{t.pk}/verify/", {"decision": "accept", "version": t.version}
    )
    assert Task.objects.get(pk=t.pk).status == "completed"


def test_outsider_cannot_see_or_act_on_tasks(org, plan, client_for) -> None:
    issue(org, plan)
    t = Task.objects.get(code="2026-2-0-2")
    outsider = client_for("outsider")
    assert outsider.get(f"/tasks/{t.pk}/").status_code == 404
    assert outsider.post(f"/tasks/{t.pk}/report/", {"text": "x"}).status_code == 404


def test_my_work_lists_what_to_report_and_verify(org, plan, client_for) -> None:
    from django.utils import timezone

    # due after today: a period after the deadline's is never owed (issue 15 finding 4)
    later = dt.date(timezone.localdate().year + 1, 12, 31)
    Task.objects.filter(code="2026-2-0-2").update(deadline=later)
    issue(org, plan)
    html = client_for("staff").get("/my-work/").content.decode()
    assert "组建侨界专家智库" in html
    t = Task.objects.get(code="2026-2-0-2")
    completion_request(actor=org.users["staff"], task=t, note="完成")
    html = client_for("supervisor").get("/my-work/").content.decode()
    assert "组建侨界专家智库" in html


def test_task_page_reads_each_part_of_the_task_once_without_joins(org, plan, client_for) -> None:
    """The lead unit's staff see the report form too: it reuses the milestones and indicators
    the page read, a task's own rows are read by its id (their ordering does not join the task,
    its plan and the plan's agency), and the plans it could be carried into are looked up only
    for those who may carry it over."""
    task = Task.objects.get(code="2026-2-0-2")
    assert task.lead_unit == org.econ
    task.milestones.create(title="形成方案", due_date=dt.date(2026, 5, 31))
    task.indicators.create(name="专家人数", target=20, unit="人")
    issue(org, plan)
    client = client_for("staff")
    client.get(f"/tasks/{task.pk}/")  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/tasks/{task.pk}/")
    assert response.status_code == 200 and response.context["can_report"]
    form = response.context["report_form"]
    assert form.milestone_fields  # the form was built from them
    ((_indicator, name),) = form.indicator_fields
    assert form.fields[name].label.endswith(" 20人）")  # the target as written, not 20.00
    sqls = [q["sql"] for q in ctx.captured_queries]
    for table in ("plans_milestone", "plans_indicator"):
        reads = [s for s in sqls if f'FROM "{table}"' in s]
        assert len(reads) == 1, (table, reads)
    children = ("milestone", "indicator", "progressreport", "attachment", "taskevent")
    for sql in sqls:
        if any(f'FROM "plans_{name}"' in sql for name in children):
            assert 'JOIN "plans_task"' not in sql and 'JOIN "plans_workplan"' not in sql, sql
    assert not response.context["can_carry_over"] and response.context["carry_form"] is None
    assert not any('FROM "plans_workplan"' in s for s in sqls), sqls


def test_task_page_offers_carry_over_to_plan_managers(org, plan, client_for) -> None:
    issue(org, plan)
    later = plan_create(
        actor=org.users["supervisor"], agency=org.agency, year=2027, title="2027年工作要点"
    )
    task = Task.objects.get(code="2026-1-1-1")
    response = client_for("supervisor").get(f"/tasks/{task.pk}/")
    assert response.context["can_carry_over"]
    assert list(response.context["carry_form"].fields["plan"].queryset) == [later]
    assert "2027年工作要点" in response.content.decode()


def test_report_form_says_which_period_it_writes_and_whether_it_is_late(
    org, plan, client_for
) -> None:
    from django.utils import timezone

    from luoshi.plans.rules import report_due_date, report_period

    task = Task.objects.get(code="2026-2-0-2")
    today = timezone.localdate()
    # due after today: a period after the deadline's is never owed (issue 15 finding 4)
    Task.objects.filter(pk=task.pk).update(deadline=dt.date(today.year + 1, 12, 31))
    issue(org, plan)  # on 5 January 2026: nothing reported since
    previous = report_period("monthly", report_period("monthly", today) - dt.timedelta(1))
    due = report_due_date("monthly", previous, 5)
    response = client_for("staff").get(f"/tasks/{task.pk}/")
    assert response.context["report_period"] == f"{previous:%Y-%m}"
    assert response.context["report_due"] == due
    html = response.content.decode()
    assert f"本次报送 {previous:%Y-%m} 期进展，应于 {due:%Y-%m-%d} 前报送。" in html
    assert ("将记为迟报" in html) == (today > due)
    # those who may not report see no form and no period
    response = client_for("supervisor").get(f"/tasks/{task.pk}/")
    assert not response.context["can_report"] and response.context["report_period"] is None


def test_task_page_lists_the_supervision_items_on_the_task(org, plan, client_for) -> None:
    from luoshi.supervision.tests.conftest import register

    issue(org, plan)
    task = Task.objects.get(code="2026-2-0-2")
    item = register(org, task=task, title="督促组建侨界专家智库", today=dt.date(2026, 3, 2))
    register(org, title="另一事项", today=dt.date(2026, 3, 2))  # not on this task
    for persona in ("supervisor", "staff"):
        response = client_for(persona).get(f"/tasks/{task.pk}/")
        (panel,) = [p for p in response.context["panels"] if p is not None]
        assert [i.pk for i in panel.context["items"]] == [item.pk]
        html = response.content.decode()
        assert item.number in html and "督促组建侨界专家智库" in html and "另一事项" not in html
        assert f'href="/supervision/items/{item.pk}/"' in html


def test_home_shows_the_plan_and_what_waits_for_the_user(org, plan, client_for) -> None:
    import re

    issue(org, plan)
    task = Task.objects.get(code="2026-2-0-2")
    completion_request(actor=org.users["staff"], task=task, note="已完成")

    def card(persona: str) -> dict[str, str]:
        html = client_for(persona).get("/").content.decode()
        assert "2026年工作要点" in html
        figures = dict(
            re.findall(r'data-home="([a-z-]+)">\s*<div[^>]*>[^<]*</div>\s*<div[^>]*>(\d+)', html)
        )
        lights = re.findall(r'href="([^"]*)" data-home-light="(\w+)"', html)
        assert [light for _url, light in lights] == ["red", "yellow", "green", "grey"]
        for url, light in lights:
            assert url == f"/tasks/?plan={plan.pk}&amp;light={light}"
        return figures

    # the econ staff member reports on the econ tasks; the office verifies close-outs
    staff = card("staff")
    assert staff["to-verify"] == "0"
    # 2026-1-1-1 (office, econ helping); 2026-2-0-2 waits for its close-out
    owed = Task.objects.filter(status="in_progress").filter(
        Q(lead_unit=org.econ) | Q(cooperating_units=org.econ)
    )
    assert list(owed.values_list("code", flat=True)) == ["2026-1-1-1"]
    assert staff["to-report"] == "1"
    # a first report goes to last period, still owed (period_to_report); the next is
    # this period's
    for text in ("上期配合情况", "本期配合情况"):
        report_submit(actor=org.users["staff"], task=owed.get(), unit=org.econ, data=ReportIn(text))
    assert card("staff")["to-report"] == "0"
    assert card("supervisor")["to-verify"] == "1"
    # no business scope, no card
    html = client_for("auditor").get("/").content.decode()
    assert "data-home-light" not in html


def test_my_work_queries_agree_with_the_permission_checks(org, plan) -> None:
    """tasks_to_verify and adjustments_to_decide are can_verify and can_decide_adjustment written
    as queries: the same tasks for every persona, a unit-scoped supervisor included."""
    from luoshi.orgs import services as org_services
    from luoshi.orgs.roles import Role
    from luoshi.plans import permissions as perms
    from luoshi.plans.models import AdjustmentRequest
    from luoshi.plans.selectors.adjustments import adjustments_to_decide
    from luoshi.plans.selectors.closeout import tasks_to_verify

    issue(org, plan)
    for unit in (org.office, org.liaison):  # a supervisor for two units only
        org_services.role_assign(
            actor=org.users["security"], user=org.users["head"], role=Role.SUPERVISOR, anchor=unit
        )
    for code, persona in (("2026-1-1-1", "head"), ("2026-2-0-2", "staff")):
        task = Task.objects.get(code=code)
        completion_request(actor=org.users[persona], task=task, note="已完成")
    task = Task.objects.get(code="2026-2-0-1")
    adjustment_request(
        actor=org.users["supervisor"],
        task=task,
        reason="调整",
        changes={"deadline": dt.date(2026, 11, 30)},
    )
    waiting = Task.objects.filter(status="completion_requested")
    pending = AdjustmentRequest.objects.filter(status="pending")
    assert waiting.count() == 2 and pending.count() == 1
    seen = set()
    for persona, user in org.users.items():
        verify = {t.pk for t in waiting if perms.can_verify(user, t)}
        got = set(tasks_to_verify(user).values_list("pk", flat=True))
        assert got == verify, (persona, got, verify)
        decide = {a.pk for a in pending if perms.can_decide_adjustment(user, a.task)}
        got = set(adjustments_to_decide(user).values_list("pk", flat=True))
        assert got == decide, (persona, got, decide)
        seen.add((len(verify), len(decide)))
    # everything; the office's close-out and the liaison's adjustment; nothing
    assert {(2, 1), (1, 1), (0, 0)} <= seen


def test_my_work_shows_the_first_waiting_and_counts_them_all(
    org, plan, client_for, monkeypatch
) -> None:

    issue(org, plan)
    for code, persona in (("2026-1-1-1", "head"), ("2026-2-0-2", "staff")):
        task = Task.objects.get(code=code)
        completion_request(actor=org.users[persona], task=task, note="已完成")
    monkeypatch.setattr(mywork, "MY_WORK_SHOWN", 1)
    response = client_for("supervisor").get("/my-work/")
    assert len(response.context["to_verify"]) == 1 and response.context["to_verify_count"] == 2
    html = response.content.decode()
    assert "仅列前 1 项，全部请在任务台账中查看" in html
    assert 'href="/tasks/?status=completion_requested"' in html


def test_visible_task_ids_are_the_visible_tasks_that_meet_the_condition(org, plan) -> None:
    """permissions.visible_task_ids is tasks_visible's condition split into one statement per
    way a task is visible: the same tasks for every persona (a cooperating unit, the named
    responsible person and leader in charge, a subtree, nothing), with or without a condition."""
    from django.db.models import Q as Cond

    from luoshi.plans import permissions as perms

    issue(org, plan)
    add_tasks(org, plan, 6, 1)  # econ leads, the office cooperates
    tasks = list(Task.objects.order_by("id"))
    for i, task in enumerate(tasks):
        Task.objects.filter(pk=task.pk).update(
            light=("red", "yellow", "green")[i % 3],
            responsible_person=org.users["committee"].person if i % 4 == 0 else None,
            leader_in_charge=org.users["vice"].person if i % 5 == 0 else None,
        )
    tasks[1].cooperating_units.add(org.liaison)
    red = Cond(light=Task.Light.RED) & ~Cond(status__in=["completed", "cancelled"])
    narrow = 0
    for persona, user in org.users.items():
        for condition in (red, Cond()):
            expected = set(perms.tasks_visible(user).filter(condition).values_list("pk", flat=True))
            ids = perms.visible_task_ids(user, condition)
            if ids is None:  # every task is visible
                got = set(Task.objects.filter(condition).values_list("pk", flat=True))
            else:
                got = set(ids.values_list("pk", flat=True))
                narrow += 1
            assert got == expected, (persona, got, expected)
    assert narrow >= 4  # staff, the committee member, the vice chair and the outsider at least


def test_tasks_due_soon_are_the_first_visible_ones_by_deadline(org, plan) -> None:
    """With a limit each way of seeing a task stops at its first tasks by deadline (PostgreSQL);
    what is due soon is still the first visible red, then yellow, tasks by deadline and id."""
    import datetime as dt

    from luoshi.plans import permissions as perms
    from luoshi.plans.selectors.tasks import tasks_due_soon

    issue(org, plan)
    add_tasks(org, plan, 12, 1)
    tasks = list(Task.objects.order_by("id"))
    for i, task in enumerate(tasks):
        Task.objects.filter(pk=task.pk).update(
            light=("red", "yellow")[i % 2],
            deadline=dt.date(2026, 12, 31) - dt.timedelta(days=(i * 7) % 23),
            responsible_person=org.users["committee"].person if i % 3 == 0 else None,
            leader_in_charge=org.users["vice"].person if i % 4 == 0 else None,
        )
    tasks[1].cooperating_units.add(org.liaison)
    tasks[4].cooperating_units.add(org.liaison)
    for persona, user in org.users.items():
        visible = perms.tasks_visible(user).exclude(status__in=["completed", "cancelled"])
        for limit in (1, 2, 3, 50):
            expected = [
                t.pk
                for light in ("red", "yellow")
                for t in visible.filter(light=light).order_by("deadline", "id")
            ][:limit]
            assert [t.pk for t in tasks_due_soon(user, limit)] == expected, (persona, limit)


@pytest.mark.parametrize("url", ["/", "/my-work/"])
@pytest.mark.parametrize("persona", ["leader", "vice", "staff"])
def test_home_and_my_work_of_leaders_and_staff_have_a_fixed_number_of_queries(
    org, plan, client_for, url: str, persona: str
) -> None:
    """The red tasks, what is due soon and what is owed are read one statement per way a task
    is visible: more tasks (and more red ones) do not add statements."""
    issue(org, plan)
    client = client_for(persona)
    add_tasks(org, plan, 25, 1)  # more red tasks than "due soon" lists (no yellow ones read)
    Task.objects.update(light=Task.Light.RED)
    small = queries(client, url)
    add_tasks(org, plan, 40, 100)
    Task.objects.update(light=Task.Light.RED)
    assert queries(client, url) == small
