"""Browser: on a phone (390 x 844) a rater casts a ballot with an anonymous slip's code at a shared
screen, and a signed-in voter casts an identified ballot; the grades are targets of at least 44 px
and nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.evaluation import rules, services
from luoshi.evaluation.models import Ballot, Campaign, Voter

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def make_campaign(org: Any) -> tuple[Any, list[str]]:
    """Anonymous slips: two rater categories, codes printed (assigned to nobody)."""
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr,
        unit=org.agency,
        year=2026,
        title="2026年度民主测评",
        min_ballots=1,
        ballot_mode=Campaign.BallotMode.SLIPS,
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    services.categories_set(
        actor=hr,
        campaign=campaign,
        categories=[
            services.CategoryIn("领导班子成员", 40, 1),
            services.CategoryIn("一般干部", 60, 2),
        ],
    )
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    issued = services.codes_issue(actor=hr, campaign=campaign)
    return campaign, [i.code for i in issued]


def _grade_targets(page: Any) -> list[dict[str, float]]:
    # measured once the page's style sheets have loaded: the DOM can be there before them
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(
        "label.ls-grade",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {w: r.width, h: r.height, right: r.right}; })",
    )


def test_cast_a_ballot_with_a_code_on_a_phone(
    browser: Any, live_server: Any, org: Any, settings: Any
) -> None:
    settings.LUOSHI_BALLOT_BATCH = 1  # the ballot leaves the buffer at once (else: at sealing)
    campaign, codes = make_campaign(org)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + "/vote/")
        code = codes[-1]
        page.fill("input[name=code]", rules.format_code(code).lower())
        page.click("#open-ballot")
        page.wait_for_selector("fieldset")
        assert page.locator("fieldset").count() == 2  # a slip is nobody's: every candidate
        assert page.get_attribute("#ballot-mode", "data-mode") == "slips"
        assert "一般干部" in page.inner_text("#ballot-mode")
        targets = _grade_targets(page)
        assert len(targets) == 10 and all(t["h"] >= 44 and t["w"] >= 44 for t in targets)
        assert all(t["right"] <= 390 for t in targets)
        assert page.evaluate(OVERFLOW) <= 0
        cast_box = page.locator("#cast").bounding_box()
        assert cast_box is not None and cast_box["height"] >= 44
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
        assert Voter.objects.filter(campaign=campaign, has_voted=True).count() == 1
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


def test_an_identified_ballot_on_a_phone(browser: Any, live_server: Any, org: Any) -> None:
    """The signed-in voter's own link: the page says the system knows that they voted, not how;
    their own candidacy is not on it; a tap on a grade's label chooses it."""
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr,
        unit=org.agency,
        year=2026,
        title="2026年度记名测评",
        min_ballots=1,
        ballot_mode=Campaign.BallotMode.IDENTIFIED,
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    services.voters_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    voter = Voter.objects.get(campaign=campaign, person=p["staff"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    try:
        login(page, "staff", PASSWORD)
        page.goto(live_server.url + f"/evaluation/ballot/{services.link_token(voter)}/")
        page.wait_for_selector("fieldset")
        assert page.get_attribute("#ballot-mode", "data-mode") == "identified"
        assert page.locator("fieldset").count() == 1  # not themself
        targets = _grade_targets(page)
        assert len(targets) == 5 and all(t["h"] >= 44 and t["w"] >= 44 for t in targets)
        assert all(t["right"] <= 390 for t in targets)
        # the ballot itself never scrolls sideways (the signed-in top bar is base.html's)
        assert page.eval_on_selector(".ls-ballot", "e => e.scrollWidth - e.clientWidth") <= 0
        assert page.eval_on_selector("#ballot-mode", "e => e.getBoundingClientRect().right") <= 390
        head = campaign.candidates.get(person=p["head"])
        page.click(f"label[for=c{head.pk}-competent]")
        assert page.is_checked(f"#c{head.pk}-competent")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#cast")
        page.wait_for_selector("#ballot-done")
        assert Voter.objects.get(pk=voter.pk).has_voted
    finally:
        context.close()
