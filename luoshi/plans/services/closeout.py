"""The close-out (销号): the lead unit's completion request and the supervisor's verification,
checked against the task's facts (issue 15 finding 3).

`closeout_readiness` names what stands against closing a task out: milestones not done (those
past their due date first) and indicators short of their target or never reported. The page and
the API show it beside the request and the verification; `completion_verify` refuses to close a
task out while it names anything, unless the verifier records an override with a reason — the
override, the reason and what was outstanding go into the task's history and the audit log."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned

from .. import rollup
from ..models import (
    Indicator,
    Milestone,
    Task,
    TaskEvent,
)
from .history import _event
from .lights import refresh_lights

# What a gap is about (stable codes: the API's `kind`, the history's record).
MILESTONE_OVERDUE = "milestone_overdue"
MILESTONE_OPEN = "milestone_open"
INDICATOR_SHORT = "indicator_short"
INDICATOR_UNREPORTED = "indicator_unreported"
GAP_KINDS = (MILESTONE_OVERDUE, MILESTONE_OPEN, INDICATOR_SHORT, INDICATOR_UNREPORTED)


def _number(value: Any, unit: str) -> str:
    if value is None or value == "":
        return "—"
    return f"{decimal.Decimal(str(value)).normalize():f}{unit}"


def gap_text(gap: dict[str, Any]) -> str:
    """One gap (as `Gap.as_dict` stores it) as a sentence in the current language."""
    kind, name = gap.get("kind"), gap.get("name", "")
    unit = gap.get("unit", "")
    params = {
        "name": name,
        "due": gap.get("due_date") or "—",
        "target": _number(gap.get("target"), unit),
        "actual": _number(gap.get("actual"), unit),
    }
    if kind == MILESTONE_OVERDUE:
        return _("Milestone “%(name)s” was due on %(due)s and is not done.") % params
    if kind == MILESTONE_OPEN:
        return _("Milestone “%(name)s” (due %(due)s) is not done.") % params
    if kind == INDICATOR_UNREPORTED:
        return _("Indicator “%(name)s” has no actual value reported (target %(target)s).") % params
    if gap.get("direction") == Indicator.Direction.LOWER:
        return _("Indicator “%(name)s” is at %(actual)s, above its target of %(target)s.") % params
    return _("Indicator “%(name)s” is at %(actual)s, short of its target of %(target)s.") % params


@dataclass(frozen=True)
class Gap:
    """One fact that stands against closing the task out."""

    kind: str
    name: str
    milestone: int | None = None
    indicator: int | None = None
    due_date: dt.date | None = None
    target: decimal.Decimal | None = None
    actual: decimal.Decimal | None = None
    unit: str = ""
    direction: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain values (the history and the audit log keep them)."""
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.milestone is not None:
            out.update(milestone=self.milestone, due_date=self.due_date and str(self.due_date))
        if self.indicator is not None:
            out.update(
                indicator=self.indicator,
                target=str(self.target),
                actual=None if self.actual is None else str(self.actual),
                unit=self.unit,
                direction=self.direction,
            )
        return out

    @property
    def overdue(self) -> bool:
        return self.kind == MILESTONE_OVERDUE

    @property
    def message(self) -> str:
        return gap_text(self.as_dict())


@dataclass(frozen=True)
class Readiness:
    """What stands against closing the task out on `day` (nothing: ready)."""

    day: dt.date
    gaps: tuple[Gap, ...]

    @property
    def ready(self) -> bool:
        return not self.gaps

    @property
    def milestones_open(self) -> int:
        return sum(g.kind in (MILESTONE_OVERDUE, MILESTONE_OPEN) for g in self.gaps)

    @property
    def milestones_overdue(self) -> int:
        return sum(g.overdue for g in self.gaps)

    @property
    def indicators_short(self) -> int:
        return sum(g.kind in (INDICATOR_SHORT, INDICATOR_UNREPORTED) for g in self.gaps)

    @property
    def summary(self) -> str:
        """One sentence: how many milestones and indicators stand open."""
        parts = []
        if self.milestones_open and not self.milestones_overdue:
            parts.append(
                ngettext(
                    "%(n)d milestone not done",
                    "%(n)d milestones not done",
                    self.milestones_open,
                )
                % {"n": self.milestones_open}
            )
        elif self.milestones_open:
            parts.append(
                ngettext(
                    "%(n)d milestone not done (%(late)d overdue)",
                    "%(n)d milestones not done (%(late)d overdue)",
                    self.milestones_open,
                )
                % {"n": self.milestones_open, "late": self.milestones_overdue}
            )
        if self.indicators_short:
            parts.append(
                ngettext(
                    "%(n)d indicator short of its target",
                    "%(n)d indicators short of their targets",
                    self.indicators_short,
                )
                % {"n": self.indicators_short}
            )
        return _("; ").join(parts)


