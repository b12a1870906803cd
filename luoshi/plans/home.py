"""The plans' part of the home page: this year's plan at a glance (a card) and what waits for
the user (rows of core.home's "waiting for you")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.core.cache import fingerprint, remember
from luoshi.core.home import HomeCard, Todo
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import permissions as perms
from .models import Task, WorkPlan
from .selectors import dashboard as dash
from .selectors.adjustments import adjustments_to_decide
from .selectors.closeout import tasks_to_verify
from .selectors.reports import owed_report_ids

_DONE = (Task.Status.COMPLETED, Task.Status.CANCELLED)


@dataclass(frozen=True)
class _Waiting:
    to_report: int
    to_verify: int


def _waiting(user: Any) -> _Waiting:
    """The two counts the card and the rows share, computed once per request (kept on the user
    object, which lives as long as the request)."""
    cached = getattr(user, "_luoshi_plans_waiting", None)
    if cached is None:
        cached = _Waiting(
            to_report=len(owed_report_ids(user, timezone.localdate())),
            to_verify=tasks_to_verify(user).count(),
        )
        user._luoshi_plans_waiting = cached
    return cached


def open_red_count(user: Any) -> int:
    """How many open red tasks the user sees (the ledger's ?light=red count): one statement per
    way a task is visible, each on an index (permissions.visible_task_ids; as one OR it read
    every red task of the country), kept in the shared cache while no task, plan or org data
    has changed (the dashboards' pattern: the "tasks" and "org" generations)."""
    condition = Q(light=Task.Light.RED) & ~Q(status__in=_DONE)

    def count() -> int:
        ids = perms.visible_task_ids(user, condition)
        if ids is None:
            return Task.objects.filter(condition).order_by().count()
        return ids.count()

    key = fingerprint("open-red", scope_for(user), getattr(user, "person_id", None))
    return remember(f"plans-home:{key}", ("tasks", "org"), count, shared_only=True)


def home_card(user: Any) -> HomeCard | None:
    """The lights of the latest plan in the viewer's scope (from the dashboard's cache), the
    tasks whose report for this period the user's unit still owes, and the close-outs waiting
    for the user's verification; a fixed number of statements. None for a user without a plan
    in their scope (an empty card is not offered)."""
    if scope_for(user).is_empty:
        return None
    plan = dash.default_plan(user)
    if plan is None:
        return None
    f = dash.DashboardFilter(plan=plan)
    totals = dash.cached(user, f, "home", lambda: dash.totals(user, f))
    waiting = _waiting(user)
    ledger = reverse("plans:ledger")
    lights = [
        (
            light,
            Task.Light(light).label,
            getattr(totals, light),
            ledger + "?" + urlencode({"plan": plan.pk, "light": light}),
        )
        for light in dash.LIGHTS
    ]
    return HomeCard(
        "plans/home_card.html",
        {
            "plan": plan,
            "totals": totals,
            "lights": lights,
            "to_report": waiting.to_report,
            "to_verify": waiting.to_verify,
            "dashboard": perms.uses_dashboard(user),
        },
        order=10,
    )


def home_todos(user: Any) -> list[Todo]:
    """What the plans hold for the user to do now, each asked only of those whose role makes it
    theirs: plans to approve (agency leaders), adjustment requests to decide (leaders in charge
    and the office), close-outs to verify (the office), red tasks in their charge (leaders),
    reports their unit owes this period (everyone in a unit). At most six statements."""
    if scope_for(user).is_empty:
        return []
    my_work = reverse("plans:my_work")
    rows: list[Todo] = []
    if perms.can_approve_plans(user):
        drafts = perms.plans_visible(user).filter(status=WorkPlan.Status.DRAFT).count()
        url = reverse("plans:plans")
        rows.append(Todo("plans.approve", _("Work plans awaiting approval"), drafts, url, 10))
    if getattr(user, "person_id", None) is not None or has_role(user, Role.SUPERVISOR):
        rows.append(
            Todo(
                "plans.adjust",
                _("Adjustment requests to decide"),
                adjustments_to_decide(user).count(),
                my_work,
                20,
            )
        )
    waiting = _waiting(user)
    rows.append(Todo("plans.verify", _("Close-outs to verify"), waiting.to_verify, my_work, 30))
    if perms.leads(user):
        red = open_red_count(user)
        rows.append(
            Todo(
                "plans.red",
                _("Red tasks in your charge"),
                red,
                reverse("plans:ledger") + "?" + urlencode({"light": Task.Light.RED}),
                40,
                urgent=True,
            )
        )
    rows.append(
        Todo("plans.report", _("Progress reports owed this period"), waiting.to_report, my_work, 50)
    )
    return rows
