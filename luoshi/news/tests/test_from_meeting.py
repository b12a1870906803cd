"""A news draft from a held meeting's record: the adapter reads the agenda, the readings and the
sign-ins; the page and the API write it; a meeting the writer cannot see is not found."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.meetings import services as meeting_services
from luoshi.meetings.models import AgendaItem, Meeting, Participant
from luoshi.meetings.tests.conftest import ready_meeting
from luoshi.news import meeting_record
from luoshi.news.models import NewsItem

pytestmark = pytest.mark.django_db


def held_meeting(org: Any) -> Meeting:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    for kind, title, who, unit in (
        (AgendaItem.Kind.READING, "宣读优秀名单", "vice", None),
        (AgendaItem.Kind.REPORT, "经济科技部工作汇报", "head", org.econ),
        (AgendaItem.Kind.REPORT, "办公室工作汇报", "staff", org.office),
        (AgendaItem.Kind.EXCHANGE, "交流发言", "econ_colleague", None),
    ):
        meeting_services.agenda_add(
            actor=office,
            meeting=meeting,
            kind=kind,
            title=title,
            presenter=org.people[who],
            unit=unit,
            reads=AgendaItem.Reads.EXCELLENT if kind == AgendaItem.Kind.READING else "",
        )
    meeting = meeting_services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    for participant in Participant.objects.filter(meeting=meeting)[:3]:
        meeting_services.sign_in_at_desk(actor=office, participant=participant)
    return Meeting.objects.get(pk=meeting.pk)


def test_the_facts_come_from_the_record(org: Any) -> None:
    meeting = held_meeting(org)
    with CaptureQueriesContext(connection) as queries:
        facts = meeting_record.facts_from_meeting(meeting)
    assert len(queries.captured_queries) <= 6
    assert facts.date == meeting.date and facts.venue == "机关三楼大会议室"
    assert facts.presiding_name == org.people["leader"].name
    assert [s.name for s in facts.speakers] == [org.people["leader"].name, org.people["vice"].name]
    assert facts.speakers[0].did == "作主席讲话"
    assert facts.speakers[1].did == "宣读了年度考核优秀等次人员名单"
    assert facts.reporting_units == 2 and facts.exchange_speeches == 1
    assert facts.attendance == "共3人"
    assert facts.awards == ()


def test_the_page_previews_then_writes_the_draft(org: Any, client_for: Any) -> None:
    meeting = held_meeting(org)
    client = client_for("supervisor")
    preview = client.get(f"/newsdesk/from-meeting/{meeting.pk}/").content.decode()
    assert "主持会议" in preview and "2个部门和直属单位" in preview
    assert not NewsItem.objects.exists()
    response = client.post(f"/newsdesk/from-meeting/{meeting.pk}/")
    assert response.status_code == 302
    item = NewsItem.objects.get()
    assert item.event_date == meeting.date
    assert any("宣读了年度考核优秀等次人员名单" in b.get("text", "") for b in item.blocks)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/newsdesk/from-meeting/{meeting.pk}/" in page  # offered on the meeting's page


def test_the_api_writes_the_draft(org: Any, token_for: Any, client: Any) -> None:
    meeting = held_meeting(org)
    headers = token_for("supervisor")
    response = client.post(f"/api/v1/news/from-meeting/{meeting.pk}", **headers)
    assert response.status_code == 201
    assert response.json()["title"].endswith("召开机关工作会议")


def test_a_meeting_out_of_sight_is_not_found(org: Any, client_for: Any, token_for: Any) -> None:
    meeting = held_meeting(org)
    outsider = client_for("outsider")
    assert outsider.get(f"/newsdesk/from-meeting/{meeting.pk}/").status_code == 404
    assert outsider.post(f"/newsdesk/from-meeting/{meeting.pk + 999}/").status_code == 404
    assert not NewsItem.objects.exists()
