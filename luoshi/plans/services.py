"""Every write to work plans and tasks: keyword-only, atomic, audited, with the task's history."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.core.text import search_key
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.selectors import leaders_in_charge, organization_of

from . import rollup, rules
from .models import (
    AdjustmentRequest,
    Category,
    Indicator,
    IndicatorValue,
    KeyPoint,
    LightSettings,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    WorkPlan,
)

# --- helpers ----------------------------------------------------------------------------------


def _event(
    task: Task,
    kind: str,
    actor: Any,
    *,
    before: Any = None,
    after: Any = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> None:
    TaskEvent.objects.create(
        task=task,
        kind=kind,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        before=audit._plain(before) if before is not None else None,
        after=audit._plain(after) if after is not None else None,
        note=note,
    )


def _task_search_text(task: Task) -> str:
    return search_key(task.code, task.title, task.goal, task.measures)


# --- plans ------------------------------------------------------------------------------------


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


# --- tasks ------------------------------------------------------------------------------------


@dataclass
class MilestoneIn:
    title: str
    due_date: dt.date


@dataclass
class IndicatorIn:
    name: str
    target: decimal.Decimal
    unit: str = ""
    direction: str = Indicator.Direction.HIGHER


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


def _validate_task(data: TaskIn) -> None:
    problems = []
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
    for m in data.milestones:
        if data.deadline and m.due_date > data.deadline:
            problems.append(
                {
                    "field": "milestones",
                    "message": _("Milestone “%(title)s” is due after the task's deadline.")
                    % {"title": m.title},
                }
            )
    for ind in data.indicators:
        if not ind.name.strip():
            problems.append({"field": "indicators", "message": _("An indicator needs a name.")})
    if problems:
        raise InvalidInput(details=problems)


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
    _validate_task(data)
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
        Milestone(task=task, title=m.title.strip(), due_date=m.due_date, sort_order=i)
        for i, m in enumerate(data.milestones)
    )
    Indicator.objects.bulk_create(
        Indicator(
            task=task,
            name=i.name.strip(),
            target=i.target,
            unit=i.unit,
            direction=i.direction,
            sort_order=n,
        )
        for n, i in enumerate(data.indicators)
    )
    snapshot = audit.snapshot(task)
    snapshot["cooperating_units"] = [u.pk for u in data.cooperating_units]
    snapshot["milestones"] = [[m.title, m.due_date] for m in data.milestones]
    snapshot["indicators"] = [[i.name, i.target, i.unit, i.direction] for i in data.indicators]
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


# --- adjustments ------------------------------------------------------------------------------


def _serialise_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: audit._plain(v) for k, v in changes.items()}


# Milestones and indicators change after issue through an adjustment too. An adjustment's
# `changes` holds them as lists of operations, plain JSON, with what each changed or removed
# item was (for the approver's diff and the task's history):
#   "milestones": [{"op": "add", "title", "due_date"},
#                  {"op": "change", "id", "title", "due_date", "was": {"title", "due_date"}},
#                  {"op": "remove", "id", "was": {...}}]
#   "indicators": [{"op": "add", "name", "unit", "target", "direction"}, change, remove alike]
ROADMAP_FIELDS = frozenset({"milestones", "indicators"})
_ROADMAP_OPS = ("add", "change", "remove")
_MILESTONE_TITLE_MAX = Milestone._meta.get_field("title").max_length or 300
_INDICATOR_NAME_MAX = Indicator._meta.get_field("name").max_length or 200
_INDICATOR_UNIT_MAX = Indicator._meta.get_field("unit").max_length or 32
_TARGET_LIMIT = decimal.Decimal(10) ** 12


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _as_decimal(value: Any) -> decimal.Decimal | None:
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number) < _TARGET_LIMIT else None


def _milestone_was(m: Milestone) -> dict[str, Any]:
    return {"title": m.title, "due_date": m.due_date.isoformat()}


def _indicator_was(i: Indicator) -> dict[str, Any]:
    return {"name": i.name, "unit": i.unit, "target": str(i.target), "direction": i.direction}


def _check_milestone_ops(task: Task, ops: Any, deadline: dt.date | None) -> list[dict[str, Any]]:
    current = {m.pk: m for m in task.milestones.all()}
    out, problems = [], []
    for op in ops or ():
        kind = op.get("op")
        m = current.get(op.get("id")) if kind in ("change", "remove") else None
        if kind not in _ROADMAP_OPS or (kind != "add" and m is None):
            problems.append(_("A milestone does not belong to this task."))
            continue
        if m is not None and m.done_on:
            problems.append(
                _("Milestone “%(title)s” is done and stays as it is.") % {"title": m.title}
            )
            continue
        entry: dict[str, Any] = {"op": kind}
        if m is not None:
            entry.update(id=m.pk, was=_milestone_was(m))
        if kind != "remove":
            title, due = str(op.get("title") or "").strip(), _as_date(op.get("due_date"))
            if not title or len(title) > _MILESTONE_TITLE_MAX:
                problems.append(
                    _("A milestone needs a title of at most %(n)d characters.")
                    % {"n": _MILESTONE_TITLE_MAX}
                )
                continue
            if due is None:
                problems.append(_("Milestone “%(title)s” needs a due date.") % {"title": title})
                continue
            if deadline and due > deadline:
                problems.append(
                    _("Milestone “%(title)s” is due after the task's deadline.") % {"title": title}
                )
                continue
            if m is not None and (title, due) == (m.title, m.due_date):
                continue  # unchanged
            entry.update(title=title, due_date=due.isoformat())
        out.append(entry)
    if problems:
        raise InvalidInput(details=[{"field": "milestones", "message": p} for p in problems])
    return out


def _check_indicator_ops(task: Task, ops: Any) -> list[dict[str, Any]]:
    current = {i.pk: i for i in task.indicators.all()}
    reported = set(
        IndicatorValue.objects.filter(indicator__task=task).values_list("indicator_id", flat=True)
    )
    out, problems = [], []
    for op in ops or ():
        kind = op.get("op")
        i = current.get(op.get("id")) if kind in ("change", "remove") else None
        if kind not in _ROADMAP_OPS or (kind != "add" and i is None):
            problems.append(_("An indicator does not belong to this task."))
            continue
        entry: dict[str, Any] = {"op": kind}
        if i is not None:
            entry.update(id=i.pk, was=_indicator_was(i))
        if kind == "remove" and i is not None and i.pk in reported:
            problems.append(
                _("Indicator “%(name)s” has reported values: change its target instead.")
                % {"name": i.name}
            )
            continue
        if kind != "remove":
            name, unit = str(op.get("name") or "").strip(), str(op.get("unit") or "").strip()
            target, direction = _as_decimal(op.get("target")), op.get("direction")
            if not name or len(name) > _INDICATOR_NAME_MAX:
                problems.append(
                    _("An indicator needs a name of at most %(n)d characters.")
                    % {"n": _INDICATOR_NAME_MAX}
                )
                continue
            if len(unit) > _INDICATOR_UNIT_MAX:
                problems.append(
                    _("The unit of measure has at most %(n)d characters.")
                    % {"n": _INDICATOR_UNIT_MAX}
                )
                continue
            if target is None:
                problems.append(_("The target is not a valid number."))
                continue
            if direction not in Indicator.Direction.values:
                problems.append(_("Choose whether higher or lower is better."))
                continue
            target = target.quantize(decimal.Decimal("0.01"))
            new = {"name": name, "unit": unit, "target": str(target), "direction": direction}
            if i is not None and new == _indicator_was(i):
                continue  # unchanged
            entry.update(new)
        out.append(entry)
    if problems:
        raise InvalidInput(details=[{"field": "indicators", "message": p} for p in problems])
    return out


def _check_roadmap(task: Task, changes: dict[str, Any]) -> dict[str, Any]:
    """The proposed changes with their milestone and indicator operations checked against the
    task and made plain; empty operation lists dropped."""
    out = {k: v for k, v in changes.items() if k not in ROADMAP_FIELDS}
    if "milestones" in changes:
        deadline = changes.get("deadline", task.deadline)
        ops = _check_milestone_ops(task, changes["milestones"], deadline)
        if ops:
            out["milestones"] = ops
    if "indicators" in changes:
        ops = _check_indicator_ops(task, changes["indicators"])
        if ops:
            out["indicators"] = ops
    return out


def _apply_roadmap(
    task: Task, roadmap: dict[str, Any], *, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Apply approved milestone and indicator operations; what they replaced goes into
    `before` and the operations into `after` (the task's history). Each is checked again: the
    task may have changed since the request (a milestone done, a value reported)."""
    stale = _("The task changed since the adjustment was requested; ask for a new adjustment.")
    milestone_ops = roadmap.get("milestones") or []
    indicator_ops = roadmap.get("indicators") or []
    try:
        _check_milestone_ops(task, milestone_ops, task.deadline)
        _check_indicator_ops(task, indicator_ops)
    except InvalidInput as exc:
        raise InvalidInput(stale, details=exc.details) from None
    milestones = {m.pk: m for m in task.milestones.all()}
    order = max((m.sort_order for m in milestones.values()), default=-1) + 1
    for op in milestone_ops:
        if op["op"] == "add":
            Milestone.objects.create(
                task=task,
                title=op["title"],
                due_date=dt.date.fromisoformat(op["due_date"]),
                sort_order=order,
            )
            order += 1
        elif op["op"] == "change":
            m = milestones[op["id"]]
            m.title, m.due_date = op["title"], _as_date(op["due_date"]) or m.due_date
            m.save(update_fields=["title", "due_date", "updated_at"])
        else:
            milestones[op["id"]].delete()
    indicators = {i.pk: i for i in task.indicators.all()}
    order = max((i.sort_order for i in indicators.values()), default=-1) + 1
    for op in indicator_ops:
        values = {k: op[k] for k in ("name", "unit", "direction") if k in op}
        if op["op"] == "add":
            Indicator.objects.create(
                task=task, target=decimal.Decimal(op["target"]), sort_order=order, **values
            )
            order += 1
        elif op["op"] == "change":
            i = indicators[op["id"]]
            for key, value in values.items():
                setattr(i, key, value)
            i.target = decimal.Decimal(op["target"])
            i.save(update_fields=[*values, "target", "updated_at"])
        else:
            indicators[op["id"]].delete()
    for key, ops in (("milestones", milestone_ops), ("indicators", indicator_ops)):
        if ops:
            before[key] = [op["was"] for op in ops if "was" in op]
            after[key] = ops


