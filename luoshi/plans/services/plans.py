"""Work plans and key points: create, approve, issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned
from luoshi.orgs.models import OrgUnit

from .. import rollup
from ..models import (
    KeyPoint,
    Task,
    TaskEvent,
    WorkPlan,
)
from .history import _event
from .lights import refresh_lights


@transaction.atomic
def plan_create(
    *, actor: Any, agency: OrgUnit, year: int, title: str, preamble: str = ""
) -> WorkPlan:
    if WorkPlan.objects.filter(agency=agency, year=year).exists():
        raise InvalidInput(
            _("%(agency)s already has a work plan for %(year)d.")
            % {"agency": agency.name, "year": year}
        )
    if not title.strip():
        raise InvalidInput(_("The plan needs a title."))
    plan = WorkPlan.objects.create(
        agency=agency, year=year, title=title.strip(), preamble=preamble.strip()
    )
    audit.record("plan.create", actor=actor, obj=plan, after=audit.snapshot(plan))
    return plan


@transaction.atomic
def plan_approve(*, actor: Any, plan: WorkPlan, version: int | None = None) -> WorkPlan:
    _check_version(plan, version)
    if plan.status != WorkPlan.Status.DRAFT:
        raise InvalidInput(_("Only a draft plan can be approved."))
    if not plan.tasks.exists():
        raise InvalidInput(_("A plan without tasks cannot be approved."))
    plan.status, plan.approved_at = WorkPlan.Status.APPROVED, timezone.now()
    _save_versioned(plan, ["status", "approved_at"])
    audit.record("plan.approve", actor=actor, obj=plan, after={"status": plan.status})
    return plan


@transaction.atomic
def plan_issue(
    *, actor: Any, plan: WorkPlan, version: int | None = None, today: dt.date | None = None
) -> WorkPlan:
    """Issue an approved plan: its tasks start, and from now on change only by adjustment."""
    _check_version(plan, version)
    if plan.status != WorkPlan.Status.APPROVED:
        raise InvalidInput(_("Only an approved plan can be issued."))
    day = today or timezone.localdate()
    plan.status, plan.issued_at = WorkPlan.Status.ISSUED, timezone.now()
    _save_versioned(plan, ["status", "issued_at"])
    drafts = plan.tasks.filter(status=Task.Status.DRAFT)
    for task in drafts:
        task.status = Task.Status.IN_PROGRESS
        task.start_date = task.start_date or day
        _save_versioned(task, ["status", "start_date"])
        _event(task, TaskEvent.Kind.STATUS, actor, after={"status": task.status})
    audit.record("plan.issue", actor=actor, obj=plan, after={"status": plan.status})
    refresh_lights(plan.tasks.all(), today=day)
    rollup.refresh(rollup.groups_of_queryset(plan.tasks.all()))
    return plan


@transaction.atomic
def key_point_create(
    *,
    actor: Any,
    plan: WorkPlan,
    title: str,
    level: int,
    number: int,
    label: str,
    parent: KeyPoint | None = None,
    sort_order: int = 0,
) -> KeyPoint:
    point = KeyPoint.objects.create(
        plan=plan,
        parent=parent,
        level=level,
        number=number,
        label=label,
        title=title.strip(),
        sort_order=sort_order,
    )
    audit.record("key_point.create", actor=actor, obj=point, after=audit.snapshot(point))
    return point
