"""Reads of tasks: the tasks a user sees and those due soon."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import covers_every_unit

from ..models import (
    Task,
)

QS = TypeVar("QS", bound=QuerySet[Any])


def tasks_visible(user: Any) -> QuerySet[Task]:
    """Tasks whose lead or a cooperating unit is in the viewer's scope, or that name the viewer
    as responsible person or leader in charge."""
    scope = scope_for(user)
    qs = Task.objects.select_related(
        "plan", "key_point", "lead_unit", "leader_in_charge", "responsible_person"
    )
    if covers_every_unit(scope):  # every task is led by a unit in scope
        return qs
    condition = _lead_in_scope(scope)
    cooperating = Task.cooperating_units.through.objects.filter(task_id=OuterRef("pk"))
    coop_scope = scope.q(unit="orgunit")
    if coop_scope is not None and not scope.is_empty:
        condition |= Q(Exists(cooperating.filter(coop_scope)))
    person_id = getattr(user, "person_id", None)
    if person_id is not None and not scope.is_empty:
        condition |= Q(responsible_person_id=person_id) | Q(leader_in_charge_id=person_id)
    return qs.filter(condition)


def _lead_in_scope(scope: Any, via: str = "") -> Q:
    """Tasks whose lead unit is in scope, on the task's own columns (no join); `via`: the path
    to the task from another model ("task__")."""
    condition = Q(pk__in=[])
    for prefix in sorted(scope.subtree_paths):
        condition |= Q(**{f"{via}lead_unit_path__startswith": prefix})
    if scope.unit_ids:
        condition |= Q(**{f"{via}lead_unit_id__in": sorted(scope.unit_ids)})
    return condition


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
