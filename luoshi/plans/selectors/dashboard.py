"""Dashboards: counts of tasks by light and completion, for the scope of the viewer.

What is counted
    Tasks that are deployed: every status but draft and cancelled. A task counts where its
    **lead unit** is (the glossary: completion statistics count the lead unit), so a task is in a
    viewer's dashboard when it is visible to them (`selectors.tasks_visible`) and its lead unit is
    in their data scope; tasks they see only as a cooperating unit or as a named person are counted
    in their lead unit's dashboard, never twice. Completion rate = completed / counted.

Filters
    `DashboardFilter.plan` (None: every plan and the tasks outside plans; the pages default to
    `default_plan`, the latest issued plan the viewer can see) and `DashboardFilter.unit` (None:
    the viewer's whole scope; else that unit's subtree).

Rows by unit
    Rolled up to the "row units": with a unit filter, that unit's children (each with its whole
    subtree) plus a row for the tasks the unit leads itself; without one, the roots of the
    viewer's scope, expanded the same way when there is a single root (the agency leader sees
    the agency's departments, affiliated units and local federations). Units keep a fixed-width
    materialised path, so the roll-up is one GROUP BY on a prefix of the lead unit's path.

Monthly trend
    The lights are stored as of today only, so the open red/yellow counts at past month ends
    cannot be read back. The trend shows, for each of the last 12 months: the tasks **due** that
    month (deadline in the month) and the tasks **completed** (closed out) that month. A month
    whose completed line stays below its due line is building a backlog.

Query budget
    Every function here runs a fixed number of queries whatever the number of tasks: each is one
    GROUP BY (or one aggregate, or one LIMITed list) in SQL, plus at most two small reads of org
    units or key points. Nothing loops over tasks in Python.

Scale (issue 3 §8)
    At national scale (a million tasks) a GROUP BY over the tasks is too slow, so the counts,
    the rows and the trend read the roll-up tables `TaskCount` and `TaskMonthCount` (kept exact
    on every change by rollup.py; a few thousand rows nationally). Scope and unit roll-ups are
    prefix filters on the lead unit's path, joined from the org tree. Only the overdue list reads
    the tasks themselves, through the index on (light, deadline)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luoshi.core.cache import fingerprint, remember
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import units_visible
from luoshi.orgs.services import PATH_WIDTH

from ..models import KeyPoint, Task, TaskCount, TaskMonthCount, WorkPlan
from ..permissions import can_approve_plans, can_manage_plans, plans_visible
from ..rollup import COUNT_FIELDS

T = TypeVar("T")


SEGMENT = PATH_WIDTH + 1  # one level of OrgUnit.path: "00000012/"


OVERDUE_LIMIT = 20


LEADER_ROWS = 30  # rows by leader in charge before the rest are summed into one


TREND_MONTHS = 12


NOT_COUNTED = (Task.Status.DRAFT, Task.Status.CANCELLED)


LIGHTS = (Task.Light.RED, Task.Light.YELLOW, Task.Light.GREEN, Task.Light.GREY)


@dataclass(frozen=True)
class DashboardFilter:
    plan: WorkPlan | None = None  # None: every plan, and tasks outside plans
    unit: OrgUnit | None = None  # None: the viewer's whole scope


@dataclass
class Counts:
    total: int = 0
    completed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    grey: int = 0

    @property
    def completion_rate(self) -> float | None:
        """Completed / total (None when there is nothing to count)."""
        return self.completed / self.total if self.total else None

    @property
    def completion_percent(self) -> int | None:
        rate = self.completion_rate
        return None if rate is None else round(rate * 100)

    def lights(self) -> dict[str, int]:
        return {light: getattr(self, light) for light in LIGHTS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "completed": self.completed,
            **self.lights(),
            "rate": self.completion_percent,
        }


@dataclass
class Row:
    """One bar of a chart: a unit, a leader in charge or a key point, with its counts."""

    key: int | None
    label: str
    counts: Counts = field(default_factory=Counts)
    unit: OrgUnit | None = None  # for rows by unit: the unit (its subtree unless `own`)
    own: bool = False  # the tasks the unit leads itself, not its sub-units'


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date  # the first day of the month
    due: int
    completed: int


_COUNTS: dict[str, Sum] = {name: Sum(name) for name in COUNT_FIELDS}


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(**{name: row.get(name) or 0 for name in _COUNTS})


def _scoped(qs: QuerySet[Any], user: Any, f: DashboardFilter, path: str) -> QuerySet[Any]:
    """Rows whose lead unit is in the viewer's scope (which implies the task is visible to
    them) and in the filter's plan and unit. `path` is the lead unit's path field."""
    scope = scope_for(user)
    if scope.is_empty:
        return qs.none()
    if not scope.everything:
        condition = Q(pk__in=[])
        for prefix in sorted(scope.subtree_paths):
            condition |= Q(**{f"{path}__startswith": prefix})
        if scope.unit_ids:
            condition |= Q(lead_unit_id__in=sorted(scope.unit_ids))
        qs = qs.filter(condition)
    if f.plan is not None:
        qs = qs.filter(plan=f.plan)
    if f.unit is not None:
        qs = qs.filter(**{f"{path}__startswith": f.unit.path})
    return qs.order_by()  # no ordering in GROUP BYs


def counted_tasks(user: Any, f: DashboardFilter) -> QuerySet[Task]:
    """The tasks a dashboard counts for this viewer and filter (see the module docstring)."""
    return _scoped(Task.objects.exclude(status__in=NOT_COUNTED), user, f, "lead_unit_path")


def counted_rollup(user: Any, f: DashboardFilter) -> QuerySet[TaskCount]:
    """The roll-up rows of the counted tasks (the same tasks as counted_tasks, pre-grouped)."""
    return _scoped(TaskCount.objects.all(), user, f, "lead_unit__path")


def default_plan(user: Any) -> WorkPlan | None:
    """The latest issued plan the viewer can see (the highest-level agency's first), not an
    archive (a past year's plan is chosen in the filter, never by default). Kept in the shared
    cache while no plan or org data has changed (a plan's save bumps "tasks", roles and units
    "org"): what plans_visible reads of the viewer — the scope, the roles that show drafts,
    the person's unit — is the key."""

    def find() -> WorkPlan | None:
        return (
            plans_visible(user)
            .filter(status=WorkPlan.Status.ISSUED, archived=False)
            .order_by("-year", "agency__depth", "agency__path", "-id")
            .first()
        )

    person = getattr(user, "person", None)
    key = fingerprint(
        "default-plan",
        scope_for(user),
        person.unit_id if person is not None else None,
        can_manage_plans(user) or can_approve_plans(user),
    )
    return remember(f"dashboard:{key}", ("tasks", "org"), find, shared_only=True)


def plan_choices(user: Any, current: WorkPlan | None, limit: int = 50) -> list[WorkPlan]:
    """Issued plans for the plan filter: the latest first, the current one always included."""
    plans = list(
        plans_visible(user)
        .filter(status=WorkPlan.Status.ISSUED)
        .order_by("-year", "agency__depth", "agency__path", "-id")[:limit]
    )
    if current is not None and current not in plans:
        plans.insert(0, current)
    return plans


def totals(user: Any, f: DashboardFilter) -> Counts:
    return _counts(counted_rollup(user, f).aggregate(**_COUNTS))


# What the rows and the overdue list read of their units and tasks (the board is cached, so it
# is pickled: full rows with their relations would cost more to load than to compute).
_ROW_UNIT_FIELDS = ("id", "name", "path", "depth", "is_active", "sort_order", "parent_id", "kind")


_OVERDUE_FIELDS = (
    "id", "code", "title", "deadline", "progress", "status", "light", "light_code",
    "lead_unit__name", "leader_in_charge__name",
)  # fmt: skip


def _scope_roots(user: Any) -> list[tuple[OrgUnit, bool]]:
    """The top units of the viewer's scope, each with whether its subtree is covered (1 query)."""
    scope = scope_for(user)
    if scope.everything:
        roots = OrgUnit.objects.filter(parent__isnull=True).only(*_ROW_UNIT_FIELDS)
        return [(u, True) for u in roots.order_by("sort_order", "id")]
    if scope.is_empty:
        return []
    units = (
        OrgUnit.objects.filter(
            Q(path__in=sorted(scope.subtree_paths)) | Q(pk__in=sorted(scope.unit_ids))
        )
        .only(*_ROW_UNIT_FIELDS)
        .order_by("path")
    )
    paths = scope.subtree_paths
    found: list[tuple[OrgUnit, bool]] = []
    for unit in units:
        covered = any(unit.path.startswith(p) and unit.path != p for p in paths)
        if not covered:
            found.append((unit, unit.path in paths))
    return found


def row_units(user: Any, f: DashboardFilter) -> tuple[OrgUnit | None, list[Row]]:
    """The units the dashboard's rows roll up to, as empty rows, and the focus unit whose
    children they are (None when the rows are several roots of the scope). 1–2 queries."""
    focus = f.unit
    if focus is None:
        roots = _scope_roots(user)
        if len(roots) == 1 and roots[0][1]:
            focus = roots[0][0]
        else:
            return None, [
                Row(key=u.pk, label=u.name, unit=u, own=not subtree) for u, subtree in roots
            ]
    children = (
        units_visible(user)
        .filter(parent=focus)
        .select_related(None)
        .only(*_ROW_UNIT_FIELDS)
        .order_by("sort_order", "id")
    )
    own_label = _("%(unit)s (itself)") % {"unit": focus.name}
    rows = [Row(key=focus.pk, label=own_label, unit=focus, own=True)]
    rows.extend(Row(key=c.pk, label=c.name, unit=c) for c in children)
    return focus, rows


def by_unit(user: Any, f: DashboardFilter) -> list[Row]:
    """Counts by lead unit, rolled up to the row units (see row_units)."""
    focus, rows = row_units(user, f)
    tasks = counted_rollup(user, f)
    if focus is not None:
        prefix = Substr("lead_unit__path", 1, len(focus.path) + SEGMENT)
        by_path = {row.unit.path: row for row in rows if row.unit is not None and not row.own}
        own = rows[0]
        for group in (
            tasks.filter(lead_unit__path__startswith=focus.path)
            .values(bucket=prefix)
            .annotate(**_COUNTS)
        ):
            target = own if group["bucket"] == focus.path else by_path.get(group["bucket"])
            if target is not None:
                target.counts = _counts(group)
        return [r for r in rows if r.counts.total or _shown_when_empty(r)]
    return _by_roots(tasks, rows)


def _shown_when_empty(row: Row) -> bool:
    """Sub-units show at zero (a unit with nothing to do is news too); the unit's own row and
    inactive units only when they lead something."""
    return not row.own and row.unit is not None and row.unit.is_active


def _by_roots(tasks: QuerySet[TaskCount], rows: list[Row]) -> list[Row]:
    """Rows that are several roots of the scope: one CASE over a handful of roots."""
    if not rows:
        return []
    whens = [
        When(lead_unit_id=row.key, then=row.key)
        if row.own
        else When(lead_unit__path__startswith=row.unit.path, then=row.key)
        for row in rows
        if row.unit is not None
    ]
    bucket = Case(*whens, default=None, output_field=IntegerField())
    index = {row.key: row for row in rows}
    for group in tasks.values(bucket=bucket).annotate(**_COUNTS):
        row = index.get(group["bucket"])
        if row is not None:
            row.counts = _counts(group)
    return rows


def by_leader(user: Any, f: DashboardFilter) -> list[Row]:
    """Counts by leader in charge, the most tasks first (1 query)."""
    groups = (
        counted_rollup(user, f)
        .values("leader_in_charge_id", "leader_in_charge__name")
        .annotate(**_COUNTS)
    )
    rows = [
        Row(
            key=g["leader_in_charge_id"],
            label=g["leader_in_charge__name"] or _("No leader in charge"),
            counts=_counts(g),
        )
        for g in groups
    ]
    rows.sort(key=lambda r: (r.key is None, -r.counts.total, r.label))
    if len(rows) > LEADER_ROWS:  # nationally a few thousand: the busiest, then the rest summed
        rest = rows[LEADER_ROWS:]
        others = Row(
            key=None,
            label=_("%(count)s other leaders") % {"count": len(rest)},
            counts=functools.reduce(_add, (r.counts for r in rest), Counts()),
        )
        rows = [*rows[:LEADER_ROWS], others]
    return rows


def by_key_point(user: Any, f: DashboardFilter) -> list[Row]:
    """Counts by level-1 key point of the filtered plan, in the plan's order (2 queries).

    A task hung on a section (（一）) counts under its key point (一、). Empty without a plan.
    """
    if f.plan is None:
        return []
    points = KeyPoint.objects.filter(plan=f.plan, level=1).order_by("sort_order", "id")
    rows = [Row(key=kp.pk, label=f"{kp.label}{kp.title}") for kp in points]
    index = {row.key: row for row in rows}
    outside = Row(key=None, label=_("Outside the key points"))
    for group in counted_rollup(user, f).values(top_point=F("key_point_id")).annotate(**_COUNTS):
        row = index.get(group["top_point"])
        if row is not None:
            row.counts = _counts(group)
        else:  # no key point (or, in a deeper outline, one this roll-up does not reach)
            outside.counts = _add(outside.counts, _counts(group))
    return [*rows, outside] if outside.counts.total else rows


def _add(a: Counts, b: Counts) -> Counts:
    return Counts(**{name: getattr(a, name) + getattr(b, name) for name in _COUNTS})


def overdue(user: Any, f: DashboardFilter, limit: int = OVERDUE_LIMIT) -> list[Task]:
    """Red tasks, the oldest deadline first (1 query)."""
    return list(
        counted_tasks(user, f)
        .filter(light=Task.Light.RED)
        .select_related("lead_unit", "leader_in_charge")
        .only(*_OVERDUE_FIELDS)
        .order_by(F("deadline").asc(nulls_last=True), "id")[:limit]
    )


def _months(today: dt.date, n: int = TREND_MONTHS) -> list[dt.date]:
    """The first days of the last n months, the current one last."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(n):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def monthly_trend(user: Any, f: DashboardFilter, today: dt.date | None = None) -> list[MonthPoint]:
    """For each of the last 12 months: tasks due and tasks completed (2 queries)."""
    months = _months(today or timezone.localdate())
    start = months[0]
    last = months[-1]
    end = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    rows: Iterable[dict[str, Any]] = (
        _scoped(TaskMonthCount.objects.all(), user, f, "lead_unit__path")
        .filter(month__gte=start, month__lt=end)
        .values("month")
        .annotate(due=Sum("due"), completed=Sum("completed"))
    )
    found = {_as_date(r["month"]): (r["due"] or 0, r["completed"] or 0) for r in rows}
    return [MonthPoint(m, *found.get(m, (0, 0))) for m in months]


@dataclass
class Dashboard:
    filter: DashboardFilter
    totals: Counts
    by_unit: list[Row]
    by_leader: list[Row]
    by_key_point: list[Row]
    overdue: list[Task]
    trend: list[MonthPoint]


def cached(user: Any, f: DashboardFilter, part: str, compute: Callable[[], T]) -> T:
    """`compute()` for this viewer's scope and filter, from the cache while no task, plan, key
    point or org data has changed since (luoshi.core.cache: the "tasks" generation is bumped by
    every roll-up refresh and every saved task, plan or key point, so the figures stay exact)."""
    scope = scope_for(user)
    key = fingerprint(
        part,
        scope,
        f.plan.pk if f.plan is not None else None,
        f.unit.pk if f.unit is not None else None,
        timezone.localdate(),
        translation.get_language(),
    )
    return remember(f"dashboard:{key}", ("tasks", "org"), compute, shared_only=True)


def dashboard(user: Any, f: DashboardFilter, today: dt.date | None = None) -> Dashboard:
    """Everything the leadership and unit dashboards show (cached, see `cached`)."""
    if today is not None and today != timezone.localdate():
        return _dashboard(user, f, today)
    return cached(user, f, "page", lambda: _dashboard(user, f, today))


def _dashboard(user: Any, f: DashboardFilter, today: dt.date | None = None) -> Dashboard:
    return Dashboard(
        filter=f,
        totals=totals(user, f),
        by_unit=by_unit(user, f),
        by_leader=by_leader(user, f),
        by_key_point=by_key_point(user, f),
        overdue=overdue(user, f),
        trend=monthly_trend(user, f, today),
    )
