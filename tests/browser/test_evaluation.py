"""Browser: a voter at a shared screen (phone-sized) casts a ballot with a printed code."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.evaluation import rules, services
from luoshi.evaluation.models import Ballot, Voter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_campaign(org: Any) -> tuple[Any, dict[int, str]]:
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr, unit=org.agency, year=2026, title="2026年度民主测评", min_ballots=1
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    services.voters_set(actor=hr, campaign=campaign, people=[p["head"], p["office_staff"]])
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    issued = services.codes_issue(actor=hr, campaign=campaign)
    return campaign, {i.voter.person_id: i.code for i in issued}


def test_cast_a_ballot_with_a_code_on_a_phone(browser: Any, live_server: Any, org: Any) -> None:
    campaign, codes = make_campaign(org)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + "/vote/")
        code = codes[org.people["office_staff"].pk]
        page.fill("input[name=code]", rules.format_code(code).lower())
        page.click("#open-ballot")
        page.wait_for_selector("fieldset")
        assert page.locator("fieldset").count() == 2
        head = campaign.candidates.get(person=org.people["head"])
        staff = campaign.candidates.get(person=org.people["staff"])
        # keyboard: focus the first grade of a group and move with the arrow keys
        page.focus(f"#c{head.pk}-excellent")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        assert page.is_checked(f"#c{head.pk}-competent")
        page.check(f"#c{staff.pk}-unknown")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#cast")
        page.wait_for_selector("#ballot-done")
        assert Ballot.objects.filter(campaign=campaign).count() == 1
        assert Voter.objects.get(campaign=campaign, person=org.people["office_staff"]).has_voted
        # the same code a second time is refused with a message next to the field
        page.click("#next-voter")
        page.fill("input[name=code]", code)
        page.click("#open-ballot")
        page.wait_for_selector(".invalid-feedback")
        assert page.locator("fieldset").count() == 0
        assert Ballot.objects.filter(campaign=campaign).count() == 1
        assert errors == []
    finally:
        context.close()
