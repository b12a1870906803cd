"""Browser: a red task appears on the leadership dashboard, its charts draw, and nothing breaks
the CSP (Chromium reports every refused inline script or style as a console error)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.plans.models import Task
from luoshi.plans.services.lights import refresh_lights
from luoshi.plans.services.plans import key_point_create, plan_approve, plan_create, plan_issue
from luoshi.plans.services.tasks import TaskIn, task_create

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _plan_with_a_red_task(org: Any) -> Task:
    """An issued plan of this year: one task overdue since ten days ago, one on track."""
    today = timezone.localdate()
    sup = org.users["supervisor"]
    plan = plan_create(
        actor=sup, agency=org.agency, year=today.year, title=f"{today.year}年工作要点"
    )
    point = key_point_create(
        actor=sup, plan=plan, title="围绕中心服务大局", level=1, number=1, label="一、"
    )
    late = task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            key_point=point,
            code=f"{today.year}-1-0-1",
            title="编制侨情调查报告",
            lead_unit=org.office,
            deadline=today - dt.timedelta(days=10),
        ),
    )
    task_create(
        actor=sup,
        data=TaskIn(
            plan=plan,
            key_point=point,
            code=f"{today.year}-1-0-2",
            title="举办侨界联谊活动",
            lead_unit=org.liaison,
            deadline=today + dt.timedelta(days=200),
        ),
    )
    plan_approve(actor=org.users["leader"], plan=plan)
    plan_issue(actor=sup, plan=plan, today=today - dt.timedelta(days=40))
    refresh_lights(Task.objects.filter(plan=plan), today=today)
    late.refresh_from_db()
    assert late.light == Task.Light.RED
    return late


def test_a_red_task_appears_on_the_dashboard(page: Any, org: Any) -> None:
    late = _plan_with_a_red_task(org)
    login(page, "leader", PASSWORD)

    page.click("nav a[href='/dashboard/']")
    page.wait_for_selector("#overdue-list")
    row = page.locator("#overdue-list tbody tr", has_text="编制侨情调查报告")
    assert row.count() == 1
    assert row.locator(".ls-light-red").count() == 1  # a dot with a word, not colour alone
    assert page.locator("[data-dash-light=red] .fs-4").inner_text().strip() == "1"

    # ECharts drew every chart on a canvas (no chart fell back to "no tasks").
    for chart in ("#chart-by-unit", "#chart-by-leader", "#chart-by-key-point", "#chart-trend"):
        page.wait_for_selector(f"{chart} canvas")
    # issue 15 finding 8: screen readers get the server's text in the page's language (not
    # ECharts' own description, which may read "NaN").
    island = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")
    for chart in ("chart-by-unit", "chart-by-leader", "chart-by-key-point", "chart-trend"):
        label = page.get_attribute(f"#{chart}", "aria-label")
        assert label == island["descriptions"][chart], (chart, label)
        assert "NaN" not in label
    # A tooltip on hover draws on the canvas too: still no CSP violation.
    box = page.locator("#chart-by-unit canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)

    # The office's bar and table row lead to the office's dashboard, which lists the task too.
    page.click("#unit-table >> text=办公室")
    page.wait_for_url(f"**/dashboard/unit/{org.office.pk}/**")
    page.wait_for_selector("#chart-by-unit canvas")
    page.click("#overdue-list >> text=编制侨情调查报告")
    page.wait_for_url(f"**/tasks/{late.pk}/")
    assert not page.console_errors, page.console_errors
