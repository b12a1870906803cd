"""The stored status lights of tasks: the light engine (luoshi.core.lights) over tasks, with the
per-agency thresholds (LightSettings) that supervision items share and the dashboards' roll-up
kept in step. A task of an archived plan (a past year's) has no light: grey, "archived"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from luoshi.core import lights
from luoshi.core.lights import LightThresholds, MilestoneState, WorkingDaysUntil

from .. import rollup
from ..models import LightSettings, Milestone, Task, WorkPlan
from ..rules import ARCHIVED, light_phase

# What the refresh reads of a task (light_of, the stored light, rollup.group_of).
READ = (
    "pk", "status", "deadline", "start_date", "progress", "plan_id", "lead_unit_id",
    "light", "light_code", "light_next_change",
)  # fmt: skip


def _thresholds(agency_id: int | None) -> LightThresholds:
    row = LightSettings.objects.filter(agency_id=agency_id).first() if agency_id else None
    if row is None:
        return LightThresholds()
    return LightThresholds(row.warn_working_days, row.behind_tolerance)


class ThresholdsReader:
    """The light thresholds of an agency (its LightSettings, else the defaults), each agency
    read once for the lifetime of the reader (one refresh run): one query per agency asked
    for, or one for many with `load`."""

    def __init__(self) -> None:
        self.read: dict[int | None, LightThresholds] = {}

    def load(self, agency_ids: Iterable[int | None]) -> None:
        """Read the thresholds of these agencies (those not read yet) in one query."""
        wanted = {agency for agency in agency_ids if agency and agency not in self.read}
        if not wanted:
            return
        for agency in wanted:
            self.read[agency] = LightThresholds()
        for agency, warn, tolerance in LightSettings.objects.filter(
            agency_id__in=sorted(wanted)
        ).values_list("agency_id", "warn_working_days", "behind_tolerance"):
            self.read[agency] = LightThresholds(warn, tolerance)

    def __call__(self, agency_id: int | None) -> LightThresholds:
        if agency_id not in self.read:
            self.read[agency_id] = _thresholds(agency_id)
        return self.read[agency_id]


def thresholds_reader() -> ThresholdsReader:
    """A reader of the agencies' light thresholds for one refresh run."""
    return ThresholdsReader()


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
    # Each batch's milestones, read in one query before its lights are computed: task id →
    # (title, due date, done on) in the order the rules see them.
    milestones: dict[int, list[MilestoneState]] = {}
    # The plans of the tasks read so far (a few thousand at most): id → (archived, agency id).
    plans: dict[int, tuple[bool, int]] = {}

    def before_batch(chunk: list[Task]) -> None:
        unseen = {task.plan_id for task in chunk if task.plan_id is not None} - plans.keys()
        if unseen:
            for pk, archived, agency_id in WorkPlan.objects.filter(
                pk__in=sorted(unseen)
            ).values_list("pk", "archived", "agency_id"):
                plans[pk] = (archived, agency_id)
            thresholds.load(plans[pk][1] for pk in unseen if pk in plans)
        milestones.clear()
        rows = (
            Milestone.objects.filter(task_id__in=[task.pk for task in chunk])
            .order_by("task_id", "due_date", "sort_order", "pk")
            .values_list("task_id", "title", "due_date", "done_on")
        )
        for task_id, title, due_date, done_on in rows:
            milestones.setdefault(task_id, []).append(MilestoneState(title, due_date, done_on))

    def light_of(
        task: Task, day: dt.date, until: WorkingDaysUntil
    ) -> tuple[lights.LightResult, dt.date | None]:
        archived, agency_id = plans[task.plan_id] if task.plan_id is not None else (False, None)
        if archived:
            return lights.LightResult(lights.GREY, ARCHIVED), None  # a past year's: no light
        inputs = dict(
            phase=light_phase(task.status),
            today=day,
            deadline=task.deadline,
            start=task.start_date,
            progress=task.progress,
            milestones=milestones.get(task.pk, ()),
            working_days_until=until,
            thresholds=thresholds(agency_id),
        )
        return lights.compute_light(**inputs), lights.next_change(**inputs)  # type: ignore[arg-type]

    def after_batch(recoloured: list[Task]) -> None:
        rollup.refresh({rollup.group_of(task) for task in recoloured})

    shaped = tasks.only(*READ)
    if due_only:
        return lights.refresh_due(
            shaped,
            name="plans.tasks",
            light_of=light_of,
            today=today,
            basis=settings_basis(),
            batch=batch,
            before_batch=before_batch,
            after_batch=after_batch,
        )
    return lights.refresh(
        shaped,
        light_of=light_of,
        today=today,
        batch=batch,
        before_batch=before_batch,
        after_batch=after_batch,
    )


def settings_basis() -> tuple[object, ...]:
    """Every agency's light thresholds: a change recomputes every light at the next tick."""
    return tuple(
        LightSettings.objects.order_by("agency_id").values_list(
            "agency_id", "warn_working_days", "behind_tolerance"
        )
    )
