"""API: officers' CRUD, publish, close, turnout, results; casting by code and by token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.core.models import AuditEntry
from luoshi.evaluation import services
from luoshi.evaluation.models import Ballot, Campaign, Voter

from .conftest import make_campaign

pytestmark = pytest.mark.django_db
BASE = "/api/v1/appraisal"


def _json(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    return getattr(client, method)(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
    )


def test_officer_lifecycle(
    org: Any, token_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hr = token_for("hr")
    client = Client()
    created = _json(
        client,
        "post",
        f"{BASE}/campaigns",
        {
            "unit": org.agency.pk,
            "year": 2026,
            "title": "API 测评",
            "min_ballots": 1,
            "ballot_mode": "slips",
        },
        **hr,
    )
    assert created.status_code == 201, created.content
    assert created.json()["ballot_mode"] == "slips" and created.json()["voters"] == []
    cid = created.json()["id"]
    assert created.json()["grades"][0]["code"] == "excellent"
    p = org.people
    patched = _json(
        client,
        "patch",
        f"{BASE}/campaigns/{cid}",
        {
            "title": "API 测评（改）",
            "candidates": [p["staff"].pk],
            "categories": [
                {"name": "领导班子成员", "weight": 40, "slips": 1},
                {"name": "一般干部", "weight": 60, "slips": 1},
            ],
        },
        **hr,
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "API 测评（改）"
    assert [c["person"] for c in patched.json()["candidates"]] == [p["staff"].pk]
    assert [c["name"] for c in patched.json()["categories"]] == ["领导班子成员", "一般干部"]
    published = _json(client, "post", f"{BASE}/campaigns/{cid}/publish", {}, **hr)
    assert published.json()["status"] == "published"
    frozen = _json(client, "patch", f"{BASE}/campaigns/{cid}", {"candidates": []}, **hr)
    assert frozen.status_code == 409 and frozen.json()["code"] == "campaign_frozen"
    assert _json(client, "get", f"{BASE}/campaigns/{cid}", **hr).json()["voters"] == []
    assert _json(client, "get", f"{BASE}/campaigns/{cid}/turnout", **hr).json() == {
        "voted": 0,
        "total": 2,
        "by_category": [
            {"name": "领导班子成员", "weight": 40, "used": 0, "total": 1},
            {"name": "一般干部", "weight": 60, "used": 0, "total": 1},
        ],
    }
    early = _json(client, "get", f"{BASE}/campaigns/{cid}/results", **hr)
    assert early.status_code == 409 and early.json()["code"] == "results_not_available"
    # a slip drawn at the meeting votes with its code, no log-in
    issued = services.codes_issue(actor=org.users["hr"], campaign=Campaign.objects.get(pk=cid))
    code = next(i.code for i in issued if i.category.name == "一般干部")
    opened = _json(Client(), "post", f"{BASE}/ballots/open", {"code": code})
    assert opened.status_code == 200
    assert opened.json()["ballot_mode"] == "slips" and opened.json()["category"] == "一般干部"
    assert "does not know who holds this code" in opened.json()["notice"]
    assert [c["person"] for c in opened.json()["candidates"]] == [p["staff"].pk]
    cast = _json(
        Client(), "post", f"{BASE}/ballots", {"code": code, "choices": {p["staff"].pk: "excellent"}}
    )
    assert cast.status_code == 201 and cast.json() == {"cast": True}
    again = _json(
        Client(), "post", f"{BASE}/ballots", {"code": code, "choices": {p["staff"].pk: "excellent"}}
    )
    assert again.status_code in (404, 409)
    with django_capture_on_commit_callbacks(execute=True):  # the sealing task, after commit
        closed = _json(client, "post", f"{BASE}/campaigns/{cid}/close", {}, **hr)
        assert closed.json()["status"] == "sealing" and closed.json()["sealed_at"] is None
        sealing = _json(client, "get", f"{BASE}/campaigns/{cid}/results", **hr)
        assert sealing.status_code == 409 and sealing.json()["code"] == "results_sealing"
        assert "being sealed" in sealing.json()["message"]
    sealed = _json(client, "get", f"{BASE}/campaigns/{cid}", **hr).json()
    assert sealed["status"] == "closed" and sealed["sealed_at"]
    results = _json(client, "get", f"{BASE}/campaigns/{cid}/results", **hr).json()
    assert results["turnout"]["by_category"][1] == {
        "name": "一般干部",
        "weight": 60,
        "used": 1,
        "total": 1,
    }
    assert results["results"][0]["score"] == "95.00"
    assert results["results"][0]["counts"]["excellent"] == 1
    assert AuditEntry.objects.filter(action="evaluation.results_view").count() == 1


def test_second_cast_with_the_same_code_is_refused(
    org: Any, slips: Campaign, slip_codes: list[str]
) -> None:
    body = {
        "code": slip_codes[0],
        "choices": {org.people["head"].pk: "excellent", org.people["staff"].pk: "competent"},
    }
    assert _json(Client(), "post", f"{BASE}/ballots", body).status_code == 201
    voter = Voter.objects.get(campaign=slips, has_voted=True)
    second = _json(Client(), "post", f"{BASE}/ballots", body)
    assert second.status_code == 409 and second.json()["code"] == "already_voted"
    assert Voter.objects.get(pk=voter.pk).has_voted
    assert Ballot.objects.count() == 1


def test_cast_with_the_code_in_the_body_needs_no_log_in(
    org: Any, slips: Campaign, slip_codes: list[str]
) -> None:
    choices = {org.people["head"].pk: "excellent", org.people["staff"].pk: "competent"}
    marks = {"code": slip_codes[0], "choices": choices}
    url = f"{BASE}/ballots"
    first = _json(Client(), "post", url, marks)
    assert first.status_code == 201 and first.json() == {"cast": True}
    assert Voter.objects.filter(campaign=slips, has_voted=True).count() == 1
    assert Ballot.objects.count() == 1
    second = _json(Client(), "post", url, marks)
    assert second.status_code == 409 and second.json()["code"] == "already_voted"
    assert "already been cast" in second.json()["message"]
    assert Ballot.objects.count() == 1
    # a code typed as a person reads it (lower case, no dash) is the same code
    other = slip_codes[1].replace("-", "").lower()
    third = _json(Client(), "post", url, {"code": other, "choices": choices})
    assert third.status_code == 201
    unknown = _json(Client(), "post", url, {"code": "ZZZZ-ZZZZ", "choices": choices})
    assert unknown.status_code == 404 and unknown.json()["code"] == "bad_credential"
    assert Ballot.objects.count() == 2


def test_self_rating_is_refused(org: Any, campaign: Campaign, token_for: Any) -> None:
    """issue 15 finding 2: an identified ballot (the head's own link) cannot rate the head."""
    token = services.link_token(Voter.objects.get(campaign=campaign, person=org.people["head"]))
    headers = token_for("head")
    opened = _json(Client(), "post", f"{BASE}/ballots/open", {"token": token}, **headers)
    assert opened.status_code == 200
    assert opened.json()["ballot_mode"] == "identified" and opened.json()["category"] is None
    assert "records that you voted, not how" in opened.json()["notice"]
    assert [c["person"] for c in opened.json()["candidates"]] == [org.people["staff"].pk]
    body = {
        "token": token,
        "choices": {org.people["head"].pk: "excellent", org.people["staff"].pk: "competent"},
    }
    response = _json(Client(), "post", f"{BASE}/ballots", body, **headers)
    assert response.status_code == 422
    assert "Nobody rates themself." in str(response.json()["details"])
    assert Ballot.objects.count() == 0


def test_token_needs_the_voters_own_account(org: Any, campaign: Campaign, token_for: Any) -> None:
    voter = Voter.objects.get(campaign=campaign, person=org.people["staff"])
    token = services.link_token(voter)
    body = {"token": token, "choices": {org.people["head"].pk: "competent"}}
    assert _json(Client(), "post", f"{BASE}/ballots", body).status_code == 401
    assert _json(Client(), "post", f"{BASE}/ballots", body, **token_for("head")).status_code == 404
    ok = _json(Client(), "post", f"{BASE}/ballots", body, **token_for("staff"))
    assert ok.status_code == 201
    bad = _json(Client(), "post", f"{BASE}/ballots", body, HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401


def test_bad_code_is_not_found(campaign: Campaign) -> None:
    response = _json(Client(), "post", f"{BASE}/ballots", {"code": "ZZZZ-ZZZZ", "choices": {}})
    assert response.status_code == 404


@pytest.mark.parametrize("mode", ["identified", "slips"])
@pytest.mark.parametrize("persona", ["staff", "outsider", "supervisor", "vice", "admin"])
def test_others_get_not_found(org: Any, token_for: Any, persona: str, mode: str) -> None:
    campaign = make_campaign(org, mode=mode)
    services.campaign_close(actor=org.users["hr"], campaign=campaign)
    headers = token_for(persona)
    client = Client()
    assert _json(client, "get", f"{BASE}/campaigns", **headers).json() == []
    for suffix in ["", "/turnout", "/results"]:
        response = _json(client, "get", f"{BASE}/campaigns/{campaign.pk}{suffix}", **headers)
        assert response.status_code == 404, suffix
    assert (
        _json(client, "post", f"{BASE}/campaigns/{campaign.pk}/close", {}, **headers).status_code
        == 404
    )
    assert (
        _json(
            client,
            "post",
            f"{BASE}/campaigns",
            {"unit": org.agency.pk, "year": 2026, "title": "x", "ballot_mode": "slips"},
            **headers,
        ).status_code
        == 404
    )
    assert not AuditEntry.objects.filter(action="evaluation.results_view").exists()


def test_leader_reads_but_does_not_manage(org: Any, token_for: Any) -> None:
    campaign = make_campaign(org, publish=False)
    headers = token_for("leader")
    client = Client()
    assert _json(client, "get", f"{BASE}/campaigns/{campaign.pk}", **headers).status_code == 200
    response = _json(client, "post", f"{BASE}/campaigns/{campaign.pk}/publish", {}, **headers)
    assert response.status_code == 403


def test_a_code_in_the_path_is_refused_unread(
    org: Any, slips: Campaign, slip_codes: list[str]
) -> None:
    """Issue 20, finding 12: the printed code travelled in the URL path (every proxy's access
    log keeps it). The old route answers 410 and names the body; the code is not spent."""
    marks = {"choices": {org.people["head"].pk: "excellent", org.people["staff"].pk: "competent"}}
    gone = _json(Client(), "post", f"{BASE}/ballots/{slip_codes[0]}", marks)
    assert gone.status_code == 410 and gone.json()["code"] == "code_in_body"
    assert not Voter.objects.filter(campaign=slips, has_voted=True).exists()
    assert Ballot.objects.count() == 0


def test_a_page_link_with_a_code_answers_the_form(
    org: Any, slips: Campaign, slip_codes: list[str]
) -> None:
    page = Client().get(f"/vote/{slip_codes[0]}/", follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and page.redirect_chain == [("/vote/", 302)]
    assert 'action="/vote/"' in html and slip_codes[0] not in html
    assert not Voter.objects.filter(campaign=slips, has_voted=True).exists()
