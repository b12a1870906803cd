"""Large exports in the background: queued as a task, progress shown, a download for a day.

An exporter whose file would hold at least LUOSHI_EXPORT_BACKGROUND_ROWS rows (and which can be
rebuilt from its parameters: `Exporter.from_params`) is not made inside the request — which at
tens of thousands of rows would run into the worker's timeout — but by a django-tasks task:

- `start(user, exporter)` records an `ExportJob` (audited) and queues `run` after the commit;
- `run(job_id)` rebuilds the exporter for the same user (so the file holds what that user may
  see when it is made), writes it to the default storage under `exports/`, counting the rows as
  it goes (`Exporter.progress`), and marks the job ready, or failed with a message;
- the job page (`documents.views`) and `GET /api/v1/exports/{id}` show the progress and, once
  ready, the download; only the person who asked sees a job (anyone else gets "not found");
  taking the file is recorded like any download (`export_record`);
- `purge_expired` (a step of `luoshi tick`) deletes jobs and files older than
  LUOSHI_EXPORT_KEEP_HOURS.

With the default immediate task backend the task runs in the same request after its commit
(the page then shows the file ready at once); with `LUOSHI_TASKS_BACKEND` set to the database
backend and `luoshi db_worker` running, the request returns at once and the worker makes the file.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from luoshi.core import audit
from luoshi.core.errors import NotFound
from luoshi.core.models import ExportJob

from .exporters import EXPORTERS, Exporter, ExportFile, export_record

logger = logging.getLogger(__name__)


def threshold() -> int:
    return int(settings.LUOSHI_EXPORT_BACKGROUND_ROWS)


def keep() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.LUOSHI_EXPORT_KEEP_HOURS))


def wants_background(exporter: Exporter) -> bool:
    """Whether this export should be made in the background (it can be, and it is large)."""
    if not type(exporter).runs_in_background():
        return False
    limit = threshold()
    return exporter.count_rows(limit) >= limit


@transaction.atomic
def start(user: Any, exporter: Exporter) -> ExportJob:
    now = timezone.now()
    job = ExportJob.objects.create(
        user=user,
        identifier=exporter.identifier,
        title=str(exporter.verbose_name),
        params=exporter.params(),
        created_at=now,
        expires_at=now + keep(),
    )
    audit.record(
        "export.queue",
        actor=user,
        obj=job,
        object_repr=job.title,
        after={"export": job.identifier, **job.params},
    )
    make_export.enqueue(str(job.pk))
    return job


def _update(job_id: Any, **fields: Any) -> None:
    ExportJob.objects.filter(pk=job_id).update(**fields)


@task()
def make_export(job_id: str) -> str:
    """The background task: make one job's file."""
    return run(job_id)


def run(job_id: str) -> str:
    """Make the file of one queued job (the task's body). Returns the job's final status."""
    job = ExportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return job.status if job is not None else "missing"
    _update(job.pk, status=ExportJob.Status.RUNNING)
    try:
        exporter = EXPORTERS.get(job.identifier).from_params(job.user, job.params)
        _update(job.pk, rows_total=exporter.count_rows())
        exporter.on_progress = lambda rows: _update(job.pk, rows_done=rows)
        export = exporter.render()
        with export.file:
            name = default_storage.save(f"exports/{job.pk}/{export.file_name}", File(export.file))
    except Exception:  # the job says it failed; the details go to the log, not to the page
        logger.exception("export job %s failed", job.pk)
        _update(job.pk, status=ExportJob.Status.FAILED, finished_at=timezone.now())
        return ExportJob.Status.FAILED
    _update(
        job.pk,
        status=ExportJob.Status.READY,
        file=name,
        file_name=export.file_name,
        content_type=export.content_type,
        rows_done=export.rows,
        rows_total=export.rows,
        finished_at=timezone.now(),
    )
    return ExportJob.Status.READY


def jobs_for(user: Any) -> list[ExportJob]:
    """The user's own jobs that have not expired, newest first."""
    return list(
        ExportJob.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at")[
            :50
        ]
    )


def job_for(user: Any, job_id: Any) -> ExportJob:
    """One of the user's own jobs; anyone else's (or an expired one) is not found."""
    try:
        pk = uuid.UUID(str(job_id))
        return ExportJob.objects.get(pk=pk, user=user, expires_at__gt=timezone.now())
    except (ExportJob.DoesNotExist, ValueError):
        raise NotFound() from None


def take(user: Any, job: ExportJob) -> ExportFile:
    """The ready file of a job, for download; recorded in the audit log like any export."""
    if job.status != ExportJob.Status.READY or not job.file:
        raise NotFound()
    cls = EXPORTERS.get(job.identifier)
    export = ExportFile(
        identifier=job.identifier,
        file_name=job.file_name,
        content_type=job.content_type,
        file=job.file.open("rb"),
        rows=job.rows_done,
        params=dict(job.params),
        action=cls.audit_action,
        object_type=cls.audit_object_type,
        no_store=cls.no_store,
    )
    export_record(actor=user, export=export)
    return export


def purge_expired(today: dt.date | None = None) -> str:
    """The `luoshi tick` step: delete expired jobs and their files."""
    expired = list(ExportJob.objects.filter(expires_at__lte=timezone.now()).only("pk", "file"))
    for job in expired:
        if job.file:
            try:
                default_storage.delete(job.file.name)
            except OSError:
                logger.warning("export job %s: could not delete %s", job.pk, job.file.name)
    ExportJob.objects.filter(pk__in=[j.pk for j in expired]).delete()
    return f"{len(expired)} expired exports deleted"
