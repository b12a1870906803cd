"""Reads of tasks: the tasks a user sees and those due soon."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from ..models import (
    Task,
    WorkPlan,
)
from ..permissions import visible_task_ids

QS = TypeVar("QS", bound=QuerySet[Any])


def archived_plan_ids() -> QuerySet[WorkPlan, Any]:
    """The archived plans (a past year's: rules.is_past_year) as a subquery of ids: few rows,
    so leaving their tasks out of a view costs one hashed NOT IN, not a join."""
    return WorkPlan.objects.filter(archived=True).values("pk")


def current_tasks(qs: QS) -> QS:
    """These tasks (or roll-up rows: anything with `plan_id`) without those of archived plans:
    the current views (the default ledger, reports owed, my work) leave a past year out."""
    return qs.exclude(plan_id__in=archived_plan_ids())


def tasks_due_soon(user: Any, limit: int) -> list[Task]:
    """Open red tasks, then yellow ones, each by deadline, at most `limit`: per light one
    statement that stops at the limit. With every task visible it walks the (light, deadline)
    index; otherwise it reads the visible tasks of that light (permissions.visible_task_ids,
    one index range per way a task is visible) and sorts those: walking the index through a
    small scope read every red task of the country (plan order, or both lights in one query,
    sorted every red and yellow task in scope: about a second for a province at national
    scale)."""
    found: list[Task] = []
    for light in (Task.Light.RED, Task.Light.YELLOW):
        if len(found) < limit:
            condition = Q(light=light) & ~Q(status__in=_CLOSED)
            qs = Task.objects.filter(condition)
            ids = visible_task_ids(
                user, condition, order=("deadline", "id"), limit=limit - len(found)
            )
            if ids is not None:
                qs = qs.filter(pk__in=ids)
            found += (
                qs.select_related("lead_unit")
                .only(*DUE_SOON_FIELDS)
                .order_by("deadline", "id")[: limit - len(found)]
            )
    return found


_CLOSED = (Task.Status.COMPLETED, Task.Status.CANCELLED)


# What "my work" shows of a task due soon (the light with its reason, the link, the lead unit).
DUE_SOON_FIELDS = (
    "id", "code", "title", "deadline", "light", "light_code", "status", "lead_unit__name",
)  # fmt: skip
