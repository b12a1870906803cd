"""Browser: the long lists of the newer apps on a phone (390 px) — the participants page, the
honours program page with its nominations and the news desk — a page at a time with their
filters, nothing to scroll sideways; the filter narrows the list and the pages move on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.honors import services as honors_services
from luoshi.honors.models import Nomination
from luoshi.meetings import services as meeting_services
from luoshi.meetings.tests.conftest import ready_meeting
from luoshi.news import services as news_services
from luoshi.orgs.models import Person

from .conftest import login, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _rows(page: Any, table: str) -> int:
    return int(page.locator(f"#{table} tbody tr").count())


def test_the_participants_page_filters_and_pages_on_a_phone(org: Any, window: Any) -> None:
    meeting = ready_meeting(org)
    office = org.users["supervisor"]
    for n in range(24):
        meeting_services.participant_add(
            actor=office,
            meeting=meeting,
            guest_name=f"来宾{n:02d}",
            guest_body="某协会海外联谊会理事单位" if n % 2 else "某商会",
            guest_title="名誉会长",
        )
    page = window(PHONE)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/participants/")
    no_sideways_scroll(page)
    assert _rows(page, "participants") == 20
    assert "29" in page.inner_text("#participant-counts")
    page.fill("#participant-filter input[name=q]", "商会")
    with page.expect_navigation():
        page.press("#participant-filter input[name=q]", "Enter")
    no_sideways_scroll(page)
    assert _rows(page, "participants") == 12
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/participants/?page=2")
    no_sideways_scroll(page)
    assert _rows(page, "participants") == 9
    assert not page.console_errors


def test_the_program_page_pages_its_nominations_on_a_phone(org: Any, window: Any) -> None:
    hr = org.users["hr"]
    program = honors_services.program_create(
        actor=hr,
        agency=org.agency,
        year=timezone.localdate().year,
        title="机关优秀工作者评选",
        scope="internal",
        nomination_deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    honors_services.quota_set(
        actor=hr, program=program, kind="commendation", family="civil_servant"
    )
    honors_services.quota_set(actor=hr, program=program, kind="advanced_collective", places=1)
    honors_services.program_open(actor=hr, program=program)
    for i in range(23):
        person = Person.objects.create(name=f"候选{i:03d}", gender="M", unit=org.office)
        Nomination.objects.create(
            program=program,
            kind="commendation",
            family="civil_servant",
            person=person,
            unit=org.office,
            status="submitted",
        )
    page = window(PHONE)
    login(page, "hr", PASSWORD)
    page.goto(f"{page.base_url}/honors/{program.pk}/")
    no_sideways_scroll(page)
    assert _rows(page, "nominations") == 20
    page.select_option("#nomination-filter select[name=status]", "submitted")
    page.fill("#nomination-filter input[name=q]", "候选01")
    with page.expect_navigation():
        page.click("#nomination-filter button[type=submit]")
    no_sideways_scroll(page)
    assert _rows(page, "nominations") == 10  # 候选010-019
    page.click("#collective-candidates-link")
    page.wait_for_selector("#collective-candidates")
    no_sideways_scroll(page)
    assert not page.console_errors


def test_the_news_desk_pages_on_a_phone(org: Any, window: Any) -> None:
    for i in range(23):
        news_services.item_create(
            actor=org.users["supervisor"],
            title=f"测试省侨联召开二〇二六年机关工作会议暨党风廉政建设工作会议{i}",
            blocks=[{"type": "paragraph", "text": "正文"}],
        )
    page = window(PHONE)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/newsdesk/")
    no_sideways_scroll(page)
    assert _rows(page, "news-items") == 20
    page.goto(f"{page.base_url}/newsdesk/?page=2")
    no_sideways_scroll(page)
    assert _rows(page, "news-items") == 3
    assert not page.console_errors
