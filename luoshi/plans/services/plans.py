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
from ..rules import deadline_problems, is_past_year
from .history import _event
from .lights import refresh_lights


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    title: str,
    preamble: str = "",
    today: dt.date | None = None,
) -> WorkPlan:
    """A draft plan; one for a past year is an archive from the start (rules.is_past_year)."""
    if WorkPlan.objects.filter(agency=agency, year=year).exists():
        raise InvalidInput(
            _("%(agency)s already has a work plan for %(year)d.")
            % {"agency": agency.name, "year": year}
        )
    if not title.strip():
        raise InvalidInput(_("The plan needs a title."))
    plan = WorkPlan.objects.create(
        agency=agency,
        year=year,
        title=title.strip(),
        preamble=preamble.strip(),
        archived=is_past_year(year, today or timezone.localdate()),
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


def mark_archive(plan: WorkPlan, today: dt.date) -> bool:
    """Make the plan an archive when its year is past (rules.is_past_year); True if it is one.
    Called where a plan takes its tasks or starts them: create, import, issue."""
    if not plan.archived and is_past_year(plan.year, today):
        plan.archived = True
        plan.save(update_fields=["archived", "updated_at"])
    return plan.archived


def check_issuable(plan: WorkPlan, day: dt.date) -> None:
    """A plan of this year starts its tasks on `day`: none may be due before it (a deadline is
    not before the task's assignment). An archive starts nothing, so it is not checked."""
    problems = []
    for task in plan.tasks.filter(status=Task.Status.DRAFT).order_by("sort_order", "id"):
        for problem in deadline_problems(task.deadline, started_on=task.start_date or day):
            problems.append({**problem, "code": task.code})
    if problems:
        raise InvalidInput(
            _(
                "%(n)d tasks are due before the plan is issued (%(day)s); move their deadlines "
                "before issuing the plan."
            )
            % {"n": len(problems), "day": day.isoformat()},
            code="deadline_before_start",
            details=problems,
        )


@transaction.atomic
def plan_issue(
    *, actor: Any, plan: WorkPlan, version: int | None = None, today: dt.date | None = None
) -> WorkPlan:
    """Issue an approved plan: its tasks start, and from now on change only by adjustment.

    A plan for a past year is issued as an archive (rules.is_past_year): its tasks are
    recorded as in progress without a start day, with no light (grey, "archived") and no
    report owed; it is left out of the current ledger, my work and the dashboards' default."""
    _check_version(plan, version)
    if plan.status != WorkPlan.Status.APPROVED:
        raise InvalidInput(_("Only an approved plan can be issued."))
    day = today or timezone.localdate()
    archive = mark_archive(plan, day)
    if not archive:
        check_issuable(plan, day)
    plan.status, plan.issued_at = WorkPlan.Status.ISSUED, timezone.now()
    _save_versioned(plan, ["status", "issued_at"])
    drafts = plan.tasks.filter(status=Task.Status.DRAFT)
    for task in drafts:
        task.status = Task.Status.IN_PROGRESS
        if not archive:
            task.start_date = task.start_date or day
        _save_versioned(task, ["status", "start_date"])
        _event(task, TaskEvent.Kind.STATUS, actor, after={"status": task.status})
    audit.record(
        "plan.issue", actor=actor, obj=plan, after={"status": plan.status, "archived": archive}
    )
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
