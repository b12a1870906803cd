from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.notify import services
from luoshi.notify.models import Notice

pytestmark = pytest.mark.django_db


def _notices(user: Any, n: int) -> None:
    for i in range(n):
        services.notify(
            recipients=[user.pk], event="supervision.assigned", subject=f"n{i}", body="b"
        )


def test_list_is_scoped_paginated_and_counts_unread(
    org: Any, token_for: Any, django_assert_max_num_queries: Any
) -> None:
    staff = org.users["staff"]
    _notices(staff, 5)
    _notices(org.users["head"], 3)
    first = Notice.objects.filter(recipient=staff).order_by("id").first()
    assert first is not None
    services.notice_mark_read(user=staff, notice=first)
    client = Client()
    headers = token_for("staff")
    with django_assert_max_num_queries(8):
        answer = client.get("/api/v1/notifications?page_size=2", **headers)
    assert answer.status_code == 200
    data = answer.json()
    assert (data["count"], data["unread"], data["pages"], data["page"]) == (5, 4, 3, 1)
    assert [r["subject"] for r in data["results"]] == ["n4", "n3"]
    row = data["results"][0]
    assert set(row) >= {"id", "event", "subject", "body", "link", "created_at", "read_at", "read"}
    assert row["read"] is False
    data = client.get("/api/v1/notifications?unread=true&page_size=50", **headers).json()
    assert data["count"] == 4
    assert all(not r["read"] for r in data["results"])


def test_read_one_and_read_all(org: Any, token_for: Any) -> None:
    staff = org.users["staff"]
    _notices(staff, 3)
    notice = Notice.objects.filter(recipient=staff).first()
    assert notice is not None
    client = Client()
    headers = token_for("staff")
    answer = client.post(f"/api/v1/notifications/{notice.pk}/read", **headers)
    assert answer.status_code == 200
    assert answer.json()["read"] is True
    # again: still fine, the time of first reading stays
    first_read = answer.json()["read_at"]
    again = client.post(f"/api/v1/notifications/{notice.pk}/read", **headers).json()
    assert again["read_at"] == first_read
    answer = client.post("/api/v1/notifications/read-all", **headers)
    assert answer.status_code == 200
    assert answer.json() == {"marked": 2, "unread": 0}
    assert client.get("/api/v1/notifications", **headers).json()["unread"] == 0


def test_someone_elses_notice_is_404_like_a_missing_one(org: Any, token_for: Any) -> None:
    _notices(org.users["head"], 1)
    theirs = Notice.objects.get()
    client = Client()
    headers = token_for("staff")
    other = client.post(f"/api/v1/notifications/{theirs.pk}/read", **headers)
    missing = client.post("/api/v1/notifications/999999/read", **headers)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # read-all touches only one's own
    client.post("/api/v1/notifications/read-all", **headers)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/api/v1/notifications", **headers).json()["count"] == 0


def test_needs_authentication(org: Any) -> None:
    assert Client().get("/api/v1/notifications").status_code == 401
    assert Client().post("/api/v1/notifications/read-all").status_code == 401


def test_session_calls_need_csrf(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["staff"], backend="luoshi.orgs.auth.AccountBackend")
    assert client.get("/api/v1/notifications").status_code == 200
    assert client.post("/api/v1/notifications/read-all").status_code == 403