@transaction.atomic
def adjustment_request(
    *, actor: Any, task: Task, reason: str, changes: dict[str, Any]
) -> AdjustmentRequest:
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the adjustment."))
    unknown = set(changes) - EDITABLE_FIELDS - ROADMAP_FIELDS
    if unknown or not changes:
        raise InvalidInput(_("Propose at least one change to the task."))
    changes = _check_roadmap(task, changes)
    if not changes:
        raise InvalidInput(_("Propose at least one change to the task."))
    if task.status != Task.Status.IN_PROGRESS:
        raise InvalidInput(_("Only a task in progress can be adjusted."))
    request = AdjustmentRequest.objects.create(
        task=task, requested_by=actor, reason=reason.strip(), changes=_serialise_changes(changes)
    )
    task.status = Task.Status.ADJUSTMENT_REQUESTED
    _save_versioned(task, ["status"])
    _event(
        task, TaskEvent.Kind.ADJUSTMENT_REQUESTED, actor, after=request.changes, note=request.reason
    )
    audit.record("task.adjustment_request", actor=actor, obj=task, after=request.changes)
    return request


def _revive(field_name: str, value: Any) -> Any:
    """A stored (JSON) change back into a value for the task's field."""
    if value is None:
        return None
    if field_name == "deadline":
        return dt.date.fromisoformat(value)
    if field_name == "lead_unit":
        return OrgUnit.objects.get(pk=value)
    if field_name in {"leader_in_charge", "responsible_person"}:
        return Person.objects.get(pk=value)
    return value


