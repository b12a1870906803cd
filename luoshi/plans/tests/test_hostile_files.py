"""Hostile files sent to the plan import (page and API): refused with a 4xx before any parser
unpacks them, within a bounded memory; an entity in a Word document is an error, never text
silently dropped (docs/security.md, "Hostile files")."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from luoshi.core.models import StoredUpload
from luoshi.core.tests import bombs
from luoshi.plans.models import KeyPoint, Task, WorkPlan
from luoshi.plans.services.plans import plan_create

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
MEMORY_BOUND = 200 * MB

BOMBS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "xlsx_shared_strings": (bombs.xlsx_shared_strings_bomb, "bomb.xlsx", "file_too_large"),
    "xlsx_rows": (bombs.xlsx_rows_bomb, "rows.xlsx", "file_too_large"),
    "docx_body": (bombs.docx_body_bomb, "bomb.docx", "file_too_large"),
    "docx_entity": (bombs.docx_with_entity, "entity.docx", "file_suspicious"),
}


@pytest.fixture
def empty_plan(org: Any) -> WorkPlan:
    return plan_create(
        actor=org.users["supervisor"], agency=org.agency, year=2026, title="2026年工作要点"
    )


def measured(send: Callable[[], Any]) -> tuple[Any, int]:
    """The response and the peak of Python memory allocated while it was made."""
    tracemalloc.start()
    try:
        response = send()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize("kind", list(BOMBS))
def test_api_refuses_the_file_in_bounded_memory(kind, empty_plan, token_for) -> None:
    make, name, code = BOMBS[kind]
    data = make()
    assert len(data) < 2 * MB  # small on the wire
    headers = {**token_for("supervisor"), "HTTP_ACCEPT_LANGUAGE": "en"}
    response, peak = measured(
        lambda: Client().post(
            f"/api/v1/plans/{empty_plan.pk}/import",
            {"file": SimpleUploadedFile(name, data)},
            **headers,
        )
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code
    if code == "file_too_large":
        assert "50 MB" in body["message"]  # the limit is named
    else:
        assert "DTD" in body["message"]
    assert peak < MEMORY_BOUND, f"{peak / MB:.0f} MB"
    assert not Task.objects.filter(plan=empty_plan).exists()
    assert not KeyPoint.objects.filter(plan=empty_plan).exists()


@pytest.mark.parametrize("kind", list(BOMBS))
def test_page_refuses_the_file_in_bounded_memory(kind, empty_plan, client_for) -> None:
    make, name, _code = BOMBS[kind]
    data = make()
    client = client_for("supervisor")
    url = reverse("plans:plan_import", args=[empty_plan.pk])
    response, peak = measured(
        lambda: client.post(url, {"action": "upload", "file": SimpleUploadedFile(name, data)})
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "50 MB" in text or "DTD" in text
    assert peak < MEMORY_BOUND, f"{peak / MB:.0f} MB"
    assert not StoredUpload.objects.exists()  # nothing kept for a preview


def test_an_entity_in_chinese_names_the_reason(empty_plan, token_for) -> None:
    headers = {**token_for("supervisor"), "HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    response = Client().post(
        f"/api/v1/plans/{empty_plan.pk}/import",
        {"file": SimpleUploadedFile("entity.docx", bombs.docx_with_entity())},
        **headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_suspicious"
    assert "DTD" in response.json()["message"] and "文档类型" in response.json()["message"]


def test_too_many_rows_are_refused_naming_the_limit(settings, empty_plan, token_for) -> None:
    settings.LUOSHI_IMPORT_MAX_ROWS = 100
    data = bombs.xlsx_rows_bomb(150)
    headers = {**token_for("supervisor"), "HTTP_ACCEPT_LANGUAGE": "en"}
    response = Client().post(
        f"/api/v1/plans/{empty_plan.pk}/import",
        {"file": SimpleUploadedFile("rows.xlsx", data)},
        **headers,
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "file_too_large"
    assert "100 rows" in response.json()["message"]
