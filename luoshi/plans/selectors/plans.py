"""Reads of work plans: the plans a user sees and a plan's outline."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ..models import (
    KeyPoint,
    Task,
    WorkPlan,
)


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
