"""The plans API answers like the pages: scoped, same services, JSON errors."""

from __future__ import annotations

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
