"""The dashboard's figures in the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.orgs.permissions import access_unit

from .. import permissions as perms
from ..selectors import dashboard as dash
from .tasks import _scoped_user

router = Router(tags=["plans"])


class LightCounts(Schema):
    red: int = 0
    yellow: int = 0
    green: int = 0
    grey: int = 0


class UnitRow(Schema):
    unit: int | None
    name: str
    total: int
    completed: int
    lights: LightCounts


class DashboardOut(Schema):
    total: int
    completed: int
    lights: LightCounts
    by_unit: list[UnitRow]


@router.get(
    "/dashboard",
    response=DashboardOut,
    openapi_extra=error_responses({404: "The plan or unit is not visible to you."}),
)
def dashboard(
    request: HttpRequest,
    plan: int | None = Query(None, ge=1, le=MAX_ID, description="One plan; default: all"),
    unit: int | None = Query(None, ge=1, le=MAX_ID, description="One unit and its sub-units"),
) -> Any:
    """Counts by light and by lead unit for the caller's scope — the leadership dashboard's
    figures (tasks counted once, under their lead unit; drafts and cancelled tasks left out)."""
    user = _scoped_user(request)
    f = dash.DashboardFilter(
        plan=perms.access_plan(user, plan) if plan is not None else None,
        unit=access_unit(user, unit) if unit is not None else None,
    )
    totals, rows = dash.cached(
        user, f, "api", lambda: (dash.totals(user, f), dash.by_unit(user, f))
    )
    return {
        "total": totals.total,
        "completed": totals.completed,
        "lights": totals.lights(),
        "by_unit": [
            {
                "unit": row.key,
                "name": row.label,
                "total": row.counts.total,
                "completed": row.counts.completed,
                "lights": row.counts.lights(),
            }
            for row in rows
        ],
    }
