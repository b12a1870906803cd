"""Reads of plans and tasks, scoped to the viewer, with related rows loaded up front."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from luoshi.core.text import fold_query
from luoshi.orgs.permissions import scope_for
from luoshi.orgs.selectors import covers_every_unit, organization_of, unit_brief

from .models import (
    AdjustmentRequest,
    KeyPoint,
    ProgressReport,
    Task,
    TaskStatusCount,
    WorkPlan,
)
from .permissions import can_approve_plans, can_manage_plans

QS = TypeVar("QS", bound=QuerySet[Any])


def tasks_visible(user: Any) -> QuerySet[Task]:
    """Tasks whose lead or a cooperating unit is in the viewer's scope, or that name the viewer
    as responsible person or leader in charge."""
    scope = scope_for(user)
    qs = Task.objects.select_related(
        "plan", "key_point", "lead_unit", "leader_in_charge", "responsible_person"
    )
    if covers_every_unit(scope):  # every task is led by a unit in scope
        return qs
    condition = _lead_in_scope(scope)
    cooperating = Task.cooperating_units.through.objects.filter(task_id=OuterRef("pk"))
    coop_scope = scope.q(unit="orgunit")
    if coop_scope is not None and not scope.is_empty:
        condition |= Q(Exists(cooperating.filter(coop_scope)))
    person_id = getattr(user, "person_id", None)
    if person_id is not None and not scope.is_empty:
        condition |= Q(responsible_person_id=person_id) | Q(leader_in_charge_id=person_id)
    return qs.filter(condition)


def _lead_in_scope(scope: Any, via: str = "") -> Q:
    """Tasks whose lead unit is in scope, on the task's own columns (no join); `via`: the path
    to the task from another model ("task__")."""
    condition = Q(pk__in=[])
    for prefix in sorted(scope.subtree_paths):
        condition |= Q(**{f"{via}lead_unit_path__startswith": prefix})
    if scope.unit_ids:
        condition |= Q(**{f"{via}lead_unit_id__in": sorted(scope.unit_ids)})
    return condition


def plans_visible(user: Any) -> QuerySet[WorkPlan]:
    """Plans of the viewer's own organization and of agencies their scope covers; drafts only to
    those who draft or approve them."""
    scope = scope_for(user)
    qs = WorkPlan.objects.select_related("agency")
    if scope.is_empty:
        return qs.none()
    if not scope.everything:
        condition = scope.q(unit="agency") or Q(pk__in=[])
        person = getattr(user, "person", None)
        if person is not None:
            condition |= Q(agency=organization_of(person.unit))
        qs = qs.filter(condition)
    if not (can_manage_plans(user) or can_approve_plans(user)):
        qs = qs.exclude(status=WorkPlan.Status.DRAFT)
    return qs


@dataclass
class OutlineNode:
    key_point: KeyPoint
    children: list[OutlineNode]
    tasks: list[Task]


def plan_outline(plan: WorkPlan, tasks: QuerySet[Task]) -> list[OutlineNode]:
    """The plan's outline as the agency wrote it, with the given tasks hung on it (3 queries)."""
    points = list(plan.key_points.order_by("sort_order"))
    nodes = {kp.pk: OutlineNode(kp, [], []) for kp in points}
    roots: list[OutlineNode] = []
    for kp in points:
        node = nodes[kp.pk]
        (nodes[kp.parent_id].children if kp.parent_id in nodes else roots).append(node)
    for task in tasks.filter(plan=plan).order_by("sort_order", "id"):
        if task.key_point_id in nodes:
            nodes[task.key_point_id].tasks.append(task)
    return roots


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


