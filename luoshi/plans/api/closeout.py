"""The close-out in the API: request completion, verify. The caller is refused with the same
checks as the pages (permissions.is_lead_member, permissions.is_verifier), before the task's state
is looked at; the state is the service's (422 with its message, as on the page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from luoshi.core.apitypes import Text, error_responses

from .. import permissions as perms
from ..services.closeout import completion_request, completion_verify
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


class VerifyIn(Schema):
    accept: bool
    reason: Text = Field("", max_length=5000)
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
        actor=user, task=task, accept=payload.accept, reason=payload.reason, version=payload.version
    )
