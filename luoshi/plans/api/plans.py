"""Work plans in the API: the list and a plan with its outline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from .. import permissions as perms
from ..models import Task
from ..permissions import plans_visible
from ..selectors.plans import OutlineNode, plan_outline
from .tasks import Id, _scoped_user

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    year: int
    title: str
    agency: int = Field(..., alias="agency_id")
    status: str
    archived: bool = Field(
        ..., description="A past year's plan: its tasks have no lights and owe no reports."
    )
    version: int


class OutlineTaskOut(Schema):
    id: int
    code: str
    title: str
    lead_unit: int = Field(..., alias="lead_unit_id")
    deadline: dt.date | None
    progress: int
    status: str
    light: str


class OutlineNodeOut(Schema):
    id: int
    level: int
    label: str
    title: str
    tasks: list[OutlineTaskOut]
    children: list[OutlineNodeOut]


class PlanDetailOut(PlanOut):
    preamble: str
    outline: list[OutlineNodeOut]


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> Any:
    """The plans the caller may see (drafts only to those who draft or approve them)."""
    return list(plans_visible(_scoped_user(request)).order_by("-year", "agency__path"))


def _node(node: OutlineNode) -> dict[str, Any]:
    kp = node.key_point
    return {
        "id": kp.pk,
        "level": kp.level,
        "label": kp.label,
        "title": kp.title,
        "tasks": node.tasks,
        "children": [_node(c) for c in node.children],
    }


@router.get("/plans/{plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: Id) -> Any:
    """One plan with its outline (key points, sections, tasks) as the agency wrote it."""
    plan = perms.access_plan(_scoped_user(request), plan_id)
    outline = plan_outline(plan, Task.objects.filter(plan=plan))
    data = PlanOut.from_orm(plan).model_dump(by_alias=True)
    data.update(preamble=plan.preamble, outline=[_node(n) for n in outline])
    return data
