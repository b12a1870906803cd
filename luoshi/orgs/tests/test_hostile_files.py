"""Hostile workbooks sent to the units-and-people import (page and API): a 4xx before any
parser unpacks them, within a bounded memory (docs/security.md, "Hostile files")."""

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
from luoshi.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BOMBS = {"shared_strings": bombs.xlsx_shared_strings_bomb, "rows": bombs.xlsx_rows_bomb}


def measured(send: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        response = send()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.mark.parametrize("kind", list(BOMBS))
def test_api_refuses_a_bomb_in_bounded_memory(kind, org, token_for) -> None:
    data = BOMBS[kind]()
    units = OrgUnit.objects.count()
    headers = {**token_for("admin"), "HTTP_ACCEPT_LANGUAGE": "en"}
    response, peak = measured(
        lambda: Client().post(
            "/api/v1/imports/org-people",
            {"file": SimpleUploadedFile("people.xlsx", data)},
            **headers,
        )
    )
    assert response.status_code == 422, response.content
    assert "50 MB" in response.content.decode()  # the limit is named
    assert peak < 200 * MB, f"{peak / MB:.0f} MB"
    assert OrgUnit.objects.count() == units


@pytest.mark.parametrize("kind", list(BOMBS))
def test_page_refuses_a_bomb_in_bounded_memory(kind, org, client_for) -> None:
    data = BOMBS[kind]()
    client = client_for("admin")
    response, peak = measured(
        lambda: client.post(
            reverse("orgs:import"),
            {"action": "upload", "file": SimpleUploadedFile("people.xlsx", data)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert response.status_code == 422
    assert "50 MB" in response.content.decode()
    assert peak < 200 * MB, f"{peak / MB:.0f} MB"
    assert not StoredUpload.objects.exists()
