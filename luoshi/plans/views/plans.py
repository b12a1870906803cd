"""Pages of work plans: the list, creating one, a plan's page (approve, issue)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core.errors import DomainError
from luoshi.core.forms import submit_form
from luoshi.core.paging import paginate
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import require_business_scope

from .. import permissions as perms
from ..forms.plans import PlanForm
from ..models import Task
from ..permissions import plans_visible, tasks_visible
from ..selectors.plans import plan_outline
from ..services import plans as plan_services
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    plans = (
        plans_visible(request.user)
        .annotate(
            task_count=Count("tasks"),
            red=Count("tasks", filter=Q(tasks__light=Task.Light.RED)),
            yellow=Count("tasks", filter=Q(tasks__light=Task.Light.YELLOW)),
            done=Count("tasks", filter=Q(tasks__status=Task.Status.COMPLETED)),
        )
        .order_by("-year", "agency__path")
    )
    return render(
        request,
        "plans/plan_list.html",
        {
            "page_obj": paginate(request, plans),
            "can_manage": perms.can_manage_plans(request.user),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    perms.require(perms.can_manage_plans(request.user))
    agencies = org_selectors.units_visible(request.user).filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL]
    )
    form = PlanForm(
        request.POST or None, agencies=agencies, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST":
        ok, plan = submit_form(
            request,
            form,
            lambda d: plan_services.plan_create(actor=request.user, **d),
            _("The plan was created."),
        )
        if ok:
            return redirect("plans:plan", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = perms.access_plan(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                perms.require(perms.can_approve_plans(request.user))
                plan_services.plan_approve(
                    actor=request.user, plan=plan, version=int(request.POST.get("version") or 0)
                )
                messages.success(request, _("The plan was approved."))
            elif action == "issue":
                perms.require(perms.can_manage_plans(request.user))
                plan_services.plan_issue(
                    actor=request.user, plan=plan, version=int(request.POST.get("version") or 0)
                )
                messages.success(request, _("The plan was issued; its tasks have started."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("plans:plan", pk=plan.pk)
    tasks = Task.objects.select_related("lead_unit").filter(plan=plan)
    visible = set(tasks_visible(request.user).filter(plan=plan).values_list("pk", flat=True))
    counts = {
        row["light"]: row["n"] for row in tasks.values("light").annotate(n=Count("id")).order_by()
    }
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "outline": plan_outline(plan, tasks),
            "visible": visible,
            "counts": counts,
            "total": sum(counts.values()),
            "can_manage": perms.can_manage_plans(request.user),
            "can_approve": perms.can_approve_plans(request.user),
        },
    )
