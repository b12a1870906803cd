"""The news desk's list costs a fixed number of queries however many items it shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.news import services

pytestmark = pytest.mark.django_db


def _write(author: Any, n: int) -> None:
    for i in range(n):
        services.item_create(
            actor=author, title=f"新闻{i}", blocks=[{"type": "paragraph", "text": f"正文{i}"}]
        )


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/newsdesk/", "/api/v1/news"])
def test_the_desk_list_costs_the_same_for_one_item_or_many(
    author: Any, client_for: Any, url: str
) -> None:
    client = client_for("supervisor")
    _write(author, 1)
    client.get(url)  # warm the caches (navigation, scope)
    one = _queries(client, url)
    _write(author, 24)  # more than a page
    assert _queries(client, url) <= one


def test_the_api_answers_a_page_at_a_time_with_the_desks_filters(
    author: Any, client_for: Any
) -> None:
    _write(author, 23)
    client = client_for("supervisor")
    first = client.get("/api/v1/news").json()
    assert (first["count"], first["page"], first["pages"], first["page_size"]) == (23, 1, 2, 20)
    assert [i["title"] for i in first["results"][:2]] == ["新闻22", "新闻21"]  # latest first
    second = client.get("/api/v1/news", {"page": 2}).json()
    assert [i["title"] for i in second["results"]] == ["新闻2", "新闻1", "新闻0"]
    assert all(i["public_url"] is None for i in first["results"])  # none published
    assert client.get("/api/v1/news", {"q": "新闻1"}).json()["count"] == 11  # 1, 10-19
    assert client.get("/api/v1/news", {"status": "draft"}).json()["count"] == 23
    assert client.get("/api/v1/news", {"status": "published"}).json()["count"] == 0
    assert client.get("/api/v1/news", {"status": "nonsense"}).status_code == 422


def test_the_public_index_without_login_is_a_few_queries(client: Any) -> None:
    assert client.get("/news/").status_code == 200
    assert _queries(client, "/news/") <= 3
