"""The roll-ups (TaskCount, TaskMonthCount for the dashboards, TaskStatusCount for the ledger's
count), kept exact on every change.

A million tasks cannot be grouped on every dashboard request (issue 3 §8), so the counts live in
three small tables. They are keyed by (plan, lead unit) "groups": every service that changes a
task's status, light, lead unit, leader in charge, plan, key point, deadline or completion date
calls `refresh()` with the groups the task was in before and after the change, in the same
transaction. `refresh()` recomputes those groups from the tasks — a handful of rows each — so the
tables never drift, whatever the change was.

Concurrency: on PostgreSQL each group is locked with a transaction-scoped advisory lock before it
is recomputed, in a fixed order. A second transaction that touches the same group waits for the
first to commit and then, under READ COMMITTED, counts with its changes. SQLite serialises
writers anyway.

`rebuild()` recomputes everything (`luoshi rollup --rebuild`); `drift()` compares the tables with
a fresh count (`luoshi rollup --check`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth

from luoshi.core import cache

from .models import Task, TaskCount, TaskMonthCount, TaskStatusCount

Group = tuple[int | None, int]  # (plan_id, lead_unit_id)
ROLLUPS = (TaskCount, TaskMonthCount, TaskStatusCount)
# TaskStatusCount's grain: the ledger's count filters on these (selectors.ledger_count)
STATUS_KEYS = (
    "plan_id", "lead_unit_id", "lead_unit_path", "leader_in_charge_id", "status", "light",
)  # fmt: skip

NOT_COUNTED = (Task.Status.DRAFT, Task.Status.CANCELLED)
COUNT_FIELDS = ("total", "completed", "red", "yellow", "green", "grey")
_COUNTS: dict[str, Count] = {
    "total": Count("id"),
    "completed": Count("id", filter=Q(status=Task.Status.COMPLETED)),
    **{str(light): Count("id", filter=Q(light=light)) for light in Task.Light.values},
}
_LOCK_CLASS = 0x4C53  # "LS": the first key of the groups' advisory locks
_CHUNK = 200


def group_of(task: Task) -> Group:
    return (task.plan_id, task.lead_unit_id)


def groups_of_queryset(tasks: QuerySet[Task]) -> set[Group]:
    return {(p, u) for p, u in tasks.order_by().values_list("plan_id", "lead_unit_id").distinct()}


def _chunks(items: list[Group], size: int) -> Iterator[list[Group]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _condition(groups: list[Group]) -> Q:
    by_plan: dict[int | None, list[int]] = defaultdict(list)
    for plan_id, unit_id in groups:
        by_plan[plan_id].append(unit_id)
    condition = Q(pk__in=[])
    for plan_id, unit_ids in by_plan.items():
        plan_q = Q(plan__isnull=True) if plan_id is None else Q(plan_id=plan_id)
        condition |= plan_q & Q(lead_unit_id__in=sorted(unit_ids))
    return condition


def _lock(groups: list[Group]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for plan_id, unit_id in groups:
            key = ((plan_id or 0) * 1_000_003 + unit_id) % 2_147_483_647
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, key])


def refresh(groups: Iterable[Group]) -> None:
    """Recompute the roll-up rows of these (plan, lead unit) groups from the tasks."""
    ordered = sorted(set(groups), key=lambda g: (g[0] or 0, g[1]))
    if not ordered:
        return
    cache.bump("tasks")  # the cached dashboards (plans.selectors.dashboard.cached) read these rows
    with transaction.atomic():
        _lock(ordered)
        for chunk in _chunks(ordered, _CHUNK):
            condition = _condition(chunk)
            for model in ROLLUPS:
                model.objects.filter(condition).delete()
            _insert(Task.objects.filter(condition))


def _insert(tasks: QuerySet[Task]) -> None:
    counted = tasks.exclude(status__in=NOT_COUNTED).order_by()
    top = Coalesce("key_point__parent__parent_id", "key_point__parent_id", "key_point_id")
    TaskCount.objects.bulk_create(
        TaskCount(
            plan_id=row["plan_id"],
            lead_unit_id=row["lead_unit_id"],
            leader_in_charge_id=row["leader_in_charge_id"],
            key_point_id=row["top"],
            **{name: row[name] or 0 for name in COUNT_FIELDS},
        )
        for row in counted.values("plan_id", "lead_unit_id", "leader_in_charge_id", top=top)
        .annotate(**_COUNTS)
        .iterator(chunk_size=2000)
    )
    months: dict[tuple[Any, int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for index, (date_field, extra) in enumerate(
        (("deadline", Q()), ("completed_on", Q(status=Task.Status.COMPLETED)))
    ):
        rows = (
            counted.filter(extra, **{f"{date_field}__isnull": False})
            .values("plan_id", "lead_unit_id", month=TruncMonth(date_field))
            .annotate(n=Count("id"))
        )
        for row in rows.iterator(chunk_size=2000):
            month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
            months[(row["plan_id"], row["lead_unit_id"], month)][index] += row["n"]
    TaskMonthCount.objects.bulk_create(
        TaskMonthCount(plan_id=p, lead_unit_id=u, month=m, due=due, completed=done)
        for (p, u, m), (due, done) in months.items()
    )
    TaskStatusCount.objects.bulk_create(
        TaskStatusCount(**row)
        for row in counted.values(*STATUS_KEYS).annotate(n=Count("id")).iterator(chunk_size=2000)
    )


def rebuild() -> int:
    """Recompute both tables from scratch; returns the number of TaskCount rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                tables = ", ".join(model._meta.db_table for model in ROLLUPS)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        for model in ROLLUPS:
            model.objects.all().delete()
        _insert(Task.objects.all())
        cache.bump("tasks")
        return TaskCount.objects.count()


def _snapshot(model: Any, keys: tuple[str, ...], fields: tuple[str, ...]) -> dict[Any, Any]:
    totals: dict[Any, list[int]] = defaultdict(lambda: [0] * len(fields))
    for row in model.objects.values_list(*keys, *fields).iterator(chunk_size=5000):
        acc = totals[row[: len(keys)]]
        for i, value in enumerate(row[len(keys) :]):
            acc[i] += value
    return {k: v for k, v in totals.items() if any(v)}


def drift() -> list[str]:
    """Compare the roll-ups with a fresh count (read only); one line per differing key."""
    keys = ("plan_id", "lead_unit_id", "leader_in_charge_id", "key_point_id")
    month_keys = ("plan_id", "lead_unit_id", "month")
    with transaction.atomic():
        stored = _snapshot(TaskCount, keys, COUNT_FIELDS)
        stored_months = _snapshot(TaskMonthCount, month_keys, ("due", "completed"))
        stored_status = _snapshot(TaskStatusCount, STATUS_KEYS, ("n",))
        sid = transaction.savepoint()
        for model in ROLLUPS:
            model.objects.all().delete()
        _insert(Task.objects.all())
        cache.bump("tasks")
        fresh = _snapshot(TaskCount, keys, COUNT_FIELDS)
        fresh_months = _snapshot(TaskMonthCount, month_keys, ("due", "completed"))
        fresh_status = _snapshot(TaskStatusCount, STATUS_KEYS, ("n",))
        transaction.savepoint_rollback(sid)
    lines = []
    for label, a, b in (
        ("counts", stored, fresh),
        ("months", stored_months, fresh_months),
        ("statuses", stored_status, fresh_status),
    ):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                lines.append(f"{label} {key}: stored {a.get(key)} != counted {b.get(key)}")
    return lines
