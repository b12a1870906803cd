"""Carrying an unfinished task over into a later plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.core.errors import InvalidInput

from ..models import (
    KeyPoint,
    Task,
    TaskEvent,
    WorkPlan,
)
from .history import _event
from .tasks import IndicatorIn, TaskIn, task_create


@transaction.atomic
def task_carry_over(
    *,
    actor: Any,
    task: Task,
    to_plan: WorkPlan,
    key_point: KeyPoint | None = None,
    deadline: dt.date | None = None,
) -> Task:
    """Carry an unfinished task into next year's plan, linked to the original."""
    if not task.is_open:
        raise InvalidInput(_("Only an unfinished task can be carried over."))
    if task.plan is not None and to_plan.year <= task.plan.year:
        raise InvalidInput(_("Carry a task into a later year's plan."))
    if to_plan.status == WorkPlan.Status.ISSUED:
        raise InvalidInput(_("The target plan is already issued."))
    if Task.objects.filter(carried_from=task, plan=to_plan).exists():
        raise InvalidInput(_("This task was already carried into that plan."))
    code = f"{to_plan.year}-C-{task.code}"
    new = task_create(
        actor=actor,
        data=TaskIn(
            plan=to_plan,
            key_point=key_point,
            code=code[:40],
            title=task.title,
            lead_unit=task.lead_unit,
            cooperating_units=list(task.cooperating_units.all()),
            leader_in_charge=task.leader_in_charge,
            responsible_person=task.responsible_person,
            deadline=deadline,
            is_key=task.is_key,
            source=task.source,
            goal=task.goal,
            measures=task.measures,
            carried_from=task,
            indicators=[
                IndicatorIn(i.name, i.target, i.unit, i.direction) for i in task.indicators.all()
            ],
            sort_order=to_plan.tasks.count() + 1,
        ),
    )
    _event(task, TaskEvent.Kind.CARRIED_OVER, actor, after={"task": new.pk, "plan": to_plan.pk})
    return new
