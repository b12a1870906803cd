"""A task's roadmap (路线图): milestones and indicators — checking and applying changes, adding
one milestone or indicator."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import Forbidden, InvalidInput

from ..models import (
    Indicator,
    IndicatorValue,
    Milestone,
    Task,
    TaskEvent,
    WorkPlan,
)
from .lights import refresh_lights

_TITLE_MAX = Milestone._meta.get_field("title").max_length or 300


_NAME_MAX = Indicator._meta.get_field("name").max_length or 200


_UNIT_MAX = Indicator._meta.get_field("unit").max_length or 32


_TARGET_LIMIT = decimal.Decimal(10) ** 12  # max_digits 14, decimal_places 2


def _check_changeable(task: Task) -> None:
    if task.plan is not None and task.plan.status == WorkPlan.Status.ISSUED:
        raise Forbidden(
            _("The plan is issued: milestones and indicators change through an adjustment request.")
        )
    if not task.is_open:
        raise InvalidInput(_("A closed task cannot be changed."))


def _next_order(related: Any) -> int:
    top = related.aggregate(top=Max("sort_order"))["top"]
    return 0 if top is None else top + 1


def _history(task: Task, actor: Any, after: dict[str, Any]) -> None:
    TaskEvent.objects.create(
        task=task,
        kind=TaskEvent.Kind.CHANGED,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        after=after,
    )


@transaction.atomic
def milestone_add(
    *, actor: Any, task: Task, title: str, due_date: dt.date, refresh_light: bool = True
) -> Milestone:
    """Add a step to a task's roadmap (before the plan is issued); audited, in its history.

    `refresh_light=False` leaves the task's light to the caller (who adds many milestones and
    refreshes the lights of all the tasks once)."""
    _check_changeable(task)
    title = title.strip()
    if not title or len(title) > _TITLE_MAX:
        raise InvalidInput(
            details=[
                {
                    "field": "title",
                    "message": _("A milestone needs a title of at most %(n)d characters.")
                    % {"n": _TITLE_MAX},
                }
            ]
        )
    if task.deadline and due_date > task.deadline:
        raise InvalidInput(
            details=[
                {
                    "field": "due_date",
                    "message": _("Milestone “%(title)s” is due after the task's deadline.")
                    % {"title": title},
                }
            ]
        )
    milestone = Milestone.objects.create(
        task=task, title=title, due_date=due_date, sort_order=_next_order(task.milestones)
    )
    snapshot = audit.snapshot(milestone)
    _history(task, actor, {"milestone_added": snapshot})
    audit.record("milestone.create", actor=actor, obj=milestone, after=snapshot)
    if refresh_light:
        refresh_lights(Task.objects.filter(pk=task.pk))
    return milestone


@transaction.atomic
def indicator_add(
    *,
    actor: Any,
    task: Task,
    name: str,
    target: decimal.Decimal,
    unit: str = "",
    direction: str = Indicator.Direction.HIGHER,
) -> Indicator:
    """Add a quantified indicator to a task (before the plan is issued); audited, in its history."""
    _check_changeable(task)
    name, unit = name.strip(), unit.strip()
    problems = []
    if not name or len(name) > _NAME_MAX:
        problems.append(
            {
                "field": "name",
                "message": _("An indicator needs a name of at most %(n)d characters.")
                % {"n": _NAME_MAX},
            }
        )
    if len(unit) > _UNIT_MAX:
        problems.append(
            {
                "field": "unit",
                "message": _("The unit of measure has at most %(n)d characters.")
                % {"n": _UNIT_MAX},
            }
        )
    if not target.is_finite() or abs(target) >= _TARGET_LIMIT:
        problems.append({"field": "target", "message": _("The target is not a valid number.")})
    if direction not in Indicator.Direction.values:
        problems.append(
            {"field": "direction", "message": _("Choose whether higher or lower is better.")}
        )
    if problems:
        raise InvalidInput(details=problems)
    indicator = Indicator.objects.create(
        task=task,
        name=name,
        target=target.quantize(decimal.Decimal("0.01")),
        unit=unit,
        direction=direction,
        sort_order=_next_order(task.indicators),
    )
    snapshot = audit.snapshot(indicator)
    _history(task, actor, {"indicator_added": snapshot})
    audit.record("indicator.create", actor=actor, obj=indicator, after=snapshot)
    return indicator


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
