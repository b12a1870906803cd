"""Demo supervision items for the demo agency (fictional), as of today: one overdue (red,
urged and escalated), one closed out early, one in progress, one linked to a key task of the
work plan, one registered from a meeting and not yet assigned. Built through the services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from luoshi.core.workdays import WorkCalendar
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, User
from luoshi.plans.models import Task

from . import services
from .models import SupervisionItem

Item = SupervisionItem


@transaction.atomic
def build_demo_items(today: dt.date | None = None) -> str:
    day = today or timezone.localdate()
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    if agency is None:
        return "no demo agency"
    if SupervisionItem.objects.filter(agency=agency).exists():
        return "already present; nothing changed"
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    office = users.get("demo_supervisor")
    vice = users.get("demo_vice")
    leader = users.get("demo_leader")
    if office is None or vice is None or leader is None:
        return "demo accounts missing"
    units = {u.name: u for u in OrgUnit.objects.filter(path__startswith=agency.path)}
    econ, liaison, culture = units["经济科技部"], units["组织联络部"], units["文化交流部"]
    calendar = WorkCalendar()

    def back(n: int) -> dt.date:
        return calendar.add_working_days(day, -n).value

    def register(on: dt.date, **fields: object) -> SupervisionItem:
        data = services.ItemIn(**fields)  # type: ignore[arg-type]
        return services.item_register(actor=office, data=data, today=on, agency=agency)

    def assign_accept(item: SupervisionItem, on: dt.date) -> SupervisionItem:
        services.item_assign(actor=office, item=item, today=on)
        item.refresh_from_db()
        services.item_accept(actor=office, item=item, today=on)
        item.refresh_from_db()
        return item

    # 1. overdue: a chairman's instruction, 10 working days, assigned 25 working days ago
    on = back(25)
    red = register(
        on,
        title="推动侨资企业座谈会议定事项落地",
        source=Item.Source.INSTRUCTION,
        lead_unit=econ,
        cooperating_units=[liaison],
        instruction_by=leader.person,
        instruction_on=on,
        instruction_text="请经济科技部牵头，会同组织联络部抓紧研究，逐项落实座谈会议定事项。",
        source_document="关于全省侨资企业座谈会情况的报告",
        urgency=Item.Urgency.URGENT,
        is_major=True,
        deadline_working_days=10,
    )
    red = assign_accept(red, on)
    services.feedback_submit(
        actor=office,
        item=red,
        kind="periodic",
        text="已梳理议定事项12项，完成5项，其余正在协调。",
        percent=40,
        today=back(18),
    )

    # 2. closed out early: a higher-level assignment to 组织联络部
    on = back(30)
    done = register(
        on,
        title="开展海外侨团联络情况专项调查",
        source=Item.Source.HIGHER_LEVEL,
        lead_unit=liaison,
        source_document="上级侨联关于开展侨团联络情况调查的通知",
        kind=Item.Kind.SPECIAL,
        deadline_working_days=20,
    )
    done = assign_accept(done, on)
    final = services.feedback_submit(
        actor=office,
        item=done,
        kind="final",
        text="调查报告已完成并报送，共联络侨团46个。",
        files=[("调查报告摘要.txt", "调查报告摘要：共联络侨团46个。".encode())],
        today=back(15),
    )
    services.feedback_review(actor=office, feedback=final, accept=True, today=back(14))
    done.refresh_from_db()
    services.item_close_out(actor=vice, item=done, approve=True, today=back(13))

    # 3. in progress, on track: a meeting decision
    on = back(5)
    green = register(
        on,
        title="筹备全省侨界文化交流周",
        source=Item.Source.MEETING,
        lead_unit=culture,
        meeting="主席办公会议",
        meeting_item="第三项议题",
        deadline=day + dt.timedelta(days=60),
        report_cadence=Item.Cadence.WEEKLY,
    )
    green = assign_accept(green, on)
    services.feedback_submit(
        actor=office, item=green, kind="periodic", text="方案已起草。", percent=30, today=back(1)
    )

    # 4. a key task of the work plan, followed as a supervision item
    tasks = Task.objects.filter(plan__agency=agency, status="in_progress").order_by("sort_order")
    key = tasks.filter(is_key=True).first() or tasks.first()
    if key is not None:
        linked = register(
            back(3),
            title=key.title,
            source=Item.Source.WORK_PLAN,
            task=key,
            lead_unit=key.lead_unit,
            deadline=max(key.deadline or day, day),
        )
        services.item_assign(actor=office, item=linked, today=back(3))

    # 5. registered from a meeting, awaiting assignment
    register(
        day,
        title="研究完善归侨侨眷权益保障工作机制",
        source=Item.Source.MEETING,
        lead_unit=units["权益保障部"],
        meeting="党组会议",
        deadline_working_days=15,
    )

    services.run_ladder(day)
    services.refresh_lights(SupervisionItem.objects.filter(agency=agency), today=day)
    items = SupervisionItem.objects.filter(agency=agency)
    lights = {c: items.filter(light=c).count() for c in ("red", "yellow", "green", "grey")}
    return f"{items.count()} items, lights " + ", ".join(f"{k} {v}" for k, v in lights.items())
