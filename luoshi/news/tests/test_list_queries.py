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
    _write(author, 8)
    assert _queries(client, url) <= one


def test_the_public_index_without_login_is_a_few_queries(client: Any) -> None:
    assert client.get("/news/").status_code == 200
    assert _queries(client, "/news/") <= 3
