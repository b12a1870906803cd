"""The overview of expected, on-time, late and missing progress reports per lead unit and period:
the periods and due days, the SQL aggregate (fixed queries), the page, drill-down and export,
scoped to the office and the agency's leaders."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luoshi.core.models import AuditEntry
from luoshi.plans import rules
from luoshi.plans.models import ProgressReport, Task
from luoshi.plans.rules import parse_period, period_end, period_label
from luoshi.plans.selectors.reports import (
    Overview,
    OverviewFilter,
    max_periods,
    missing_for_unit,
    periods_between,
    report_overview,
)
from luoshi.plans.services.plans import plan_create
from luoshi.plans.services.tasks import TaskIn, task_create, task_update

from .conftest import issue

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 10)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def report(org, task: Task, period: dt.date, submitted: dt.date) -> ProgressReport:
    """A lead unit's report for a period, submitted on a given day (a late one is a backfill)."""
    due = rules.report_due_date(task.report_cadence, period, task.report_due_day)
    return ProgressReport.objects.create(
        task=task,
        unit=task.lead_unit,
        period=period,
        text="进展",
        submitted_by=org.users["supervisor"],
        submitted_at=at(submitted),
        due_on=due,
    )


@pytest.fixture
def tasks(org, plan) -> dict[str, Task]:
    """Office: due by the 15th; liaison: quarterly; econ: monthly by the 5th (the default)."""
    sup = org.users["supervisor"]
    by_code = {t.code: t for t in plan.tasks.all()}
    office, liaison, econ = by_code["2026-1-1-1"], by_code["2026-2-0-1"], by_code["2026-2-0-2"]
    task_update(actor=sup, task=office, version=None, changes={"report_due_day": 15})
    task_update(actor=sup, task=liaison, version=None, changes={"report_cadence": "quarterly"})
    issue(org, plan)
    office, liaison, econ = (Task.objects.get(pk=t.pk) for t in (office, liaison, econ))
    report(org, econ, dt.date(2026, 1, 1), dt.date(2026, 1, 20))  # on time
    report(org, econ, dt.date(2026, 2, 1), dt.date(2026, 3, 8))  # late (due 5 March)
    report(org, office, dt.date(2026, 1, 1), dt.date(2026, 2, 15))  # on time (due the 15th)
    # A cooperating unit's part is not the lead unit's report.
    ProgressReport.objects.create(
        task=office,
        unit=org.econ,
        period=dt.date(2026, 2, 1),
        text="配合",
        submitted_by=org.users["staff"],
        submitted_at=at(dt.date(2026, 2, 20)),
        due_on=dt.date(2026, 3, 15),
    )
    return {"office": office, "liaison": liaison, "econ": econ}


def cells(overview: Overview) -> dict[tuple[str, str], tuple[int, ...]]:
    return {
        (r.unit_name, r.label): (r.expected, r.on_time, r.late, r.missing, r.pending)
        for r in overview.rows
    }


def test_periods_and_due_days() -> None:
    months = periods_between("monthly", dt.date(2026, 1, 1), TODAY)
    assert months == [dt.date(2026, m, 1) for m in (4, 3, 2, 1)]
    quarters = periods_between("quarterly", dt.date(2026, 1, 1), TODAY)
    assert quarters == [dt.date(2026, 4, 1), dt.date(2026, 1, 1)]
    assert period_label("quarterly", dt.date(2026, 4, 1)) == "2026 Q2"
    assert period_end("monthly", dt.date(2026, 2, 1)) == dt.date(2026, 2, 28)
    weeks = periods_between("weekly", dt.date(2025, 1, 1), TODAY)
    assert len(weeks) == max_periods() and weeks[0] == dt.date(2026, 4, 6)
    assert parse_period("monthly", "2026-03-17") == dt.date(2026, 3, 1)
    assert parse_period("monthly", "junk") is None


