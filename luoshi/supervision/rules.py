"""The rules of supervision as pure functions (no database).

- Lights: the light engine's rules (luoshi.core.lights, thresholds per agency from plans'
  LightSettings, as for tasks): red overdue, yellow due within N working days or behind, green
  on track; in front of them supervision's own states: grey not assigned yet, closed or
  suspended, and an item whose final feedback came in by its deadline waits for close-out in
  green.
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

from luoshi.core import lights
from luoshi.core.lights import GREEN, GREY, LightResult, LightThresholds

DEFAULT_THRESHOLDS = LightThresholds()

# The engine's reasons and the ones of supervision's own states.
REASONS = {
    **lights.REASONS,
    "suspended": _("Suspended"),
    "awaiting_close_out": _("Final feedback in on time; awaiting close-out"),
    "not_assigned": _("Not assigned yet"),
}


def deadline_problem(deadline: dt.date | None, *, not_before: dt.date) -> str:
    """Why an item's deadline cannot stand, or "": a deadline is never before the step it
    follows — the day the item is registered, edited or assigned (交办), i.e. not in the past
    when it is set."""
    if deadline is not None and deadline < not_before:
        return str(
            _("The deadline %(deadline)s is before %(day)s: it cannot be in the past.")
            % {"deadline": deadline.isoformat(), "day": not_before.isoformat()}
        )
    return ""


def reason_text(code: str, params: dict[str, object] | None = None) -> str:
    return lights.reason_text(code, params, texts=REASONS)


def stored_reason_text(light_code: str) -> str:
    """The reason stored with an item's light, in words (the current language)."""
    return lights.stored_reason_text(light_code, texts=REASONS)


def compute_light(
    *,
    status: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    completed_on: dt.date | None,
    working_days_until: lights.WorkingDaysUntil,
    thresholds: LightThresholds = DEFAULT_THRESHOLDS,
) -> LightResult:
    """An item's light: supervision's own states first, then the engine's rules for an open
    item (no milestones)."""
    if status == "suspended":
        return LightResult(GREY, "suspended")
    if status == "registered":
        return LightResult(GREY, "not_assigned")
    if status == "closed":
        return LightResult(GREY, "closed")
    if status in {"final_submitted", "reviewed"} and (
        deadline is None or (completed_on is not None and completed_on <= deadline)
    ):
        return LightResult(GREEN, "awaiting_close_out")
    return lights.compute_light(
        phase=lights.OPEN,
        today=today,
        deadline=deadline,
        start=start,
        progress=progress,
        working_days_until=working_days_until,
        thresholds=thresholds,
    )


def next_change(
    *,
    status: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    completed_on: dt.date | None,
    working_days_until: lights.WorkingDaysUntil,
    thresholds: LightThresholds = DEFAULT_THRESHOLDS,
) -> dt.date | None:
    """The first day after `today` on which `compute_light` could answer otherwise with the
    same inputs (None: never by the date alone) — supervision's own states do not change by
    date; an open item follows the engine."""
    if status in {"suspended", "registered", "closed"}:
        return None
    if status in {"final_submitted", "reviewed"} and (
        deadline is None or (completed_on is not None and completed_on <= deadline)
    ):
        return None
    return lights.next_change(
        phase=lights.OPEN,
        today=today,
        deadline=deadline,
        start=start,
        progress=progress,
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
