"""The rules of deployment and implementation, as pure functions (no database).

Status lights: the rules of luoshi.core.lights (red overdue, yellow near or behind, green on
track; thresholds per agency in LightSettings); a task is grey before it starts (draft) and once
closed (completed, cancelled) — `light_phase`.

Reporting periods (monthly by default, due by the 5th; settings per task): the period a day
falls in, its end, label and due day, and which period a report written on a day is for.
"""

from __future__ import annotations

import datetime as dt

from luoshi.core import lights


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


# A task's phase for the light engine (luoshi.core.lights): every other status is open.
LIGHT_PHASES = {
    "draft": lights.NOT_STARTED,
    "completed": lights.CLOSED,
    "cancelled": lights.CLOSED,
}


def light_phase(status: str) -> str:
    """The phase of a task in `status` for the light rules (grey before it starts, grey once
    closed, else judged by its deadline, milestones and progress)."""
    return LIGHT_PHASES.get(status, lights.OPEN)


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
