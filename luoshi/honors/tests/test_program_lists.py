"""The program page's and the API's nominations: a page at a time, filtered, counted over the
whole program, in a fixed number of queries whatever the number of nominations."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from luoshi.honors.models import Nomination, Program
from luoshi.orgs.models import Person

pytestmark = pytest.mark.django_db


def _nominate(org: Any, program: Program, n: int, status: str = "submitted") -> None:
    """n more nominations (people of the office made for them), straight into the table."""
    start = Nomination.objects.filter(program=program).count()
    for i in range(start, start + n):
        person = Person.objects.create(name=f"候选{i:03d}", gender="M", unit=org.office)
        Nomination.objects.create(
            program=program,
            kind="commendation",
            family="civil_servant",
            person=person,
            unit=org.office,
            status=status,
        )


def _queries(client: Client, url: str, **headers: Any) -> int:
    client.get(url, **headers)  # warm the caches (navigation, scope)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured.captured_queries)


def test_page_and_api_cost_the_same_for_a_few_or_many_nominations(
    org: Any, program: Program, client_for: Any, token_for: Any
) -> None:
    page, api = client_for("hr"), Client()
    headers = token_for("hr")
    url, api_url = f"/honors/{program.pk}/", f"/api/v1/honors/programs/{program.pk}/nominations"
    _nominate(org, program, 2)
    few = (_queries(page, url), _queries(api, api_url, **headers))
    _nominate(org, program, 45)
    assert (_queries(page, url), _queries(api, api_url, **headers)) == few


def test_the_api_answers_pages_and_filters(org: Any, program: Program, token_for: Any) -> None:
    _nominate(org, program, 25)
    _nominate(org, program, 3, status="draft")
    c, h = Client(), token_for("hr")
    url = f"/api/v1/honors/programs/{program.pk}/nominations"
    first = c.get(url, **h).json()
    assert (first["count"], first["page"], first["pages"], first["page_size"]) == (28, 1, 2, 20)
    assert len(first["results"]) == 20
    second = c.get(url, {"page": 2}, **h).json()
    ids = [n["id"] for n in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 28
    drafts = c.get(url, {"status": "draft"}, **h).json()
    assert drafts["count"] == 3 and {n["status"] for n in drafts["results"]} == {"draft"}
    named = c.get(url, {"q": "候选007"}, **h).json()
    assert [n["name"] for n in named["results"]] == ["候选007"]
    assert c.get(url, {"page_size": 5, "page": 6}, **h).json()["page"] == 6
    assert c.get(url, {"status": "nonsense"}, **h).status_code == 422


def test_the_page_shows_a_page_with_whole_program_counts(
    org: Any, program: Program, client_for: Any
) -> None:
    _nominate(org, program, 25)
    _nominate(org, program, 3, status="draft")
    hr = client_for("hr")
    hr.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = hr.get(f"/honors/{program.pk}/").content.decode()
    body = html[html.index('id="nominations"') :]
    assert body.count("/honors/nominations/") == 20  # one page of the 28
    counts = html[html.index('id="nomination-counts"') :]
    assert "28" in counts[:300] and "25" in counts[:300]
    second = hr.get(f"/honors/{program.pk}/", {"page": 2}).content.decode()
    assert second[second.index('id="nominations"') :].count("/honors/nominations/") == 8
    drafts = hr.get(f"/honors/{program.pk}/", {"status": "draft"}).content.decode()
    assert drafts[drafts.index('id="nominations"') :].count("/honors/nominations/") == 3
    one = hr.get(f"/honors/{program.pk}/", {"q": "候选012"}).content.decode()
    table = one[one.index('id="nominations"') :]
    assert "候选012" in table and "候选013" not in table
    none = hr.get(f"/honors/{program.pk}/", {"q": "没有这个人"}).content.decode()
    assert "No nomination matches these filters." in none
    # the quota summary still counts every submitted nomination, not the page's
    assert "25 taken" in html
