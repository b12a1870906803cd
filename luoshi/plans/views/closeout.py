"""Page actions of the close-out: request completion, verify."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.forms import submit_form

from .. import permissions as perms
from ..forms.closeout import NoteForm, VerifyForm
from ..services.closeout import completion_request, completion_verify
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)
from .tasks import _rerender


@login_required
@require_POST
def task_completion(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.can_request_completion(request.user, task))
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
    return _rerender(request, task, completion_form=form)


@login_required
@require_POST
def task_verify(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.can_verify(request.user, task))
    form = VerifyForm(request.POST)
    ok, _task = submit_form(
        request,
        form,
        lambda d: completion_verify(
            actor=request.user,
            task=task,
            accept=d["decision"] == "accept",
            reason=d["reason"],
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
    return _rerender(request, task, verify_form=form)
