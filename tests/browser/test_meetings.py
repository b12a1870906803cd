"""Browser: the work meeting (issue 17) — a participant signs in on a phone-sized window by the
door's QR link (logged in), sees their seat; a guest signs in with a one-time code; the office
moves a person in the seating editor with the keyboard; the office orders the presidium by
keyboard and edits the meeting's particulars at a phone's width."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.meetings import services
from luoshi.meetings.models import Participant, Seat
from luoshi.meetings.tests.conftest import ready_meeting

from .conftest import login, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _arranged(org: Any) -> Any:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.presidium_set(
        actor=office, meeting=meeting, person_ids=[org.people["leader"].pk, org.people["vice"].pk]
    )
    services.seating_arrange(actor=office, meeting=meeting)
    return meeting


def test_sign_in_on_a_phone(org: Any, window: Any) -> None:
    meeting = _arranged(org)
    phone = window(PHONE)
    login(phone, "staff", PASSWORD)
    phone.goto(f"{phone.base_url}/meetings/sign-in/{services.current_token(meeting)}/")
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="签到").click()
    phone.wait_for_selector("#signed-in")
    assert "排" in phone.inner_text("#seat")
    mine = Participant.objects.get(meeting=meeting, person=org.people["staff"])
    assert mine.signed_in_at is not None and mine.sign_in_method == "qr"
    # the phone's seat page and the list of my meetings fit the phone too
    phone.goto(f"{phone.base_url}/meetings/{meeting.pk}/my-seat/")
    no_sideways_scroll(phone)
    phone.goto(f"{phone.base_url}/meetings/mine/")
    no_sideways_scroll(phone)
    assert meeting.title in phone.inner_text("#my-meetings")

    # a guest (no account) signs in with the code from the desk
    guest = services.participant_add(
        actor=org.users["supervisor"], meeting=meeting, guest_name="访客丙", guest_body="兄弟单位"
    )
    code = services.guest_code_issue(actor=org.users["supervisor"], participant=guest)
    other = window(PHONE)
    other.goto(f"{other.base_url}/meetings/sign-in/{services.current_token(meeting)}/")
    other.fill("input[name=code]", code)
    other.get_by_role("button", name="以嘉宾身份签到").click()
    other.wait_for_selector("#signed-in")
    guest.refresh_from_db()
    assert guest.sign_in_method == "code"
    assert not phone.console_errors and not other.console_errors


def test_seating_editor_keyboard_move(org: Any, window: Any) -> None:
    meeting = _arranged(org)
    page = window(DESKTOP)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/seating/")
    taken = Seat.objects.filter(meeting=meeting, area="hall", participant__isnull=False).order_by(
        "row", "position"
    )[0]
    who = taken.participant_id
    seat = page.locator(f".ls-seat[data-seat='{taken.pk}']")
    seat.focus()
    page.keyboard.press("Enter")  # pick up
    page.keyboard.press("ArrowDown")  # to the next row
    target_pk = int(page.evaluate("document.activeElement.getAttribute('data-seat')"))
    assert target_pk != taken.pk
    with page.expect_navigation():
        page.keyboard.press("Enter")  # put down
    target = Seat.objects.get(pk=target_pk)
    assert target.participant_id == who
    taken.refresh_from_db()
    assert taken.participant_id != who
    # L locks the seat; a locked seat refuses to move
    page.locator(f".ls-seat[data-seat='{target_pk}']").focus()
    with page.expect_navigation():
        page.keyboard.press("l")
    target.refresh_from_db()
    assert target.locked
    assert not page.console_errors


def test_presidium_order_by_keyboard_and_the_edit_page_on_a_phone(org: Any, window: Any) -> None:
    meeting = _arranged(org)  # the presidium: the leader (No. 1), the vice (No. 2)
    page = window(PHONE)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/meetings/{meeting.pk}/participants/")
    no_sideways_scroll(page)
    first = page.locator("#presidium-order .ls-presidium-entry").first
    assert first.get_attribute("data-person") == str(org.people["leader"].pk)
    first.focus()
    page.keyboard.press("Alt+ArrowDown")  # No. 1 becomes No. 2
    assert "2" in page.inner_text("#presidium-status")
    page.select_option("#presidium-add", str(org.people["head"].pk))
    page.click("#presidium-add-button")
    with page.expect_navigation():
        page.click("#presidium-form button[type=submit]")
    order = list(
        Participant.objects.filter(meeting=meeting, presidium=True)
        .order_by("protocol_order")
        .values_list("person_id", flat=True)
    )
    assert order == [org.people["vice"].pk, org.people["leader"].pk, org.people["head"].pk]

    page.goto(f"{page.base_url}/meetings/{meeting.pk}/edit/")
    no_sideways_scroll(page)
    page.fill("input[name=venue]", "机关一楼报告厅")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    meeting.refresh_from_db()
    assert meeting.venue == "机关一楼报告厅"
    assert not page.console_errors
