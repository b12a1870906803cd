"""Which progress reports were due, and which came on time, late or not at all.

A task in progress owes its lead unit's report for every period of its cadence (weekly, monthly,
quarterly; by default monthly, due by the 5th of the next month — Task.report_cadence and
Task.report_due_day) from the period it started in. Tasks reporting "by stage" owe no periodic
report and are not counted. A report is on time when it was submitted by its due day, late after;
a report that was not submitted is missing once its due day has passed and "not yet due" before.

The overview aggregates in SQL, one query for all units and periods (grouped by lead unit, one
set of counts per period), so the page does a fixed number of queries whatever the number of tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core import audit
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE, XlsxWriter
from luoshi.orgs.models import OrgUnit

from . import rules
from .models import ProgressReport, Task, WorkPlan
from .selectors import tasks_visible

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
    return int(getattr(settings, "LUOSHI_REPORT_OVERVIEW_PERIODS", 12))


# --- periods ----------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(cadence: str, start: dt.date) -> dt.date:
    """The last day of the period that starts on `start`."""
    if cadence == Task.Cadence.WEEKLY:
        return start + dt.timedelta(days=6)
    months = 3 if cadence == Task.Cadence.QUARTERLY else 1
    return _add_months(start, months) - dt.timedelta(days=1)


def next_period(cadence: str, start: dt.date) -> dt.date:
    return period_end(cadence, start) + dt.timedelta(days=1)


def period_label(cadence: str, start: dt.date) -> str:
    if cadence == Task.Cadence.WEEKLY:
        return f"{start:%Y-%m-%d}"
    if cadence == Task.Cadence.QUARTERLY:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


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


def parse_period(cadence: str, text: str) -> dt.date | None:
    """A period's start from its ISO date (any day in it), or None."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None
    return rules.report_period(cadence, day)


# --- the conditions, per period ---------------------------------------------------------------


def expected_q(cadence: str, start: dt.date) -> Q:
    """Tasks that owe their lead unit's report for this period: started by its end, not draft or
    cancelled, and not completed before it ended."""
    end = period_end(cadence, start)
    return (
        Q(report_cadence=cadence, start_date__lte=end)
        & ~Q(status__in=[Task.Status.DRAFT, Task.Status.CANCELLED])
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=end))
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


# --- the overview -----------------------------------------------------------------------------


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


# --- the export -------------------------------------------------------------------------------

HEADERS = (
    _("Lead unit"),
    _("Period"),
    _("Expected"),
    _("On time"),
    pgettext_lazy("report", "Late"),
    _("Missing"),
    _("Not yet due"),
)


def overview_rows(overview: Overview) -> Iterator[list[Any]]:
    for row in overview.rows:
        yield [
            row.unit_name,
            row.label,
            row.expected,
            row.on_time,
            row.late,
            row.missing,
            row.pending,
        ]


def overview_xlsx(overview: Overview) -> IO[bytes]:
    writer = XlsxWriter()
    sheet = writer.add_sheet(
        str(_("Progress reports")), [str(h) for h in HEADERS], widths=(28, 12, 10, 10, 10, 10, 10)
    )
    sheet.extend(overview_rows(overview))
    return writer.to_tempfile()


XLSX = XLSX_CONTENT_TYPE


@transaction.atomic
def overview_export_record(*, actor: Any, f: OverviewFilter, rows: int) -> Any:
    """Record that `actor` took the report overview as a file (the audit log lists every export)."""
    return audit.record(
        "report_overview.export",
        actor=actor,
        object_type="plans.report_overview",
        object_repr=str(f.plan or "")[:255],
        after={
            "cadence": f.cadence,
            "plan": f.plan.pk if f.plan else None,
            "unit": f.unit.pk if f.unit else None,
            "periods": [p.isoformat() for p in f.periods],
            "rows": rows,
        },
    )


# --- a unit's own missing reports (the "my work" page) ----------------------------------------


def previous_period(cadence: str, today: dt.date) -> dt.date:
    """The start of the period before the one `today` falls in."""
    return rules.report_period(cadence, rules.report_period(cadence, today) - dt.timedelta(days=1))


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
    tasks = tasks_visible(user).filter(lead_unit_id=unit_id).filter(condition)
    out = []
    for task in tasks.order_by("plan_id", "sort_order", "id")[:limit]:
        start = previous_period(task.report_cadence, today)
        out.append(MissingReport(task, start, period_label(task.report_cadence, start)))
    return out