def _short(indicator: Indicator) -> bool:
    if indicator.actual is None:
        return True
    if indicator.direction == Indicator.Direction.LOWER:
        return indicator.actual > indicator.target
    return indicator.actual < indicator.target


def closeout_readiness(
    task: Task,
    *,
    today: dt.date | None = None,
    milestones: Iterable[Milestone] | None = None,
    indicators: Iterable[Indicator] | None = None,
) -> Readiness:
    """The close-out readiness of `task` on `today`: its milestones not done (overdue first)
    and its indicators short of their target or with no actual value. `milestones` and
    `indicators`: the task's, when the caller has read them already (no query then)."""
    day = today or timezone.localdate()
    rows = list(task.milestones.all() if milestones is None else milestones)
    measures = list(task.indicators.all() if indicators is None else indicators)
    open_rows = sorted((m for m in rows if m.done_on is None), key=lambda m: m.due_date)
    gaps = [
        Gap(MILESTONE_OVERDUE, m.title, milestone=m.pk, due_date=m.due_date)
        for m in open_rows
        if m.due_date < day
    ]
    gaps += [
        Gap(MILESTONE_OPEN, m.title, milestone=m.pk, due_date=m.due_date)
        for m in open_rows
        if m.due_date >= day
    ]
    gaps += [
        Gap(
            INDICATOR_UNREPORTED if i.actual is None else INDICATOR_SHORT,
            i.name,
            indicator=i.pk,
            target=i.target,
            actual=i.actual,
            unit=i.unit,
            direction=i.direction,
        )
        for i in measures
        if _short(i)
    ]
    return Readiness(day=day, gaps=tuple(gaps))


def not_ready_message(readiness: Readiness) -> str:
    return _(
        "The task is not ready to be closed out: %(summary)s. Return it to the lead unit, or "
        "record an override with the reason for closing it out anyway."
    ) % {"summary": readiness.summary}


@transaction.atomic
def completion_request(*, actor: Any, task: Task, note: str, version: int | None = None) -> Task:
    """The lead unit reports the task complete (the readiness is shown to it, not enforced:
    the verifier decides)."""
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
    override: bool = False,
    version: int | None = None,
    today: dt.date | None = None,
) -> Task:
    """Close the task out (销号) after verification, or return it with a reason.

    Closing out a task that is not ready (closeout_readiness) is refused unless `override` is
    set with a `reason`: the override is recorded with what was outstanding."""
    _check_version(task, version)
    if task.status != Task.Status.COMPLETION_REQUESTED:
        raise InvalidInput(_("This task is not waiting for verification."))
    if not accept and not reason.strip():
        raise InvalidInput(
            details=[{"field": "reason", "message": _("Give the reason for returning the task.")}]
        )
    day = today or timezone.localdate()
    gaps: list[dict[str, Any]] = []
    if accept:
        readiness = closeout_readiness(task, today=day)
        if not readiness.ready:
            message = not_ready_message(readiness)
            if not override:
                raise InvalidInput(
                    message,
                    code="not_ready",
                    details=[
                        {"field": "override", "message": g.message, "kind": g.kind}
                        for g in readiness.gaps
                    ],
                )
            if not reason.strip():
                raise InvalidInput(
                    details=[
                        {
                            "field": "reason",
                            "message": _(
                                "Give the reason for closing the task out although it is not ready."
                            ),
                        }
                    ]
                )
            gaps = [g.as_dict() for g in readiness.gaps]
    if accept:
        task.status, task.completed_on, task.progress = Task.Status.COMPLETED, day, 100
        _save_versioned(task, ["status", "completed_on", "progress"])
        _event(
            task,
            TaskEvent.Kind.COMPLETION_ACCEPTED,
            actor,
            after={"override": True, "gaps": gaps} if gaps else None,
            note=reason.strip(),
        )
    else:
        task.status = Task.Status.IN_PROGRESS
        _save_versioned(task, ["status"])
        _event(task, TaskEvent.Kind.COMPLETION_RETURNED, actor, note=reason.strip())
    audit.record(
        "task.completion_override" if gaps else "task.completion_verify",
        actor=actor,
        obj=task,
        after={"accepted": accept, "reason": reason.strip(), **({"gaps": gaps} if gaps else {})},
    )
    refresh_lights(Task.objects.filter(pk=task.pk), today=day)
    rollup.refresh([rollup.group_of(task)])
    return task
