"""The close-out in the API: request completion, verify. The caller is refused with the same
checks as the pages (permissions.is_lead_member, permissions.is_verifier), before the task's state
is looked at; the state is the service's (422 with its message, as on the page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from luoshi.core.apitypes import Text, error_responses

from .. import permissions as perms
from ..services.closeout import GAP_KINDS, closeout_readiness, completion_request, completion_verify
from .tasks import Id, TaskOut, _scoped_user

router = Router(tags=["plans"])


class CompletionIn(Schema):
    note: Text = Field(..., min_length=1, max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="The version you read")


@router.post(
    "/tasks/{task_id}/completion-request",
    response=TaskOut,
    openapi_extra=error_responses(
        {403: "Only the lead unit requests close-out.", 409: "The task changed since you read it."}
    ),
)
def request_completion(request: HttpRequest, task_id: Id, payload: CompletionIn) -> Any:
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    perms.require(perms.is_lead_member(user, task))
    return completion_request(actor=user, task=task, note=payload.note, version=payload.version)


class GapOut(Schema):
    kind: str = Field(..., description="One of: " + ", ".join(GAP_KINDS))
    message: str
    milestone: int | None = Field(None, description="The milestone not done")
    indicator: int | None = Field(None, description="The indicator short of its target")
    due_date: dt.date | None = None


class ReadinessOut(Schema):
    """What stands against closing the task out: milestones not done (overdue first) and
    indicators short of their target or with no actual value. Verifying the task as done is
    refused while `ready` is false, unless the verifier sends `override` with a reason."""

    ready: bool
    day: dt.date
    summary: str
    gaps: list[GapOut]


@router.get("/tasks/{task_id}/closeout-readiness", response=ReadinessOut)
def closeout_readiness_of_task(request: HttpRequest, task_id: Id) -> Any:
    """The close-out readiness of a task the caller sees (as the task page shows it)."""
    user = _scoped_user(request)
    return closeout_readiness(perms.access_task(user, task_id))


class VerifyIn(Schema):
    accept: bool
    reason: Text = Field("", max_length=5000)
    override: bool = Field(
        False,
        description="Close the task out although it is not ready (see closeout-readiness); "
        "needs a reason, recorded in its history and the audit log",
    )
    version: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post(
    "/tasks/{task_id}/verify",
    response=TaskOut,
    openapi_extra=error_responses(
        {403: "Only a supervisor in scope verifies.", 409: "The task changed since you read it."}
    ),
)
def verify_completion(request: HttpRequest, task_id: Id, payload: VerifyIn) -> Any:
    """Close the task out, or return it to the lead unit with a reason."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    perms.require(perms.is_verifier(user, task))
    return completion_verify(
        actor=user,
        task=task,
        accept=payload.accept,
        reason=payload.reason,
        override=payload.override,
        version=payload.version,
    )
