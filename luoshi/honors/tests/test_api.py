"""The commendation API end to end with bearer tokens: the same services as the pages, errors
as {"code", "message", "details"}, forbidden looking like missing, and the public verification
of a certificate number without login."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luoshi.honors import services
from luoshi.honors.models import Program
from luoshi.orgs import services as org_services

Headers = Any


def post(client: Client, url: str, headers: Any, data: Any = None) -> Any:
    return client.post(url, data=json.dumps(data or {}), content_type="application/json", **headers)


@pytest.fixture
def inspector_token(inspector: Any) -> Any:
    _token, raw = org_services.api_token_create(actor=None, user=inspector, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_whole_flow_through_the_api(org: Any, token_for: Headers, inspector_token: Any) -> None:
    c = Client()
    hr = token_for("hr")
    year = timezone.localdate().year
    r = post(
        c,
        "/api/v1/honors/programs",
        hr,
        {
            "agency": org.agency.pk,
            "year": year,
            "title": "机关先进工作者",
            "scope": "internal",
        },
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = post(
        c,
        f"/api/v1/honors/programs/{pid}/quotas",
        hr,
        {"kind": "commendation", "family": "civil_servant"},
    )
    assert r.status_code == 200, r.content
    quota = r.json()["quotas"][0]
    assert (quota["staff_count"], quota["places"]) == (13, 2)
    assert sum(a["places"] for a in quota["allocations"]) == 2
    assert post(c, f"/api/v1/honors/programs/{pid}/open", hr).json()["status"] == "nomination"

    r = post(
        c,
        f"/api/v1/honors/programs/{pid}/nominations",
        hr,
        {
            "kind": "commendation",
            "person": org.people["head"].pk,
            "deeds_brief": "工作突出。",
        },
    )
    assert r.status_code == 201, r.content
    nid = r.json()["id"]
    over = post(
        c,
        f"/api/v1/honors/programs/{pid}/nominations",
        hr,
        {
            "kind": "commendation",
            "person": org.people["head"].pk,
            "deeds_brief": "再次推荐。",
        },
    )
    assert over.status_code == 422 and over.json()["code"] == "ineligible"
    assert post(c, f"/api/v1/honors/nominations/{nid}/submit", hr).json()["status"] == "submitted"
    post(c, f"/api/v1/honors/programs/{pid}/close-nominations", hr)
    wrong = post(
        c, f"/api/v1/honors/nominations/{nid}/vet", hr, {"body": "discipline", "verdict": "pass"}
    )
    assert wrong.status_code == 403  # the officer sees the nomination, but is not the inspector
    assert (
        post(
            c,
            f"/api/v1/honors/nominations/{nid}/vet",
            inspector_token,
            {"body": "discipline", "verdict": "pass"},
        ).status_code
        == 201
    )
    assert (
        post(
            c, f"/api/v1/honors/nominations/{nid}/vet", hr, {"body": "personnel", "verdict": "pass"}
        ).status_code
        == 201
    )
    opinions = c.get(f"/api/v1/honors/nominations/{nid}/opinions", **inspector_token).json()
    assert {o["body"] for o in opinions} == {"discipline", "personnel"}

    r = post(
        c,
        f"/api/v1/honors/programs/{pid}/decision",
        hr,
        {
            "approved": [nid],
            "decision_body": "党组会议",
            "decision_date": timezone.localdate().isoformat(),
            "record": "第12次党组会议",
        },
    )
    assert r.json()["status"] == "decided", r.content
    past = post(
        c,
        f"/api/v1/honors/programs/{pid}/publicity",
        hr,
        {"start": (timezone.localdate() - dt.timedelta(days=3)).isoformat()},
    )
    assert past.status_code == 422 and past.json()["code"] == "date_order"
    r = post(c, f"/api/v1/honors/programs/{pid}/publicity", hr, {})
    assert r.json()["status"] == "publicity"

    # The approved list is public inside the agency; the staff see it, the city federation not.
    staff_view = c.get(f"/api/v1/honors/programs/{pid}/nominations", **token_for("staff")).json()
    assert [n["id"] for n in staff_view["results"]] == [nid] and staff_view["count"] == 1
    assert c.get(f"/api/v1/honors/programs/{pid}", **token_for("outsider")).status_code == 404
    assert (
        c.get(f"/api/v1/honors/nominations/{nid}/opinions", **token_for("staff")).status_code == 404
    )

    program = Program.objects.get(pk=pid)
    assert program.publicity_end is not None
    services.finalize(program, program.publicity_end + dt.timedelta(days=1))
    certs = post(c, f"/api/v1/honors/programs/{pid}/certificates", hr).json()
    assert len(certs) == 1 and certs[0]["person"] == org.people["head"].pk
    assert certs[0]["revoked"] is False
    number = certs[0]["number"]

    anonymous = Client()
    shown = anonymous.get(f"/api/v1/honors/verify/{number}")
    assert shown.status_code == 200
    assert shown.json()["holder"] == "丙主任" and shown.json()["valid"] is True
    assert set(shown.json()) == {
        "number",
        "holder",
        "honour",
        "program",
        "issuing_body",
        "date",
        "valid",
        "revoked_on",
    }
    assert anonymous.get("/api/v1/honors/verify/不存在〔2026〕第001号").status_code == 404

    honours = c.get(f"/api/v1/people/{org.people['head'].pk}/honors", **hr).json()
    assert [(h["kind"], h["certificate"], h["revoked"]) for h in honours] == [
        ("commendation", number, False)
    ]
    r = post(
        c,
        f"/api/v1/honors/honours/{honours[0]['id']}/revoke",
        hr,
        {"reason": "弄虚作假", "document_number": "侨联发〔2026〕9号"},
    )
    assert r.json()["revoked"] is True
    assert anonymous.get(f"/api/v1/honors/verify/{number}").json()["valid"] is False
    listed = c.get(f"/api/v1/honors/certificates?program={pid}", **hr).json()
    assert isinstance(listed, list), listed
    assert listed[0]["revoked"] is True


@pytest.mark.parametrize("persona", ["admin", "security", "auditor", "outsider"])
def test_forbidden_looks_like_missing(org: Any, token_for: Headers, persona: str) -> None:
    hr = org.users["hr"]
    program = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="机关先进工作者", scope="internal"
    )
    services.quota_set(actor=hr, program=program, kind="commendation", family="civil_servant")
    services.program_open(actor=hr, program=program)
    n = services.nominate(
        actor=hr, program=program, kind="commendation", person=org.people["head"], deeds_brief="x"
    )
    c = Client()
    h = token_for(persona)
    for real, missing in (
        (f"/api/v1/honors/programs/{program.pk}", "/api/v1/honors/programs/999999"),
        (f"/api/v1/honors/nominations/{n.pk}", "/api/v1/honors/nominations/999999"),
        (
            f"/api/v1/honors/programs/{program.pk}/nominations",
            "/api/v1/honors/programs/999999/nominations",
        ),
    ):
        assert c.get(real, **h).status_code == c.get(missing, **h).status_code == 404
    for real, missing in (
        (f"/api/v1/honors/programs/{program.pk}/open", "/api/v1/honors/programs/999999/open"),
        (f"/api/v1/honors/nominations/{n.pk}/submit", "/api/v1/honors/nominations/999999/submit"),
    ):
        assert post(c, real, h).status_code == post(c, missing, h).status_code == 404
    assert c.get("/api/v1/honors/programs", **h).json() == []


def test_staff_see_neither_drafts_nor_others_nominations(org: Any, token_for: Headers) -> None:
    hr = org.users["hr"]
    draft = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="草稿", scope="internal"
    )
    c = Client()
    assert c.get(f"/api/v1/honors/programs/{draft.pk}", **token_for("staff")).status_code == 404
    services.quota_set(actor=hr, program=draft, kind="commendation", family="civil_servant")
    services.program_open(actor=hr, program=draft)
    n = services.nominate(
        actor=hr, program=draft, kind="commendation", person=org.people["head"], deeds_brief="x"
    )
    staff = token_for("staff")
    assert c.get(f"/api/v1/honors/programs/{draft.pk}", **staff).status_code == 200
    assert c.get(f"/api/v1/honors/nominations/{n.pk}", **staff).status_code == 404
    assert c.get(f"/api/v1/honors/nominations/{n.pk}", **token_for("head")).status_code == 200
