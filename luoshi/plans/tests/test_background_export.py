"""Large ledger exports in the background: queued, progress, download for the asker only,
audited, kept a day, a failure said plainly."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from luoshi.core.models import AuditEntry, ExportJob
from luoshi.documents import background
from luoshi.plans.exports import ledger as ledger_exports
from luoshi.plans.exports.ledger import LedgerXlsx
from luoshi.plans.models import Task
from luoshi.plans.selectors.ledger import TaskFilter

from .conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(org: Any, plan: Any, settings: Any, tmp_path: Any) -> int:
    issue(org, plan)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    count = Task.objects.count()
    settings.LUOSHI_EXPORT_BACKGROUND_ROWS = count  # the ledger of everything is "large"
    return count


def ask(client: Any, django_capture_on_commit_callbacks: Any, **params: Any) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/tasks/export.xlsx", params)
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").split("/")[-1]
    return ExportJob.objects.get(pk=job_id)


def test_a_large_ledger_is_made_in_the_background_and_downloaded(
    org: Any, tasks: int, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("supervisor")
    job = ask(client, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.READY
    assert job.rows_done == tasks and job.rows_total == tasks
    assert job.user == org.users["supervisor"]
    assert AuditEntry.objects.filter(action="export.queue", object_id=str(job.pk)).exists()

    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert f"/exports/{job.pk}/download/" in page
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == tasks + 1
    taken = AuditEntry.objects.filter(action="task_ledger.export").get()
    assert taken.after is not None and taken.after["rows"] == tasks

    listing = client.get("/exports/").content.decode()
    assert job.title in listing
    api = client.get(f"/api/v1/exports/{job.pk}").json()
    assert api["status"] == "ready" and api["percent"] == 100
    assert api["download_url"] == f"/api/v1/exports/{job.pk}/file"
    assert client.get(api["download_url"]).status_code == 200


def test_the_filters_travel_with_the_job(
    org: Any, tasks: int, client_for: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LUOSHI_EXPORT_BACKGROUND_ROWS = 1
    job = ask(client_for("supervisor"), django_capture_on_commit_callbacks, lead_unit=org.econ.pk)
    expected = Task.objects.filter(lead_unit=org.econ).count()
    assert job.params["filters"]["lead_unit"] == org.econ.pk
    assert job.rows_done == expected < tasks


def test_a_small_ledger_is_still_sent_at_once(tasks: int, client_for: Any, settings: Any) -> None:
    settings.LUOSHI_EXPORT_BACKGROUND_ROWS = tasks + 1
    response = client_for("supervisor").get("/tasks/export.xlsx")
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_only_the_asker_sees_the_job_and_its_file(
    tasks: int, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = ask(client_for("supervisor"), django_capture_on_commit_callbacks)
    other = client_for("leader")
    for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/download/"):
        assert other.get(url).status_code == 404
    assert other.get(f"/api/v1/exports/{job.pk}").status_code == 404
    assert other.get(f"/api/v1/exports/{job.pk}/file").status_code == 404
    assert other.get(f"/exports/{uuid.uuid4()}/").status_code == 404
    assert other.get("/api/v1/exports/not-a-uuid").status_code in (404, 422)
    assert other.get("/api/v1/exports").json() == []


def test_progress_is_reported_while_the_rows_are_written(
    org: Any, tasks: int, monkeypatch: Any
) -> None:
    monkeypatch.setattr(ledger_exports, "LEDGER_CHUNK", 1)
    exporter = LedgerXlsx(org.users["supervisor"], TaskFilter())
    seen: list[int] = []
    exporter.on_progress = seen.append
    exporter.render().file.close()
    assert seen == list(range(1, tasks + 1))


def test_a_failed_job_says_so_and_keeps_no_file(org: Any, tasks: int, client_for: Any) -> None:
    now = timezone.now()
    job = ExportJob.objects.create(
        user=org.users["supervisor"],
        identifier="task_ledger_xlsx",
        title="任务台账",
        params={"filters": {"plan": "not a number"}},
        expires_at=now + dt.timedelta(hours=1),
    )
    assert background.run(str(job.pk)) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    page = client_for("supervisor").get(f"/exports/{job.pk}/").content.decode()
    assert "无法生成" in page
    assert client_for("supervisor").get(f"/exports/{job.pk}/download/").status_code == 404


def test_expired_jobs_and_their_files_are_purged(
    tasks: int, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("supervisor")
    job = ask(client, django_capture_on_commit_callbacks)
    name = job.file.name
    assert default_storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"/exports/{job.pk}/").status_code == 404  # gone for the asker too
    assert background.purge_expired() == "1 expired exports deleted"
    assert not ExportJob.objects.exists()
    assert not default_storage.exists(name)
