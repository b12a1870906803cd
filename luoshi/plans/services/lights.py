"""The stored status lights of tasks: the batch refresh over the light rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import rollup
from ..models import (
    LightSettings,
    Task,
)
from ..rules import LightThresholds, MilestoneState, WorkingDaysUntil, compute_light


def _thresholds(agency_id: int | None) -> LightThresholds:
    row = LightSettings.objects.filter(agency_id=agency_id).first() if agency_id else None
    if row is None:
        return LightThresholds()
    return LightThresholds(row.warn_working_days, row.behind_tolerance)


def _working_days_counter(calendar: Any) -> WorkingDaysUntil:
    """working_days_until for the light rules, over one calendar read for the whole batch.

    Beyond 60 calendar days the exact count cannot matter to a "due within N working days"
    rule with N in any sensible range, so the calendar-day count stands in (never smaller than
    the working-day count, so it never turns a light yellow by mistake).
    """

    def until(today: dt.date, day: dt.date) -> int:
        if day <= today:
            return 0
        if (day - today).days > 60:
            return (day - today).days
        return calendar.working_days_between(today, day).value

    return until


def refresh_lights(tasks: Any, *, today: dt.date | None = None, batch: int = 2000) -> int:
    """Recompute the stored lights of these tasks; write only the rows whose light changed.

    Idempotent and safe to run concurrently (each row's update is a single UPDATE of the light
    fields, which carry no version: two runs on one day compute the same answer). Each batch is
    one transaction with the dashboards' roll-up of the groups whose lights changed.
    Returns the number of rows changed.
    """
    from luoshi.core.workdays import WorkCalendar

    day = today or timezone.localdate()
    changed = 0
    until = _working_days_counter(WorkCalendar())
    thresholds: dict[int | None, LightThresholds] = {}
    last_id = 0
    while True:
        chunk = list(
            tasks.filter(pk__gt=last_id)
            .order_by("pk")
            .select_related("plan")
            .prefetch_related("milestones")[:batch]
        )
        if not chunk:
            return changed
        last_id = chunk[-1].pk
        changed += _refresh_batch(chunk, day, until, thresholds)


@transaction.atomic
def _refresh_batch(
    chunk: list[Task],
    day: dt.date,
    until: WorkingDaysUntil,
    thresholds: dict[int | None, LightThresholds],
) -> int:
    changed = 0
    groups: set[rollup.Group] = set()
    for task in chunk:
        agency_id = task.plan.agency_id if task.plan else None
        if agency_id not in thresholds:
            thresholds[agency_id] = _thresholds(agency_id)
        result = compute_light(
            status=task.status,
            today=day,
            deadline=task.deadline,
            start=task.start_date,
            progress=task.progress,
            milestones=[
                MilestoneState(m.title, m.due_date, m.done_on) for m in task.milestones.all()
            ],
            working_days_until=until,
            thresholds=thresholds[agency_id],
        )
        reason = json.dumps([result.code, dict(result.params)], ensure_ascii=False)[:200]
        if (task.light, task.light_code, task.light_checked_on) != (
            result.color,
            reason,
            day,
        ):
            Task.objects.filter(pk=task.pk).update(
                light=result.color, light_code=reason, light_checked_on=day
            )
            if task.light != result.color:
                changed += 1
                groups.add(rollup.group_of(task))
    rollup.refresh(groups)
    return changed
