"""The leadership dashboard and the unit dashboard (ECharts, drawn by static/js/dashboard.js from
a JSON data island; the numbers come from plans.selectors.dashboard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core.forms import options_html
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import access_unit, require_business_scope, scope_for

from ..models import Task, WorkPlan
from ..permissions import access_plan
from ..selectors.choices import scope_unit_choices
from ..selectors.dashboard import (
    LIGHTS,
    OVERDUE_LIMIT,
    Dashboard,
    DashboardFilter,
    Row,
    cached,
    dashboard,
    default_plan,
    plan_choices,
)

ALL_PLANS = "all"


def _plan_from(request: HttpRequest) -> tuple[WorkPlan | None, str]:
    """?plan=<id> (a plan the viewer can see), ?plan=all, or by default the latest issued plan."""
    raw = request.GET.get("plan", "").strip()
    if raw == ALL_PLANS:
        return None, ALL_PLANS
    if raw:
        chosen = access_plan(request.user, raw)
        return chosen, str(chosen.pk)
    plan = default_plan(request.user)
    return plan, str(plan.pk) if plan else ALL_PLANS


def _row_data(row: Row, url: str = "") -> dict[str, Any]:
    return {"label": row.label, "url": url, **row.counts.as_dict()}


_MARK = 987654321


def _unit_urls(query: str) -> Callable[[Row], str]:
    """Rows' unit dashboard addresses from one reverse() per page instead of two per row (a
    national board has a few hundred rows)."""
    prefix, suffix = reverse("plans:unit_dashboard", args=[_MARK]).split(str(_MARK))

    def url(row: Row) -> str:
        if row.unit is None or row.own:
            return ""
        return f"{prefix}{row.unit.pk}{suffix}{query}"

    return url


def _join(parts: list[str]) -> str:
    return _("; ").join(parts)


def _lights_text(rows: list[Row], title: str) -> str:
    """A chart's text for screen readers, in the page's language: never NaN, and a sentence
    saying so when there is nothing to draw."""
    if not rows:
        return _("No tasks to show.")
    names: dict[str, str] = {str(light): str(Task.Light(light).label) for light in LIGHTS}
    parts = [
        _("%(row)s: %(counts)s")
        % {
            "row": r.label,
            "counts": _(", ").join(f"{names[light]} {n}" for light, n in r.counts.lights().items()),
        }
        for r in rows
    ]
    return _("%(title)s. %(rows)s.") % {"title": title, "rows": _join(parts)}


def _rate_text(rows: list[Row]) -> str:
    if not rows:
        return _("No tasks to show.")
    parts = []
    for r in rows:
        numbers = {"row": r.label, "completed": r.counts.completed, "total": r.counts.total}
        rate = r.counts.completion_percent
        if rate is None:
            parts.append(_("%(row)s: no tasks") % numbers)
        else:
            parts.append(
                _("%(row)s: %(rate)d%% (%(completed)d of %(total)d completed)")
                % {**numbers, "rate": rate}
            )
    return _("%(title)s. %(rows)s.") % {
        "title": _("Completion rate by leader in charge"),
        "rows": _join(parts),
    }


def _trend_text(board: Dashboard) -> str:
    if not board.trend:
        return _("No tasks to show.")
    parts = [
        _("%(month)s: %(due)d due, %(completed)d completed")
        % {"month": p.month.strftime("%Y-%m"), "due": p.due, "completed": p.completed}
        for p in board.trend
    ]
    return _("%(title)s. %(rows)s.") % {"title": _("Monthly trend"), "rows": _join(parts)}


def _chart_data(board: Dashboard, unit_url: Callable[[Row], str]) -> dict[str, Any]:
    """What dashboard.js draws: rows, the trend, and every label already translated (the
    charts' text for screen readers too: ECharts' own would be in its locale, not the page's)."""
    return {
        "descriptions": {
            "chart-by-unit": _lights_text(board.by_unit, _("Lights by unit")),
            "chart-by-leader": _rate_text(board.by_leader),
            "chart-by-key-point": _lights_text(board.by_key_point, _("Lights by key point")),
            "chart-trend": _trend_text(board),
        },
        "labels": {
            "lights": {light: str(Task.Light(light).label) for light in LIGHTS},
            "tasks": _("Tasks"),
            "completed": _("Completed"),
            "completion_rate": _("Completion rate (%)"),
            "due": _("Due in the month"),
            "completed_in_month": _("Completed in the month"),
            "no_data": _("No tasks to show."),
        },
        "by_unit": [_row_data(r, unit_url(r)) for r in board.by_unit],
        "by_leader": [_row_data(r) for r in board.by_leader],
        "by_key_point": [_row_data(r) for r in board.by_key_point],
        "trend": {
            "months": [p.month.strftime("%Y-%m") for p in board.trend],
            "due": [p.due for p in board.trend],
            "completed": [p.completed for p in board.trend],
        },
    }


def _ledger_url(plan: WorkPlan | None, unit: OrgUnit | None, **params: Any) -> str:
    query: dict[str, Any] = dict(params)
    if plan is not None:
        query["plan"] = plan.pk
    if unit is not None:
        query["lead_unit"] = unit.pk
    return reverse("plans:ledger") + "?" + urlencode(query)


def _render(
    request: HttpRequest,
    template: str,
    f: DashboardFilter,
    plan_value: str,
    extra: dict[str, Any],
) -> HttpResponse:
    board = dashboard(request.user, f, today=timezone.localdate())
    unit_url = _unit_urls("?" + urlencode({"plan": plan_value}))
    context = {
        "board": board,
        "totals": board.totals,
        "light_cards": [
            (light, Task.Light(light).label, getattr(board.totals, light)) for light in LIGHTS
        ],
        "plan": f.plan,
        "plan_value": plan_value,
        "plans": cached(request.user, f, "plans", lambda: plan_choices(request.user, f.plan)),
        "all_plans": ALL_PLANS,
        "chart_data": _chart_data(board, unit_url),
        "unit_rows": [(row, unit_url(row)) for row in board.by_unit],
        "overdue_limit": OVERDUE_LIMIT,
        "red_ledger_url": _ledger_url(f.plan, f.unit, light=Task.Light.RED),
        "nav_current": "plans:dashboard",
        **extra,
    }
    return render(request, template, context)


@login_required
def leadership_dashboard(request: HttpRequest) -> HttpResponse:
    """The viewer's whole scope; choosing a unit opens that unit's dashboard."""
    require_business_scope(request)
    unit_id = request.GET.get("unit", "").strip()
    if unit_id:
        unit = access_unit(request.user, unit_id)
        target = reverse("plans:unit_dashboard", args=[unit.pk])
        plan_param = request.GET.get("plan", "").strip()
        return redirect(target + ("?" + urlencode({"plan": plan_param}) if plan_param else ""))
    plan, plan_value = _plan_from(request)
    return _render(
        request,
        "plans/dashboard.html",
        DashboardFilter(plan=plan),
        plan_value,
        {"unit_options": options_html(scope_unit_choices(request.user))},
    )


@login_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit (it must be visible to the viewer) and its sub-units."""
    require_business_scope(request)
    unit = access_unit(request.user, pk)
    plan, plan_value = _plan_from(request)
    parent = unit.parent
    scope = scope_for(request.user)
    show_parent = parent is not None and scope.covers_unit(parent.pk, parent.path)
    return _render(
        request,
        "plans/dashboard_unit.html",
        DashboardFilter(plan=plan, unit=unit),
        plan_value,
        {"unit": unit, "parent": parent if show_parent else None},
    )
