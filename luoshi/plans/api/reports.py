"""Progress reports in the API: submit a report."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.core import importflow
from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import Forbidden, InvalidInput, NotFound

from .. import permissions as perms
from ..services import attachments as attachment_services
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


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    report: int | None = Field(None, alias="report_id")
    created_at: dt.datetime


@router.post(
    "/tasks/{task_id}/reports/{report_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach an evidence file to a progress report",
    openapi_extra=error_responses(
        {
            403: "The account sees the task but does not report for this report's unit.",
            404: "No such task or report, or not visible to the account.",
            422: (
                "No file, a type not allowed, content that is not what its type says "
                "(`attachment_type`), too large (`attachment_too_large`, `file_too_large`) or "
                "a suspicious archive (`file_suspicious`); nothing was written."
            ),
        }
    ),
)
def add_report_attachment(
    request: HttpRequest,
    task_id: Id,
    report_id: Id,
    file: Annotated[UploadedFile | None, File()] = None,
) -> Any:
    """Send the file as the multipart field `file` (PDF, PNG, JPEG, docx, xlsx, pptx, OFD, zip
    or UTF-8/GB 18030 text). The content is read by a parser for its type; the file name is kept
    without any path or control characters. Only for a report of the unit the account reports
    for, on a task it may see (else 404, as for the report)."""
    user = _scoped_user(request)
    task = perms.access_task(user, task_id)
    report = task.reports.filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    cooperating = set(task.cooperating_units.values_list("pk", flat=True))
    unit = perms.report_unit(user, task, cooperating)
    if unit is None or unit.pk != report.unit_id or not perms.can_report(user, task, cooperating):
        raise Forbidden()
    if file is None:
        raise InvalidInput(details=[{"field": "file", "message": _("Choose a file to attach.")}])
    data = importflow.read_upload(file, max_bytes=int(settings.LUOSHI_ATTACHMENT_MAX_BYTES))
    attachment = attachment_services.attachment_add(
        actor=user, task=task, report=report, name=file.name or "", content=data
    )
    return Status(201, attachment)
