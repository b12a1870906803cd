"""Evidence files on progress reports, from the report form and the API (docs/security.md,
"Uploads"): content read by a parser for its type, names without control characters, the
report's scope (404 outside it), nothing written when a file is refused."""

from __future__ import annotations

import html
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.core.tests import bombs
from luoshi.core.tests.samples import docx_bytes, pdf_bytes, png_bytes
from luoshi.plans.models import Attachment, Task
from luoshi.plans.services.attachments import attachment_add

from .closeout_scene import scene

pytestmark = pytest.mark.django_db
CLOCK = "2026-07-10 10:00 +08:00"
API = "/api/v1"


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@time_machine.travel(CLOCK, tick=False)
def test_the_report_form_keeps_evidence_files(org, plan, client_for) -> None:
    task = scene(org, plan)
    head = client_for("head")
    page = head.get(f"/tasks/{task.pk}/").content.decode()
    assert 'name="evidence"' in page and "multiple" in page.split('name="evidence"')[1][:80]
    response = head.post(
        f"/tasks/{task.pk}/report/",
        {
            "text": "开展集体学习",
            "percent": 60,
            "evidence": [
                SimpleUploadedFile("学习记录.pdf", pdf_bytes()),
                SimpleUploadedFile("照片.png", png_bytes()),
            ],
        },
    )
    assert response.status_code == 302, [
        line
        for line in response.content.decode().splitlines()
        if "invalid" in line or "alert" in line
    ]
    report = task.reports.order_by("-submitted_at").first()
    assert report is not None and report.text == "开展集体学习"
    names = sorted(report.attachments.values_list("name", flat=True))
    assert names == ["学习记录.pdf", "照片.png"]
    assert all(a.task_id == task.pk for a in report.attachments.all())


@time_machine.travel(CLOCK, tick=False)
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("fake.pdf", b"%PDF-1.4 only a header"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40),
        ("fake.docx", b"PK\x03\x04 not a zip"),
        ("binary.txt", b"text\x00with a NUL"),
        ("bomb.docx", bombs.docx_body_bomb()),
        ("prog.exe", b"MZ"),
    ],
)
def test_a_refused_file_refuses_the_report_and_writes_nothing(
    org, plan, client_for, name, content
) -> None:
    task = scene(org, plan)
    before = (task.reports.count(), Attachment.objects.count())
    response = client_for("head").post(
        f"/tasks/{task.pk}/report/",
        {"text": "开展集体学习", "percent": 60, "evidence": [SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 422
    text = html.unescape(response.content.decode())
    assert "文件" in text
    assert (task.reports.count(), Attachment.objects.count()) == before
    assert Task.objects.get(pk=task.pk).progress == 55


@time_machine.travel(CLOCK, tick=False)
def test_names_lose_paths_and_control_characters(org, plan) -> None:
    task = scene(org, plan)
    report = task.reports.get()
    attachment = attachment_add(
        actor=org.users["head"],
        task=task,
        report=report,
        name="..\\..\\证明\r\nX-Injected: 1\u202egpj.pdf",
        content=pdf_bytes(),
    )
    assert attachment.name == "证明X-Injected: 1gpj.pdf"


def _attach(task: Task, report_id: int, headers: dict[str, Any], name: str, data: bytes) -> Any:
    extra: dict[str, Any] = {**headers, "HTTP_ACCEPT_LANGUAGE": "en"}
    return Client().post(
        f"{API}/tasks/{task.pk}/reports/{report_id}/attachments",
        {"file": SimpleUploadedFile(name, data)},
        **extra,
    )


@time_machine.travel(CLOCK, tick=False)
def test_the_api_attaches_evidence_to_a_report(org, plan, token_for) -> None:
    task = scene(org, plan)
    report = task.reports.get()
    head = token_for("head")
    response = _attach(task, report.pk, head, "进展.docx", docx_bytes())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "进展.docx" and body["report"] == report.pk
    assert report.attachments.count() == 1
    text = _attach(task, report.pk, head, "说明.txt", "工作进展顺利".encode("gb18030"))
    assert text.status_code == 201, text.content

    refused = _attach(task, report.pk, head, "fake.pdf", b"%PDF-1.7\n" + bytes(100))
    assert refused.status_code == 422 and refused.json()["code"] == "attachment_type"
    bomb = _attach(task, report.pk, head, "bomb.xlsx", bombs.xlsx_shared_strings_bomb())
    assert bomb.status_code == 422 and bomb.json()["code"] == "file_too_large"
    assert report.attachments.count() == 2


@time_machine.travel(CLOCK, tick=False)
def test_the_api_keeps_to_the_reports_scope(org, plan, token_for) -> None:
    task = scene(org, plan)
    report = task.reports.get()
    pdf = pdf_bytes()
    # outside the scope: the same 404 as a missing task or report
    assert _attach(task, report.pk, token_for("outsider"), "a.pdf", pdf).status_code == 404
    assert _attach(task, 10**9, token_for("head"), "a.pdf", pdf).status_code == 404
    other = plan.tasks.exclude(pk=task.pk).first()
    assert other is not None
    assert _attach(other, report.pk, token_for("head"), "a.pdf", pdf).status_code in (403, 404)
    # sees the task but reports for another unit
    assert _attach(task, report.pk, token_for("staff"), "a.pdf", pdf).status_code == 403
    assert not Attachment.objects.exists()
