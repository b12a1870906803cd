"""A database out of reach answers 503 with Retry-After on pages and on the API, never a 500
(docs/security.md, "Database outage").

The request is pointed at a database that cannot be reached (PostgreSQL: a closed port; SQLite:
a file in a folder that does not exist) by replacing the default connection for this thread;
the test's own connection and transaction are left untouched and put back afterwards.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the socket is


@contextmanager
def database_down(tmp_path: Path) -> Iterator[None]:
    original = connections["default"]
    unreachable = dict(original.settings_dict)
    if original.vendor == "sqlite":
        unreachable["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    else:
        unreachable.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    backend = load_backend(unreachable["ENGINE"])
    connections["default"] = backend.DatabaseWrapper(unreachable, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original


def _down(client: Client, path: str, **headers: Any) -> Any:
    client.raise_request_exception = False  # the answer, as a browser would get it
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", **headers)


def test_a_page_answers_503_with_retry_after(client_for: Any, tmp_path: Path) -> None:
    client = client_for("staff")  # logged in while the database is up
    assert client.get("/").status_code == 200
    with database_down(tmp_path):
        response = _down(client, "/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Service unavailable" in text and "服务暂不可用" in text
    assert "Traceback" not in text and "OperationalError" not in text


def test_the_api_answers_503_service_unavailable(token_for: Any, tmp_path: Path) -> None:
    headers = token_for("staff")
    assert Client().get("/api/v1/me", **headers).status_code == 200
    with database_down(tmp_path):
        response = _down(Client(), "/api/v1/me", **headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "30 seconds" in body["message"]


def test_the_sign_in_page_answers_503_too(tmp_path: Path, settings: Any) -> None:
    settings.LUOSHI_RETRY_AFTER_SECONDS = 5
    client = Client()
    client.cookies["sessionid"] = "x" * 32  # a session to look up
    with database_down(tmp_path):
        response = _down(client, "/login/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
