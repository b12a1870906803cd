"""The close-out (销号): the lead unit's completion request and the supervisor's verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import check_version as _check_version
from luoshi.core.versioning import save_versioned as _save_versioned

from .. import rollup
from ..models import (
    Task,
    TaskEvent,
)
from .history import _event
from .lights import refresh_lights


@transaction.atomic
def completion_request(*, actor: Any, task: Task, note: str, version: int | None = None) -> Task:
    _check_version(task, version)
    if task.status != Task.Status.IN_PROGRESS:
        raise InvalidInput(_("Only a task in progress can be reported complete."))
    if not note.strip():
        raise InvalidInput(
            details=[
                {"field": "note", "message": _("Describe what was achieved and the evidence.")}
            ]
        )
    task.status, task.completion_note = Task.Status.COMPLETION_REQUESTED, note.strip()
    task.completion_requested_at = timezone.now()
    _save_versioned(task, ["status", "completion_note", "completion_requested_at"])
    _event(task, TaskEvent.Kind.COMPLETION_REQUESTED, actor, note=task.completion_note)
    audit.record(
        "task.completion_request",
        actor=actor,
        obj=task,
        after={"status": task.status, "note": task.completion_note},
    )
    rollup.refresh([rollup.group_of(task)])
    return task


@transaction.atomic
def completion_verify(
    *,
    actor: Any,
    task: Task,
    accept: bool,
    reason: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> Task:
    """Close the task out (销号) after verification, or return it with a reason."""
    _check_version(task, version)
    if task.status != Task.Status.COMPLETION_REQUESTED:
        raise InvalidInput(_("This task is not waiting for verification."))
    if not accept and not reason.strip():
        raise InvalidInput(
            details=[{"field": "reason", "message": _("Give the reason for returning the task.")}]
        )
    day = today or timezone.localdate()
    if accept:
        task.status, task.completed_on, task.progress = Task.Status.COMPLETED, day, 100
        _save_versioned(task, ["status", "completed_on", "progress"])
        _event(task, TaskEvent.Kind.COMPLETION_ACCEPTED, actor, note=reason.strip())
    else:
        task.status = Task.Status.IN_PROGRESS
        _save_versioned(task, ["status"])
        _event(task, TaskEvent.Kind.COMPLETION_RETURNED, actor, note=reason.strip())
    audit.record(
        "task.completion_verify",
        actor=actor,
        obj=task,
        after={"accepted": accept, "reason": reason.strip()},
    )
    refresh_lights(Task.objects.filter(pk=task.pk), today=day)
    rollup.refresh([rollup.group_of(task)])
    return task