@transaction.atomic
def adjustment_decide(
    *,
    actor: Any,
    adjustment: AdjustmentRequest,
    approve: bool,
    note: str = "",
    today: dt.date | None = None,
) -> AdjustmentRequest:
    if adjustment.status != AdjustmentRequest.Status.PENDING:
        raise InvalidInput(_("This adjustment was already decided."))
    if not approve and not note.strip():
        raise InvalidInput(_("Give the reason for rejecting the adjustment."))
    task = adjustment.task
    adjustment.status = (
        AdjustmentRequest.Status.APPROVED if approve else AdjustmentRequest.Status.REJECTED
    )
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.decision_note = note.strip()
    adjustment.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    task.status = Task.Status.IN_PROGRESS
    _save_versioned(task, ["status"])
    if approve:
        changes = {k: _revive(k, v) for k, v in adjustment.changes.items()}
        _apply_changes(
            actor=actor,
            task=task,
            changes=changes,
            today=today,
            note=adjustment.reason,
            kind=TaskEvent.Kind.ADJUSTMENT_APPROVED,
        )
    else:
        _event(task, TaskEvent.Kind.ADJUSTMENT_REJECTED, actor, note=adjustment.decision_note)
    audit.record(
        "task.adjustment_decide",
        actor=actor,
        obj=task,
        after={"approved": approve, "note": adjustment.decision_note},
    )
    return adjustment


