"""Reads of work plans: the plans a user sees and a plan's outline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import organization_of

from ..models import (
    KeyPoint,
    Task,
    WorkPlan,
)
from ..permissions import can_approve_plans, can_manage_plans


def plans_visible(user: Any) -> QuerySet[WorkPlan]:
    """Plans of the viewer's own organization and of agencies their scope covers; drafts only to
    those who draft or approve them."""
    scope = scope_for(user)
    qs = WorkPlan.objects.select_related("agency")
    if scope.is_empty:
        return qs.none()
    if not scope.everything:
        condition = scope.q(unit="agency") or Q(pk__in=[])
        person = getattr(user, "person", None)
        if person is not None:
            condition |= Q(agency=organization_of(person.unit))
        qs = qs.filter(condition)
    if not (can_manage_plans(user) or can_approve_plans(user)):
        qs = qs.exclude(status=WorkPlan.Status.DRAFT)
    return qs


@dataclass
class OutlineNode:
    key_point: KeyPoint
    children: list[OutlineNode]
    tasks: list[Task]


def plan_outline(plan: WorkPlan, tasks: QuerySet[Task]) -> list[OutlineNode]:
    """The plan's outline as the agency wrote it, with the given tasks hung on it (3 queries)."""
    points = list(plan.key_points.order_by("sort_order"))
    nodes = {kp.pk: OutlineNode(kp, [], []) for kp in points}
    roots: list[OutlineNode] = []
    for kp in points:
        node = nodes[kp.pk]
        (nodes[kp.parent_id].children if kp.parent_id in nodes else roots).append(node)
    for task in tasks.filter(plan=plan).order_by("sort_order", "id"):
        if task.key_point_id in nodes:
            nodes[task.key_point_id].tasks.append(task)
    return roots
