"""The plans card of the home page: this year's plan at a glance and what waits for the user."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from luoshi.core.home import HomeCard
from luoshi.orgs.permissions import scope_for

from .models import Task
from .selectors import dashboard as dash
from .selectors.closeout import tasks_to_verify
from .selectors.reports import tasks_to_report


def home_card(user: Any) -> HomeCard | None:
    """The lights of the latest plan in the viewer's scope (from the dashboard's cache), the
    tasks whose report for this period the user's unit still owes, and the close-outs waiting
    for the user's verification; a fixed number of statements."""
    if scope_for(user).is_empty:
        return None
    plan = dash.default_plan(user)
    f = dash.DashboardFilter(plan=plan)
    totals = dash.cached(user, f, "home", lambda: dash.totals(user, f))
    to_verify = tasks_to_verify(user).count()
    ledger = reverse("plans:ledger")
    lights = [
        (
            light,
            Task.Light(light).label,
            getattr(totals, light),
            ledger + "?" + urlencode({**({"plan": plan.pk} if plan else {}), "light": light}),
        )
        for light in dash.LIGHTS
    ]
    return HomeCard(
        "plans/home_card.html",
        {
            "plan": plan,
            "totals": totals,
            "lights": lights,
            "to_report": len(tasks_to_report(user, timezone.localdate())),
            "to_verify": to_verify,
        },
        order=10,
    )
