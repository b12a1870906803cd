"""Pages of adjustments: propose changes to an issued task; decide them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import submit_form
from luoshi.orgs import selectors as org_selectors

from .. import permissions as perms
from ..forms.adjustments import AdjustForm, DecideForm
from ..models import AdjustmentRequest, Task
from ..services import adjustments as adjustment_services
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)


def _adjust_form(request: HttpRequest, task: Task) -> AdjustForm:
    people = org_selectors.people_visible(request.user).filter(
        unit__path__startswith=task.lead_unit.path, is_active=True
    )
    return AdjustForm(
        request.POST if request.method == "POST" else None,
        people=people,
        milestones=list(task.milestones.all()),
        indicators=list(task.indicators.all()),
    )


@login_required
def task_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead unit proposes a new deadline or responsible person, and changes to the
    milestones and indicators; a supervisor or the leader in charge decides."""
    task = perms.access_task(request.user, pk)
    perms.require(perms.can_request_adjustment(request.user, task))
    form = _adjust_form(request, task)

    def request_adjustment(d: dict[str, Any]) -> AdjustmentRequest:
        changes: dict[str, Any] = {}
        if d["deadline"] and d["deadline"] != task.deadline:
            changes["deadline"] = d["deadline"]
        if d["responsible_person"] and d["responsible_person"] != task.responsible_person:
            changes["responsible_person"] = d["responsible_person"]
        changes.update(form.roadmap_changes())
        return adjustment_services.adjustment_request(
            actor=request.user, task=task, reason=d["reason"], changes=changes
        )

    if request.method == "POST":
        ok, _adjustment = submit_form(
            request, form, request_adjustment, _("The adjustment was requested.")
        )
        if ok:
            return redirect("plans:task", pk=task.pk)
    return render(
        request,
        "plans/task_adjust.html",
        {"task": task, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = AdjustmentRequest.objects.filter(pk=pk).select_related("task").first()
    if adjustment is None:
        raise NotFound()
    task = perms.access_task(request.user, adjustment.task_id)
    perms.require(perms.can_decide_adjustment(request.user, task))
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            adjustment_services.adjustment_decide(
                actor=request.user,
                adjustment=adjustment,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The adjustment was decided."))
    return redirect("plans:task", pk=task.pk)
