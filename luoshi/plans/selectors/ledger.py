"""The task ledger: its filter, orders and count (from the roll-up where it can)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from luoshi.core import search
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import covers_every_unit, unit_brief

from ..models import (
    Task,
    TaskStatusCount,
)
from ..permissions import tasks_visible
from .tasks import QS, current_tasks


@dataclass
class TaskFilter:
    q: str = ""
    plan: int | None = None
    lead_unit: int | None = None
    leader_in_charge: int | None = None
    light: str = ""
    status: str = ""
    category: int | None = None
    key_only: bool = False
    overdue: bool = False
    include_closed: bool = False
    sort: str = ""  # a key of LEDGER_SORTS, "-" in front for descending; "" for plan order


LEDGER_ORDER = ("plan_year", "sort_order", "id")


# The ledger's sortable columns: each a column of the task table (no join), ties in plan order.
LEDGER_SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "lead_unit": ("lead_unit_path",),
    "deadline": ("deadline",),
    "progress": ("progress",),
    "status": ("status",),
    "light": ("light",),
}


def ledger_order(sort: str) -> list[Any]:
    """ORDER BY for a ledger sort key ("deadline", "-progress", …); unknown keys: plan order."""
    descending = sort.startswith("-")
    columns = LEDGER_SORTS.get(sort.lstrip("-"))
    if not columns:
        return list(LEDGER_ORDER)
    if descending:
        return [F(c).desc(nulls_last=True) for c in columns] + ["-id"]
    return [F(c).asc(nulls_last=True) for c in columns] + list(LEDGER_ORDER)


def shows_archives(f: TaskFilter) -> bool:
    """Whether the ledger lists the tasks of archived plans (a past year's): only when asked
    for — the plan chosen, a search, or closed tasks included; the default view leaves them
    out (otherwise the oldest year's tasks, first in plan order, top every page)."""
    return bool(f.plan or f.q or f.include_closed)


def task_ledger(user: Any, f: TaskFilter, today: dt.date | None = None) -> QuerySet[Task]:
    """The ledger's tasks for these filters, in plan order (year, position in the plan);
    without the archived plans' tasks unless asked for (shows_archives).

    When the lead-unit filter names a subtree that the viewer's scope covers (or the scope
    covers every unit), every task led there is visible, so the visibility condition (an OR
    over joins) is left out and the filter is one prefix range on the task's own copy of the
    path (index `task_ledger_idx`) or none; the ordered indexes then serve the page.
    """
    unit = None
    if f.lead_unit:
        unit = unit_brief(f.lead_unit)
        if unit is None:
            return Task.objects.none()
    scope = scope_for(user)
    if covers_every_unit(scope) or (
        unit is not None and any(unit.path.startswith(p) for p in scope.subtree_paths)
    ):
        qs = Task.objects.select_related(
            "plan", "key_point", "lead_unit", "leader_in_charge", "responsible_person"
        )
    else:
        qs = tasks_visible(user)
    if unit is not None:
        qs = qs.filter(lead_unit_path__startswith=unit.path)
    if f.q:
        qs = search.contains(qs, f.q, index="task_search_grams_idx")
    qs = _shared_filters(qs, f)
    if f.status:
        qs = qs.filter(status=f.status)
    elif not f.include_closed and not f.q:
        # Closed tasks leave the active ledger but stay searchable.
        qs = qs.exclude(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
    if f.category:
        qs = qs.filter(categories__pk=f.category)
    if f.key_only:
        qs = qs.filter(is_key=True)
    if not shows_archives(f):
        qs = current_tasks(qs)
    if f.overdue:
        qs = qs.filter(deadline__lt=today or timezone.localdate()).exclude(
            status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED]
        )
    return qs.order_by(*ledger_order(f.sort))


# Statuses the roll-up counts (rollup.NOT_COUNTED are left out of it).
_ROLLUP_STATUSES = frozenset(Task.Status.values) - {Task.Status.DRAFT, Task.Status.CANCELLED}


# The default view lists the open tasks: these from the roll-up, drafts from the task table.
_OPEN_COUNTED = sorted(_ROLLUP_STATUSES - {Task.Status.COMPLETED})


def search_count_limit(f: TaskFilter) -> int | None:
    """Where the ledger's count stops: sooner for a text search (settings.LUOSHI_SEARCH_COUNT_LIMIT,
    which the viewer narrows by adding words), at the ledgers' limit otherwise (None)."""
    return settings.LUOSHI_SEARCH_COUNT_LIMIT if f.q else None


def ledger_count(user: Any, f: TaskFilter) -> int | None:
    """The number of tasks `task_ledger(user, f)` lists, from the ledger's count roll-up
    (TaskStatusCount: a few rows per unit) when the filters are its columns — a status it
    counts, or none (the open tasks: the roll-up's open statuses plus the drafts, counted from
    the task table where they are few) — with light, lead unit, plan or leader in charge, and
    the viewer sees every task the lead-unit filter names; None otherwise (the caller counts
    the tasks)."""
    if f.q or f.category or f.key_only or f.overdue:
        return None
    if f.status:
        if f.status not in _ROLLUP_STATUSES:
            return None
        statuses, drafts = [f.status], False
    elif f.include_closed:
        return None
    else:
        statuses, drafts = _OPEN_COUNTED, True
    scope = scope_for(user)
    tasks = Task.objects.filter(status=Task.Status.DRAFT)
    if f.lead_unit:
        unit = unit_brief(f.lead_unit)
        if unit is None:
            return 0
        if not (scope.everything or any(unit.path.startswith(p) for p in scope.subtree_paths)):
            return None
        rows = TaskStatusCount.objects.filter(lead_unit_path__startswith=unit.path)
        tasks = tasks.filter(lead_unit_path__startswith=unit.path)
    elif covers_every_unit(scope):
        rows = TaskStatusCount.objects.all()
    else:
        return None
    rows = _shared_filters(rows.filter(status__in=statuses), f)
    if not shows_archives(f):
        rows, tasks = current_tasks(rows), current_tasks(tasks)
    n = int(rows.aggregate(n=Sum("n"))["n"] or 0)
    if drafts:
        n += _shared_filters(tasks, f).count()
    return n


def _shared_filters(qs: QS, f: TaskFilter) -> QS:
    """The filters on columns the task table and the count roll-up share (same names)."""
    if f.plan:
        qs = qs.filter(plan_id=f.plan)
    if f.leader_in_charge:
        qs = qs.filter(leader_in_charge_id=f.leader_in_charge)
    if f.light:
        qs = qs.filter(light=f.light)
    return qs
