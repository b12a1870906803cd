"""Reads of progress reports: the report overview (expected, on time, late, missing per unit
and period), the tasks behind a figure, a unit's missing reports and the tasks to report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.orgs.models import OrgUnit

from .. import rules
from ..models import (
    ProgressReport,
    Task,
    WorkPlan,
)
from ..permissions import tasks_visible
from ..rules import (
    _add_months,
    next_period,
    period_end,
    period_label,
    previous_period,
    report_period,
)
from .ledger import LEDGER_ORDER
from .tasks import archived_plan_ids, current_tasks

# What the lists of tasks to report show and the period rules read (not the task's texts).
TO_REPORT_FIELDS = (
    "id", "code", "title", "report_cadence", "start_date", "deadline", "lead_unit__name",
    "plan_year", "sort_order",
)  # fmt: skip


def tasks_to_report(user: Any, today: dt.date) -> list[Task]:
    """The tasks in progress the user's unit leads or helps with, or the user is responsible
    for, whose report for the current period their unit has not made yet, in plan order
    (three statements: owed_report_ids, then the tasks)."""
    owed = owed_report_ids(user, today)
    if not owed:
        return []
    return list(
        Task.objects.filter(pk__in=owed)
        .select_related("lead_unit")
        .only(*TO_REPORT_FIELDS)
        .order_by(*LEDGER_ORDER)
    )


def owed_report_ids(user: Any, today: dt.date) -> list[int]:
    """The ids of tasks_to_report (two statements: how many there are is all the home page
    needs). The three ways a task is the user's are read as one UNION of three statements,
    each on an index (together, as one OR over a join, they cost a scan of every task in
    progress), with what the period rules read. A task owes no report for a period before its
    start or after its deadline (rules.period_owed), and an archived plan's task none at all."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    visible = current_tasks(tasks_visible(user).filter(status=Task.Status.IN_PROGRESS)).order_by()
    helping = Task.cooperating_units.through.objects.filter(orgunit_id=person.unit_id)
    fields = ("pk", "report_cadence", "start_date", "deadline")
    lead, responsible, cooperating = (
        mine.values_list(*fields)
        for mine in (
            visible.filter(lead_unit_id=person.unit_id),
            visible.filter(responsible_person_id=person.pk),
            visible.filter(pk__in=helping.values("task_id")),
        )
    )
    rows = list(lead.union(responsible, cooperating))
    if not rows:
        return []
    period_of = {c: report_period(c, today) for c in Task.Cadence.values}
    reported = set(
        ProgressReport.objects.filter(
            task_id__in=[row[0] for row in rows],
            unit_id=person.unit_id,
            period__in=set(period_of.values()),
        )
        .order_by()  # the model's ordering joins the unit
        .values_list("task_id", "period")
    )
    return [
        pk
        for pk, cadence, start, deadline in rows
        if (pk, period_of[cadence]) not in reported
        and rules.period_owed(cadence, period_of[cadence], start, deadline)
    ]


PERIODIC_CADENCES = (Task.Cadence.MONTHLY, Task.Cadence.QUARTERLY, Task.Cadence.WEEKLY)


EXPECTED, ON_TIME, LATE, MISSING, PENDING = "expected", "on_time", "late", "missing", "pending"


STATES = (EXPECTED, ON_TIME, LATE, MISSING, PENDING)


STATE_LABELS = {
    EXPECTED: _("Expected"),
    ON_TIME: _("On time"),
    LATE: pgettext_lazy("report", "Late"),  # 迟报
    MISSING: _("Missing"),
    PENDING: _("Not yet due"),
}


def max_periods() -> int:
    """How many periods the overview shows at most (the most recent ones)."""
    return int(settings.LUOSHI_REPORT_OVERVIEW_PERIODS)


