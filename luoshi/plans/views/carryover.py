"""The page action that carries a task into a later plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError

from .. import permissions as perms
from ..forms.carryover import CarryOverForm
from ..services import carryover as carryover_services
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)
from .tasks import _later_plans


@login_required
@require_POST
def task_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    perms.require(perms.can_manage_plans(request.user))
    form = CarryOverForm(request.POST, plans=_later_plans(request.user, task))
    if form.is_valid():
        try:
            new = carryover_services.task_carry_over(
                actor=request.user,
                task=task,
                to_plan=form.cleaned_data["plan"],
                deadline=form.cleaned_data["deadline"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The task was carried into the next plan."))
            return redirect("plans:task", pk=new.pk)
    else:
        messages.error(request, _("Choose a later draft plan."))
    return redirect("plans:task", pk=task.pk)
