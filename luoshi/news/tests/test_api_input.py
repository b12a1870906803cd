"""The news API refuses what is not a news item: a JSON string as the body (ninja's Schema would
read its str.title() as the title) and a yes/no where a count is asked."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_a_string_body_is_refused_and_an_object_accepted(
    org: Any, token_for: Any, client: Any
) -> None:
    headers = token_for("staff")
    refused = client.post("/api/v1/news", '"AAA"', content_type="application/json", **headers)
    assert refused.status_code == 422
    accepted = client.post(
        "/api/v1/news", '{"title": "机关召开会议"}', content_type="application/json", **headers
    )
    assert accepted.status_code == 201 and accepted.json()["title"] == "机关召开会议"


def test_a_count_must_be_a_number(org: Any, token_for: Any, client: Any) -> None:
    body = '{"date": "2026-01-05", "title": "工作会议", "exchange_speeches": false}'
    response = client.post(
        "/api/v1/news/drafts", body, content_type="application/json", **token_for("staff")
    )
    assert response.status_code == 422
