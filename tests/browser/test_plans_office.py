"""Browser: the lead unit proposes a milestone change, the office approves it; the office's
report overview and categories pages work with no console error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.plans.models import Category, Milestone, Task

from .conftest import login
from .test_plans import make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_adjust_a_milestone_then_approve(page: Any, org: Any) -> None:
    task = make_task(org)
    Milestone.objects.create(task=task, title="遴选专家", due_date=dt.date(2026, 9, 30))
    login(page, "staff", PASSWORD)
    page.goto(page.base_url + f"/tasks/{task.pk}/")
    page.click(f"a[href$='/tasks/{task.pk}/adjust/']")
    page.fill("textarea[name=reason]", "遴选工作提前")
    milestone = task.milestones.get()
    page.fill(f"input[name=milestone_{milestone.pk}_due]", "2026-08-31")
    page.fill("textarea[name=new_milestones]", "召开智库成立会 | 2026-10-15")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(page.base_url + f"/tasks/{task.pk}/")
    assert Task.objects.get(pk=task.pk).status == Task.Status.ADJUSTMENT_REQUESTED

    page.click("#ls-user-menu")
    page.click("form[action$='/logout/'] button")
    login(page, "supervisor", PASSWORD)
    page.goto(page.base_url + f"/tasks/{task.pk}/")
    page.wait_for_selector("text=召开智库成立会")  # the proposed diff
    page.select_option("form[action*='/decide/'] select[name=decision]", "approve")
    page.click("form[action*='/decide/'] button[type=submit]")
    page.wait_for_url(page.base_url + f"/tasks/{task.pk}/")
    assert Task.objects.get(pk=task.pk).status == Task.Status.IN_PROGRESS
    assert sorted(task.milestones.values_list("due_date", flat=True)) == [
        dt.date(2026, 8, 31),
        dt.date(2026, 10, 15),
    ]

    page.goto(page.base_url + "/reports/")
    page.wait_for_selector("table")
    page.goto(page.base_url + "/plans/categories/")
    page.fill("input[name=name]", "重点改革")
    page.click("form:has(input[value=create]) button[type=submit]")
    page.wait_for_selector("input[value='重点改革']")
    assert Category.objects.filter(name="重点改革").exists()
    assert not page.console_errors, page.console_errors
