"""Reads of tasks: the tasks a user sees and those due soon."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

from ..models import (
    Task,
    WorkPlan,
)
from ..permissions import tasks_visible

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
    """Open red tasks, then yellow ones, each by deadline, at most `limit`: one walk of the
    (light, deadline) index per light that stops at the limit (plan order, or both lights in one
    query, sorted every red and yellow task in scope: about a second for a province at national
    scale)."""
    visible = tasks_visible(user)
    found: list[Task] = []
    for light in (Task.Light.RED, Task.Light.YELLOW):
        if len(found) < limit:
            found += (
                visible.filter(light=light)
                .exclude(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
                .select_related("lead_unit")
                .order_by("deadline", "id")[: limit - len(found)]
            )
    return found
