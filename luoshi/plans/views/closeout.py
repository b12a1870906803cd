"""Page actions of the close-out: request completion, verify.

Each refuses the caller with the same check as the API (permissions.is_lead_member,
permissions.is_verifier) and leaves the task's state to the service, whose refusal is shown on the
re-rendered task page (status 422, as the API answers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.forms import submit_form

from .. import permissions as perms
from ..forms.closeout import NoteForm, VerifyForm
from ..services.closeout import closeout_readiness, completion_request, completion_verify
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)
from .tasks import _rerender


def _show_refusal(request: HttpRequest, form: Any, offered: bool) -> None:
    """A form the page no longer offers (the task left the state it needs) is not drawn: its
    errors are shown as messages instead."""
    if not offered:
        for error in form.non_field_errors():
            messages.error(request, error)


@login_required
@require_POST
def task_completion(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.is_lead_member(request.user, task))
    form = NoteForm(request.POST)
    ok, _task = submit_form(
        request,
        form,
        lambda d: completion_request(
            actor=request.user, task=task, note=d["note"], version=d["version"]
        ),
        _("Completion was requested; the office will verify it."),
    )
    if ok:
        return redirect("plans:task", pk=task.pk)
    _show_refusal(request, form, perms.can_request_completion(request.user, task))
    return _rerender(request, task, completion_form=form)


@login_required
@require_POST
def task_verify(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.is_verifier(request.user, task))
    form = VerifyForm(request.POST, ready=closeout_readiness(task).ready)
    ok, _task = submit_form(
        request,
        form,
        lambda d: completion_verify(
            actor=request.user,
            task=task,
            accept=d["decision"] == "accept",
            reason=d["reason"],
            override=bool(d.get("override")),
            version=d["version"],
        ),
        lambda d: (
            _("The task was closed out.")
            if d["decision"] == "accept"
            else _("The task was returned to the lead unit.")
        ),
    )
    if ok:
        return redirect("plans:task", pk=task.pk)
    _show_refusal(request, form, perms.can_verify(request.user, task))
    return _rerender(request, task, verify_form=form)
