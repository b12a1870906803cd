"""The participants page and API: a page at a time, filtered by name, unit or body, reply, source
and sign-in, the whole list's counts on the page, and the office's row actions still there."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from luoshi.meetings import services
from luoshi.meetings.models import Meeting

from .conftest import ready_meeting

pytestmark = pytest.mark.django_db


def _guests(org: Any, meeting: Meeting, count: int) -> None:
    office = org.users["supervisor"]
    for n in range(count):
        services.participant_add(
            actor=office,
            meeting=meeting,
            guest_name=f"来宾{n:02d}",
            guest_body="某协会" if n % 2 else "某商会",
            guest_title="会长",
        )


def _listed(html: str) -> str:
    return html[html.index('id="participants"') :]


def test_the_page_shows_a_page_of_the_list_with_the_whole_lists_counts(
    org: Any, client_for: Any
) -> None:
    meeting = ready_meeting(org)  # five people (with the presenter), notified
    _guests(org, meeting, 24)
    office = org.users["supervisor"]
    staff = meeting.participants.get(person=org.people["staff"])
    services.reply(actor=office, participant=staff, answer="leave", leave_reason="出差")
    head = meeting.participants.get(person=org.people["head"])
    services.sign_in_at_desk(actor=office, participant=head)
    page = client_for("supervisor")
    page.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/meetings/{meeting.pk}/participants/"
    html = page.get(url).content.decode()
    assert _listed(html).count("<tr><td") == 20  # the first page of 29
    counts = html[html.index('id="participant-counts"') :][:400]
    assert "29 on the list" in counts and "1 on leave" in counts and "1 signed in" in counts
    assert "24 guests" in counts
    assert _listed(page.get(url, {"page": 2}).content.decode()).count("<tr><td") == 9
    # the row actions: a guest's code, leave for a person, a substitute for one on leave
    rows = _listed(html)
    assert 'value="code"' in rows and 'value="leave"' in rows
    on_leave = _listed(page.get(url, {"reply": "leave"}).content.decode())
    assert on_leave.count("<tr><td") == 1 and 'value="substitute"' in on_leave
    assert org.people["staff"].name in on_leave
    signed = _listed(page.get(url, {"signed_in": "yes"}).content.decode())
    assert signed.count("<tr><td") == 1 and org.people["head"].name in signed
    assert _listed(page.get(url, {"signed_in": "no"}).content.decode()).count("<tr><td") == 20
    by_body = _listed(page.get(url, {"q": "商会", "source": "guest"}).content.decode())
    assert by_body.count("<tr><td") == 12
    one = _listed(page.get(url, {"q": "来宾07"}).content.decode())
    assert one.count("<tr><td") == 1 and "来宾07" in one
    nobody = page.get(url, {"q": "没有这个人"}).content.decode()
    assert "Nobody on the list matches these filters." in nobody
    # an action posted from a filtered page comes back to it
    guest = meeting.participants.get(guest_name="来宾03")
    answer = page.post(f"{url}?q=来宾&page=2", {"action": "remove", "participant": guest.pk})
    assert answer.status_code == 302 and answer["Location"].endswith("?q=%E6%9D%A5%E5%AE%BE&page=2")
    assert not meeting.participants.filter(pk=guest.pk).exists()


def test_the_api_answers_pages_and_filters(org: Any, token_for: Any) -> None:
    meeting = ready_meeting(org)
    _guests(org, meeting, 24)
    api = Client(**token_for("supervisor"))
    url = f"/api/v1/meetings/{meeting.pk}/participants"
    first = api.get(url).json()
    assert (first["count"], first["page"], first["pages"], first["page_size"]) == (29, 1, 2, 20)
    second = api.get(url, {"page": 2}).json()
    ids = [p["id"] for p in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 29
    guests = api.get(url, {"source": "guest", "q": "商会", "page_size": "50"}).json()
    assert guests["count"] == 12 and all(p["person"] is None for p in guests["results"])
    assert api.get(url, {"signed_in": "true"}).json()["count"] == 0
    assert api.get(url, {"signed_in": "false"}).json()["count"] == 29
    assert api.get(url, {"reply": "pending"}).json()["count"] == 29
    assert api.get(url, {"reply": "maybe"}).status_code == 422
    assert api.get(url, {"page_size": 201}).status_code == 422
