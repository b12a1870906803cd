"""The API runs the same services as the pages, with the same scoping."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle

from .conftest import part

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisal"


def post(headers: Any, path: str, body: dict[str, Any]) -> Any:
    return Client(**headers).post(
        BASE + path, data=json.dumps(body), content_type="application/json"
    )


def get(headers: Any, path: str) -> Any:
    return Client(**headers).get(BASE + path)


def test_open_cycle_and_list(org: Any, token_for: Any) -> None:
    hr = token_for("hr")
    resp = post(hr, "/cycles", {"agency": org.agency.pk, "year": 2025, "as_of": "2025-12-31"})
    assert resp.status_code == 201, resp.content
    cycle_id = resp.json()["id"]
    assert [c["id"] for c in get(hr, "/cycles").json()] == [cycle_id]
    assert get(token_for("outsider"), f"/cycles/{cycle_id}").status_code == 404
    assert get(token_for("outsider"), "/cycles").json() == []
    staff = post(
        token_for("staff"),
        "/cycles",
        {"agency": org.agency.pk, "year": 2024, "as_of": "2024-12-31"},
    )
    assert staff.status_code == 404
    quota = get(hr, f"/cycles/{cycle_id}/quota").json()
    assert quota["cap"] == 2 and quota["graded"] == 13
    assert get(token_for("staff"), f"/cycles/{cycle_id}/quota").status_code == 404


def test_flow_over_the_api(org: Any, cycle: AnnualCycle, token_for: Any) -> None:
    hr, leader, cm, staff = (token_for(k) for k in ("hr", "leader", "committee", "staff"))
    own = get(staff, f"/cycles/{cycle.pk}/participants").json()
    assert [p["name"] for p in own] == [org.people["staff"].name]
    pid = own[0]["id"]
    detail = get(staff, f"/participants/{pid}").json()
    assert detail["proposed_grade"] is None
    other = part(cycle, org, "econ_colleague")
    assert get(staff, f"/participants/{other.pk}").status_code == 404
    assert post(staff, f"/participants/{pid}/summary", {"self_summary": "总结"}).status_code == 200
    for p in get(hr, f"/cycles/{cycle.pk}/participants").json():
        if p["person"] == org.people["leader"].pk:
            continue
        grade = "excellent" if p["id"] == pid else "competent"
        resp = post(leader, f"/participants/{p['id']}/proposal", {"grade": grade, "comments": "好"})
        assert resp.status_code == 200, resp.content
    assert (
        post(
            staff, f"/participants/{pid}/proposal", {"grade": "excellent", "comments": "x"}
        ).status_code
        == 403
    )
    resp = post(hr, f"/cycles/{cycle.pk}/to-committee", {"override_reason": "纸质总结"})
    assert resp.status_code == 200
    resp = post(
        cm, f"/cycles/{cycle.pk}/committee", {"meeting_date": "2025-12-01", "members_present": "甲"}
    )
    assert resp.status_code == 200
    for p in get(cm, f"/cycles/{cycle.pk}/participants").json():
        d = get(cm, f"/participants/{p['id']}").json()
        grade = d["proposed_grade"] or "competent"
        assert post(cm, f"/participants/{p['id']}/decision", {"grade": grade}).status_code == 200
    # a third Excellent beyond the cap of 2
    x = part(cycle, org, "office_staff")
    post(cm, f"/participants/{part(cycle, org, 'head').pk}/decision", {"grade": "excellent"})
    resp = post(cm, f"/participants/{x.pk}/decision", {"grade": "excellent"})
    assert resp.status_code == 422 and resp.json()["code"] == "quota_full"
    with time_machine.travel("2025-12-01 10:00 +08:00", tick=False):  # published on the day
        resp = post(hr, f"/cycles/{cycle.pk}/publicity", {"start": "2025-12-01"})
        assert resp.status_code == 200 and resp.json()["end"] == "2025-12-05"
        listed = get(staff, f"/cycles/{cycle.pk}/publicity").json()["listed"]
        assert org.people["staff"].name in [r["name"] for r in listed]
        resp = post(cm, f"/cycles/{cycle.pk}/objections", {"text": "核实", "participant": pid})
        assert resp.status_code == 201
    oid = resp.json()["id"]
    assert post(hr, f"/objections/{oid}/answer", {"answer": "无误"}).status_code == 200
    services.finalize_cycle(cycle, dt.date(2025, 12, 6))
    assert post(hr, f"/cycles/{cycle.pk}/notices", {}).json() == {"sent": 13}
    resp = post(
        staff, f"/participants/{pid}/acknowledgement", {"choice": "disagree", "text": "有异议"}
    )
    assert resp.status_code == 200 and resp.json()["ack"] == "disagree"
    resp = post(staff, f"/participants/{pid}/appeals", {"kind": "review", "reason": "请复核"})
    assert resp.status_code == 201
    appeal = resp.json()
    assert appeal["file_by"]
    resp = post(hr, f"/appeals/{appeal['id']}/decision", {"decision": "维持"})
    assert resp.status_code == 200 and resp.json()["status"] == "upheld"
    cons = get(hr, f"/cycles/{cycle.pk}/consequences").json()
    assert any(c["kind"] == "commendation" and c["person"] == org.people["staff"].pk for c in cons)
    # not theirs to read: not found, as a missing cycle (issue 15 finding 13)
    assert get(staff, f"/cycles/{cycle.pk}/consequences").status_code == 404


def test_routine_and_unit_scores_api(org: Any, token_for: Any) -> None:
    head, leader, staff, hr = (token_for(k) for k in ("head", "leader", "staff", "hr"))
    resp = post(head, "/routine", {"unit": org.office.pk, "year": 2025, "quarter": 4})
    assert resp.status_code == 201
    rid = resp.json()["id"]
    assert (
        post(staff, "/routine", {"unit": org.office.pk, "year": 2025, "quarter": 3}).status_code
        == 404
    )
    entries = get(head, f"/routine/{rid}/entries").json()
    assert get(staff, f"/routine/{rid}/entries").status_code == 404
    for e in entries:
        assert (
            post(head, f"/routine-entries/{e['id']}/grade", {"grade": "fairly_good"}).status_code
            == 200
        )
    assert (
        post(head, f"/routine-entries/{entries[0]['id']}/grade", {"grade": "good"}).status_code
        == 200
    )
    resp = post(head, f"/routine-entries/{entries[1]['id']}/grade", {"grade": "good"})
    assert resp.status_code == 422 and resp.json()["code"] == "quota_full"  # 3 people: cap 1
    assert post(leader, f"/routine/{rid}/confirm", {}).json()["status"] == "confirmed"
    resp = post(
        hr, f"/unit-scores/{org.agency.pk}/2025/leadership", {"unit": org.econ.pk, "score": 88}
    )
    assert resp.status_code == 200
    scores = get(hr, f"/unit-scores/{org.agency.pk}/2025").json()
    econ = next(u for u in scores["units"] if u["unit"] == org.econ.pk)
    assert econ["rank"] == 1 and econ["metrics"]["leadership"] == "88.00"
    assert get(staff, f"/unit-scores/{org.agency.pk}/2025").status_code == 404