def test_overview_counts_per_unit_and_period(org, plan, tasks) -> None:
    f = OverviewFilter(plan=plan, periods=periods_between("monthly", dt.date(2026, 1, 1), TODAY))
    overview = report_overview(org.users["supervisor"], f, today=TODAY)
    got = cells(overview)
    # expected, on time, late, missing, not yet due
    assert got[("经济科技部", "2026-01")] == (1, 1, 0, 0, 0)
    assert got[("经济科技部", "2026-02")] == (1, 0, 1, 0, 0)
    assert got[("经济科技部", "2026-03")] == (1, 0, 0, 1, 0)  # due 5 April
    assert got[("经济科技部", "2026-04")] == (1, 0, 0, 0, 1)
    assert got[("办公室", "2026-01")] == (1, 1, 0, 0, 0)
    assert got[("办公室", "2026-02")] == (1, 0, 0, 1, 0)  # the cooperating part does not count
    assert got[("办公室", "2026-03")] == (1, 0, 0, 0, 1)  # due 15 April
    assert not any(unit == "组织联络部" for unit, _label in got)  # reports quarterly
    assert overview.totals == {
        "expected": 8,
        "on_time": 2,
        "late": 1,
        "missing": 2,
        "pending": 3,
    }

    quarterly = report_overview(
        org.users["supervisor"],
        OverviewFilter(
            cadence="quarterly",
            periods=periods_between("quarterly", dt.date(2026, 1, 1), TODAY),
        ),
        today=TODAY,
    )
    assert cells(quarterly) == {
        ("组织联络部", "2026 Q2"): (1, 0, 0, 0, 1),
        ("组织联络部", "2026 Q1"): (1, 0, 0, 1, 0),
    }


def test_closed_and_later_tasks_owe_nothing(org, plan, tasks) -> None:
    econ = tasks["econ"]
    Task.objects.filter(pk=econ.pk).update(status="completed", completed_on=dt.date(2026, 2, 20))
    Task.objects.filter(pk=tasks["office"].pk).update(start_date=dt.date(2026, 3, 2))
    f = OverviewFilter(plan=plan, periods=[dt.date(2026, m, 1) for m in (3, 2, 1)])
    got = cells(report_overview(org.users["supervisor"], f, today=TODAY))
    assert got == {
        ("经济科技部", "2026-01"): (1, 1, 0, 0, 0),
        ("办公室", "2026-03"): (1, 0, 0, 0, 1),
    }


def test_the_unit_filter_takes_the_subtree(org, plan, tasks) -> None:
    f = OverviewFilter(unit=org.econ, periods=[dt.date(2026, 3, 1)])
    got = cells(report_overview(org.users["leader"], f, today=TODAY))
    assert got == {("经济科技部", "2026-03"): (1, 0, 0, 1, 0)}


