from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.summaries import services
from luoshi.summaries.models import UnitSummary

from .conftest import LONG, to_accepted

pytestmark = pytest.mark.django_db


def _api(token_for: Any, persona: str) -> Client:
    return Client(**token_for(persona))


def test_the_list_is_scoped(org: Any, round_: Any, token_for: Any) -> None:
    office = _api(token_for, "supervisor").get("/api/v1/summaries").json()
    assert [s["unit_name"] for s in office] == [
        "办公室",
        "经济科技部",
        "组织联络部",
        "侨联信息中心",
    ]
    staff = _api(token_for, "staff").get("/api/v1/summaries").json()
    assert [s["unit_name"] for s in staff] == ["经济科技部"]
    vice = _api(token_for, "vice").get("/api/v1/summaries").json()
    assert {s["unit_name"] for s in vice} == {"办公室", "组织联络部"}
    assert _api(token_for, "outsider").get("/api/v1/summaries").json() == []
    econ = round_.summaries.get(unit=org.econ)
    office_s = round_.summaries.get(unit=org.office)
    assert _api(token_for, "staff").get(f"/api/v1/summaries/{econ.pk}").status_code == 200
    for path in (f"/api/v1/summaries/{office_s.pk}", f"/api/v1/summaries/rounds/{round_.pk}"):
        assert _api(token_for, "outsider").get(path).status_code == 404
    assert _api(token_for, "staff").get(f"/api/v1/summaries/{office_s.pk}").status_code == 404


