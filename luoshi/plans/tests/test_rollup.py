"""The dashboards' roll-ups stay exact through every service that changes tasks, the copies of
the lead unit's path and plan year on tasks follow the org tree, and concurrent writers on
PostgreSQL never leave the counts behind."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections

from luoshi.orgs import services as org_services
from luoshi.plans import rollup
from luoshi.plans.models import Task, TaskCount, TaskMonthCount, WorkPlan
from luoshi.plans.selectors.ledger import TaskFilter, ledger_count, task_ledger
from luoshi.plans.services.closeout import completion_request, completion_verify
from luoshi.plans.services.lights import refresh_lights
from luoshi.plans.services.tasks import TaskIn, task_create, task_update

from .conftest import issue

pytestmark = pytest.mark.django_db


def _task(org: Any, plan: WorkPlan | None, code: str, **kw: Any) -> Task:
    return task_create(
        actor=org.users["supervisor"],
        data=TaskIn(plan=plan, code=code, title=kw.pop("title", code), **kw),
    )


def _totals() -> dict[str, int]:
    rows = TaskCount.objects.all()
    return {f: sum(getattr(r, f) for r in rows) for f in rollup.COUNT_FIELDS}


def test_roll_up_follows_create_issue_report_and_close_out(org: Any, plan: WorkPlan) -> None:
    assert rollup.drift() == []
    draft_total = _totals()["total"]
    assert draft_total == 0  # drafts are not counted
    issue(org, plan)
    counted = Task.objects.filter(plan=plan).exclude(status__in=rollup.NOT_COUNTED).count()
    assert counted > 0
    assert _totals()["total"] == counted
    assert rollup.drift() == []

    # a task ready to close out: no milestone undone, no indicator short (issue 15 finding 3)
    task = Task.objects.filter(plan=plan, milestones=None, indicators=None).first()
    assert task is not None
    sup = org.users["supervisor"]
    completion_request(actor=sup, task=task, note="done")
    task.refresh_from_db()
    completion_verify(actor=sup, task=task, accept=True, today=dt.date(2026, 3, 2))
    assert _totals()["completed"] == 1
    month = TaskMonthCount.objects.get(plan=plan, lead_unit=task.lead_unit, month="2026-03-01")
    assert month.completed == 1
    assert rollup.drift() == []


def test_roll_up_follows_a_change_of_lead_unit_and_lights(org: Any) -> None:
    task = _task(org, None, "X-1", lead_unit=org.econ, deadline=dt.date(2026, 6, 30))
    # a task outside any plan is in progress from the start only when issued; drafts don't count
    Task.objects.filter(pk=task.pk).update(status=Task.Status.IN_PROGRESS)
    rollup.refresh([rollup.group_of(task)])
    assert TaskCount.objects.get(lead_unit=org.econ).total == 1
    task.refresh_from_db()
    task_update(
        actor=org.users["supervisor"],
        task=task,
        version=task.version,
        changes={"lead_unit": org.liaison},
        today=dt.date(2026, 6, 29),
    )
    assert not TaskCount.objects.filter(lead_unit=org.econ).exists()
    row = TaskCount.objects.get(lead_unit=org.liaison)
    assert row.total == 1
    assert row.yellow == 1  # due tomorrow
    refresh_lights(Task.objects.all(), today=dt.date(2026, 7, 1))
    assert TaskCount.objects.get(lead_unit=org.liaison).red == 1
    assert rollup.drift() == []


def test_drift_reports_a_tampered_count_and_rebuild_repairs_it(org: Any, plan: WorkPlan) -> None:
    issue(org, plan)
    first = TaskCount.objects.order_by("pk").first()
    assert first is not None
    TaskCount.objects.filter(pk=first.pk).update(total=999)
    lines = rollup.drift()
    assert len(lines) == 1 and "999" in lines[0]
    rollup.rebuild()
    assert rollup.drift() == []


def test_task_copies_the_path_and_year_and_follows_a_move(org: Any, plan: WorkPlan) -> None:
    task = _task(org, plan, "2026-9-9-9", lead_unit=org.econ)
    assert task.lead_unit_path == org.econ.path
    assert task.plan_year == plan.year
    org_services.org_unit_move(actor=None, unit=org.econ, new_parent=org.office)
    org.econ.refresh_from_db()
    task.refresh_from_db()
    assert task.lead_unit_path == org.econ.path
    assert task.lead_unit_path.startswith(org.office.path)


def test_dashboard_reads_the_roll_up_with_a_fixed_number_of_queries(
    org: Any, plan: WorkPlan, django_assert_max_num_queries: Any
) -> None:
    from luoshi.plans.selectors.dashboard import DashboardFilter, counted_tasks, dashboard

    issue(org, plan)
    user = org.users["leader"]
    f = DashboardFilter(plan=plan)
    with django_assert_max_num_queries(20):
        board = dashboard(user, f, today=dt.date(2026, 4, 15))
    live = counted_tasks(user, f)
    assert board.totals.total == live.count()
    assert board.totals.red == live.filter(light=Task.Light.RED).count()
    assert sum(r.counts.total for r in board.by_leader) == board.totals.total


@pytest.mark.django_db(transaction=True)
def test_concurrent_light_refreshes_keep_the_roll_up_exact(org: Any) -> None:
    """`luoshi tick` writes no audit entry, so nothing but the group lock orders two batches
    that recompute the same (plan, lead unit) group at once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the advisory locks are PostgreSQL's")
    tasks = [
        _task(org, None, f"C-{i}", lead_unit=org.econ, deadline=dt.date(2026, 5, 4))
        for i in range(8)
    ]
    ids = [t.pk for t in tasks]
    Task.objects.filter(pk__in=ids).update(status=Task.Status.IN_PROGRESS)
    refresh_lights(Task.objects.filter(pk__in=ids), today=dt.date(2026, 3, 2))
    rollup.rebuild()
    assert TaskCount.objects.get(lead_unit=org.econ).red == 0
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def refresh(pk: int) -> None:
        try:
            barrier.wait(timeout=10)
            refresh_lights(Task.objects.filter(pk=pk), today=dt.date(2026, 5, 6))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    for _round in range(3):
        threads = [threading.Thread(target=refresh, args=(pk,)) for pk in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert TaskCount.objects.get(lead_unit=org.econ).red == len(ids)
        assert rollup.drift() == []
        # back to green for the next round, through the same path
        refresh_lights(Task.objects.filter(pk__in=ids), today=dt.date(2026, 3, 2))
        barrier.reset()


def test_rollup_command_checks_and_rebuilds(org: Any, plan: WorkPlan) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    issue(org, plan)
    out = StringIO()
    call_command("rollup", "--check", stdout=out)
    assert "match" in out.getvalue()
    TaskCount.objects.all().delete()
    with pytest.raises(CommandError, match="differ"):
        call_command("rollup", "--check", stdout=StringIO())
    call_command("rollup", "--rebuild", stdout=out)
    call_command("rollup", "--check", stdout=out)
    assert rollup.drift() == []


# --- the ledger's count (TaskStatusCount) -------------------------------------------------------


def _ledger_sql_count(user: Any, f: Any) -> int:
    return task_ledger(user, f).count()


def test_the_ledger_count_from_the_roll_up_is_the_number_of_tasks_listed(
    org: Any, plan: WorkPlan
) -> None:
    issue(org, plan)
    refresh_lights(Task.objects.all(), today=dt.date(2026, 12, 31))  # some red
    task = Task.objects.filter(plan=plan).order_by("id").first()
    assert task is not None
    completion_request(actor=org.users["supervisor"], task=task, note="done")
    draft = Task.objects.filter(plan=plan).order_by("id").last()
    assert draft is not None
    Task.objects.filter(pk=draft.pk).update(status="draft", light="grey")  # the open view has them
    rollup.rebuild()
    filters = [
        TaskFilter(status=status, light=light, lead_unit=unit, plan=p, leader_in_charge=leader)
        for status in ("", "in_progress", "completion_requested", "completed")
        for light in ("", "red", "green", "grey")
        for unit in (None, org.agency.pk, org.econ.pk, org.liaison.pk)
        for p in (None, plan.pk)
        for leader in (None, org.people["vice"].pk)
    ]
    checked = 0
    for persona in ("leader", "supervisor"):  # scopes that cover the units named
        user = org.users[persona]
        for f in filters:
            known = ledger_count(user, f)
            if known is not None:
                assert known == _ledger_sql_count(user, f), (persona, f)
                checked += 1
    assert checked > 300
    assert any(ledger_count(org.users["leader"], f) for f in filters)
    assert ledger_count(org.users["leader"], TaskFilter()) == _ledger_sql_count(
        org.users["leader"], TaskFilter()
    )
    assert Task.objects.filter(status="draft").exists()


def test_the_ledger_counts_the_tasks_when_the_roll_up_cannot_answer(
    org: Any, plan: WorkPlan
) -> None:
    issue(org, plan)
    leader, staff = org.users["leader"], org.users["staff"]
    for f in (
        TaskFilter(include_closed=True),  # every status: cancelled tasks are not counted there
        TaskFilter(status="draft"),
        TaskFilter(status="in_progress", q="侨"),
        TaskFilter(status="in_progress", key_only=True),
        TaskFilter(status="in_progress", overdue=True),
    ):
        assert ledger_count(leader, f) is None, f
    # staff see their own unit's tasks, and those they cooperate on: not the roll-up's grain
    assert ledger_count(staff, TaskFilter(status="in_progress")) is None
    f = TaskFilter(status="in_progress", lead_unit=org.liaison.pk)
    assert ledger_count(staff, f) is None
    assert ledger_count(leader, TaskFilter(status="in_progress", lead_unit=999999)) == 0


def test_the_ledger_count_follows_a_move_of_its_units(org: Any, plan: WorkPlan) -> None:
    issue(org, plan)
    leader = org.users["leader"]
    in_econ = TaskFilter(status="in_progress", lead_unit=org.econ.pk)
    in_office = TaskFilter(status="in_progress", lead_unit=org.office.pk)
    before = ledger_count(leader, in_econ)
    assert before and before == _ledger_sql_count(leader, in_econ)
    office_before = ledger_count(leader, in_office)
    assert office_before is not None
    org_services.org_unit_move(actor=None, unit=org.econ, new_parent=org.office)
    assert ledger_count(leader, in_office) == office_before + before
    assert ledger_count(leader, in_office) == _ledger_sql_count(leader, in_office)
    assert rollup.drift() == []


def test_the_ledger_page_and_api_show_the_roll_ups_count_without_counting_tasks(
    org: Any, plan: WorkPlan, client_for: Any
) -> None:
    from django.test.utils import CaptureQueriesContext

    issue(org, plan)
    f = TaskFilter(status="in_progress", lead_unit=org.agency.pk)
    expected = _ledger_sql_count(org.users["leader"], f)
    assert expected > 0
    client = client_for("leader")
    query = f"status=in_progress&lead_unit={org.agency.pk}"
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(f"/tasks/?{query}").content.decode()
    assert f"共 {expected} 条" in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if 'plans_task"' in sql and "taskstatuscount" not in sql]
    body = client.get(f"/api/v1/tasks?status=in_progress&lead_org={org.agency.pk}").json()
    assert body["count"] == expected and len(body["results"]) == min(expected, 20)
