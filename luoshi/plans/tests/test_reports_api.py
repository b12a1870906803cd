"""Reports in the API against the task's facts (issue 15 finding 3): the same refusals as the
page, from the same service."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from luoshi.plans.models import Task

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
API = "/api/v1"
CLOCK = "2026-07-10 10:00 +08:00"


@time_machine.travel(CLOCK, tick=False)
def test_a_negative_actual_is_refused_in_the_api(org, plan, token_for) -> None:
    """issue 15 finding 3: a report set an indicator's actual to −5."""
    task = scene(org, plan)
    indicator = task.indicators.get()
    response = Client().post(
        f"{API}/tasks/{task.pk}/reports",
        {"text": "开展集体学习", "percent": 60, "indicators": [{"id": indicator.pk, "value": -5}]},
        content_type="application/json",
        **token_for("head"),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "指标“集体学习”的实际值不能为负数（填报的是 -5）。"
    assert body["details"] == [{"field": f"indicator_{indicator.pk}", "message": body["message"]}]
    indicator.refresh_from_db()
    assert indicator.actual == 3


@time_machine.travel(CLOCK, tick=False)
def test_a_drop_in_progress_needs_its_reason_in_the_api(org, plan, token_for) -> None:
    """issue 15 finding 3: progress fell from 55 % to 40 % with no warning."""
    task = scene(org, plan)
    client, head = Client(), token_for("head")
    url = f"{API}/tasks/{task.pk}/reports"
    refused = client.post(
        url, {"text": "计划重新起草", "percent": 40}, content_type="application/json", **head
    )
    assert refused.status_code == 422
    assert refused.json()["message"] == "进度由上次报告的 55% 降为 40%，请说明下降原因。"
    assert Task.objects.get(pk=task.pk).progress == 55
    accepted = client.post(
        url,
        {"text": "计划重新起草", "percent": 40, "drop_reason": "上级要求调整学习内容"},
        content_type="application/json",
        **head,
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["progress_drop_reason"] == "上级要求调整学习内容"
    assert Task.objects.get(pk=task.pk).progress == 40
