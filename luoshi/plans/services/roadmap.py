"""A task's roadmap (路线图): milestones and indicators — the one check of their rows (used by
task creation, adjustments, imports and the single adds), applying approved changes, adding one
milestone or indicator."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from dataclasses import dataclass
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

# The limits of a roadmap row, read from the model fields (what the database takes).
MILESTONE_TITLE_MAX: int = Milestone._meta.get_field("title").max_length  # type: ignore[assignment]
INDICATOR_NAME_MAX: int = Indicator._meta.get_field("name").max_length  # type: ignore[assignment]
INDICATOR_UNIT_MAX: int = Indicator._meta.get_field("unit").max_length  # type: ignore[assignment]
_TARGET_FIELD: Any = Indicator._meta.get_field("target")
TARGET_STEP = decimal.Decimal(1).scaleb(-_TARGET_FIELD.decimal_places)  # 0.01
# A target is below this in absolute value once rounded to TARGET_STEP (max_digits 14 with 2
# decimal places: at most 12 digits before the point).
TARGET_LIMIT = decimal.Decimal(10) ** (_TARGET_FIELD.max_digits - _TARGET_FIELD.decimal_places)


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
    allows_negative: bool = False


Problems = list[dict[str, Any]]


def as_date(value: Any) -> dt.date | None:
    """A date, or its ISO text (as an adjustment stores it); None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def as_target(value: Any) -> decimal.Decimal | None:
    """A number an indicator's target field holds, rounded to its decimal places; None for
    anything else (text, infinity, NaN, too many digits)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= TARGET_LIMIT:
        return None
    number = number.quantize(TARGET_STEP, rounding=decimal.ROUND_HALF_EVEN)
    return number if abs(number) < TARGET_LIMIT else None


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_milestone(
    title: Any, due_date: Any, *, deadline: dt.date | None, problems: Problems, prefix: str = ""
) -> MilestoneIn | None:
    """One milestone made plain (title stripped), or None with its problems added to
    `problems`, each naming its field (`prefix` + ".title", e.g. "milestones[2].title").

    Rules: a title, within the model's length; a due date; not after the task's deadline
    (when the task has one)."""
    found = len(problems)
    text = str(title or "").strip()
    due = as_date(due_date)
    if not text or len(text) > MILESTONE_TITLE_MAX:
        problems.append(
            {
                "field": _at(prefix, "title"),
                "message": _("A milestone needs a title of at most %(n)d characters.")
                % {"n": MILESTONE_TITLE_MAX},
            }
        )
    if due is None:
        problems.append(
            {
                "field": _at(prefix, "due_date"),
                "message": _("Milestone “%(title)s” needs a due date.") % {"title": text},
            }
        )
    elif deadline is not None and due > deadline:
        problems.append(
            {
                "field": _at(prefix, "due_date"),
                "message": _("Milestone “%(title)s” is due after the task's deadline.")
                % {"title": text},
            }
        )
    if len(problems) > found or due is None:
        return None
    return MilestoneIn(text, due)


def negative_target_message(name: str) -> str:
    """The refusal of a target below zero for an indicator that does not declare it may be."""
    return _(
        "The target of indicator “%(name)s” cannot be negative (declare the indicator as one "
        "that may be negative if it is)."
    ) % {"name": name}


def check_indicator(
    name: Any,
    target: Any,
    unit: Any = "",
    direction: Any = Indicator.Direction.HIGHER,
    *,
    problems: Problems,
    prefix: str = "",
    allows_negative: bool = False,
) -> IndicatorIn | None:
    """One indicator made plain (name and unit stripped, the target rounded to the field's
    decimal places), or None with its problems added to `problems`, each naming its field.

    Rules: a name, within the model's length; a unit within its length; a target that is a
    finite number the field holds, not below zero unless the indicator declares it may be
    (issue 15 finding 3); higher or lower is better."""
    found = len(problems)
    text, unit_text = str(name or "").strip(), str(unit or "").strip()
    number = as_target(target)
    if not text or len(text) > INDICATOR_NAME_MAX:
        problems.append(
            {
                "field": _at(prefix, "name"),
                "message": _("An indicator needs a name of at most %(n)d characters.")
                % {"n": INDICATOR_NAME_MAX},
            }
        )
    if len(unit_text) > INDICATOR_UNIT_MAX:
        problems.append(
            {
                "field": _at(prefix, "unit"),
                "message": _("The unit of measure has at most %(n)d characters.")
                % {"n": INDICATOR_UNIT_MAX},
            }
        )
    if number is None:
        problems.append(
            {"field": _at(prefix, "target"), "message": _("The target is not a valid number.")}
        )
    elif number < 0 and not allows_negative:
        problems.append({"field": _at(prefix, "target"), "message": negative_target_message(text)})
    if direction not in Indicator.Direction.values:
        problems.append(
            {
                "field": _at(prefix, "direction"),
                "message": _("Choose whether higher or lower is better."),
            }
        )
    if len(problems) > found or number is None:
        return None
    return IndicatorIn(text, number, unit_text, str(direction), bool(allows_negative))


def check_rows(
    milestones: Sequence[MilestoneIn],
    indicators: Sequence[IndicatorIn],
    *,
    deadline: dt.date | None,
    problems: Problems,
) -> tuple[list[MilestoneIn], list[IndicatorIn]]:
    """A task's milestones and indicators made plain; the problems of each row named by its
    place ("milestones[0].due_date", "indicators[2].target") and added to `problems`."""
    clean_milestones = [
        check_milestone(
            m.title, m.due_date, deadline=deadline, problems=problems, prefix=f"milestones[{n}]"
        )
        for n, m in enumerate(milestones)
    ]
    clean_indicators = [
        check_indicator(
            i.name,
            i.target,
            i.unit,
            i.direction,
            problems=problems,
            prefix=f"indicators[{n}]",
            allows_negative=i.allows_negative,
        )
        for n, i in enumerate(indicators)
    ]
    return (
        [m for m in clean_milestones if m is not None],
        [i for i in clean_indicators if i is not None],
    )


def validate_rows(
    milestones: Sequence[MilestoneIn],
    indicators: Sequence[IndicatorIn],
    *,
    deadline: dt.date | None,
) -> tuple[list[MilestoneIn], list[IndicatorIn]]:
    """check_rows, raising InvalidInput with every problem."""
    problems: Problems = []
    out = check_rows(milestones, indicators, deadline=deadline, problems=problems)
    if problems:
        raise InvalidInput(details=problems)
    return out


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
    problems: Problems = []
    row = check_milestone(title, due_date, deadline=task.deadline, problems=problems)
    if row is None:
        raise InvalidInput(details=problems)
    milestone = Milestone.objects.create(
        task=task, title=row.title, due_date=row.due_date, sort_order=_next_order(task.milestones)
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
    allows_negative: bool = False,
) -> Indicator:
    """Add a quantified indicator to a task (before the plan is issued); audited, in its history."""
    _check_changeable(task)
    problems: Problems = []
    row = check_indicator(
        name, target, unit, direction, problems=problems, allows_negative=allows_negative
    )
    if row is None:
        raise InvalidInput(details=problems)
    indicator = Indicator.objects.create(
        task=task,
        name=row.name,
        target=row.target,
        unit=row.unit,
        direction=row.direction,
        allows_negative=row.allows_negative,
        sort_order=_next_order(task.indicators),
    )
    snapshot = audit.snapshot(indicator)
    _history(task, actor, {"indicator_added": snapshot})
    audit.record("indicator.create", actor=actor, obj=indicator, after=snapshot)
    return indicator


ROADMAP_FIELDS = frozenset({"milestones", "indicators"})


_ROADMAP_OPS = ("add", "change", "remove")


def _milestone_was(m: Milestone) -> dict[str, Any]:
    return {"title": m.title, "due_date": m.due_date.isoformat()}


def _indicator_was(i: Indicator) -> dict[str, Any]:
    return {"name": i.name, "unit": i.unit, "target": str(i.target), "direction": i.direction}


def _check_milestone_ops(task: Task, ops: Any, deadline: dt.date | None) -> list[dict[str, Any]]:
    current = {m.pk: m for m in task.milestones.all()}
    out: list[dict[str, Any]] = []
    problems: Problems = []
    for n, op in enumerate(ops or ()):
        at = f"milestones[{n}]"
        kind = op.get("op")
        m = current.get(op.get("id")) if kind in ("change", "remove") else None
        if kind not in _ROADMAP_OPS or (kind != "add" and m is None):
            problems.append(
                {"field": at, "message": _("A milestone does not belong to this task.")}
            )
            continue
        if m is not None and m.done_on:
            problems.append(
                {
                    "field": at,
                    "message": _("Milestone “%(title)s” is done and stays as it is.")
                    % {"title": m.title},
                }
            )
            continue
        entry: dict[str, Any] = {"op": kind}
        if m is not None:
            entry.update(id=m.pk, was=_milestone_was(m))
        if kind != "remove":
            row = check_milestone(
                op.get("title"), op.get("due_date"), deadline=deadline, problems=problems, prefix=at
            )
            if row is None:
                continue
            if m is not None and (row.title, row.due_date) == (m.title, m.due_date):
                continue  # unchanged
            entry.update(title=row.title, due_date=row.due_date.isoformat())
        out.append(entry)
    if problems:
        raise InvalidInput(details=problems)
    return out


def _check_indicator_ops(task: Task, ops: Any) -> list[dict[str, Any]]:
    current = {i.pk: i for i in task.indicators.all()}
    reported = set(
        IndicatorValue.objects.filter(indicator__task=task).values_list("indicator_id", flat=True)
    )
    out: list[dict[str, Any]] = []
    problems: Problems = []
    for n, op in enumerate(ops or ()):
        at = f"indicators[{n}]"
        kind = op.get("op")
        i = current.get(op.get("id")) if kind in ("change", "remove") else None
        if kind not in _ROADMAP_OPS or (kind != "add" and i is None):
            problems.append(
                {"field": at, "message": _("An indicator does not belong to this task.")}
            )
            continue
        entry: dict[str, Any] = {"op": kind}
        if i is not None:
            entry.update(id=i.pk, was=_indicator_was(i))
        if kind == "remove" and i is not None and i.pk in reported:
            problems.append(
                {
                    "field": at,
                    "message": _(
                        "Indicator “%(name)s” has reported values: change its target instead."
                    )
                    % {"name": i.name},
                }
            )
            continue
        if kind != "remove":
            row = check_indicator(
                op.get("name"),
                op.get("target"),
                op.get("unit"),
                op.get("direction"),
                problems=problems,
                prefix=at,
                # a change keeps the indicator's declaration; an added one may make its own
                allows_negative=i.allows_negative
                if i is not None
                else bool(op.get("allows_negative")),
            )
            if row is None:
                continue
            new: dict[str, Any] = {
                "name": row.name,
                "unit": row.unit,
                "target": str(row.target),
                "direction": row.direction,
            }
            if i is not None and new == _indicator_was(i):
                continue  # unchanged
            if i is None and row.allows_negative:
                new["allows_negative"] = True
            entry.update(new)
        out.append(entry)
    if problems:
        raise InvalidInput(details=problems)
    return out


def _check_ops(task: Task, changes: dict[str, Any], deadline: dt.date | None) -> dict[str, Any]:
    """The milestone and indicator operations in `changes`, checked and made plain; InvalidInput
    with the problems of both lists."""
    out: dict[str, Any] = {}
    problems: Problems = []
    for key in sorted(ROADMAP_FIELDS & set(changes)):
        try:
            if key == "milestones":
                out[key] = _check_milestone_ops(task, changes[key], deadline)
            else:
                out[key] = _check_indicator_ops(task, changes[key])
        except InvalidInput as exc:
            problems += exc.details
    if problems:
        raise InvalidInput(details=problems)
    return out


def _check_roadmap(task: Task, changes: dict[str, Any]) -> dict[str, Any]:
    """The proposed changes with their milestone and indicator operations checked against the
    task and made plain; empty operation lists dropped."""
    out = {k: v for k, v in changes.items() if k not in ROADMAP_FIELDS}
    deadline = changes.get("deadline", task.deadline)
    out.update((k, ops) for k, ops in _check_ops(task, changes, deadline).items() if ops)
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
        _check_ops(task, roadmap, task.deadline)
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
            m.title, m.due_date = op["title"], as_date(op["due_date"]) or m.due_date
            m.save(update_fields=["title", "due_date", "updated_at"])
        else:
            milestones[op["id"]].delete()
    indicators = {i.pk: i for i in task.indicators.all()}
    order = max((i.sort_order for i in indicators.values()), default=-1) + 1
    for op in indicator_ops:
        values = {k: op[k] for k in ("name", "unit", "direction") if k in op}
        if op["op"] == "add":
            Indicator.objects.create(
                task=task,
                target=decimal.Decimal(op["target"]),
                allows_negative=bool(op.get("allows_negative")),
                sort_order=order,
                **values,
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
