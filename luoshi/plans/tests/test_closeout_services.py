"""The close-out against the facts (issue 15 finding 3): the readiness check names the
milestones not done and the indicators short of their target; verification as done is refused
while it names anything, unless the verifier records an override with a reason."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator

import pytest
from django.utils import translation

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.plans.models import Indicator, Task
from luoshi.plans.services.closeout import (
    closeout_readiness,
    completion_request,
    completion_verify,
)

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def requested(org, plan) -> Task:
    task = scene(org, plan)
    completion_request(actor=org.users["head"], task=task, note="学习计划已完成")
    return Task.objects.get(pk=task.pk)


def test_readiness_names_milestones_not_done_and_indicators_short(org, plan) -> None:
    task = scene(org, plan)
    early = closeout_readiness(task, today=D(2026, 5, 1))
    assert [(g.kind, g.name) for g in early.gaps] == [
        ("milestone_overdue", "印发计划"),
        ("milestone_open", "组织集体学习"),
        ("indicator_short", "集体学习"),
    ]
    assert [g.message for g in early.gaps] == [
        "Milestone “印发计划” was due on 2026-03-31 and is not done.",
        "Milestone “组织集体学习” (due 2026-06-30) is not done.",
        "Indicator “集体学习” is at 3次, short of its target of 12次.",
    ]
    assert early.summary == ("2 milestones not done (1 overdue); 1 indicator short of its target")
    late = closeout_readiness(task, today=D(2026, 7, 10))
    assert [g.kind for g in late.gaps] == [
        "milestone_overdue",
        "milestone_overdue",
        "indicator_short",
    ]
    # an indicator never reported counts; one where lower is better is short above its target
    Indicator.objects.create(
        task=task, name="投诉件数", target=decimal.Decimal(2), actual=5, direction="lower"
    )
    Indicator.objects.create(task=task, name="调研报告", target=decimal.Decimal(3), unit="篇")
    kinds = {g.name: g.kind for g in closeout_readiness(task, today=D(2026, 7, 10)).gaps}
    assert kinds["投诉件数"] == "indicator_short" and kinds["调研报告"] == "indicator_unreported"
    # all done, all reached: ready
    task.milestones.update(done_on=D(2026, 3, 30), evidence="已印发")
    task.indicators.update(actual=12)
    Indicator.objects.filter(name="投诉件数").update(actual=1)
    assert closeout_readiness(task, today=D(2026, 7, 10)).ready


def test_verify_as_done_is_refused_with_red_milestones_and_an_indicator_under_target(
    org, plan
) -> None:
    """issue 15 finding 3: the supervisor verified the task as done — 100 %, with two milestones
    still red and the indicator short of its target."""
    task = requested(org, plan)
    with pytest.raises(InvalidInput) as info:
        completion_verify(
            actor=org.users["supervisor"], task=task, accept=True, today=D(2026, 7, 10)
        )
    assert info.value.code == "not_ready"
    assert str(info.value.message).startswith(
        "The task is not ready to be closed out: 2 milestones not done (2 overdue); "
        "1 indicator short of its target."
    )
    assert [(d["field"], d["kind"]) for d in info.value.details] == [
        ("override", "milestone_overdue"),
        ("override", "milestone_overdue"),
        ("override", "indicator_short"),
    ]
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_on) == ("completion_requested", 55, None)
    assert (
        not AuditEntry.objects.filter(action__startswith="task.completion_")
        .exclude(action="task.completion_request")
        .exists()
    )
    # an override needs its reason
    with pytest.raises(InvalidInput) as info:
        completion_verify(
            actor=org.users["supervisor"],
            task=task,
            accept=True,
            override=True,
            today=D(2026, 7, 10),
        )
    assert info.value.details[0]["field"] == "reason"
    assert Task.objects.get(pk=task.pk).status == "completion_requested"
    # returning it needs no readiness
    completion_verify(
        actor=org.users["supervisor"], task=task, accept=False, reason="请补充节点完成情况"
    )
    assert Task.objects.get(pk=task.pk).status == "in_progress"


def test_an_override_with_a_reason_closes_out_and_is_audited_and_in_the_history(org, plan) -> None:
    """issue 15 finding 3: the verifier may close out a task that is not ready only by
    recording an override with its reason; what was outstanding is kept."""
    task = requested(org, plan)
    completion_verify(
        actor=org.users["supervisor"],
        task=task,
        accept=True,
        override=True,
        reason="学习内容已并入全会精神学习，节点不再单独考核",
        today=D(2026, 7, 10),
    )
    task.refresh_from_db()
    assert (task.status, task.completed_on) == ("completed", D(2026, 7, 10))
    event = task.events.get(kind="completion_accepted")
    history = event.after or {}
    assert event.note == "学习内容已并入全会精神学习，节点不再单独考核"
    assert history["override"] is True
    assert [g["kind"] for g in history["gaps"]] == [
        "milestone_overdue",
        "milestone_overdue",
        "indicator_short",
    ]
    entry = AuditEntry.objects.get(action="task.completion_override", object_id=str(task.pk))
    audited = entry.after or {}
    assert audited["reason"] == "学习内容已并入全会精神学习，节点不再单独考核"
    assert {g["name"] for g in audited["gaps"]} == {"印发计划", "组织集体学习", "集体学习"}
    assert not AuditEntry.objects.filter(action="task.completion_verify").exists()


def test_a_ready_task_closes_out_without_an_override(org, plan) -> None:
    task = scene(org, plan)
    task.milestones.update(done_on=D(2026, 3, 30), evidence="已印发")
    task.indicators.update(actual=12)
    completion_request(actor=org.users["head"], task=task, note="完成")
    completion_verify(
        actor=org.users["supervisor"],
        task=Task.objects.get(pk=task.pk),
        accept=True,
        override=True,  # nothing to override: not recorded as one
        today=D(2026, 7, 10),
    )
    task.refresh_from_db()
    assert task.status == "completed" and task.events.get(kind="completion_accepted").after is None
    assert AuditEntry.objects.filter(action="task.completion_verify").count() == 1