def periods_between(cadence: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The starts of the periods from the one holding `first` to the one holding `last`, the
    most recent `max_periods()` of them, newest first."""
    start = rules.report_period(cadence, first)
    end = rules.report_period(cadence, last)
    out: list[dt.date] = []
    while start <= end:
        out.append(start)
        start = next_period(cadence, start)
    return list(reversed(out))[: max_periods()]


def expected_q(cadence: str, start: dt.date) -> Q:
    """Tasks that owe their lead unit's report for this period: started by its end, not due
    before it began (rules.period_owed: no period after the deadline's is owed), not draft or
    cancelled, not completed before it ended, and not of an archived plan."""
    end = period_end(cadence, start)
    return (
        Q(report_cadence=cadence, start_date__lte=end)
        & (Q(deadline__isnull=True) | Q(deadline__gte=start))
        & ~Q(status__in=[Task.Status.DRAFT, Task.Status.CANCELLED])
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=end))
        & ~Q(plan_id__in=archived_plan_ids())
    )


def due_passed_q(cadence: str, start: dt.date, today: dt.date) -> Q:
    """Tasks whose report for this period is past its due day (rules.report_due_date) today."""
    nothing, everything = Q(pk__in=[]), Q()
    if cadence == Task.Cadence.WEEKLY:
        return everything if today > rules.report_due_date(cadence, start, 1) else nothing
    due_month = next_period(cadence, start)  # reports are due in the month after the period
    if today < due_month:
        return nothing
    if today >= _add_months(due_month, 1):
        return everything
    return Q(report_due_day__lt=today.day)


def _report(start: dt.date) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(
        task=OuterRef("pk"), unit=OuterRef("lead_unit"), period=start
    )


def reported(start: dt.date) -> Exists:
    return Exists(_report(start))


def reported_late(start: dt.date) -> Exists:
    return Exists(_report(start).filter(submitted_at__date__gt=F("due_on")))


def state_q(state: str, cadence: str, start: dt.date, today: dt.date) -> Q:
    """Expected tasks of this period in one state (expected itself: all of them)."""
    base = expected_q(cadence, start)
    if state == ON_TIME:
        return base & Q(reported(start)) & ~Q(reported_late(start))
    if state == LATE:
        return base & Q(reported_late(start))
    if state == MISSING:
        return base & due_passed_q(cadence, start, today) & ~Q(reported(start))
    if state == PENDING:
        return base & ~due_passed_q(cadence, start, today) & ~Q(reported(start))
    return base


@dataclass
class OverviewFilter:
    cadence: str = Task.Cadence.MONTHLY
    plan: WorkPlan | None = None
    unit: OrgUnit | None = None
    periods: Sequence[dt.date] = ()


@dataclass
class OverviewRow:
    unit_id: int
    unit_name: str
    period: dt.date
    label: str
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def pending(self) -> int:
        return self.expected - self.on_time - self.late - self.missing


@dataclass
class Overview:
    cadence: str
    periods: list[dt.date]
    rows: list[OverviewRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(STATES, 0)
        for row in self.rows:
            for state in STATES:
                totals[state] += getattr(row, state)
        return totals


def scoped_tasks(user: Any, f: OverviewFilter) -> QuerySet[Task]:
    """The viewer's tasks narrowed by the overview's plan and lead unit (with its subtree)."""
    qs = tasks_visible(user)
    if f.plan is not None:
        qs = qs.filter(plan=f.plan)
    if f.unit is not None:
        qs = qs.filter(lead_unit__path__startswith=f.unit.path)
    return qs


def report_overview(user: Any, f: OverviewFilter, *, today: dt.date) -> Overview:
    """Per lead unit and period: expected, on-time, late and missing reports (2 queries)."""
    periods = list(f.periods)
    overview = Overview(f.cadence, periods)
    if f.cadence not in PERIODIC_CADENCES or not periods:
        return overview
    aggregates: dict[str, Any] = {}
    for n, start in enumerate(periods):
        expected = expected_q(f.cadence, start)
        aggregates[f"e{n}"] = Count("pk", filter=expected)
        aggregates[f"r{n}"] = Count("pk", filter=expected & Q(reported(start)))
        aggregates[f"l{n}"] = Count("pk", filter=expected & Q(reported_late(start)))
        aggregates[f"m{n}"] = Count(
            "pk",
            filter=expected & due_passed_q(f.cadence, start, today) & ~Q(reported(start)),
        )
    rows = list(
        scoped_tasks(user, f)
        .filter(report_cadence=f.cadence)
        .exclude(status__in=[Task.Status.DRAFT, Task.Status.CANCELLED])
        .order_by()
        .values("lead_unit_id")
        .annotate(**aggregates)
    )
    units = {
        pk: (name, path)
        for pk, name, path in OrgUnit.objects.filter(
            pk__in=[r["lead_unit_id"] for r in rows]
        ).values_list("pk", "name", "path")
    }
    for row in rows:
        unit_id = row["lead_unit_id"]
        for n, start in enumerate(periods):
            if not row[f"e{n}"]:
                continue
            overview.rows.append(
                OverviewRow(
                    unit_id=unit_id,
                    unit_name=units.get(unit_id, ("", ""))[0],
                    period=start,
                    label=period_label(f.cadence, start),
                    expected=row[f"e{n}"],
                    on_time=row[f"r{n}"] - row[f"l{n}"],
                    late=row[f"l{n}"],
                    missing=row[f"m{n}"],
                )
            )
    overview.rows.sort(key=lambda r: (units.get(r.unit_id, ("", ""))[1], -r.period.toordinal()))
    return overview


def overview_tasks(
    user: Any, f: OverviewFilter, *, unit_id: int, start: dt.date, state: str, today: dt.date
) -> QuerySet[Task]:
    """The tasks behind one number of the overview (the drill-down), with the report's
    submission time and due day where there is a report."""
    report = _report(start)
    return (
        scoped_tasks(user, f)
        .filter(lead_unit_id=unit_id)
        .filter(state_q(state if state in STATES else EXPECTED, f.cadence, start, today))
        .annotate(
            report_submitted_at=Subquery(report.values("submitted_at")[:1]),
            report_due_on=Subquery(report.values("due_on")[:1]),
        )
        .order_by("plan__year", "sort_order", "id")
    )


@dataclass
class MissingReport:
    task: Task
    period: dt.date
    label: str


def missing_for_unit(
    user: Any, unit_id: int, *, today: dt.date, limit: int = 50
) -> list[MissingReport]:
    """The unit's lead tasks whose report for the last finished period is past due and not in
    (one query)."""
    condition = Q(pk__in=[])
    for cadence in PERIODIC_CADENCES:
        start = previous_period(cadence, today)
        condition |= state_q(MISSING, cadence, start, today)
    tasks = (
        tasks_visible(user)
        .filter(lead_unit_id=unit_id)
        .filter(condition)
        .select_related(None)  # the list shows the task's code and title, nothing it relates to
        .only("id", "code", "title", "report_cadence", "plan_id", "sort_order")
    )
    out = []
    for task in tasks.order_by("plan_id", "sort_order", "id")[:limit]:
        start = previous_period(task.report_cadence, today)
        out.append(MissingReport(task, start, period_label(task.report_cadence, start)))
    return out
