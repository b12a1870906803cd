"""Progress reports: which period a report is for, and submitting one.

A report is checked against the task's facts (issue 15 finding 3): an indicator's value is not
below zero unless the indicator declares it may be, and a lead unit's progress lower than the
task's last reported progress needs a reason, which is kept on the report, in the history and in
the audit log."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import lock_current as _lock_current
from luoshi.core.versioning import save_versioned as _save_versioned
from luoshi.orgs.models import OrgUnit

from ..models import (
    Indicator,
    IndicatorValue,
    ProgressReport,
    Task,
    TaskEvent,
)
from ..rules import period_to_report, report_due_date, report_period
from ..selectors.reports import OverviewFilter
from .attachments import check_attachment, store_checked
from .history import _event
from .lights import refresh_lights


@dataclass
class ReportIn:
    text: str
    percent: int | None = None
    indicator_values: dict[int, decimal.Decimal] = field(default_factory=dict)
    milestones_done: dict[int, tuple[dt.date, str]] = field(default_factory=dict)
    # Why the progress is lower than last reported (needed only then).
    drop_reason: str = ""


@dataclass(frozen=True)
class NextReport:
    """What a report by `unit` written on `day` would be for, and whether it comes late."""

    unit: OrgUnit
    period: dt.date
    due_on: dt.date
    late: bool


def next_report(task: Task, unit: OrgUnit, day: dt.date) -> NextReport:
    period, due = report_period_due(task, unit, day)
    return NextReport(unit=unit, period=period, due_on=due, late=day > due)


def report_period_due(task: Task, unit: OrgUnit, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report by `unit` written on `day` is for (period_to_report: the
    previous one while it is not in) and the day that report is or was due."""
    current = report_period(task.report_cadence, day)
    previous = report_period(task.report_cadence, current - dt.timedelta(days=1))
    period = period_to_report(
        task.report_cadence,
        day,
        previous_reported=ProgressReport.objects.filter(
            task=task, unit=unit, period=previous
        ).exists(),
        started_on=task.start_date,
        ends_on=task.deadline,
    )
    return period, report_due_date(task.report_cadence, period, task.report_due_day)


def negative_actual_message(indicator: Indicator, value: decimal.Decimal) -> str:
    return _(
        "The actual value of indicator “%(name)s” cannot be negative (%(value)s was entered)."
    ) % {"name": indicator.name, "value": f"{value.normalize():f}"}


def _check_values(indicators: dict[int, Indicator], values: dict[int, decimal.Decimal]) -> None:
    """Each value within its indicator's declared kind: not below zero unless it may be."""
    problems = [
        {"field": f"indicator_{pk}", "message": negative_actual_message(indicators[pk], value)}
        for pk, value in values.items()
        if value < 0 and not indicators[pk].allows_negative
    ]
    if problems:
        raise InvalidInput(" ".join(p["message"] for p in problems), details=problems)


def progress_drop_message(previous: int, new: int) -> str:
    return _(
        "The progress falls from %(previous)d%% (last reported) to %(new)d%%: "
        "give the reason for the drop."
    ) % {"previous": previous, "new": new}


def is_progress_drop(task: Task, percent: int | None) -> bool:
    """A lead unit's progress lower than the task's last reported progress."""
    return percent is not None and percent < task.progress


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    task: Task,
    unit: OrgUnit,
    data: ReportIn,
    today: dt.date | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> ProgressReport:
    """Submit (or correct) one unit's report for the current period.

    The task is re-read and locked first: reports on one task queue, each deciding (progress,
    drops) on the current task, and none answers a Conflict for a version it never sent.
    `files` (name, content) are kept as the report's evidence, each checked first
    (luoshi.core.uploads.check_file): one refused file refuses the report; nothing is written.
    """
    checked = [(*check_attachment(name, content), content) for name, content in files]
    _lock_current(task)
    day = today or timezone.localdate()
    if not data.text.strip():
        raise InvalidInput(details=[{"field": "text", "message": _("Describe the progress.")}])
    if data.percent is not None and not 0 <= data.percent <= 100:
        raise InvalidInput(
            details=[{"field": "percent", "message": _("Progress is a percentage from 0 to 100.")}]
        )
    is_lead = unit.pk == task.lead_unit_id
    indicators = {i.pk: i for i in task.indicators.all()}
    if set(data.indicator_values) - set(indicators):
        raise InvalidInput(_("An indicator does not belong to this task."))
    milestones = {m.pk: m for m in task.milestones.all()}
    if set(data.milestones_done) - set(milestones):
        raise InvalidInput(_("A milestone does not belong to this task."))
    _check_values(indicators, data.indicator_values)
    previous = task.progress
    dropped = is_lead and is_progress_drop(task, data.percent)
    drop_reason = data.drop_reason.strip() if dropped else ""
    if dropped and not drop_reason:
        message = progress_drop_message(previous, data.percent or 0)
        raise InvalidInput(message, details=[{"field": "drop_reason", "message": message}])
    period, due = report_period_due(task, unit, day)
    # Reports entered for a past day (catching up, or the demo) carry that day.
    submitted_at = (
        timezone.now()
        if today is None
        else timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    )
    report, created = ProgressReport.objects.update_or_create(
        task=task,
        unit=unit,
        period=period,
        defaults={
            "text": data.text.strip(),
            "percent": data.percent if is_lead else None,
            "submitted_by": actor,
            "submitted_at": submitted_at,
            "due_on": due,
            # a correction that no longer drops keeps the reason its period was given
            **({"progress_drop_reason": drop_reason} if dropped else {}),
        },
    )
    for pk, value in data.indicator_values.items():
        IndicatorValue.objects.update_or_create(
            report=report, indicator_id=pk, defaults={"value": value}
        )
        if is_lead:
            Indicator.objects.filter(pk=pk).update(actual=value, updated_at=timezone.now())
    for pk, (done_on, evidence) in data.milestones_done.items():
        if done_on > day:
            raise InvalidInput(_("A milestone cannot be done in the future."))
        milestone = milestones[pk]
        milestone.done_on, milestone.evidence = done_on, evidence.strip()
        milestone.save(update_fields=["done_on", "evidence", "updated_at"])
    if is_lead and data.percent is not None and data.percent != task.progress:
        task.progress = data.percent
        _save_versioned(task, ["progress"])
    for clean, suffix, content in checked:
        store_checked(
            actor=actor, task=task, report=report, name=clean, suffix=suffix, content=content
        )
    drop = {"previous_percent": previous, "drop_reason": drop_reason} if dropped else {}
    _event(
        task,
        TaskEvent.Kind.REPORTED,
        actor,
        after={"unit": unit.pk, "period": period, "percent": data.percent, **drop},
        note=data.text.strip()[:500],
        at=submitted_at,  # the history shows a report entered for a past day on that day
    )
    audit.record(
        "task.report" if created else "task.report_correct",
        actor=actor,
        obj=report,
        after={
            "text": report.text,
            "percent": report.percent,
            "indicators": data.indicator_values,
            "milestones": list(data.milestones_done),
            **({"files": [c[0] for c in checked]} if checked else {}),
            **drop,
        },
    )
    refresh_lights(Task.objects.filter(pk=task.pk), today=day)
    return report


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
