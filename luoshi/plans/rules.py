"""The rules of deployment and implementation, as pure functions (no database).

Status lights: the rules of luoshi.core.lights (red overdue, yellow near or behind, green on
track; thresholds per agency in LightSettings); a task is grey before it starts (draft) and once
closed (completed, cancelled) — `light_phase`.

Reporting periods (monthly by default, due by the 5th; settings per task): the period a day
falls in, its end, label and due day, and which period a report written on a day is for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    ends_on: dt.date | None = None,
) -> dt.date:
    """The period a report written on `day` is for: the previous period as long as its report
    is not in — on time up to its due day (a monthly report on 3 April is March's, due by
    5 April), late after it (迟报: on 8 April still March's) — otherwise the period `day` falls
    in. Nothing is owed for a period that ended before the task started (`started_on`: a
    report on 3 January for a task started that day is January's), nor for one after the
    period of its deadline (`ends_on`: a report written in December 2026 by a task due
    30 November 2024 is November 2024's), nor by a task that reports by stage (its reports
    are for the period they are written in)."""
    current = report_period(cadence, day)
    if cadence not in PERIODIC_CADENCES:
        return current
    if started_on is not None and started_on >= current:
        period = current
    else:
        period = (
            current if previous_reported else report_period(cadence, current - dt.timedelta(days=1))
        )
    return clamp_period(cadence, period, started_on, ends_on)


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


# --- reports owed: never before a task's start, never after its deadline ----------------------


def owed_span(
    cadence: str, started_on: dt.date | None, deadline: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last period a task owes a report for: the period its start falls in and
    the period its deadline falls in (None: no bound on that side)."""
    first = report_period(cadence, started_on) if started_on is not None else None
    last = report_period(cadence, deadline) if deadline is not None else None
    return first, last


def period_owed(
    cadence: str, period: dt.date, started_on: dt.date | None, deadline: dt.date | None
) -> bool:
    """Whether a task started on `started_on` and due on `deadline` owes a report for the
    period that starts on `period`: none before the period of its start, none after the
    period of its deadline (a task due 30 November 2024 owes nothing for December 2026)."""
    first, last = owed_span(cadence, started_on, deadline)
    return (first is None or period >= first) and (last is None or period <= last)


def clamp_period(
    cadence: str, period: dt.date, started_on: dt.date | None, deadline: dt.date | None
) -> dt.date:
    """`period`, or the nearest period the task owes a report for (its start's or its
    deadline's period) when `period` lies outside them."""
    first, last = owed_span(cadence, started_on, deadline)
    if last is not None and period > last:
        period = last
    if first is not None and period < first:
        period = first
    return period


# --- a past year's plan is an archive -----------------------------------------------------------


def is_past_year(year: int, today: dt.date) -> bool:
    """A plan for a year before the current one is an archive: it records what was done; it
    has no lights and owes no reports. The one place this is decided."""
    return year < today.year


# A task of an archived plan is grey for this reason (no light is computed for it).
ARCHIVED = "archived"

REASONS = {
    **lights.REASONS,
    ARCHIVED: gettext_lazy("Archived (a past year's plan): no light"),
}


def stored_reason_text(light_code: str) -> str:
    """A task's stored light reason in words (the current language), with the plans' codes."""
    return lights.stored_reason_text(light_code, texts=REASONS)


# --- an imported outline fits its plan ----------------------------------------------------------

_HEADING_YEAR = re.compile(r"((?:19|20)\d{2}|二[〇零][〇零一二三四五六七八九]{2})\s*年")
_HEADING_LEAD = ("关于印发", "关于", "中共", "中国共产党")
_PLACE = re.compile(r"^(.+?(?:特别行政区|自治区|自治州|省|市|盟|县|旗))")
_DIGITS = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def heading_year(title: str) -> int | None:
    """The year a plan's heading names (2024年, 二〇二四年), or None."""
    match = _HEADING_YEAR.search(title)
    if not match:
        return None
    text = match.group(1)
    if text.isdigit():
        return int(text)
    return int("".join(str(_DIGITS[c]) for c in text))


def heading_agency(title: str) -> str:
    """The organisation a plan's heading names before its year ("滨海省归国华侨联合会机关" in
    "滨海省归国华侨联合会机关2024年工作要点"), or "" when it names none."""
    match = _HEADING_YEAR.search(title)
    if not match:
        return ""
    named = re.sub(r"[\s\u3000《》“”\"'（）()·]", "", title[: match.start()])
    for lead in _HEADING_LEAD:
        if named.startswith(lead):
            named = named[len(lead) :]
    return named


def agency_fits(named: str, names: Sequence[str]) -> bool:
    """Whether the organisation a heading names (`named`, Simplified) is the agency known by
    `names` (its name and short name): either contains the other, or both begin with the same
    place (江岚省侨联 is 江岚省归国华侨联合会机关; 滨海省归国华侨联合会机关 is not)."""
    if not named:
        return True
    known = [n.strip() for n in names if n and n.strip()]
    if any(n in named or named in n for n in known):
        return True
    place = _PLACE.match(named)
    if place is None:
        return False
    return any((m := _PLACE.match(n)) is not None and m.group(1) == place.group(1) for n in known)


def deadline_problems(
    deadline: dt.date | None,
    *,
    started_on: dt.date | None = None,
    milestone_dues: Sequence[tuple[str, dt.date]] = (),
) -> list[dict[str, str]]:
    """A task's deadline against the steps before it: not before the task's start (its
    assignment), and not before a milestone that is still to be done (a milestone is due no
    later than the task). Each problem names the field `deadline`."""
    if deadline is None:
        return []
    problems = []
    if started_on is not None and deadline < started_on:
        problems.append(
            {
                "field": "deadline",
                "message": _("The deadline %(deadline)s is before the task started (%(start)s).")
                % {"deadline": deadline.isoformat(), "start": started_on.isoformat()},
            }
        )
    for title, due in milestone_dues:
        if due > deadline:
            problems.append(
                {
                    "field": "deadline",
                    "message": _(
                        "The deadline %(deadline)s is before the milestone “%(title)s” "
                        "(due %(due)s): a milestone is due no later than its task."
                    )
                    % {"deadline": deadline.isoformat(), "title": title, "due": due.isoformat()},
                }
            )
    return problems