def test_the_list_query_count_is_fixed(
    org: Any, round_: Any, token_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = _api(token_for, "supervisor")
    client.get("/api/v1/summaries")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/summaries")
    services.round_create(actor=org.users["supervisor"], agency=org.agency, year=2025)
    client.get("/api/v1/summaries")
    with CaptureQueriesContext(connection) as more:
        rows = client.get("/api/v1/summaries").json()
    assert len(rows) == 8
    assert len(more) == len(few)


def test_edit_submit_review_accept_refresh_compile(
    org: Any, office_summary: UnitSummary, token_for: Any
) -> None:
    pk = office_summary.pk
    clerk = Client(**_clerk_token(org))  # type: ignore[arg-type]
    got = clerk.get(f"/api/v1/summaries/{pk}").json()
    assert got["sections"][0]["heading"] == "主要工作和成效"
    assert any(c["source_model"] == "plans.task" for c in got["citations"])
    assert got["limit_errors"][0]["field"] == "achievements"
    body = {
        "achievements": got["achievements"] + LONG,
        "problems": "问题",
        "next_year": "要点：任务",
        "version": got["version"],
    }
    edited = clerk.put(f"/api/v1/summaries/{pk}", body, content_type="application/json")
    assert edited.status_code == 200, edited.content
    stale = clerk.put(f"/api/v1/summaries/{pk}", body, content_type="application/json")
    assert stale.status_code == 409
    refreshed = clerk.post(f"/api/v1/summaries/{pk}/refresh", {}, content_type="application/json")
    assert refreshed.status_code == 200
    version = refreshed.json()["summary"]["version"]
    sub = clerk.post(
        f"/api/v1/summaries/{pk}/submit", {"version": version}, content_type="application/json"
    )
    assert sub.status_code == 200 and sub.json()["status"] == "submitted"
    head = _api(token_for, "head")
    wrong = _api(token_for, "vice").post(
        f"/api/v1/summaries/{pk}/review", {"decision": "approve"}, content_type="application/json"
    )
    assert wrong.status_code == 403
    no_reason = head.post(
        f"/api/v1/summaries/{pk}/review", {"decision": "return"}, content_type="application/json"
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    ok = head.post(
        f"/api/v1/summaries/{pk}/review", {"decision": "approve"}, content_type="application/json"
    )
    assert ok.json()["status"] == "head_approved"
    _api(token_for, "vice").post(
        f"/api/v1/summaries/{pk}/review", {"decision": "approve"}, content_type="application/json"
    )
    office = _api(token_for, "supervisor")
    acc = office.post(f"/api/v1/summaries/{pk}/accept", {}, content_type="application/json")
    assert acc.json()["status"] == "accepted"
    round_id = acc.json()["round"]
    compiled = office.post(f"/api/v1/summaries/rounds/{round_id}/compile")
    assert compiled.status_code == 200 and compiled.json()["tasks"] == 1
    again = office.post(f"/api/v1/summaries/rounds/{round_id}/compile")
    assert again.json()["plan"] == compiled.json()["plan"]


def _clerk_token(org: Any) -> dict[str, str]:
    from luoshi.orgs import services as org_services

    _t, raw = org_services.api_token_create(actor=None, user=org.users["office_staff"], name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_round_create_api(org: Any, year_data: Any, token_for: Any) -> None:
    body = {"agency": org.agency.pk, "year": 2026, "total_max": 4000}
    assert (
        _api(token_for, "head")
        .post("/api/v1/summaries/rounds", body, content_type="application/json")
        .status_code
        == 404
    )
    made = _api(token_for, "supervisor").post(
        "/api/v1/summaries/rounds", body, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["total_max"] == 4000
    detail = _api(token_for, "supervisor").get(f"/api/v1/summaries/rounds/{made.json()['id']}")
    assert len(detail.json()["summaries"]) == 4


def test_pages(org: Any, office_summary: UnitSummary, client_for: Any, round_: Any) -> None:
    clerk = Client()
    clerk.force_login(org.users["office_staff"], backend="luoshi.orgs.auth.AccountBackend")
    page = clerk.get(f"/summaries/{office_summary.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="summary-form"' in html and 'data-total-max="3500"' in html
    assert "summary-citations" in html
    posted = clerk.post(
        f"/summaries/{office_summary.pk}/",
        {
            "version": office_summary.version,
            "achievements": "太短",
            "problems": "问题",
            "next_year": "任务",
            "submit": "1",
        },
    )
    assert posted.status_code == 302
    office_summary.refresh_from_db()
    assert office_summary.status == "draft" and office_summary.achievements == "太短"
    assert client_for("outsider").get(f"/summaries/{office_summary.pk}/").status_code == 404
    rounds = client_for("supervisor").get("/summaries/")
    assert rounds.status_code == 200 and round_.title in rounds.content.decode()
    detail = client_for("supervisor").get(f"/summaries/rounds/{round_.pk}/")
    assert "办公室" in detail.content.decode()
    assert (
        client_for("supervisor").get(f"/summaries/rounds/{round_.pk}/summary.docx").status_code
        == 404
    )
    to_accepted(org, office_summary)
    docx = client_for("supervisor").get(f"/summaries/rounds/{round_.pk}/summary.docx")
    assert docx.status_code == 200
    assert (
        client_for("supervisor").get(f"/summaries/rounds/{round_.pk}/indicators.xlsx").status_code
        == 200
    )
    assert client_for("head").get(f"/summaries/rounds/{round_.pk}/summary.docx").status_code == 404
    new = client_for("supervisor").get("/summaries/new/")
    assert new.status_code == 200
    assert client_for("staff").get("/summaries/new/").status_code == 404


def test_review_page_returns_with_reason(
    org: Any, office_summary: UnitSummary, client_for: Any
) -> None:
    from .conftest import make_submittable

    make_submittable(org, office_summary)
    services.summary_submit(actor=org.users["office_staff"], summary=office_summary)
    head = client_for("head")
    page = head.get(f"/summaries/{office_summary.pk}/")
    assert 'id="review-form"' in page.content.decode()
    bad = head.post(
        f"/summaries/{office_summary.pk}/review/",
        {"version": office_summary.version, "decision": "return", "reason": ""},
    )
    assert bad.status_code == 200 and "请填写理由" in bad.content.decode()
    good = head.post(
        f"/summaries/{office_summary.pk}/review/",
        {"version": office_summary.version, "decision": "return", "reason": "请补充数据"},
    )
    assert good.status_code == 302
    office_summary.refresh_from_db()
    assert office_summary.status == "returned" and office_summary.return_reason == "请补充数据"
    assert (
        client_for("vice")
        .post(
            f"/summaries/{office_summary.pk}/review/",
            {"version": office_summary.version, "decision": "approve"},
        )
        .status_code
        == 403
    )


def test_the_rounds_page_query_count_is_fixed(org: Any, round_: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = client_for("supervisor")
    office.get("/summaries/")
    with CaptureQueriesContext(connection) as one:
        assert office.get("/summaries/").status_code == 200
    services.round_create(actor=org.users["supervisor"], agency=org.agency, year=2025)
    office.get("/summaries/")  # the navigation's cache is rebuilt once after the new round
    with CaptureQueriesContext(connection) as two:
        page = office.get("/summaries/")
    assert page.content.decode().count('href="/summaries/rounds/') == 2
    assert len(two) == len(one)


def test_home_todos_and_navigation(org: Any, office_summary: UnitSummary) -> None:
    from luoshi.summaries.home import home_todos
    from luoshi.summaries.navigation import nav_sections

    from .conftest import make_submittable

    clerk, head = org.users["office_staff"], org.users["head"]
    assert [(t.key, t.count) for t in home_todos(clerk)] == [("summaries.write", 1)]
    assert home_todos(org.users["outsider"]) == []
    make_submittable(org, office_summary)
    services.summary_submit(actor=clerk, summary=office_summary)
    assert ("summaries.review", 1) in [(t.key, t.count) for t in home_todos(head)]
    assert home_todos(org.users["vice"]) == []
    services.summary_review(actor=head, summary=office_summary, approve=True)
    assert [(t.key, t.count) for t in home_todos(org.users["vice"])] == [("summaries.review", 1)]
    assert nav_sections(org.users["supervisor"])
    assert nav_sections(org.users["outsider"]) == []
