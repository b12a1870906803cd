"""Publicity periods (公示) counted in working days, and objections raised during them.

A list (the proposed Excellent of an annual appraisal; later the commendation candidates) is
published for N working days on the calendar of `luoshi.core.workdays`. Anyone concerned may
object while it is published; each objection is answered. The result becomes final once the
period is over and no objection is left unanswered.

- `last_day(start, n, start_counts=..., is_working_day=..., add_working_days=...)`: the pure
  arithmetic, over any calendar given as two functions (so pure rules and their tests need no
  database). The publication day is the first of the N days when it is a working day and
  `start_counts` says so; otherwise the N days start with the next working day.
- `period(start, n, start_counts=..., calendar=None)`: the same over a `WorkCalendar`, as an
  `Answer[Period]` whose warning names the years the calendar does not cover.
- `Period.is_open(day)` / `is_over(end, day)`: published from the first to the last day,
  inclusive; over from the day after the last day.
- `can_finalize(end, day, open_objections=...)`: over, and no objection left unanswered.
- `start_refusal(start, today=..., decided_on=...)` / `objection_refusal(day, start, end)`: the
  date guards of the procedure (RULES.md §1 procedure, steps 5–6 [practice]: the list is published
  after the decision, and objections are raised while it is published) — the reason a date is
  refused, or "" when it is allowed. Pure: the caller gives today (the server's date).
- `ObjectionBase`: the abstract model of an objection and its answer (text, who raised it and
  when, the answer, who answered it and when); an app adds the foreign key to what is published.
  `Model.objects.open()` (and every related manager) lists the objections not yet answered.

How many days, and whether the publication day counts, are each app's own rules (appraisal:
`Policy.publicity_working_days`, `Policy.publication_day_counts`, set with LUOSHI_APPRAISAL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .workdays import Answer, WorkCalendar

# --- the period ------------------------------------------------------------------------------


def last_day(
    start: dt.date,
    working_days: int,
    *,
    start_counts: bool = True,
    is_working_day: Callable[[dt.date], bool],
    add_working_days: Callable[[dt.date, int], dt.date],
) -> dt.date:
    """The last day of a publicity of `working_days` (at least 1) published on `start`."""
    n = max(working_days, 1)
    if start_counts and is_working_day(start):
        return start if n == 1 else add_working_days(start, n - 1)
    return add_working_days(start, n)


@dataclass(frozen=True)
class Period:
    """A publicity from its first to its last day, both inclusive."""

    start: dt.date
    end: dt.date

    def is_open(self, day: dt.date) -> bool:
        """Whether the list is published on `day` (objections may be raised)."""
        return self.start <= day <= self.end

    def is_over(self, day: dt.date) -> bool:
        return is_over(self.end, day)


def period(
    start: dt.date,
    working_days: int,
    *,
    start_counts: bool = True,
    calendar: WorkCalendar | None = None,
) -> Answer[Period]:
    """The publicity published on `start` on the working-day calendar, with the calendar's
    warning when a year it looked at is not covered."""
    cal = calendar if calendar is not None else WorkCalendar()
    uncovered: set[int] = set()

    def is_wd(day: dt.date) -> bool:
        answer = cal.is_working_day(day)
        uncovered.update(answer.uncovered_years)
        return answer.value

    def add(day: dt.date, n: int) -> dt.date:
        answer = cal.add_working_days(day, n)
        uncovered.update(answer.uncovered_years)
        return answer.value

    end = last_day(
        start, working_days, start_counts=start_counts, is_working_day=is_wd, add_working_days=add
    )
    return Answer(Period(start, end), tuple(sorted(uncovered)), cal.covered_until())


def is_over(end: dt.date | None, day: dt.date) -> bool:
    """Whether a publicity ending on `end` is over on `day` (from the day after its last day);
    never when it has no end (not published yet)."""
    return end is not None and day > end


def can_finalize(
    end: dt.date | None, day: dt.date, *, open_objections: models.QuerySet[Any]
) -> bool:
    """Whether the result may become final on `day`: the publicity is over and no objection is
    left unanswered. `open_objections` (e.g. `cycle.objections.open()`) is asked only once the
    period is over (one EXISTS query)."""
    return is_over(end, day) and not open_objections.exists()


# --- the date guards (RULES.md §1 procedure, steps 5–6 [practice]) -------------------------


def start_refusal(start: dt.date, *, today: dt.date, decided_on: dt.date | None) -> str:
    """Why a publicity may not start on `start` ("" when it may): never in the past (before
    `today`, the server's date: a list published late must not seem to have been published on
    time), and never before the decision it publishes (`decided_on`, the date of the meeting that
    decided it, or of its last decision)."""
    if start < today:
        return str(
            _("Publicity cannot start in the past: choose %(today)s or a later day.")
            % {"today": today.isoformat()}
        )
    if decided_on is not None and start < decided_on:
        return str(
            _("Publicity cannot start before the decision it publishes (%(day)s).")
            % {"day": decided_on.isoformat()}
        )
    return ""


def objection_refusal(day: dt.date, start: dt.date | None, end: dt.date | None) -> str:
    """Why an objection may not be raised on `day` ("" when it may): only while the list is
    published, from its first to its last day inclusive."""
    if start is None or end is None:
        return str(_("The list is not published: objections are raised during publicity."))
    if day < start:
        return str(
            _("Publicity starts on %(start)s: objections are accepted from that day.")
            % {"start": start.isoformat()}
        )
    if day > end:
        return str(
            _("Publicity ended on %(end)s: objections are no longer accepted.")
            % {"end": end.isoformat()}
        )
    return ""


# --- objections ------------------------------------------------------------------------------


class ObjectionQuerySet(models.QuerySet[Any]):
    def open(self) -> ObjectionQuerySet:
        """The objections not answered yet."""
        return self.filter(answered_at__isnull=True)


# A manager class of its own (not QuerySet.as_manager() on the abstract model): the type
# checker resolves it for every app's objection model and its related managers.
ObjectionManager = models.Manager.from_queryset(ObjectionQuerySet)


class ObjectionBase(models.Model):
    """An objection raised during publicity, and its answer (abstract: an app adds the foreign
    key to what was published)."""

    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ObjectionManager()

    class Meta:
        abstract = True
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
