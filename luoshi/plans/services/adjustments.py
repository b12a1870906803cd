"""Adjustments of issued tasks: the request and the decision (approved changes applied)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import InvalidInput
from luoshi.core.versioning import save_versioned as _save_versioned
from luoshi.orgs.models import OrgUnit, Person

from ..models import (
    AdjustmentRequest,
    Task,
    TaskEvent,
)
from .history import _event
from .roadmap import (
    ROADMAP_FIELDS,
    _check_roadmap,
)
from .tasks import EDITABLE_FIELDS, _apply_changes, check_deadline


def _serialise_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: audit._plain(v) for k, v in changes.items()}


# Milestones and indicators change after issue through an adjustment too. An adjustment's
# `changes` holds them as lists of operations, plain JSON, with what each changed or removed
# item was (for the approver's diff and the task's history):
#   "milestones": [{"op": "add", "title", "due_date"},
#                  {"op": "change", "id", "title", "due_date", "was": {"title", "due_date"}},
#                  {"op": "remove", "id", "was": {...}}]
#   "indicators": [{"op": "add", "name", "unit", "target", "direction"}, change, remove alike]


@transaction.atomic
def adjustment_request(
    *, actor: Any, task: Task, reason: str, changes: dict[str, Any]
) -> AdjustmentRequest:
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the adjustment."))
    unknown = set(changes) - EDITABLE_FIELDS - ROADMAP_FIELDS
    if unknown or not changes:
        raise InvalidInput(_("Propose at least one change to the task."))
    changes = _check_roadmap(task, changes)
    if not changes:
        raise InvalidInput(_("Propose at least one change to the task."))
    if "deadline" in changes:  # not before the task started, nor before a milestone it keeps
        check_deadline(task, changes["deadline"], changes.get("milestones") or ())
    if task.status != Task.Status.IN_PROGRESS:
        raise InvalidInput(_("Only a task in progress can be adjusted."))
    request = AdjustmentRequest.objects.create(
        task=task, requested_by=actor, reason=reason.strip(), changes=_serialise_changes(changes)
    )
    task.status = Task.Status.ADJUSTMENT_REQUESTED
    _save_versioned(task, ["status"])
    _event(
        task, TaskEvent.Kind.ADJUSTMENT_REQUESTED, actor, after=request.changes, note=request.reason
    )
    audit.record("task.adjustment_request", actor=actor, obj=task, after=request.changes)
    return request


def _revive(field_name: str, value: Any) -> Any:
    """A stored (JSON) change back into a value for the task's field."""
    if value is None:
        return None
    if field_name == "deadline":
        return dt.date.fromisoformat(value)
    if field_name == "lead_unit":
        return OrgUnit.objects.get(pk=value)
    if field_name in {"leader_in_charge", "responsible_person"}:
        return Person.objects.get(pk=value)
    return value


@transaction.atomic
def adjustment_decide(
    *,
    actor: Any,
    adjustment: AdjustmentRequest,
    approve: bool,
    note: str = "",
    today: dt.date | None = None,
) -> AdjustmentRequest:
    if adjustment.status != AdjustmentRequest.Status.PENDING:
        raise InvalidInput(_("This adjustment was already decided."))
    if not approve and not note.strip():
        raise InvalidInput(_("Give the reason for rejecting the adjustment."))
    task = adjustment.task
    adjustment.status = (
        AdjustmentRequest.Status.APPROVED if approve else AdjustmentRequest.Status.REJECTED
    )
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.decision_note = note.strip()
    adjustment.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    task.status = Task.Status.IN_PROGRESS
    _save_versioned(task, ["status"])
    if approve:
        changes = {k: _revive(k, v) for k, v in adjustment.changes.items()}
        _apply_changes(
            actor=actor,
            task=task,
            changes=changes,
            today=today,
            note=adjustment.reason,
            kind=TaskEvent.Kind.ADJUSTMENT_APPROVED,
        )
    else:
        _event(task, TaskEvent.Kind.ADJUSTMENT_REJECTED, actor, note=adjustment.decision_note)
    audit.record(
        "task.adjustment_decide",
        actor=actor,
        obj=task,
        after={"approved": approve, "note": adjustment.decision_note},
    )
    return adjustment
