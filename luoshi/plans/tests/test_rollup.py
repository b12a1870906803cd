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
from luoshi.plans import rollup, services
from luoshi.plans.models import Task, TaskCount, TaskMonthCount, WorkPlan

from .conftest import issue

pytestmark = pytest.mark.django_db


def _task(org: Any, plan: WorkPlan | None, code: str, **kw: Any) -> Task:
    return services.task_create(
        actor=org.users["supervisor"],
        data=services.TaskIn(plan=plan, code=code, title=kw.pop("title", code), **kw),
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

    task = Task.objects.filter(plan=plan).first()
    assert task is not None
    sup = org.users["supervisor"]
    services.completion_request(actor=sup, task=task, note="done")
    task.refresh_from_db()
    services.completion_verify(actor=sup, task=task, accept=True, today=dt.date(2026, 3, 2))
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
    services.task_update(
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
    services.refresh_lights(Task.objects.all(), today=dt.date(2026, 7, 1))
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
    from luoshi.plans import dashboard as dash

    issue(org, plan)
    user = org.users["leader"]
    f = dash.DashboardFilter(plan=plan)
    with django_assert_max_num_queries(20):
        board = dash.dashboard(user, f, today=dt.date(2026, 4, 15))
    live = dash.counted_tasks(user, f)
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
    services.refresh_lights(Task.objects.filter(pk__in=ids), today=dt.date(2026, 3, 2))
    rollup.rebuild()
    assert TaskCount.objects.get(lead_unit=org.econ).red == 0
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def refresh(pk: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.refresh_lights(Task.objects.filter(pk=pk), today=dt.date(2026, 5, 6))
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
        services.refresh_lights(Task.objects.filter(pk__in=ids), today=dt.date(2026, 3, 2))
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
