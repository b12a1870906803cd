"""Reads of tasks: the tasks a user sees and those due soon."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

from ..models import (
    Task,
)
from ..permissions import tasks_visible

QS = TypeVar("QS", bound=QuerySet[Any])


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
