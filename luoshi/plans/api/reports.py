"""Progress reports in the API: submit a report."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import Forbidden

from .. import permissions as perms
from ..services import reports as report_services
from .tasks import Id, ReportOut, _scoped_user

router = Router(tags=["plans"])


class IndicatorValueIn(Schema):
    id: int = Field(..., ge=1, le=MAX_ID, description="An indicator of the task")
    value: float = Field(..., ge=-1e12, le=1e12, description="The actual value so far")


class MilestoneDoneIn(Schema):
    id: int = Field(..., ge=1, le=MAX_ID, description="A milestone of the task")
    done_on: dt.date
    evidence: Text = Field("", max_length=500)


class ReportIn(Schema):
    text: Text = Field(..., min_length=1, max_length=5000)
    percent: int | None = Field(None, ge=0, le=100, description="Lead unit only")
    indicators: list[IndicatorValueIn] = Field(default_factory=list, max_length=100)
    milestones_done: list[MilestoneDoneIn] = Field(default_factory=list, max_length=100)
    drop_reason: Text = Field(
        "",
        max_length=2000,
        description="Why the progress is lower than the task's last reported progress "
        "(required then)",
    )


@router.post(
    "/tasks/{task_id}/reports",
    response={201: ReportOut},
    openapi_extra=error_responses({403: "You do not report on this task."}),
)
def submit_report(request: HttpRequest, task_id: Id, payload: ReportIn) -> Any:
    """Report progress for the current period as the lead or a cooperating unit."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    cooperating = set(task.cooperating_units.values_list("pk", flat=True))
    unit = perms.report_unit(user, task, cooperating)
    if unit is None or not perms.can_report(user, task, cooperating):
        raise Forbidden()
    report = report_services.report_submit(
        actor=user,
        task=task,
        unit=unit,
        data=report_services.ReportIn(
            text=payload.text,
            percent=payload.percent,
            indicator_values={
                i.id: decimal.Decimal(str(round(i.value, 2))) for i in payload.indicators
            },
            milestones_done={m.id: (m.done_on, m.evidence) for m in payload.milestones_done},
            drop_reason=payload.drop_reason,
        ),
    )
    return Status(201, report)