def task_ledger(user: Any, f: TaskFilter, today: dt.date | None = None) -> QuerySet[Task]:
    """The ledger's tasks for these filters, in plan order (year, position in the plan).

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
        qs = qs.filter(search_text__contains=fold_query(f.q))
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
    if f.overdue:
        qs = qs.filter(deadline__lt=today or timezone.localdate()).exclude(
            status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED]
        )
    return qs.order_by(*ledger_order(f.sort))


# Statuses the roll-up counts (rollup.NOT_COUNTED are left out of it).
_ROLLUP_STATUSES = frozenset(Task.Status.values) - {Task.Status.DRAFT, Task.Status.CANCELLED}
# The default view lists the open tasks: these from the roll-up, drafts from the task table.
_OPEN_COUNTED = sorted(_ROLLUP_STATUSES - {Task.Status.COMPLETED})


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


# --- my work ------------------------------------------------------------------------------------


def tasks_to_report(user: Any, today: dt.date) -> list[Task]:
    """The tasks in progress the user's unit leads or helps with, or the user is responsible
    for, whose report for the current period their unit has not made yet (four statements,
    each on an index: the three ways a task is the user's are read apart — together, as one
    OR over a join, they cost a scan of every task in progress)."""
    from .rules import report_period

    person = getattr(user, "person", None)
    if person is None:
        return []
    visible = tasks_visible(user).filter(status=Task.Status.IN_PROGRESS).order_by()
    helping = Task.cooperating_units.through.objects.filter(orgunit_id=person.unit_id)
    ids: set[int] = set()
    for mine in (
        visible.filter(lead_unit_id=person.unit_id),
        visible.filter(responsible_person_id=person.pk),
        visible.filter(pk__in=helping.values("task_id")),
    ):
        ids.update(mine.values_list("pk", flat=True))
    if not ids:
        return []
    period_of = {c: report_period(c, today) for c in Task.Cadence.values}
    reported = set(
        ProgressReport.objects.filter(
            task_id__in=ids, unit_id=person.unit_id, period__in=set(period_of.values())
        ).values_list("task_id", "period")
    )
    tasks = Task.objects.filter(pk__in=ids).select_related("lead_unit").order_by(*LEDGER_ORDER)
    return [t for t in tasks if (t.pk, period_of[t.report_cadence]) not in reported]


def tasks_to_verify(user: Any) -> QuerySet[Task]:
    """The tasks whose lead unit asked for close-out and the user may verify — a supervisor
    whose scope covers the lead unit (permissions.can_verify, as a query) — in plan order."""
    from luoshi.orgs.permissions import has_role
    from luoshi.orgs.roles import Role

    scope = scope_for(user)
    if scope.is_empty or not has_role(user, Role.SUPERVISOR):
        return Task.objects.none()
    qs = Task.objects.filter(status=Task.Status.COMPLETION_REQUESTED)
    if not covers_every_unit(scope):
        qs = qs.filter(_lead_in_scope(scope))
    return qs.select_related("lead_unit").order_by(*LEDGER_ORDER)


def adjustments_to_decide(user: Any) -> QuerySet[AdjustmentRequest]:
    """Pending adjustment requests the user may decide (permissions.can_decide_adjustment, as a
    query): on tasks they are leader in charge of, or — for a supervisor — whose lead unit their
    scope covers."""
    from luoshi.orgs.permissions import has_role
    from luoshi.orgs.roles import Role

    scope = scope_for(user)
    person_id = getattr(user, "person_id", None)
    condition = Q(task__leader_in_charge_id=person_id) if person_id is not None else Q(pk__in=[])
    if not scope.is_empty and has_role(user, Role.SUPERVISOR):
        if covers_every_unit(scope):
            condition = Q()  # every task (an empty Q would vanish from an OR)
        else:
            condition |= _lead_in_scope(scope, via="task__")
    return (
        AdjustmentRequest.objects.filter(condition, status=AdjustmentRequest.Status.PENDING)
        .select_related("task", "task__lead_unit", "requested_by")
        .order_by("-id")
    )


def tasks_due_soon(user: Any, limit: int) -> list[Task]:
    """Open red tasks, then yellow ones, each by deadline, at most `limit`: one walk of the
    (light, deadline) index per light that stops at the limit (plan order, or both lights in one
    query, sorted every red and yellow task in scope: about a second for a province at national
    scale)."""
    visible = tasks_visible(user)
    found: list[Task] = []
    for light in (Task.Light.RED, Task.Light.YELLOW):
        if len(found) < limit:
            found += (
                visible.filter(light=light)
                .exclude(status__in=[Task.Status.COMPLETED, Task.Status.CANCELLED])
                .select_related("lead_unit")
                .order_by("deadline", "id")[: limit - len(found)]
            )
    return found
