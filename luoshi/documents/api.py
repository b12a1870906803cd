"""Background exports in the JSON API (mounted by luoshi.api.api): the caller's own jobs only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import background
from .exporters import export_response

router = Router(tags=["exports"])


class ExportJobOut(Schema):
    id: uuid.UUID
    export: str
    title: str
    status: str
    status_label: str
    percent: int
    rows_done: int
    rows_total: int
    rows_text: str
    file_name: str
    download_url: str | None
    created_at: dt.datetime
    expires_at: dt.datetime


def job_out(job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "export": job.identifier,
        "title": job.title,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "rows_text": _("%(done)s of %(total)s rows written")
        % {"done": job.rows_done, "total": job.rows_total},
        "file_name": job.file_name,
        "download_url": f"/api/v1/exports/{job.pk}/file" if job.status == "ready" else None,
        "created_at": job.created_at,
        "expires_at": job.expires_at,
    }


@router.get("/exports", response=list[ExportJobOut])
def exports_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's background exports of the last day, newest first."""
    return [job_out(job) for job in background.jobs_for(request.auth)]  # type: ignore[attr-defined]


@router.get("/exports/{job_id}", response=ExportJobOut)
def export_get(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """One background export: its progress and, once ready, where to download it."""
    return job_out(background.job_for(request.auth, job_id))  # type: ignore[attr-defined]


@router.get("/exports/{job_id}/file")
def export_file(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    """The ready file of a background export (recorded in the audit log like any download)."""
    user = request.auth  # type: ignore[attr-defined]
    return export_response(background.take(user, background.job_for(user, job_id)))
