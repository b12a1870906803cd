"""Browser: submit a progress report, request close-out, verify it."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.plans.models import Task
from luoshi.plans.services.plans import key_point_create, plan_approve, plan_create, plan_issue
from luoshi.plans.services.tasks import IndicatorIn, TaskIn, task_create

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_task(org: Any) -> Task:
    sup = org.users["supervisor"]
    plan = plan_create(actor=sup, agency=org.agency, year=2026, title="2026年工作要点")
    point = key_point_create(
        actor=sup, plan=plan, title="服务经济发展", level=1, number=1, label="一、", sort_order=1
    )
    task = task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            key_point=point,
            code="2026-1-0-1",
            title="组建侨界专家智库",
            lead_unit=org.econ,
            deadline=dt.date(2026, 12, 31),
            indicators=[IndicatorIn("新增入库专家", decimal.Decimal(50), "名")],
        ),
    )
    plan_approve(actor=org.users["leader"], plan=plan)
    plan_issue(actor=sup, plan=plan)
    return task


def test_report_then_close_out(page: Any, org: Any) -> None:
    task = make_task(org)
    login(page, "staff", PASSWORD)
    page.goto(page.base_url + f"/tasks/{task.pk}/")
    # the form says which period it writes (the task started this month: this month's)
    today = timezone.localdate()
    assert page.inner_text("#ls-report-period").startswith(f"本次报送 {today:%Y-%m} 期进展")
    page.fill("textarea[name=text]", "已遴选专家52名，完成入库")
    page.fill("input[name=percent]", "100")
    indicator = task.indicators.get()
    page.fill(f"input[name=indicator_{indicator.pk}]", "52")
    page.click("button:has-text('提交进展')")
    page.wait_for_selector("text=已遴选专家52名，完成入库")
    assert Task.objects.get(pk=task.pk).progress == 100

    page.once("dialog", lambda dialog: dialog.accept())
    page.fill("form[action$='/completion/'] textarea[name=note]", "智库组建完成，名单已印发")
    page.click("button:has-text('申请销号')")
    page.wait_for_selector("text=申请销号已提交")
    assert Task.objects.get(pk=task.pk).status == "completion_requested"

    page.click("#ls-user-menu")
    page.click("button:has-text('退出登录')")
    login(page, "supervisor", PASSWORD)
    # the home page counts the close-out waiting and leads to "my work"
    page.goto(page.base_url + "/")
    tile = page.locator("[data-home=to-verify]")
    assert tile.inner_text().split()[-1] == "1"
    tile.click()
    page.wait_for_url("**/my-work/")
    page.click("text=组建侨界专家智库")
    page.select_option("select[name=decision]", "accept")
    page.click("button:has-text('作出决定')")
    page.wait_for_selector("text=已销号")
    assert Task.objects.get(pk=task.pk).status == "completed"
    assert not page.console_errors, page.console_errors
