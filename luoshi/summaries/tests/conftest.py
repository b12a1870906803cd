from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from django.utils import translation

from luoshi.honors import services as honors_services
from luoshi.orgs import services as org_services
from luoshi.orgs.roles import Role
from luoshi.plans.models import Indicator, Task, WorkPlan
from luoshi.plans.services.plans import key_point_create, plan_create
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.tasks import IndicatorIn, TaskIn, task_create
from luoshi.plans.tests.conftest import issue
from luoshi.plans.tests.conftest import plan as plan  # the fixture
from luoshi.summaries import services
from luoshi.summaries.models import SummaryRound, UnitSummary
from luoshi.supervision.models import SupervisionItem
from luoshi.supervision.tests.conftest import register

DAY = dt.date(2026, 3, 1)  # the round's drafting day in these tests


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def year_data(org: Any, plan: WorkPlan) -> dict[str, Any]:
    """2026: the plan issued, the office's task reported once on time (10 of 12 集体学习);
    2025: an archived plan where the office reached 8 集体学习; two supervision items of the
    office (one closed on time, one open past its deadline); an honour of the office."""
    sup = org.users["supervisor"]
    org_services.leader_assign(
        actor=None, leader=org.people["vice"], unit=org.office, start_date=dt.date(2020, 1, 1)
    )
    clerk = org_services.user_create(
        actor=None,
        username="office_staff",
        password="Luoshi-test-1",
        person=org.people["office_staff"],
    )
    org_services.role_assign(actor=None, user=clerk, role=Role.STAFF)
    org.users["office_staff"] = clerk
    issue(org, plan)
    task = Task.objects.get(plan=plan, lead_unit=org.office)
    indicator = task.indicators.get()
    report_submit(
        actor=org.users["office_staff"],
        task=task,
        unit=org.office,
        today=dt.date(2026, 2, 3),
        data=ReportIn(
            text="学习4次", percent=30, indicator_values={indicator.pk: decimal.Decimal(10)}
        ),
    )
    last = plan_create(actor=sup, agency=org.agency, year=2025, title="2025年工作要点")
    kp = key_point_create(
        actor=sup, plan=last, title="坚持把政治建设摆在首位", level=1, number=1, label="一、"
    )
    old = task_create(
        actor=sup,
        data=TaskIn(
            plan=last,
            key_point=kp,
            code="2025-1",
            title="制定2025年学习计划",
            lead_unit=org.office,
            deadline=dt.date(2025, 12, 31),
            indicators=[IndicatorIn("集体 学习", decimal.Decimal(10), "次")],
        ),
    )
    Indicator.objects.filter(task=old).update(actual=decimal.Decimal(8))
    closed = register(
        org,
        lead_unit=org.office,
        title="办结的督办事项",
        cooperating_units=[],
        today=dt.date(2026, 1, 10),
    )
    late = register(
        org,
        lead_unit=org.office,
        title="逾期的督办事项",
        cooperating_units=[],
        today=dt.date(2026, 1, 12),
    )
    SupervisionItem.objects.filter(pk=closed.pk).update(
        status=SupervisionItem.Status.CLOSED, closed_on_time=True, closed_on=dt.date(2026, 1, 15)
    )
    SupervisionItem.objects.filter(pk=late.pk).update(
        status=SupervisionItem.Status.ACCEPTED, deadline=dt.date(2026, 2, 1)
    )
    honour = honors_services.external_record(
        actor=org.users["hr"],
        agency=org.agency,
        unit=org.office,
        kind="advanced_unit",
        title="模范机关先进单位",
        approving_body="省直机关工委",
        document_number="省直发〔2026〕1号",
        awarded_on=dt.date(2026, 2, 10),
    )
    return {"task": task, "indicator": indicator, "old": old, "honour": honour, "plan": plan}


@pytest.fixture
def round_(org: Any, year_data: Any) -> SummaryRound:
    return services.round_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, today=DAY
    )


@pytest.fixture
def office_summary(org: Any, round_: SummaryRound) -> UnitSummary:
    return round_.summaries.get(unit=org.office)


LONG = "我们坚持围绕中心、服务大局，扎实推进各项工作，取得了明显成效。" * 25  # 775 characters


def make_submittable(org: Any, summary: UnitSummary) -> UnitSummary:
    return services.summary_edit(
        actor=org.users["office_staff"],
        summary=summary,
        achievements=summary.achievements + "\n" + LONG,
        problems=summary.problems or "学习形式还不够丰富。",
        next_year="政治建设：制定2027年学习计划\n举办读书班\n一、面向海外开展工作：组建海外联络站",
    )


def to_accepted(org: Any, summary: UnitSummary) -> UnitSummary:
    make_submittable(org, summary)
    services.summary_submit(actor=org.users["office_staff"], summary=summary)
    services.summary_review(actor=org.users["head"], summary=summary, approve=True)
    services.summary_review(actor=org.users["vice"], summary=summary, approve=True)
    return services.summary_accept(actor=org.users["supervisor"], summary=summary)
