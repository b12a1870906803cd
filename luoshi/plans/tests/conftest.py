from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

from luoshi.plans.models import WorkPlan
from luoshi.plans.services.plans import key_point_create, plan_approve, plan_create, plan_issue
from luoshi.plans.services.tasks import IndicatorIn, MilestoneIn, TaskIn, task_create


@pytest.fixture
def plan(org: Any) -> WorkPlan:
    """A draft 2026 plan of the test agency with two key points and three tasks."""
    sup = org.users["supervisor"]
    p = plan_create(actor=sup, agency=org.agency, year=2026, title="2026年工作要点")
    kp1 = key_point_create(
        actor=sup,
        plan=p,
        title="坚持把政治建设摆在首位",
        level=1,
        number=1,
        label="一、",
        sort_order=1,
    )
    sec = key_point_create(
        actor=sup,
        plan=p,
        title="深入学习贯彻",
        level=2,
        number=1,
        label="（一）",
        parent=kp1,
        sort_order=2,
    )
    kp2 = key_point_create(
        actor=sup, plan=p, title="面向海外开展工作", level=1, number=2, label="二、", sort_order=3
    )
    task_create(
        actor=sup,
        data=TaskIn(
            plan=p,
            key_point=sec,
            code="2026-1-1-1",
            title="制定年度学习计划",
            lead_unit=org.office,
            cooperating_units=[org.econ],
            deadline=dt.date(2026, 12, 31),
            sort_order=1,
            milestones=[MilestoneIn("印发计划", dt.date(2026, 3, 31))],
            indicators=[IndicatorIn("集体学习", decimal.Decimal(12), "次")],
        ),
    )
    task_create(
        actor=sup,
        data=TaskIn(
            plan=p,
            key_point=kp2,
            code="2026-2-0-1",
            title="举办海外侨团负责人研习班",
            lead_unit=org.liaison,
            deadline=dt.date(2026, 11, 30),
            sort_order=2,
            is_key=True,
        ),
    )
    task_create(
        actor=sup,
        data=TaskIn(
            plan=p,
            key_point=kp2,
            code="2026-2-0-2",
            title="组建侨界专家智库",
            lead_unit=org.econ,
            deadline=dt.date(2026, 6, 30),
            sort_order=3,
        ),
    )
    return p


def issue(org: Any, plan: WorkPlan, today: dt.date = dt.date(2026, 1, 5)) -> WorkPlan:
    plan_approve(actor=org.users["leader"], plan=plan)
    return plan_issue(actor=org.users["supervisor"], plan=plan, today=today)
