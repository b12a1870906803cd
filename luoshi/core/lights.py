"""The status light (red, yellow, green, grey) of anything with a deadline — tasks, supervision
items, and the apps to come: the colours, the rules, the stored reason, the batch refresh.

The rules (RULES.md §4 — no national standard; the thresholds are settings per agency, which the
caller reads and passes in as `LightThresholds`):

- grey: not started, or closed (the caller says which by the `phase` it passes);
- red: the deadline or a milestone has passed undone;
- yellow: the deadline or the next milestone is within N working days (default 3), or progress
  lags the elapsed share of the time by more than a tolerance (default 15 points);
- green: on track.

An app maps its own statuses to a phase (NOT_STARTED, OPEN, CLOSED) and may put rules of its
own in front of these (a supervision item that is suspended is grey for its own reason); its
extra reason codes and their texts extend `REASONS` in its own rules module.

Stored on a row: `light` (a `Light` value), `light_code` (the reason as JSON `[code, params]`,
at most 200 characters, shown in the reader's language through `stored_reason_text`) and
`light_checked_on` (the day it was computed). `refresh` recomputes them over a queryset of any
model with these three fields.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .workdays import WorkCalendar

M = TypeVar("M", bound=models.Model)


# The colours, as stored in the `light` field of every model that has one. No docstring: the API
# schema publishes the enum by its class name, and a docstring would become its description.
class Light(models.TextChoices):
    GREY = "grey", _("Grey · not started or closed")
    GREEN = "green", _("Green · on track")
    YELLOW = "yellow", _("Yellow · due soon")
    RED = "red", _("Red · overdue")


GREY, GREEN, YELLOW, RED = Light.GREY.value, Light.GREEN.value, Light.YELLOW.value, Light.RED.value

LIGHTS = (RED, YELLOW, GREEN, GREY)  # the order of every count and legend: worst first


# The phase of a row, from its app's status: the engine knows no app's statuses.
NOT_STARTED, OPEN, CLOSED = "not_started", "open", "closed"


@dataclass(frozen=True)
class LightThresholds:
    warn_working_days: int = 3
    behind_tolerance: int = 15  # percentage points


@dataclass(frozen=True)
class MilestoneState:
    title: str
    due_date: dt.date
    done_on: dt.date | None


REASONS: Mapping[str, Any] = {
    "not_started": _("Not started"),
    "closed": pgettext_lazy("closed out", "Closed"),  # 已销号
    "deadline_passed": _("Deadline %(date)s passed"),
    "milestone_overdue": _("Milestone “%(title)s” was due %(date)s"),
    "deadline_near": _("Deadline %(date)s is near"),
    "milestone_near": _("Milestone “%(title)s” is due %(date)s"),
    "behind": _("Progress %(progress)d%% is behind the time elapsed (%(elapsed)d%%)"),
    "on_track": _("On track"),
}


def reason_text(
    code: str, params: dict[str, object] | None = None, *, texts: Mapping[str, Any] = REASONS
) -> str:
    """A light's reason in the current language (stored as a code, shown as words); `texts` is
    the table of an app that adds codes of its own (a superset of REASONS)."""
    template = texts.get(code)
    if template is None:
        return ""
    return str(template) % params if params else str(template)


def encode_reason(code: str, params: dict[str, object]) -> str:
    """The stored form of a reason (`light_code`): JSON [code, params], at most 200 characters."""
    return json.dumps([code, params], ensure_ascii=False)[:200]


def decode_light_code(light_code: str) -> tuple[str, dict[str, object]] | None:
    """A stored light reason (`light_code`: JSON [code, params]) as (code, params), or None."""
    if not light_code:
        return None
    try:
        code, params = json.loads(light_code)
    except (ValueError, TypeError):
        return None
    return code, params


def stored_reason_text(light_code: str, *, texts: Mapping[str, Any] = REASONS) -> str:
    """The reason stored with a light, in words (the current language)."""
    decoded = decode_light_code(light_code)
    return reason_text(*decoded, texts=texts) if decoded else ""


@dataclass(frozen=True)
class LightResult:
    """A computed light: its colour and the reason (a code of REASONS and its parameters)."""

    color: str
    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def reason(self) -> str:
        return reason_text(self.code, dict(self.params))

    @property
    def light_code(self) -> str:
        """The reason as stored (see encode_reason)."""
        return encode_reason(self.code, dict(self.params))


WorkingDaysUntil = Callable[[dt.date, dt.date], int]
"""working_days_until(today, day): working days after today up to and including day (0 if day
is today or past)."""


def working_days_counter(calendar: WorkCalendar) -> WorkingDaysUntil:
    """working_days_until for the light rules, over one calendar read for a whole run.

    Beyond 60 calendar days the exact count cannot matter to a "due within N working days"
    rule with N in any sensible range, so the calendar-day count stands in (never smaller than
    the working-day count, so it never turns a light yellow by mistake) — and the calendar is
    not read for a deadline months away.
    """

    def until(today: dt.date, day: dt.date) -> int:
        if day <= today:
            return 0
        if (day - today).days > 60:
            return (day - today).days
        return calendar.working_days_between(today, day).value

    return until


def elapsed_share(start: dt.date | None, deadline: dt.date | None, today: dt.date) -> float | None:
    """The share of the time from start to deadline that has passed (0..1), or None without
    both dates."""
    if start is None or deadline is None or deadline <= start:
        return None
    total = (deadline - start).days
    passed = (min(max(today, start), deadline) - start).days
    return passed / total


def compute_light(
    *,
    phase: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    milestones: Sequence[MilestoneState] = (),
    working_days_until: WorkingDaysUntil,
    thresholds: LightThresholds = LightThresholds(),
) -> LightResult:
    """The light of one row in `phase` (NOT_STARTED, OPEN or CLOSED) on `today`."""
    if phase == NOT_STARTED:
        return LightResult(GREY, "not_started")
    if phase == CLOSED:
        return LightResult(GREY, "closed")
    if deadline is not None and deadline < today:
        return LightResult(RED, "deadline_passed", (("date", deadline.isoformat()),))
    overdue = [m for m in milestones if m.done_on is None and m.due_date < today]
    if overdue:
        first = min(overdue, key=lambda m: m.due_date)
        return LightResult(
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
        return LightResult(YELLOW, "deadline_near", (("date", deadline.isoformat()),))
    if upcoming and working_days_until(today, upcoming[0].due_date) <= warn:
        nxt = upcoming[0]
        return LightResult(
            YELLOW,
            "milestone_near",
            (("title", nxt.title[:60]), ("date", nxt.due_date.isoformat())),
        )
    share = elapsed_share(start, deadline, today)
    if share is not None and progress + thresholds.behind_tolerance < share * 100:
        return LightResult(
            YELLOW, "behind", (("progress", progress), ("elapsed", round(share * 100)))
        )
    return LightResult(GREEN, "on_track")


# --- the stored lights ----------------------------------------------------------------------


def refresh(
    rows: QuerySet[M],
    *,
    light_of: Callable[[M, dt.date, WorkingDaysUntil], LightResult],
    today: dt.date | None = None,
    batch: int = 2000,
    after_batch: Callable[[list[M]], None] | None = None,
) -> int:
    """Recompute the stored lights of `rows` (a queryset of a model with the fields `light`,
    `light_code`, `light_checked_on`; shape it with select_related/only/prefetch_related for
    what `light_of` reads) as of `today` (default: the local date).

    The rows are read in batches of `batch` in primary-key order; each batch is one
    transaction. `light_of(row, today, working_days_until)` computes a row's light (one
    calendar reading serves the whole run); only the rows whose light, reason or checked-on
    day differ are written, each by one UPDATE of those three fields, which carry no version:
    two runs on one day compute the same answer, so it is idempotent and safe to run
    concurrently. `after_batch(rows)` is called inside the batch's transaction with the rows
    whose colour changed (as they were read), possibly none. Returns the number of rows whose
    colour changed.
    """
    day = today or timezone.localdate()
    until = working_days_counter(WorkCalendar())
    manager = rows.model._default_manager
    changed = 0
    last_id: Any = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not chunk:
            return changed
        last_id = chunk[-1].pk
        with transaction.atomic():
            recoloured: list[M] = []
            for row in chunk:
                result = light_of(row, day, until)
                stored = (row.light, row.light_code, row.light_checked_on)  # type: ignore[attr-defined]
                if stored != (result.color, result.light_code, day):
                    manager.filter(pk=row.pk).update(
                        light=result.color, light_code=result.light_code, light_checked_on=day
                    )
                    if stored[0] != result.color:
                        recoloured.append(row)
            if after_batch is not None:
                after_batch(recoloured)
            changed += len(recoloured)
