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
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CalendarDay, LightRun
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

    Within 60 days the answer is `calendar.working_days_between(today, day).value`, taken from
    running counts of each year's working days, built once per year touched (so a question
    costs two lookups, not a walk over the days between: a run asks hundreds of thousands).
    """
    running: dict[int, tuple[int, list[int]]] = {}  # year → (ordinal of 31 Dec before, counts)

    def counts(year: int) -> tuple[int, list[int]]:
        known = running.get(year)
        if known is None:
            first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
            total, days = 0, [0]
            for ordinal in range(first, last + 1):
                total += calendar.day(dt.date.fromordinal(ordinal)).is_working_day
                days.append(total)  # days[i]: working days of the year's first i days
            known = running[year] = (first - 1, days)
        return known

    def upto(day: dt.date) -> tuple[int, int]:
        """The year's working days up to and including `day`, and the whole year's."""
        base, days = counts(day.year)
        return days[day.toordinal() - base], days[-1]

    def until(today: dt.date, day: dt.date) -> int:
        if day <= today:
            return 0
        span = (day - today).days
        if span > 60:
            return span
        before, year_total = upto(today)
        if today.year == day.year:
            return upto(day)[0] - before
        return year_total - before + upto(day)[0]  # 60 days cross at most one new year

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


# --- when a light changes by date alone --------------------------------------------------------


def _first_day(lo: dt.date, hi: dt.date, holds: Callable[[dt.date], bool]) -> dt.date | None:
    """The first day in [lo, hi] on which `holds` (false, then true for good) is true."""
    if lo > hi or not holds(hi):
        return None
    while lo < hi:
        mid = lo + dt.timedelta(days=(hi - lo).days // 2)
        if holds(mid):
            hi = mid
        else:
            lo = mid + dt.timedelta(days=1)
    return lo


def next_change(
    *,
    phase: str,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    milestones: Sequence[MilestoneState] = (),
    working_days_until: WorkingDaysUntil,
    thresholds: LightThresholds = LightThresholds(),
) -> dt.date | None:
    """The first day after `today` on which `compute_light` with the same inputs could give
    another answer (colour, reason or the reason's values), or None when it never does by the
    date alone. Every condition of the rules flips once, from false to true, as the date moves
    on (a deadline or milestone passes, enters its warning window, the elapsed share passes the
    progress and its rounded percent grows), so each flip's first day is found exactly (the
    warning window by bisection over `working_days_until`, which never grows as the day
    advances) and the earliest one after today is the answer; a condition masked by the one
    that decides today's light (the behind rule under a near deadline, say) is not counted
    until that one's own end. A day too early would cost a recomputation and a write of the
    new day; a day too late would leave a light stale (tested against a day-by-day
    recomputation)."""
    if phase != OPEN:
        return None
    if deadline is not None and deadline < today:
        return None  # red for good: the deadline has passed
    one = dt.timedelta(days=1)
    tomorrow = today + one
    found: list[dt.date] = []
    if deadline is not None:
        found.append(deadline + one)  # the deadline passes
    undone = sorted(m.due_date for m in milestones if m.done_on is None)
    if undone and undone[0] < today:
        # red for the earliest overdue milestone until the deadline passes
        return min(found) if found else None
    warn = thresholds.warn_working_days
    if undone:
        found.append(undone[0] + one)  # the next milestone passes undone: red
    if deadline is not None and working_days_until(today, deadline) <= warn:
        return min(found)  # yellow, deadline near, until the deadline or a milestone passes
    if deadline is not None:
        end = deadline
        opens = _first_day(tomorrow, end, lambda d: working_days_until(d, end) <= warn)
        if opens is not None:
            found.append(opens)
    if undone and working_days_until(today, undone[0]) <= warn:
        return min(found)  # yellow, milestone near: the behind rule is masked
    if undone:
        due = undone[0]
        opens = _first_day(tomorrow, due, lambda d: working_days_until(d, due) <= warn)
        if opens is not None:
            found.append(opens)
    if start is not None and deadline is not None and deadline > start:
        span, limit = deadline - start, progress + thresholds.behind_tolerance

        def share(d: dt.date) -> float:
            share_ = elapsed_share(start, deadline, d)
            return 0.0 if share_ is None else share_

        def behind(d: dt.date) -> bool:
            return limit < share(d) * 100

        if not behind(today):
            day = _first_day(tomorrow, deadline, behind)
            if day is not None:
                found.append(day)
        else:  # behind: the reason names the elapsed percent, which grows
            now = round(share(today) * 100)
            day = _first_day(tomorrow, start + span, lambda d: round(share(d) * 100) != now)
            if day is not None:
                found.append(day)
    later = [d for d in found if d >= tomorrow]
    return min(later) if later else None


# --- the stored lights ----------------------------------------------------------------------


def _write(
    model: type[models.Model], rows: list[tuple[Any, str, str, dt.date | None]], day: dt.date
) -> None:
    """Write the changed lights of `rows` ((pk, light, light_code, next change)) in one
    statement: UPDATE … FROM unnest(arrays) on PostgreSQL (five parameters however many rows),
    a CASE per column elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    if connection.vendor == "postgresql":
        keys, colors, codes, nexts = (list(column) for column in zip(*rows, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET light = v.light, light_code = v.code, "  # noqa: S608
                f"light_next_change = v.next, light_checked_on = %s::date "
                f"FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::date[]) "
                f"AS v(id, light, code, next) WHERE t.{pk} = v.id",
                [day, keys, colors, codes, nexts],
            )
        return
    objs = []
    for key, color, code, nxt in rows:
        obj = model(pk=key)
        obj.light, obj.light_code, obj.light_next_change = color, code, nxt  # type: ignore[attr-defined]
        obj.light_checked_on = day  # type: ignore[attr-defined]
        objs.append(obj)
    model._default_manager.bulk_update(
        objs, ["light", "light_code", "light_next_change", "light_checked_on"], batch_size=500
    )


def refresh(
    rows: QuerySet[M],
    *,
    light_of: Callable[[M, dt.date, WorkingDaysUntil], Any],
    today: dt.date | None = None,
    batch: int = 2000,
    before_batch: Callable[[list[M]], None] | None = None,
    after_batch: Callable[[list[M]], None] | None = None,
) -> int:
    """Recompute the stored lights of `rows` (a queryset of a model with the fields `light`,
    `light_code`, `light_next_change` and `light_checked_on`; shape it with
    select_related/only/prefetch_related for what `light_of` reads) as of `today` (default:
    the local date).

    The rows are read in keyset-paged batches of `batch` in primary-key order (memory stays
    flat however many rows there are); each batch is one transaction. `light_of(row, today,
    working_days_until)` computes a row's light and the next day it changes by date alone
    (a `(LightResult, date | None)`; a bare LightResult means "never by date"). Only the rows
    whose light, reason or next-change day differ are written, all of a batch's in one
    statement, with `light_checked_on` (the day the stored light was last written); the
    columns carry no version: two runs on one day compute the same answer, so it is idempotent
    and safe to run concurrently. `before_batch(rows)` is called with each batch as read, before
    its lights are computed (to read what `light_of` needs of the whole batch in one query
    rather than one per row). `after_batch(rows)` is called inside the batch's transaction
    with the rows whose colour changed (as they were read), possibly none. Returns the number
    of rows whose colour changed.
    """
    day = today or timezone.localdate()
    until = working_days_counter(WorkCalendar())
    model = rows.model
    changed = 0
    last_id: Any = None
    while True:
        page = rows if last_id is None else rows.filter(pk__gt=last_id)
        chunk = list(page.order_by("pk")[:batch])
        if not chunk:
            return changed
        last_id = chunk[-1].pk
        if before_batch is not None:
            before_batch(chunk)
        with transaction.atomic():
            recoloured: list[M] = []
            writes: list[tuple[Any, str, str, dt.date | None]] = []
            for row in chunk:
                computed = light_of(row, day, until)
                result, nxt = computed if isinstance(computed, tuple) else (computed, None)
                stored = (row.light, row.light_code, row.light_next_change)  # type: ignore[attr-defined]
                if stored != (result.color, result.light_code, nxt):
                    writes.append((row.pk, result.color, result.light_code, nxt))
                    if stored[0] != result.color:
                        recoloured.append(row)
            _write(model, writes, day)
            if after_batch is not None:
                after_batch(recoloured)
            changed += len(recoloured)


def basis_digest(*parts: object) -> str:
    """A digest of what the stored next-change days were computed with: the calendar's days
    (every stored day's date and whether it is worked) and whatever the caller adds (the
    thresholds). When it differs from the last run's, every row is recomputed."""
    digest = hashlib.sha256()
    for date, working in CalendarDay.objects.order_by("date").values_list("date", "is_working_day"):
        digest.update(f"{date.isoformat()}{int(working)}".encode())
    digest.update(repr(parts).encode())
    return digest.hexdigest()


def refresh_due(
    rows: QuerySet[M],
    *,
    name: str,
    light_of: Callable[[M, dt.date, WorkingDaysUntil], Any],
    today: dt.date | None = None,
    basis: tuple[object, ...] = (),
    also: models.Q | None = None,
    batch: int = 2000,
    before_batch: Callable[[list[M]], None] | None = None,
    after_batch: Callable[[list[M]], None] | None = None,
) -> int:
    """The tick's refresh: of `rows`, only those whose stored next-change day has come
    (`light_next_change <= today`, an indexed column; plus the rows `also` selects, for a
    light that depends on another row), unless the calendar or the thresholds (`basis`) have
    changed since the last run of `name`, when all of them. A day on which nothing is due
    writes no row; the run itself is recorded once, in LightRun."""
    day = today or timezone.localdate()
    digest = basis_digest(*basis)
    last = LightRun.objects.filter(name=name).first()
    selected = rows
    if last is not None and last.basis == digest:
        due = models.Q(light_next_change__lte=day)
        selected = rows.filter(due | also if also is not None else due)
    changed = refresh(
        selected,
        light_of=light_of,
        today=day,
        batch=batch,
        before_batch=before_batch,
        after_batch=after_batch,
    )
    if last is None:
        LightRun.objects.get_or_create(name=name, defaults={"ran_on": day, "basis": digest})
    elif (last.ran_on, last.basis) != (day, digest):
        LightRun.objects.filter(pk=last.pk).update(ran_on=day, basis=digest)
    return changed
