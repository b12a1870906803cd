"""One light engine: a task and a supervision item with the same deadline, start, progress and
agency get the same stored light and reason on the same day; the colours and the report cadences
are the same choices on both models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.core import lights
from luoshi.plans.models import LightSettings, ReportCadence, Task
from luoshi.plans.services.lights import refresh_lights as refresh_task_lights
from luoshi.plans.services.plans import plan_create
from luoshi.supervision import services
from luoshi.supervision.models import SupervisionItem

from .conftest import register

D = dt.date

pytestmark = pytest.mark.django_db


def test_the_colours_and_cadences_are_defined_once() -> None:
    assert Task.Light is SupervisionItem.Light is lights.Light
    assert Task.Cadence is SupervisionItem.Cadence is ReportCadence
    for model in (Task, SupervisionItem):
        assert model._meta.get_field("light").choices == lights.Light.choices
        assert model._meta.get_field("report_cadence").choices == ReportCadence.choices


# (today, deadline, start, progress) → the colour both must show
CASES = [
    (D(2026, 3, 2), D(2026, 2, 27), D(2026, 1, 1), 50, "red"),  # deadline passed
    (D(2026, 3, 6), D(2026, 3, 13), D(2026, 1, 1), 95, "yellow"),  # 5 working days: near
    (D(2026, 3, 6), D(2026, 3, 16), D(2026, 1, 1), 95, "green"),  # 6 working days away
    (D(2026, 7, 2), D(2026, 12, 31), D(2026, 1, 1), 35, "yellow"),  # 50 % gone, 35 % done
    (D(2026, 7, 2), D(2026, 12, 31), D(2026, 1, 1), 45, "green"),  # within the tolerance
    (D(2026, 3, 2), D(2026, 12, 31), None, 0, "green"),  # no start: no lag to measure
    (D(2026, 3, 2), None, None, 0, "green"),  # no deadline
]


@pytest.mark.parametrize(("today", "deadline", "start", "progress", "colour"), CASES)
def test_a_task_and_an_item_get_the_same_light(
    org: Any,
    today: dt.date,
    deadline: dt.date | None,
    start: dt.date | None,
    progress: int,
    colour: str,
) -> None:
    # The agency's own thresholds (not the defaults) apply to both.
    LightSettings.objects.create(agency=org.agency, warn_working_days=5, behind_tolerance=10)
    plan = plan_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, title="2026年工作要点"
    )
    task = Task.objects.create(
        plan=plan,
        code="2026-1-1-1",
        title="推动落实",
        lead_unit=org.econ,
        status=Task.Status.IN_PROGRESS,
        deadline=deadline,
        start_date=start,
        progress=progress,
    )
    item = register(org)
    assert item.agency_id == org.agency.pk
    SupervisionItem.objects.filter(pk=item.pk).update(
        status=SupervisionItem.Status.ACCEPTED,
        deadline=deadline,
        assigned_on=start,
        progress=progress,
    )

    # each was grey (a new task; an item not assigned yet): one colour changed each
    assert refresh_task_lights(Task.objects.filter(pk=task.pk), today=today) == 1
    assert services.refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=today) == 1
    task.refresh_from_db()
    item.refresh_from_db()
    assert task.light == item.light == colour
    assert task.light_code == item.light_code
    assert task.light_checked_on == item.light_checked_on == today
    assert task.light_reason == item.light_reason != ""
