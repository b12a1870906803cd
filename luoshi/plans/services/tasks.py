"""Tasks: create and update (before issue freely; after issue only by adjustment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.core.text import search_key
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.selectors import leaders_in_charge, organization_of

from .. import rollup
from ..models import (
    Category,
    Indicator,
    KeyPoint,
    Milestone,
    Task,
    TaskEvent,
    WorkPlan,
)
from ..rules import deadline_problems
from .history import _event
from .lights import refresh_lights
from .roadmap import ROADMAP_FIELDS, IndicatorIn, MilestoneIn, _apply_roadmap, check_rows


def _task_search_text(task: Task) -> str:
    return search_key(task.code, task.title, task.goal, task.measures)


@dataclass
class TaskIn:
    """What a task is made of when created (from a form, an import or the API)."""

    code: str
    title: str
    lead_unit: OrgUnit
    plan: WorkPlan | None = None
    key_point: KeyPoint | None = None
    cooperating_units: Sequence[OrgUnit] = ()
    leader_in_charge: Person | None = None
    responsible_person: Person | None = None
    deadline: dt.date | None = None
    ongoing: bool = False
    is_key: bool = False
    source: str = Task.Source.WORK_PLAN
    goal: str = ""
    measures: str = ""
    milestones: Sequence[MilestoneIn] = ()
    indicators: Sequence[IndicatorIn] = ()
    sort_order: int = 0
    carried_from: Task | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _validate_task(data: TaskIn) -> tuple[list[MilestoneIn], list[IndicatorIn]]:
    """The task's milestones and indicators made plain; InvalidInput naming every problem (a
    row of the roadmap by its place, e.g. "indicators[1].unit")."""
    problems: list[dict[str, Any]] = []
    if not data.title.strip():
        problems.append({"field": "title", "message": _("The title is required.")})
    if not data.code.strip():
        problems.append({"field": "code", "message": _("The code is required.")})
    if data.lead_unit in data.cooperating_units:
        problems.append(
            {
                "field": "cooperating_units",
                "message": _("The lead unit cannot also be a cooperating unit."),
            }
        )
    rows = check_rows(data.milestones, data.indicators, deadline=data.deadline, problems=problems)
    if problems:
        raise InvalidInput(details=problems)
    return rows


def check_deadline(
    task: Task, deadline: dt.date | None, milestone_ops: Sequence[dict[str, Any]] = ()
) -> None:
    """A task's new deadline against the steps before it (rules.deadline_problems): not before
    the task started (its assignment at issue), and not before a milestone it keeps (those the
    same change moves or removes, `milestone_ops`, are checked by the roadmap's validator).
    InvalidInput naming the field `deadline`."""
    if isinstance(deadline, str):
        deadline = dt.date.fromisoformat(deadline)
    touched = {op.get("id") for op in milestone_ops if op.get("op") in ("change", "remove")}
    kept = [(m.title, m.due_date) for m in task.milestones.all() if m.pk not in touched]
    problems = deadline_problems(deadline, started_on=task.start_date, milestone_dues=kept)
    if problems:
        raise InvalidInput(
            problems[0]["message"], code="deadline_before_earlier_steps", details=problems
        )


def task_agency_id(task: Task) -> int:
    """The agency whose lists a task uses: its plan's (without a plan: its lead unit's)."""
    if task.plan_id is not None:
        return task.plan.agency_id  # type: ignore[union-attr]
    return organization_of(task.lead_unit).pk


def check_task_categories(task: Task, categories: Iterable[Category]) -> None:
    """A task takes categories from its agency's list only; an inactive one stays on the tasks
    that have it but is not given anew."""
    agency_id = task_agency_id(task)
    current = set(task.categories.values_list("pk", flat=True)) if task.pk else set()
    problems = []
    for category in categories:
        if category.agency_id != agency_id:
            message = _(
                "The category %(name)s belongs to another agency's list: "
                "choose one of the task's agency."
            )
        elif not category.is_active and category.pk not in current:
            message = _("The category %(name)s is no longer in use: choose an active one.")
        else:
            continue
        problems.append({"field": "categories", "message": message % {"name": category.name}})
    if problems:
        raise InvalidInput(code="category_not_allowed", details=problems)


@transaction.atomic
def task_create(*, actor: Any, data: TaskIn) -> Task:
    milestones, indicators = _validate_task(data)
    if data.plan is not None and data.plan.tasks.filter(code=data.code).exists():
        raise InvalidInput(
            _("The code %(code)s is already used in this plan.") % {"code": data.code}
        )
    leader = data.leader_in_charge
    if leader is None:  # default: the leader in charge of the lead unit, from the matrix
        leader = leaders_in_charge(data.lead_unit).order_by("id").first()
    task = Task(
        plan=data.plan,
        key_point=data.key_point,
        code=data.code.strip(),
        title=data.title.strip(),
        goal=data.goal.strip(),
        measures=data.measures.strip(),
        lead_unit=data.lead_unit,
        leader_in_charge=leader,
        responsible_person=data.responsible_person,
        deadline=data.deadline,
        ongoing=data.ongoing,
        is_key=data.is_key,
        source=data.source,
        sort_order=data.sort_order,
        carried_from=data.carried_from,
    )
    task.search_text = _task_search_text(task)
    task.save()
    if data.cooperating_units:
        task.cooperating_units.set(data.cooperating_units)
    Milestone.objects.bulk_create(
        Milestone(task=task, title=m.title, due_date=m.due_date, sort_order=i)
        for i, m in enumerate(milestones)
    )
    Indicator.objects.bulk_create(
        Indicator(
            task=task,
            name=i.name,
            target=i.target,
            unit=i.unit,
            direction=i.direction,
            allows_negative=i.allows_negative,
            sort_order=n,
        )
        for n, i in enumerate(indicators)
    )
    snapshot = audit.snapshot(task)
    snapshot["cooperating_units"] = [u.pk for u in data.cooperating_units]
    snapshot["milestones"] = [[m.title, m.due_date] for m in milestones]
    snapshot["indicators"] = [[i.name, i.target, i.unit, i.direction] for i in indicators]
    _event(task, TaskEvent.Kind.CREATED, actor, after=snapshot)
    audit.record("task.create", actor=actor, obj=task, after=snapshot)
    rollup.refresh([rollup.group_of(task)])
    return task


EDITABLE_FIELDS = {
    "title",
    "goal",
    "measures",
    "lead_unit",
    "leader_in_charge",
    "responsible_person",
    "deadline",
    "ongoing",
    "is_key",
    "report_cadence",
    "report_due_day",
}


# After the plan is issued these change only through an approved adjustment request.
ADJUSTED_FIELDS = {"lead_unit", "leader_in_charge", "responsible_person", "deadline", "ongoing"}


def _plan_issued(task: Task) -> bool:
    return task.plan is not None and task.plan.status == WorkPlan.Status.ISSUED


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: Task,
    version: int | None,
    changes: dict[str, Any],
    today: dt.date | None = None,
) -> Task:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_version(task, version)
    if not task.is_open:
        raise InvalidInput(_("A closed task cannot be changed."))
    if _plan_issued(task) and set(changes) & ADJUSTED_FIELDS:
        raise Forbidden(
            _("The plan is issued: owners and the deadline change through an adjustment request.")
        )
    return _apply_changes(actor=actor, task=task, changes=changes, today=today)


def _apply_changes(
    *,
    actor: Any,
    task: Task,
    changes: dict[str, Any],
    today: dt.date | None = None,
    note: str = "",
    kind: str = TaskEvent.Kind.CHANGED,
) -> Task:
    changes = dict(changes)
    roadmap = {k: changes.pop(k) for k in sorted(ROADMAP_FIELDS) if k in changes}
    if "deadline" in changes:
        check_deadline(task, changes["deadline"], roadmap.get("milestones") or ())
    before = audit.snapshot(task, fields=changes.keys())
    group_before = rollup.group_of(task)
    for key, value in changes.items():
        setattr(task, key, value)
    task.search_text = _task_search_text(task)
    _save_versioned(task, [*changes.keys(), "search_text"])
    after = audit.snapshot(task, fields=changes.keys())
    b, a = audit.diff(before, after)
    if roadmap:  # approved milestone and indicator changes, in the same history entry
        _apply_roadmap(task, roadmap, before=b, after=a)
    _event(task, kind, actor, before=b, after=a, note=note)
    audit.record("task.update", actor=actor, obj=task, before=b, after=a)
    refresh_lights(Task.objects.filter(pk=task.pk), today=today)
    task.refresh_from_db()
    rollup.refresh([group_before, rollup.group_of(task)])
    return task
