"""The report form against the task's facts (issue 15 finding 3): it shows the progress last
reported and a field for the reason of a drop, keeps indicator inputs at zero or above where the
indicator declares no negative values, and shows the service's refusals in Chinese."""

from __future__ import annotations

import html

import pytest
import time_machine

from luoshi.plans.models import Task

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
CLOCK = "2026-07-10 10:00 +08:00"


@time_machine.travel(CLOCK, tick=False)
def test_the_report_form_shows_the_last_progress_a_reason_field_and_min_zero(
    org, plan, client_for
) -> None:
    """issue 15 finding 3: the inputs had no minimum and the form said nothing of a drop."""
    task = scene(org, plan)
    indicator = task.indicators.get()
    page = client_for("head").get(f"/tasks/{task.pk}/").content.decode()
    field = page.split(f'name="indicator_{indicator.pk}"')[1].split(">")[0]
    assert 'min="0"' in field
    assert "上次报告：55%" in page
    assert 'name="drop_reason"' in page and "进度下降原因" in page
    # a cooperating unit reports no overall progress: no reason to give
    staff = client_for("staff").get(f"/tasks/{task.pk}/").content.decode()
    assert 'name="drop_reason"' not in staff


@time_machine.travel(CLOCK, tick=False)
def test_a_negative_actual_is_refused_on_the_page(org, plan, client_for) -> None:
    """issue 15 finding 3: a report set an indicator's actual to −5."""
    task = scene(org, plan)
    indicator = task.indicators.get()
    response = client_for("head").post(
        f"/tasks/{task.pk}/report/",
        {"text": "开展集体学习", "percent": 60, f"indicator_{indicator.pk}": "-5"},
    )
    assert response.status_code == 422
    text = html.unescape(response.content.decode())
    assert "指标“集体学习”的实际值不能为负数（填报的是 -5）。" in text
    indicator.refresh_from_db()
    assert indicator.actual == 3 and Task.objects.get(pk=task.pk).progress == 55
    assert task.reports.count() == 1


@time_machine.travel(CLOCK, tick=False)
def test_a_drop_in_progress_asks_for_its_reason_on_the_page(org, plan, client_for) -> None:
    """issue 15 finding 3: progress fell from 55 % to 40 % with no warning."""
    task = scene(org, plan)
    head = client_for("head")
    refused = head.post(f"/tasks/{task.pk}/report/", {"text": "计划重新起草", "percent": 40})
    assert refused.status_code == 422
    assert "进度由上次报告的 55% 降为 40%，请说明下降原因。" in html.unescape(
        refused.content.decode()
    )
    assert Task.objects.get(pk=task.pk).progress == 55
    accepted = head.post(
        f"/tasks/{task.pk}/report/",
        {"text": "计划重新起草", "percent": 40, "drop_reason": "上级要求调整学习内容"},
    )
    assert accepted.status_code == 302
    assert Task.objects.get(pk=task.pk).progress == 40
    page = html.unescape(head.get(f"/tasks/{task.pk}/").content.decode())
    assert "进度下降原因：上级要求调整学习内容" in page  # on the report
    assert "进度由 55% 降为 40%，原因：上级要求调整学习内容" in page  # in the history
