"""The scene of issue 15 finding 3 (close-out against the facts), shared by its tests: the task
制定年度学习计划 (led by 办公室, the head reports; the supervisor verifies) with two milestones,
due 31 March and 30 June, and the indicator 集体学习 (target 12), reported at 55 % in March."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from luoshi.plans.models import Task, WorkPlan
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.roadmap import milestone_add

from .conftest import issue

D = dt.date
CODE = "2026-1-1-1"


def scene(org: Any, plan: WorkPlan) -> Task:
    task = plan.tasks.get(code=CODE)
    milestone_add(
        actor=org.users["supervisor"], task=task, title="组织集体学习", due_date=D(2026, 6, 30)
    )
    issue(org, plan)
    task = Task.objects.get(pk=task.pk)
    report_submit(
        actor=org.users["head"],
        task=task,
        unit=org.office,
        today=D(2026, 3, 20),
        data=ReportIn(
            text="学习计划起草中",
            percent=55,
            indicator_values={task.indicators.get().pk: decimal.Decimal(3)},
        ),
    )
    return Task.objects.get(pk=task.pk)
