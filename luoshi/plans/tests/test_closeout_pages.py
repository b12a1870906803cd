"""The close-out pages against the task's facts (issue 15 finding 3): the readiness check beside
the completion request and the verification, the refusal of a task that is not ready, and the
override with its reason, shown in the task's history."""

from __future__ import annotations

import html

import pytest
import time_machine

from luoshi.core.models import AuditEntry
from luoshi.plans.models import Task
from luoshi.plans.services.closeout import completion_request

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
CLOCK = "2026-07-10 10:00 +08:00"

GAPS = [
    "节点“印发计划”应于 2026-03-31 完成，已逾期未完成。",
    "节点“组织集体学习”应于 2026-06-30 完成，已逾期未完成。",
    "指标“集体学习”实际为 3次，未达到目标 12次。",
]


def _requested(org, plan) -> Task:
    task = scene(org, plan)
    completion_request(actor=org.users["head"], task=task, note="学习计划已完成")
    return Task.objects.get(pk=task.pk)


def _text(response) -> str:
    return html.unescape(response.content.decode())


@time_machine.travel(CLOCK, tick=False)
def test_the_readiness_is_shown_to_the_lead_unit_and_to_the_verifier(org, plan, client_for) -> None:
    """issue 15 finding 3: close-out showed nothing of the milestones still red or of the
    indicator under its target."""
    task = scene(org, plan)
    request_page = _text(client_for("head").get(f"/tasks/{task.pk}/"))
    assert "尚不具备销号条件：2 个节点未完成（其中逾期 2 个）；1 项指标未达到目标。" in request_page
    assert all(gap in request_page for gap in GAPS)
    completion_request(actor=org.users["head"], task=task, note="学习计划已完成")
    verify_page = _text(client_for("supervisor").get(f"/tasks/{task.pk}/"))
    assert 'data-ready="0"' in verify_page and all(gap in verify_page for gap in GAPS)
    assert 'name="override"' in verify_page  # the override is offered, unticked
    assert 'name="override" checked' not in verify_page


@time_machine.travel(CLOCK, tick=False)
def test_verify_as_done_is_refused_on_the_page_while_not_ready(org, plan, client_for) -> None:
    """issue 15 finding 3: the supervisor verified the task as done with two milestones red and
    the indicator short of its target."""
    task = _requested(org, plan)
    response = client_for("supervisor").post(
        f"/tasks/{task.pk}/verify/", {"decision": "accept", "version": task.version}
    )
    assert response.status_code == 422
    assert "该任务尚不具备销号条件" in _text(response)
    task.refresh_from_db()
    assert (task.status, task.progress) == ("completion_requested", 55)
    # the override without a reason is refused too
    response = client_for("supervisor").post(
        f"/tasks/{task.pk}/verify/",
        {"decision": "accept", "override": "on", "reason": "", "version": task.version},
    )
    assert response.status_code == 422
    assert "请填写在不具备销号条件的情况下仍予销号的理由。" in _text(response)
    assert Task.objects.get(pk=task.pk).status == "completion_requested"


@time_machine.travel(CLOCK, tick=False)
def test_an_override_with_its_reason_closes_out_and_shows_in_the_history(
    org, plan, client_for
) -> None:
    """issue 15 finding 3: a close-out of a task that is not ready is the verifier's recorded
    decision, with its reason and what was outstanding."""
    task = _requested(org, plan)
    supervisor = client_for("supervisor")
    response = supervisor.post(
        f"/tasks/{task.pk}/verify/",
        {
            "decision": "accept",
            "override": "on",
            "reason": "学习内容已并入全会精神学习",
            "version": task.version,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "completed"
    assert AuditEntry.objects.filter(
        action="task.completion_override", object_id=str(task.pk)
    ).exists()
    page = _text(supervisor.get(f"/tasks/{task.pk}/"))
    history = page.split("历史沿革")[-1]
    assert "学习内容已并入全会精神学习" in history
    assert "不具备销号条件仍予销号，当时尚未完成的事项：" in history
    assert all(gap in history for gap in GAPS)