@time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_page_drill_down_and_export(org, plan, tasks, client_for) -> None:
    client = client_for("supervisor")
    response = client.get(f"/reports/?plan={plan.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "经济科技部" in html and "2026-03" in html
    assert "state=missing" in html

    url = f"/reports/tasks/?plan={plan.pk}&unit={org.econ.pk}&period=2026-03-01&state=missing"
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [tasks["econ"]]
    late = client.get(f"/reports/tasks/?unit={org.econ.pk}&period=2026-02-01&state=late").context[
        "page_obj"
    ]
    assert [t.report_submitted_at.date() for t in late] == [dt.date(2026, 3, 8)]
    assert client.get(f"/reports/tasks/?unit={org.econ.pk}&period=x").status_code == 404
    bad_state = f"/reports/tasks/?unit={org.econ.pk}&period=2026-03-01&state=z"
    assert client.get(bad_state).status_code == 404

    one = client.get(f"/reports/?plan={plan.pk}&period=2026-03-01")
    assert {r.label for r in one.context["page_obj"]} == {"2026-03"}

    response = client.get(f"/reports/export.xlsx?plan={plan.pk}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 8
    assert ("经济科技部", "2026-03", 1, 0, 0, 1, 0) in rows
    assert AuditEntry.objects.filter(action="report_overview.export").count() == 1


def test_only_the_office_and_leaders_see_it(org, plan, tasks, client_for) -> None:
    for persona in ("staff", "head", "outsider", "admin", "auditor", "vice"):
        client = client_for(persona)
        assert client.get("/reports/").status_code == 404, persona
        assert client.get("/reports/export.xlsx").status_code == 404, persona
        url = f"/reports/tasks/?unit={org.econ.pk}&period=2026-03-01&state=missing"
        assert client.get(url).status_code == 404, persona
    assert client_for("leader").get("/reports/").status_code == 200
    # Another agency's plan is not found.
    assert client_for("supervisor").get("/reports/?plan=999999").status_code == 200
    assert client_for("supervisor").get("/reports/?plan=999999").context["form"].errors


@time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_page_has_a_fixed_number_of_queries(org, plan, tasks, client_for) -> None:
    client = client_for("supervisor")
    url = f"/reports/?plan={plan.pk}"
    drill = f"/reports/tasks/?unit={org.econ.pk}&period=2026-03-01&state=expected"

    def count(target: str) -> int:
        client.get(target)  # warm: the cached navigation is filled
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx.captured_queries)

    small, small_drill = count(url), count(drill)
    for n in range(20):
        task = task_create(
            actor=None,
            data=TaskIn(
                plan=plan,
                code=f"2026-9-{n}",
                title=f"任务{n}",
                lead_unit=[org.econ, org.liaison, org.center][n % 3],
            ),
        )
        Task.objects.filter(pk=task.pk).update(status="in_progress", start_date=dt.date(2026, 1, 5))
        report(org, task, dt.date(2026, 1, 1), dt.date(2026, 1, 9))
    assert count(url) == small
    assert count(drill) == small_drill


@time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_my_work_shows_the_unit_s_missing_reports(org, plan, tasks, client_for) -> None:
    missing = missing_for_unit(org.users["staff"], org.econ.pk, today=TODAY)
    assert [(m.task.code, m.label) for m in missing] == [("2026-2-0-2", "2026-03")]
    # The office's March report is due on the 15th: not missing yet.
    assert not missing_for_unit(org.users["supervisor"], org.office.pk, today=TODAY)
    html = client_for("staff").get("/my-work/").content.decode()
    assert "2026-2-0-2" in html and "2026-03" in html
    report(org, tasks["econ"], dt.date(2026, 3, 1), dt.date(2026, 4, 9))
    assert not missing_for_unit(org.users["staff"], org.econ.pk, today=TODAY)


def test_the_page_shows_the_latest_plan_unless_asked_for_all(org, plan, tasks, client_for) -> None:
    """Like the dashboard: the latest plan in scope by default (at national scale "all plans"
    counts every task of the country); an empty choice still means every plan."""
    plan_create(  # a later draft: not the default
        actor=org.users["supervisor"], agency=org.agency, year=2027, title="2027年工作要点"
    )
    client = client_for("supervisor")
    default = client.get("/reports/")
    assert default.context["form"]["plan"].value() == str(plan.pk)
    chosen = client.get(f"/reports/?plan={plan.pk}")
    assert [vars(r) for r in default.context["page_obj"]] == [
        vars(r) for r in chosen.context["page_obj"]
    ]
    everything = client.get("/reports/?plan=")
    assert everything.status_code == 200 and everything.context["form"]["plan"].value() in (
        "",
        None,
    )
    # the drill-down and the export follow the same default
    drill = client.get(f"/reports/tasks/?unit={org.econ.pk}&period=2026-03-01&state=missing")
    assert list(drill.context["page_obj"]) == [tasks["econ"]]


def test_a_bad_filter_is_named_and_the_default_plan_shown(org, plan, tasks, client_for) -> None:
    # a task outside any plan: counted under "all plans", not under the default plan
    loose = task_create(
        actor=None, data=TaskIn(code="X-1", title="计划外任务", lead_unit=org.liaison)
    )
    Task.objects.filter(pk=loose.pk).update(status="in_progress", start_date=dt.date(2026, 1, 5))
    client = client_for("supervisor")
    everything = client.get("/reports/?plan=").context["overview"].totals["expected"]
    default = client.get("/reports/").context["overview"].totals["expected"]
    assert everything > default
    for query in ("plan=abc", "plan=999999", "cadence=yearly"):
        response = client.get(f"/reports/?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="col-12 small text-danger"' in html, query
        assert response.context["overview"].rows, query  # the latest plan's figures
        assert response.context["overview"].totals["expected"] == default, query
