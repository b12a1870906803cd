"""The plans API answers like the pages: scoped, same services, JSON errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from luoshi.plans.models import Task

from .conftest import issue

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_plans_and_outline(org, plan, token_for) -> None:
    issue(org, plan)
    client = Client()
    plans = client.get(f"{API}/plans", **token_for("staff")).json()
    assert [p["year"] for p in plans] == [2026]
    detail = client.get(f"{API}/plans/{plan.pk}", **token_for("staff")).json()
    assert [n["label"] for n in detail["outline"]] == ["一、", "二、"]
    assert detail["outline"][0]["children"][0]["tasks"][0]["code"] == "2026-1-1-1"
    assert client.get(f"{API}/plans/{plan.pk}", **token_for("outsider")).status_code == 404


def test_task_ledger_filters_and_scope(org, plan, token_for) -> None:
    issue(org, plan)
    client = Client()
    body = client.get(f"{API}/tasks", {"lead_org": org.econ.pk}, **token_for("leader")).json()
    assert [t["code"] for t in body["results"]] == ["2026-2-0-2"]
    staff = client.get(f"{API}/tasks", **token_for("staff")).json()
    assert {t["code"] for t in staff["results"]} == {"2026-1-1-1", "2026-2-0-2"}
    bad = client.get(f"{API}/tasks", {"light": "purple"}, **token_for("leader"))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"


def test_report_and_close_out_through_the_api(org, plan, token_for) -> None:
    issue(org, plan)
    t = Task.objects.get(code="2026-2-0-2")
    client = Client()
    staff = token_for("staff")
    r = client.post(
        f"{API}/tasks/{t.pk}/reports",
        {"text": "进展顺利", "percent": 40},
        content_type="application/json",
        **staff,
    )
    assert r.status_code == 201, r.content
    assert Task.objects.get(pk=t.pk).progress == 40
    denied = client.post(
        f"{API}/tasks/{t.pk}/reports",
        {"text": "x"},
        content_type="application/json",
        **token_for("head"),
    )
    assert denied.status_code == 404  # the office head cannot see this task at all
    r = client.post(
        f"{API}/tasks/{t.pk}/completion-request",
        {"note": "已完成"},
        content_type="application/json",
        **staff,
    )
    assert r.json()["status"] == "completion_requested"
    r = client.post(
        f"{API}/tasks/{t.pk}/verify",
        {"accept": False},
        content_type="application/json",
        **token_for("supervisor"),
    )
    assert r.status_code == 422  # returning needs a reason
    r = client.post(
        f"{API}/tasks/{t.pk}/verify",
        {"accept": True},
        content_type="application/json",
        **token_for("supervisor"),
    )
    assert r.json()["status"] == "completed"
    stale = client.post(
        f"{API}/tasks/{t.pk}/completion-request",
        {"note": "x", "version": 1},
        content_type="application/json",
        **staff,
    )
    assert stale.status_code == 409


def test_task_says_what_the_callers_next_report_is_for(org, plan, token_for) -> None:
    from django.utils import timezone

    from luoshi.plans.rules import report_due_date, report_period

    today = timezone.localdate()
    # due after today: a period after the deadline's is never owed (issue 15 finding 4)
    Task.objects.filter(code="2026-2-0-2").update(deadline=dt.date(today.year + 1, 12, 31))
    issue(org, plan)  # on 5 January 2026: nothing reported since
    t = Task.objects.get(code="2026-2-0-2")
    client = Client()
    current = report_period("monthly", today)
    previous = report_period("monthly", current - dt.timedelta(days=1))
    due = report_due_date("monthly", previous, 5)
    body = client.get(f"{API}/tasks/{t.pk}", **token_for("staff")).json()
    assert body["next_report"] == {
        "unit": org.econ.pk,
        "period": previous.isoformat(),
        "due_on": due.isoformat(),
        "late": today > due,
    }
    # the report then goes to that period, and says whether it came late
    r = client.post(
        f"{API}/tasks/{t.pk}/reports",
        {"text": "补报上期进展"},
        content_type="application/json",
        **token_for("staff"),
    ).json()
    assert (r["period"], r["due_on"], r["late"]) == (
        previous.isoformat(),
        due.isoformat(),
        today > due,
    )
    # those who do not report on the task are told nothing
    assert client.get(f"{API}/tasks/{t.pk}", **token_for("leader")).json()["next_report"] is None


def test_dashboard_counts_for_the_callers_scope(org, plan, token_for) -> None:
    issue(org, plan)
    client = Client()
    leader = client.get(f"{API}/dashboard", **token_for("leader")).json()
    assert leader["total"] == 3 and leader["lights"]["green"] == 3
    staff = client.get(f"{API}/dashboard", **token_for("staff")).json()
    assert staff["total"] == 1  # counted under lead units only: 经济科技部 leads one task
    assert client.get(f"{API}/dashboard", **token_for("outsider")).json()["total"] == 0


def test_task_detail(org, plan, token_for) -> None:
    issue(org, plan)
    t = Task.objects.get(code="2026-1-1-1")
    body = Client().get(f"{API}/tasks/{t.pk}", **token_for("head")).json()
    assert body["code"] == "2026-1-1-1" and body["lead_unit_name"] == "办公室"
    assert body["cooperating_units"] == [org.econ.pk]
    assert [m["title"] for m in body["milestones"]] == ["印发计划"]
    assert body["indicators"][0]["target"] in ("12.00", 12, 12.0, "12")
    assert Client().get(f"{API}/tasks/{t.pk}", **token_for("outsider")).status_code == 404


def test_the_ledger_answers_exactly_as_its_documented_schema(org, plan, token_for) -> None:
    """The ledger renders its rows itself (no per-row validation): the same JSON as TaskPage
    gives for the same tasks, field for field, in every language."""
    import json

    from django.utils import translation
    from ninja.responses import NinjaJSONEncoder

    from luoshi.plans.api.tasks import TaskOut, TaskPage
    from luoshi.plans.models import Task

    issue(org, plan)
    client = Client()
    reasons: dict[str, set[str]] = {}
    for language in ("zh-hans", "en"):
        headers = token_for("supervisor")
        response = client.get(
            f"{API}/tasks", {"page_size": 1, "page": 1}, HTTP_ACCEPT_LANGUAGE=language, **headers
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body["count"] >= 2 and body["pages"] == body["count"] and len(body["results"]) == 1
        everything = client.get(
            f"{API}/tasks", {"page_size": 200}, HTTP_ACCEPT_LANGUAGE=language, **headers
        ).json()
        tasks = Task.objects.select_related("lead_unit").filter(
            pk__in=[row["id"] for row in everything["results"]]
        )
        by_pk = {t.pk: t for t in tasks}
        with translation.override(language):
            expected = TaskPage.model_validate(
                {**everything, "results": [by_pk[row["id"]] for row in everything["results"]]}
            ).model_dump()
        assert everything == json.loads(json.dumps(expected, cls=NinjaJSONEncoder))
        reasons[language] = {row["light_reason"] for row in everything["results"]} - {""}
        assert all(set(row) == set(TaskOut.model_fields) for row in everything["results"])
    assert reasons["en"] and reasons["zh-hans"] and not reasons["en"] & reasons["zh-hans"]
