"""The close-out in the API against the task's facts (issue 15 finding 3): the readiness
endpoint, the refusal of a task that is not ready and the override with its reason — the same
service as the page."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from luoshi.core.models import AuditEntry
from luoshi.plans.models import Task
from luoshi.plans.services.closeout import completion_request

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
API = "/api/v1"
CLOCK = "2026-07-10 10:00 +08:00"


@time_machine.travel(CLOCK, tick=False)
def test_the_readiness_endpoint_names_what_stands_against_the_close_out(
    org, plan, token_for
) -> None:
    """issue 15 finding 3: the readiness is in the API, for those who see the task."""
    task = scene(org, plan)
    client = Client()
    url = f"{API}/tasks/{task.pk}/closeout-readiness"
    body = client.get(url, **token_for("supervisor")).json()
    assert body["ready"] is False and body["day"] == "2026-07-10"
    assert body["summary"] == "2 个节点未完成（其中逾期 2 个）；1 项指标未达到目标"
    assert [(g["kind"], g["due_date"]) for g in body["gaps"]] == [
        ("milestone_overdue", "2026-03-31"),
        ("milestone_overdue", "2026-06-30"),
        ("indicator_short", None),
    ]
    assert body["gaps"][2]["indicator"] == task.indicators.get().pk
    assert body["gaps"][2]["message"] == "指标“集体学习”实际为 3次，未达到目标 12次。"
    assert client.get(url, **token_for("outsider")).status_code == 404


@time_machine.travel(CLOCK, tick=False)
def test_verify_is_refused_in_the_api_unless_overridden_with_a_reason(org, plan, token_for) -> None:
    """issue 15 finding 3: verified as done with two milestones red and the indicator short."""
    task = scene(org, plan)
    completion_request(actor=org.users["head"], task=task, note="学习计划已完成")
    client, supervisor = Client(), token_for("supervisor")
    url = f"{API}/tasks/{task.pk}/verify"
    refused = client.post(url, {"accept": True}, content_type="application/json", **supervisor)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "not_ready" and body["message"].startswith("该任务尚不具备销号条件")
    assert [d["kind"] for d in body["details"]] == [
        "milestone_overdue",
        "milestone_overdue",
        "indicator_short",
    ]
    no_reason = client.post(
        url, {"accept": True, "override": True}, content_type="application/json", **supervisor
    )
    assert no_reason.status_code == 422
    assert Task.objects.get(pk=task.pk).status == "completion_requested"
    done = client.post(
        url,
        {"accept": True, "override": True, "reason": "学习内容已并入全会精神学习"},
        content_type="application/json",
        **supervisor,
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    entry = AuditEntry.objects.get(action="task.completion_override", object_id=str(task.pk))
    assert (entry.after or {})["reason"] == "学习内容已并入全会精神学习"
    event = Task.objects.get(pk=task.pk).events.get(kind="completion_accepted")
    assert (event.after or {})["override"] is True
