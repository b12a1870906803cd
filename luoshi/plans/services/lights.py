"""The stored status lights of tasks: the light engine (luoshi.core.lights) over tasks, with the
per-agency thresholds (LightSettings) that supervision items share and the dashboards' roll-up
kept in step. A task of an archived plan (a past year's) has no light: grey, "archived"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import QuerySet

from luoshi.core import lights
from luoshi.core.lights import LightThresholds, MilestoneState, WorkingDaysUntil

from .. import rollup
from ..models import LightSettings, Task
from ..rules import ARCHIVED, light_phase


def _thresholds(agency_id: int | None) -> LightThresholds:
    row = LightSettings.objects.filter(agency_id=agency_id).first() if agency_id else None
    if row is None:
        return LightThresholds()
    return LightThresholds(row.warn_working_days, row.behind_tolerance)


def thresholds_reader() -> Callable[[int | None], LightThresholds]:
    """The light thresholds of an agency (its LightSettings, else the defaults), each agency
    read once for the lifetime of the returned function (one refresh run)."""
    read: dict[int | None, LightThresholds] = {}

    def of(agency_id: int | None) -> LightThresholds:
        if agency_id not in read:
            read[agency_id] = _thresholds(agency_id)
        return read[agency_id]

    return of


def refresh_lights(
    tasks: QuerySet[Task],
    *,
    today: dt.date | None = None,
    batch: int = 2000,
    due_only: bool = False,
) -> int:
    """Recompute the stored lights of these tasks; write only the rows whose light changed.
    With `due_only` (the tick), only the tasks whose light can change by date today (see
    luoshi.core.lights.refresh_due).

    Idempotent and safe to run concurrently (see luoshi.core.lights.refresh). Each batch is one
    transaction with the dashboards' roll-up of the groups whose lights changed.
    Returns the number of rows whose colour changed.
    """
    thresholds = thresholds_reader()

    def light_of(
        task: Task, day: dt.date, until: WorkingDaysUntil
    ) -> tuple[lights.LightResult, dt.date | None]:
        if task.plan is not None and task.plan.archived:
            return lights.LightResult(lights.GREY, ARCHIVED), None  # a past year's: no light
        inputs = dict(
            phase=light_phase(task.status),
            today=day,
            deadline=task.deadline,
            start=task.start_date,
            progress=task.progress,
            milestones=[
                MilestoneState(m.title, m.due_date, m.done_on) for m in task.milestones.all()
            ],
            working_days_until=until,
            thresholds=thresholds(task.plan.agency_id if task.plan else None),
        )
        return lights.compute_light(**inputs), lights.next_change(**inputs)  # type: ignore[arg-type]

    def after_batch(recoloured: list[Task]) -> None:
        rollup.refresh({rollup.group_of(task) for task in recoloured})

    shaped = tasks.select_related("plan").prefetch_related("milestones")
    if due_only:
        return lights.refresh_due(
            shaped,
            name="plans.tasks",
            light_of=light_of,
            today=today,
            basis=settings_basis(),
            batch=batch,
            after_batch=after_batch,
        )
    return lights.refresh(
        shaped, light_of=light_of, today=today, batch=batch, after_batch=after_batch
    )


def settings_basis() -> tuple[object, ...]:
    """Every agency's light thresholds: a change recomputes every light at the next tick."""
    return tuple(
        LightSettings.objects.order_by("agency_id").values_list(
            "agency_id", "warn_working_days", "behind_tolerance"
        )
    )
