"""The rules of deployment and implementation, as pure functions (no database).

Status lights (RULES.md §4 — no national standard; the defaults here are settings per agency):
- grey: not started (draft) or closed (completed, cancelled);
- red: the deadline or a milestone has passed undone;
- yellow: the deadline or the next milestone is within N working days (default 3), or progress
  lags the elapsed share of the task's time by more than a tolerance (default 15 points);
- green: on track.

Reporting periods (monthly by default, due by the 5th; settings per task): the period a day
falls in, its end, label and due day, and which period a report written on a day is for.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_end(cadence: str, start: dt.date) -> dt.date:
    """The last day of the period that starts on `start`."""
    if cadence == "weekly":
        return start + dt.timedelta(days=6)
    months = 3 if cadence == "quarterly" else 1
    return _add_months(start, months) - dt.timedelta(days=1)


def next_period(cadence: str, start: dt.date) -> dt.date:
    return period_end(cadence, start) + dt.timedelta(days=1)


def period_label(cadence: str, start: dt.date) -> str:
    if cadence == "weekly":
        return f"{start:%Y-%m-%d}"
    if cadence == "quarterly":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


def parse_period(cadence: str, text: str) -> dt.date | None:
    """A period's start from its ISO date (any day in it), or None."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None
    return report_period(cadence, day)


def previous_period(cadence: str, today: dt.date) -> dt.date:
    """The start of the period before the one `today` falls in."""
    return report_period(cadence, report_period(cadence, today) - dt.timedelta(days=1))


GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"


LIGHTS = (RED, YELLOW, GREEN, GREY)


CLOSED_STATUSES = frozenset({"completed", "cancelled"})


NOT_STARTED_STATUSES = frozenset({"draft"})


@dataclass(frozen=True)
class LightThresholds:
    warn_working_days: int = 3
    behind_tolerance: int = 15  # percentage points


@dataclass(frozen=True)
class MilestoneState:
    title: str
    due_date: dt.date
    done_on: dt.date | None


REASONS = {
    "not_started": _("Not started"),
    "closed": _("Closed"),
    "deadline_passed": _("Deadline %(date)s passed"),
    "milestone_overdue": _("Milestone “%(title)s” was due %(date)s"),
    "deadline_near": _("Deadline %(date)s is near"),
    "milestone_near": _("Milestone “%(title)s” is due %(date)s"),
    "behind": _("Progress %(progress)d%% is behind the time elapsed (%(elapsed)d%%)"),
    "on_track": _("On track"),
}


def reason_text(code: str, params: dict[str, object] | None = None) -> str:
    """A light's reason in the current language (stored as a code, shown as words)."""
    template = REASONS.get(code)
    if template is None:
        return ""
    return str(template) % params if params else str(template)


def decode_light_code(light_code: str) -> tuple[str, dict[str, object]] | None:
    """A stored light reason (`light_code`: JSON [code, params]) as (code, params), or None."""
    if not light_code:
        return None
    try:
        code, params = json.loads(light_code)
    except (ValueError, TypeError):
        return None
    return code, params


def stored_reason_text(light_code: str) -> str:
    """The reason stored with a task's light, in words (the current language)."""
    decoded = decode_light_code(light_code)
    return reason_text(*decoded) if decoded else ""


@dataclass(frozen=True)
class Light:
    color: str
    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def reason(self) -> str:
        return reason_text(self.code, dict(self.params))


WorkingDaysUntil = Callable[[dt.date, dt.date], int]


"""working_days_until(today, day): working days after today up to and including day (0 if day
is today or past)."""


def elapsed_share(start: dt.date | None, deadline: dt.date | None, today: dt.date) -> float | None:
    """The share of the task's time that has passed (0..1), or None without both dates."""
    if start is None or deadline is None or deadline <= start:
        return None
    total = (deadline - start).days
    passed = (min(max(today, start), deadline) - start).days
    return passed / total


def compute_light(
    *,
    status: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    milestones: Sequence[MilestoneState],
    working_days_until: WorkingDaysUntil,
    thresholds: LightThresholds = LightThresholds(),
) -> Light:
    if status in NOT_STARTED_STATUSES:
        return Light(GREY, "not_started")
    if status in CLOSED_STATUSES:
        return Light(GREY, "closed")
    if deadline is not None and deadline < today:
        return Light(RED, "deadline_passed", (("date", deadline.isoformat()),))
    overdue = [m for m in milestones if m.done_on is None and m.due_date < today]
    if overdue:
        first = min(overdue, key=lambda m: m.due_date)
        return Light(
            RED,
            "milestone_overdue",
            (("title", first.title[:60]), ("date", first.due_date.isoformat())),
        )
    upcoming = sorted(
        (m for m in milestones if m.done_on is None and m.due_date >= today),
        key=lambda m: m.due_date,
    )
    warn = thresholds.warn_working_days
    if deadline is not None and working_days_until(today, deadline) <= warn:
        return Light(YELLOW, "deadline_near", (("date", deadline.isoformat()),))
    if upcoming and working_days_until(today, upcoming[0].due_date) <= warn:
        nxt = upcoming[0]
        return Light(
            YELLOW,
            "milestone_near",
            (("title", nxt.title[:60]), ("date", nxt.due_date.isoformat())),
        )
    share = elapsed_share(start, deadline, today)
    if share is not None and progress + thresholds.behind_tolerance < share * 100:
        return Light(YELLOW, "behind", (("progress", progress), ("elapsed", round(share * 100))))
    return Light(GREEN, "on_track")


PERIODIC_CADENCES = ("weekly", "monthly", "quarterly")  # Task.Cadence but "by stage"


def report_period(cadence: str, day: dt.date) -> dt.date:
    """The first day of the reporting period that `day` falls in."""
    if cadence == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if cadence == "quarterly":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, day.month, 1)


def period_to_report(
    cadence: str,
    day: dt.date,
    previous_reported: bool,
    started_on: dt.date | None = None,
) -> dt.date:
    """The period a report written on `day` is for: the previous period as long as its report
    is not in — on time up to its due day (a monthly report on 3 April is March's, due by
    5 April), late after it (迟报: on 8 April still March's) — otherwise the period `day` falls
    in. Nothing is owed for a period that ended before the task started (`started_on`: a
    report on 3 January for a task started that day is January's), nor by a task that reports
    by stage (its reports are for the period they are written in)."""
    current = report_period(cadence, day)
    if cadence not in PERIODIC_CADENCES or (started_on is not None and started_on >= current):
        return current
    return current if previous_reported else report_period(cadence, current - dt.timedelta(days=1))


def report_due_date(cadence: str, period: dt.date, due_day: int) -> dt.date:
    """When the report for `period` is due: by `due_day` of the month after a monthly or
    quarterly period (default the 5th); a weekly report by the Monday after."""
    if cadence == "weekly":
        return period + dt.timedelta(days=7)
    months = 3 if cadence == "quarterly" else 1
    month = period.month - 1 + months
    year, month = period.year + month // 12, month % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(max(due_day, 1), last))
