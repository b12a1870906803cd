"""The rules of supervision as pure functions (no database).

- Lights: the same rules as tasks (luoshi.plans.rules.compute_light, thresholds per agency from
  plans' LightSettings): red overdue, yellow due within N working days or behind, green on track,
  grey not assigned yet, closed or suspended. An item whose final feedback came in by its
  deadline waits for close-out in green.
- The urging ladder (RULES.md §4, values from SupervisionSettings): a reminder N working days
  before the deadline; an urging notice on the first overdue working day; escalation to the
  leader in charge (and the next bulletin) M working days after that. `due_steps` says which
  steps are due today; the database makes each happen once.
- Statistics: on time means done by the ORIGINAL deadline, whatever extensions were approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from luoshi.plans import rules as plan_rules
from luoshi.plans.rules import GREEN, GREY, Light, LightThresholds

DEFAULT_THRESHOLDS = LightThresholds()

REASONS = {
    "suspended": _("Suspended"),
    "awaiting_close_out": _("Final feedback in on time; awaiting close-out"),
    "not_assigned": _("Not assigned yet"),
}


def reason_text(code: str, params: dict[str, object] | None = None) -> str:
    template = REASONS.get(code)
    if template is None:
        return plan_rules.reason_text(code, params)
    return str(template) % params if params else str(template)


def compute_light(
    *,
    status: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    completed_on: dt.date | None,
    working_days_until: plan_rules.WorkingDaysUntil,
    thresholds: LightThresholds = DEFAULT_THRESHOLDS,
) -> Light:
    """An item's light, by the tasks' rules."""
    if status == "suspended":
        return Light(GREY, "suspended")
    if status == "registered":
        return Light(GREY, "not_assigned")
    if status == "closed":
        return Light(GREY, "closed")
    if status in {"final_submitted", "reviewed"} and (
        deadline is None or (completed_on is not None and completed_on <= deadline)
    ):
        return Light(GREEN, "awaiting_close_out")
    return plan_rules.compute_light(
        status="in_progress",
        today=today,
        deadline=deadline,
        start=start,
        progress=progress,
        milestones=(),
        working_days_until=working_days_until,
        thresholds=thresholds,
    )


# --- the urging ladder ------------------------------------------------------------------------

REMINDER, URGING, ESCALATION = "reminder", "urging", "escalation"
LADDER = (REMINDER, URGING, ESCALATION)


@dataclass(frozen=True)
class LadderSettings:
    reminder_working_days: int = 3
    escalate_after_working_days: int = 5


@dataclass(frozen=True)
class WorkingDays:
    """The calendar questions the ladder asks (the services pass a WorkCalendar's answers)."""

    between: Callable[[dt.date, dt.date], int]  # working days in (a, b]
    add: Callable[[dt.date, int], dt.date]  # the n-th working day after d


DEFAULT_LADDER = LadderSettings()


def first_overdue_day(deadline: dt.date, days: WorkingDays) -> dt.date:
    return days.add(deadline, 1)


def escalation_day(deadline: dt.date, days: WorkingDays, settings: LadderSettings) -> dt.date:
    return days.add(first_overdue_day(deadline, days), settings.escalate_after_working_days)


def due_steps(
    *,
    today: dt.date,
    deadline: dt.date,
    taken: set[str] | frozenset[str],
    days: WorkingDays,
    settings: LadderSettings = DEFAULT_LADDER,
) -> list[str]:
    """The ladder's steps due today and not yet taken, in ladder order.

    A reminder only before the item is overdue (a late run does not send a reminder for a
    deadline already missed); the urging notice from the first overdue working day on; the
    escalation from M working days after that.
    """
    due: list[str] = []
    if today <= deadline:
        if (
            REMINDER not in taken
            and days.between(today, deadline) <= settings.reminder_working_days
        ):
            due.append(REMINDER)
        return due
    if today >= first_overdue_day(deadline, days):
        if URGING not in taken:
            due.append(URGING)
        if ESCALATION not in taken and today >= escalation_day(deadline, days, settings):
            due.append(ESCALATION)
    return due


# --- statistics -------------------------------------------------------------------------------


def on_time(completed_on: dt.date | None, original_deadline: dt.date | None) -> bool | None:
    """Done by the original deadline (extensions do not change it); None while not done."""
    if completed_on is None:
        return None
    return original_deadline is None or completed_on <= original_deadline


def is_early(completed_on: dt.date | None, original_deadline: dt.date | None) -> bool:
    """Done before the original deadline (praised in the bulletin)."""
    return bool(completed_on and original_deadline and completed_on < original_deadline)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None without a base."""
    if whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the month `month` falls in."""
    first = month.replace(day=1)
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)
