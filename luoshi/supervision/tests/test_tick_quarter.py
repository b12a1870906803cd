"""The tick recomputes only the lights that can change by date (luoshi.core.lights.refresh_due):
over a simulated quarter of daily ticks, tasks and supervision items keep exactly the lights
(colour, reason and next-change day) that a full recomputation gives; a day on which nothing is
due writes no row; a second tick on the same day writes none; a change of the thresholds makes
the next tick recompute everything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.core.models import LightRun
from luoshi.plans.models import LightSettings, Milestone, Task
from luoshi.plans.services.lights import refresh_lights as refresh_task_lights
from luoshi.plans.services.plans import plan_create
from luoshi.plans.tasks import refresh_open_lights
from luoshi.supervision import services
from luoshi.supervision.models import SupervisionItem

from .conftest import register

D = dt.date
ONE = dt.timedelta(days=1)

pytestmark = pytest.mark.django_db(transaction=False)


def _updates(queries: CaptureQueriesContext, model: Any) -> int:
    table = model._meta.db_table
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("UPDATE") and table in q["sql"].split("SET")[0]
    )


def _scene(org: Any) -> tuple[list[Task], list[SupervisionItem]]:
    plan = plan_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, title="2026年工作要点"
    )
    tasks = []
    for i in range(24):
        start = D(2026, 1, 5) + dt.timedelta(days=(i * 7) % 60)
        deadline = None if i % 11 == 0 else start + dt.timedelta(days=(10, 40, 75, 200)[i % 4])
        task = Task.objects.create(
            plan=plan,
            code=f"2026-1-1-{i}",
            title=f"推动落实{i}",
            lead_unit=org.econ,
            status=Task.Status.DRAFT if i % 9 == 4 else Task.Status.IN_PROGRESS,
            start_date=start,
            deadline=deadline,
            progress=(0, 10, 30, 60, 90)[i % 5],
        )
        for k in range(i % 3):
            Milestone.objects.create(
                task=task,
                title=f"节点{k}",
                due_date=start + dt.timedelta(days=12 + 17 * k),
                done_on=start if (i + k) % 4 == 0 else None,
            )
        tasks.append(task)
    items = []
    for i in range(8):
        item = register(org)
        SupervisionItem.objects.filter(pk=item.pk).update(
            status=SupervisionItem.Status.ACCEPTED,
            assigned_on=D(2026, 1, 5) + dt.timedelta(days=5 * i),
            deadline=D(2026, 1, 20) + dt.timedelta(days=9 * i),
            progress=(0, 40, 80)[i % 3],
            task=tasks[i] if i % 4 == 1 else None,
        )
        items.append(item)
    return tasks, items


def _tick(day: dt.date) -> None:
    refresh_open_lights(day)
    services.tick(day)


def _full_recomputation_writes(day: dt.date) -> int:
    """Recompute every light from scratch; the number of UPDATE statements it needs (0: the
    stored lights and next-change days were exactly right)."""
    with CaptureQueriesContext(connection) as queries:
        refresh_task_lights(Task.objects.all(), today=day)
        services.refresh_lights(SupervisionItem.objects.all(), today=day)
    return _updates(queries, Task) + _updates(queries, SupervisionItem)


def test_daily_ticks_over_a_quarter_equal_a_full_recomputation(org: Any) -> None:
    tasks, _items = _scene(org)
    day = D(2026, 1, 2)
    _tick(day)  # the first run ever: every row (no LightRun yet)
    assert set(LightRun.objects.values_list("name", flat=True)) == {
        "plans.tasks",
        "supervision.items",
    }
    quiet = 0
    end = day + dt.timedelta(days=92)
    while day < end:
        day += ONE
        if day == D(2026, 2, 10):  # a task's own write (a report) moves its progress
            Task.objects.filter(pk=tasks[1].pk).update(progress=95)
            refresh_task_lights(Task.objects.filter(pk=tasks[1].pk), today=day)
        due = (
            Task.objects.filter(light_next_change__lte=day).exists()
            or SupervisionItem.objects.filter(light_next_change__lte=day).exists()
        )
        with CaptureQueriesContext(connection) as queries:
            _tick(day)
        if not due:
            quiet += 1
            assert _updates(queries, Task) == _updates(queries, SupervisionItem) == 0, day
        with CaptureQueriesContext(connection) as queries:
            _tick(day)  # again the same day: nothing to write
        assert _updates(queries, Task) == _updates(queries, SupervisionItem) == 0, day
        assert LightRun.objects.get(name="plans.tasks").ran_on == day
        assert _full_recomputation_writes(day) == 0, day
    assert quiet >= 3  # the scene has quiet days, on which the tick wrote nothing
    colours = set(Task.objects.values_list("light", flat=True))
    assert {"red", "yellow", "green", "grey"} <= colours  # the quarter saw every colour


def test_a_change_of_thresholds_recomputes_every_light(org: Any) -> None:
    _scene(org)
    day = D(2026, 2, 2)
    _tick(day)
    LightSettings.objects.create(agency=org.agency, warn_working_days=30, behind_tolerance=0)
    assert _full_recomputation_writes(day) > 0  # stale under the new thresholds
    _tick(day)  # the basis changed: every open row is recomputed
    assert _full_recomputation_writes(day) == 0
