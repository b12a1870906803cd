"""Pages of background exports: the person's own list, one job with its progress, the download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import background
from .exporters import export_response


@login_required
@require_safe
def exports(request: HttpRequest) -> HttpResponse:
    jobs = background.jobs_for(request.user)
    keep_hours = int(background.keep().total_seconds() // 3600)
    return render(request, "documents/exports.html", {"jobs": jobs, "keep_hours": keep_hours})


@login_required
@require_safe
def export_job(request: HttpRequest, pk: str) -> HttpResponse:
    job = background.job_for(request.user, pk)
    return render(request, "documents/export_job.html", {"job": job})


@login_required
@require_safe
def export_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    job = background.job_for(request.user, pk)
    return export_response(background.take(request.user, job))