# --- progress ---------------------------------------------------------------------------------


@dataclass
class ReportIn:
    text: str
    percent: int | None = None
    indicator_values: dict[int, decimal.Decimal] = field(default_factory=dict)
    milestones_done: dict[int, tuple[dt.date, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class NextReport:
    """What a report by `unit` written on `day` would be for, and whether it comes late."""

    unit: OrgUnit
    period: dt.date
    due_on: dt.date
    late: bool


def next_report(task: Task, unit: OrgUnit, day: dt.date) -> NextReport:
    period, due = report_period_due(task, unit, day)
    return NextReport(unit=unit, period=period, due_on=due, late=day > due)


def report_period_due(task: Task, unit: OrgUnit, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report by `unit` written on `day` is for (rules.period_to_report: the
    previous one while it is not in) and the day that report is or was due."""
    current = rules.report_period(task.report_cadence, day)
    previous = rules.report_period(task.report_cadence, current - dt.timedelta(days=1))
    period = rules.period_to_report(
        task.report_cadence,
        day,
        previous_reported=ProgressReport.objects.filter(
            task=task, unit=unit, period=previous
        ).exists(),
        started_on=task.start_date,
    )
    return period, rules.report_due_date(task.report_cadence, period, task.report_due_day)


@transaction.atomic
def report_submit(
    *, actor: Any, task: Task, unit: OrgUnit, data: ReportIn, today: dt.date | None = None
) -> ProgressReport:
    """Submit (or correct) one unit's report for the current period."""
    day = today or timezone.localdate()
    if not data.text.strip():
        raise InvalidInput(details=[{"field": "text", "message": _("Describe the progress.")}])
    if data.percent is not None and not 0 <= data.percent <= 100:
        raise InvalidInput(
            details=[{"field": "percent", "message": _("Progress is a percentage from 0 to 100.")}]
        )
    is_lead = unit.pk == task.lead_unit_id
    indicators = {i.pk: i for i in task.indicators.all()}
    if set(data.indicator_values) - set(indicators):
        raise InvalidInput(_("An indicator does not belong to this task."))
    milestones = {m.pk: m for m in task.milestones.all()}
    if set(data.milestones_done) - set(milestones):
        raise InvalidInput(_("A milestone does not belong to this task."))
    period, due = report_period_due(task, unit, day)
    # Reports entered for a past day (catching up, or the demo) carry that day.
    submitted_at = (
        timezone.now()
        if today is None
        else timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    )
    report, created = ProgressReport.objects.update_or_create(
        task=task,
        unit=unit,
        period=period,
        defaults={
            "text": data.text.strip(),
            "percent": data.percent if is_lead else None,
            "submitted_by": actor,
            "submitted_at": submitted_at,
            "due_on": due,
        },
    )
    for pk, value in data.indicator_values.items():
        IndicatorValue.objects.update_or_create(
            report=report, indicator_id=pk, defaults={"value": value}
        )
        if is_lead:
            Indicator.objects.filter(pk=pk).update(actual=value, updated_at=timezone.now())
    for pk, (done_on, evidence) in data.milestones_done.items():
        if done_on > day:
            raise InvalidInput(_("A milestone cannot be done in the future."))
        milestone = milestones[pk]
        milestone.done_on, milestone.evidence = done_on, evidence.strip()
        milestone.save(update_fields=["done_on", "evidence", "updated_at"])
    if is_lead and data.percent is not None and data.percent != task.progress:
        task.progress = data.percent
        _save_versioned(task, ["progress"])
    _event(
        task,
        TaskEvent.Kind.REPORTED,
        actor,
        after={"unit": unit.pk, "period": period, "percent": data.percent},
        note=data.text.strip()[:500],
        at=submitted_at,  # the history shows a report entered for a past day on that day
    )
    audit.record(
        "task.report" if created else "task.report_correct",
        actor=actor,
        obj=report,
        after={
            "text": report.text,
            "percent": report.percent,
            "indicators": data.indicator_values,
            "milestones": list(data.milestones_done),
        },
    )
    refresh_lights(Task.objects.filter(pk=task.pk), today=day)
    return report


# --- close-out --------------------------------------------------------------------------------


@transaction.atomic
def completion_request(*, actor: Any, task: Task, note: str, version: int | None = None) -> Task:
    _check_version(task, version)
    if task.status != Task.Status.IN_PROGRESS:
        raise InvalidInput(_("Only a task in progress can be reported complete."))
    if not note.strip():
        raise InvalidInput(
            details=[
                {"field": "note", "message": _("Describe what was achieved and the evidence.")}
            ]
        )
    task.status, task.completion_note = Task.Status.COMPLETION_REQUESTED, note.strip()
    task.completion_requested_at = timezone.now()
    _save_versioned(task, ["status", "completion_note", "completion_requested_at"])
    _event(task, TaskEvent.Kind.COMPLETION_REQUESTED, actor, note=task.completion_note)
    audit.record(
        "task.completion_request",
        actor=actor,
        obj=task,
        after={"status": task.status, "note": task.completion_note},
    )
    rollup.refresh([rollup.group_of(task)])
    return task


@transaction.atomic
def completion_verify(
    *,
    actor: Any,
    task: Task,
    accept: bool,
    reason: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> Task:
    """Close the task out (销号) after verification, or return it with a reason."""
    _check_version(task, version)
    if task.status != Task.Status.COMPLETION_REQUESTED:
        raise InvalidInput(_("This task is not waiting for verification."))
    if not accept and not reason.strip():
        raise InvalidInput(
            details=[{"field": "reason", "message": _("Give the reason for returning the task.")}]
        )
    day = today or timezone.localdate()
    if accept:
        task.status, task.completed_on, task.progress = Task.Status.COMPLETED, day, 100
        _save_versioned(task, ["status", "completed_on", "progress"])
        _event(task, TaskEvent.Kind.COMPLETION_ACCEPTED, actor, note=reason.strip())
    else:
        task.status = Task.Status.IN_PROGRESS
        _save_versioned(task, ["status"])
        _event(task, TaskEvent.Kind.COMPLETION_RETURNED, actor, note=reason.strip())
    audit.record(
        "task.completion_verify",
        actor=actor,
        obj=task,
        after={"accepted": accept, "reason": reason.strip()},
    )
    refresh_lights(Task.objects.filter(pk=task.pk), today=day)
    rollup.refresh([rollup.group_of(task)])
    return task


# --- lights -----------------------------------------------------------------------------------


def _thresholds(agency_id: int | None) -> rules.LightThresholds:
    row = LightSettings.objects.filter(agency_id=agency_id).first() if agency_id else None
    if row is None:
        return rules.LightThresholds()
    return rules.LightThresholds(row.warn_working_days, row.behind_tolerance)


def _working_days_counter(calendar: Any) -> rules.WorkingDaysUntil:
    """working_days_until for the light rules, over one calendar read for the whole batch.

    Beyond 60 calendar days the exact count cannot matter to a "due within N working days"
    rule with N in any sensible range, so the calendar-day count stands in (never smaller than
    the working-day count, so it never turns a light yellow by mistake).
    """

    def until(today: dt.date, day: dt.date) -> int:
        if day <= today:
            return 0
        if (day - today).days > 60:
            return (day - today).days
        return calendar.working_days_between(today, day).value

    return until


def refresh_lights(tasks: Any, *, today: dt.date | None = None, batch: int = 2000) -> int:
    """Recompute the stored lights of these tasks; write only the rows whose light changed.

    Idempotent and safe to run concurrently (each row's update is a single UPDATE of the light
    fields, which carry no version: two runs on one day compute the same answer). Each batch is
    one transaction with the dashboards' roll-up of the groups whose lights changed.
    Returns the number of rows changed.
    """
    from luoshi.core.workdays import WorkCalendar

    day = today or timezone.localdate()
    changed = 0
    until = _working_days_counter(WorkCalendar())
    thresholds: dict[int | None, rules.LightThresholds] = {}
    last_id = 0
    while True:
        chunk = list(
            tasks.filter(pk__gt=last_id)
            .order_by("pk")
            .select_related("plan")
            .prefetch_related("milestones")[:batch]
        )
        if not chunk:
            return changed
        last_id = chunk[-1].pk
        changed += _refresh_batch(chunk, day, until, thresholds)


@transaction.atomic
def _refresh_batch(
    chunk: list[Task],
    day: dt.date,
    until: rules.WorkingDaysUntil,
    thresholds: dict[int | None, rules.LightThresholds],
) -> int:
    changed = 0
    groups: set[rollup.Group] = set()
    for task in chunk:
        agency_id = task.plan.agency_id if task.plan else None
        if agency_id not in thresholds:
            thresholds[agency_id] = _thresholds(agency_id)
        result = rules.compute_light(
            status=task.status,
            today=day,
            deadline=task.deadline,
            start=task.start_date,
            progress=task.progress,
            milestones=[
                rules.MilestoneState(m.title, m.due_date, m.done_on) for m in task.milestones.all()
            ],
            working_days_until=until,
            thresholds=thresholds[agency_id],
        )
        reason = json.dumps([result.code, dict(result.params)], ensure_ascii=False)[:200]
        if (task.light, task.light_code, task.light_checked_on) != (
            result.color,
            reason,
            day,
        ):
            Task.objects.filter(pk=task.pk).update(
                light=result.color, light_code=reason, light_checked_on=day
            )
            if task.light != result.color:
                changed += 1
                groups.add(rollup.group_of(task))
    rollup.refresh(groups)
    return changed


# --- evidence attachments ---------------------------------------------------------------------

ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8",
    ".jpeg": b"\xff\xd8",
    ".docx": b"PK",
    ".xlsx": b"PK",
    ".pptx": b"PK",
    ".ofd": b"PK",
    ".zip": b"PK",
    ".txt": b"",
}


def _attachment_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "LUOSHI_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def check_attachment(name: str, content: bytes) -> tuple[str, str]:
    """An evidence file's cleaned name and suffix, or InvalidInput: allowed type, not empty,
    within the size limit, content matching its type (shared by every app that takes files)."""
    from pathlib import PurePath

    clean_name = PurePath(name.replace("\\", "/")).name.strip()[:200] or "attachment"
    suffix = PurePath(clean_name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise InvalidInput(
            _("Files of type %(type)s cannot be attached. Allowed: %(allowed)s.")
            % {"type": suffix or "?", "allowed": ", ".join(sorted(ATTACHMENT_TYPES))},
            code="attachment_type",
        )
    if not content:
        raise InvalidInput(_("The file is empty."), code="attachment_empty")
    limit = _attachment_limit()
    if len(content) > limit:
        raise InvalidInput(
            _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)},
            code="attachment_too_large",
        )
    if not content.startswith(ATTACHMENT_TYPES[suffix]):
        raise InvalidInput(
            _("The file's content does not match its type %(type)s.") % {"type": suffix},
            code="attachment_type",
        )
    return clean_name, suffix


@transaction.atomic
def attachment_add(
    *, actor: Any, task: Task, name: str, content: bytes, report: ProgressReport | None = None
) -> Any:
    """Keep a piece of evidence for a task (or one of its reports) in the default storage.

    Only the types in the allow-list, whose first bytes match the type, and up to the size
    limit; the file is stored under a random name, never where the web server serves files.
    """
    import hashlib
    import secrets

    from django.core.files.base import ContentFile

    from .models import Attachment

    clean_name, suffix = check_attachment(name, content)
    if report is not None and report.task_id != task.pk:
        raise InvalidInput(_("The report belongs to another task."))
    attachment = Attachment(
        task=task,
        report=report,
        name=clean_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(secrets.token_hex(16) + suffix, ContentFile(content), save=False)
    attachment.save()
    audit.record(
        "task.attachment_add",
        actor=actor,
        obj=task,
        after={"name": clean_name, "size": len(content), "sha256": attachment.sha256},
    )
    return attachment


# --- carry-over -------------------------------------------------------------------------------


@transaction.atomic
def task_carry_over(
    *,
    actor: Any,
    task: Task,
    to_plan: WorkPlan,
    key_point: KeyPoint | None = None,
    deadline: dt.date | None = None,
) -> Task:
    """Carry an unfinished task into next year's plan, linked to the original."""
    if not task.is_open:
        raise InvalidInput(_("Only an unfinished task can be carried over."))
    if task.plan is not None and to_plan.year <= task.plan.year:
        raise InvalidInput(_("Carry a task into a later year's plan."))
    if to_plan.status == WorkPlan.Status.ISSUED:
        raise InvalidInput(_("The target plan is already issued."))
    if Task.objects.filter(carried_from=task, plan=to_plan).exists():
        raise InvalidInput(_("This task was already carried into that plan."))
    code = f"{to_plan.year}-C-{task.code}"
    new = task_create(
        actor=actor,
        data=TaskIn(
            plan=to_plan,
            key_point=key_point,
            code=code[:40],
            title=task.title,
            lead_unit=task.lead_unit,
            cooperating_units=list(task.cooperating_units.all()),
            leader_in_charge=task.leader_in_charge,
            responsible_person=task.responsible_person,
            deadline=deadline,
            is_key=task.is_key,
            source=task.source,
            goal=task.goal,
            measures=task.measures,
            carried_from=task,
            indicators=[
                IndicatorIn(i.name, i.target, i.unit, i.direction) for i in task.indicators.all()
            ],
            sort_order=to_plan.tasks.count() + 1,
        ),
    )
    _event(task, TaskEvent.Kind.CARRIED_OVER, actor, after={"task": new.pk, "plan": to_plan.pk})
    return new
