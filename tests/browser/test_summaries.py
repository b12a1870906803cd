"""Browser: the annual summaries (issue 17) at a phone's width — a unit's summary edit page (the
editor with its live character count, saved) and the office's round page fit 390 px without
sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.plans.tests.conftest import plan as plan  # the fixtures
from luoshi.summaries.models import UnitSummary
from luoshi.summaries.tests.conftest import office_summary as office_summary
from luoshi.summaries.tests.conftest import round_ as round_
from luoshi.summaries.tests.conftest import year_data as year_data

from .conftest import login, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CLERK_PASSWORD = "Luoshi-test-1"  # the year_data fixture's office clerk)


def test_summary_editor_and_round_page_on_a_phone(
    org: Any, office_summary: UnitSummary, window: Any
) -> None:
    clerk = window(PHONE)
    login(clerk, "office_staff", CLERK_PASSWORD)
    clerk.goto(f"{clerk.base_url}/summaries/{office_summary.pk}/")
    clerk.wait_for_selector("#summary-form")
    no_sideways_scroll(clerk)
    area = clerk.locator("textarea[name=achievements]")
    assert area.is_visible()
    box = area.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    counter = clerk.locator("#summary-counter")
    before = counter.inner_text()
    area.fill(area.input_value() + "\n全年共举办专题培训六期，培训干部三百余人次。")
    clerk.wait_for_function(
        "t => document.getElementById('summary-counter').textContent !== t", arg=before
    )
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="保存", exact=True).click()
    office_summary.refresh_from_db()
    assert "专题培训六期" in office_summary.achievements
    clerk.wait_for_selector("#summary-form")
    no_sideways_scroll(clerk)
    assert not clerk.console_errors

    office = window(PHONE)
    login(office, "supervisor", PASSWORD)
    office.goto(f"{office.base_url}/summaries/rounds/{office_summary.round_id}/")
    no_sideways_scroll(office)
    assert office_summary.unit.name in office.inner_text("main")
    office.goto(f"{office.base_url}/summaries/{office_summary.pk}/")
    no_sideways_scroll(office)
    assert not office.console_errors
