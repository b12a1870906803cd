"""Browser (issue 15 findings 5 and 6): the annual appraisal walked on a desktop and on a phone
(390×844) — the readiness check with its missing items, the open democratic evaluation refused,
then closed; the missing summaries overridden with a reason; the committee decides the whole list
on one page with the quota counter live; the Excellent list published. At 390 px the pages
touched scroll no wider than the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import PASSWORD
from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle, Participant
from luoshi.core.models import AuditEntry
from luoshi.evaluation import services as ev
from luoshi.evaluation.tests.conftest import make_campaign

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOWS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# The elements that reach past the right edge (for the failure message): outermost first.
WIDE = """(selector) => {
  const w = document.documentElement.clientWidth;
  const out = [];
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") { return true; }
    }
    return false;
  };
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    const parentListed = out.some((o) => o.el === el.parentElement);
    if (r.right > w + 1 && !parentListed && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      out.push({el, d: name + " " + Math.round(r.right)});
    }
  }
  return out.slice(0, 5).map((o) => o.d);
}"""


def _switch(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


@pytest.mark.parametrize("window", list(WINDOWS))
def test_issue_15_annual_appraisal_readiness_then_one_page_decisions(
    browser: Any, live_server: Any, org: Any, window: str
) -> None:
    hr, leader = org.users["hr"], org.users["leader"]
    cycle = services.cycle_open(actor=hr, agency=org.agency, year=2026, as_of=dt.date(2026, 12, 31))
    staff = Participant.objects.get(cycle=cycle, person=org.people["staff"])
    head = Participant.objects.get(cycle=cycle, person=org.people["head"])
    lead = Participant.objects.get(cycle=cycle, person=org.people["leader"])
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.pk != lead.pk:
            grade = "excellent" if p.pk == staff.pk else "competent"
            services.propose(actor=leader, participant=p, grade=grade, comments="同意")
    campaign = make_campaign(org, year=2026, title="2026年度民主测评")  # published: open
    services.campaign_link(actor=hr, cycle=cycle, campaign=campaign)

    context = browser.new_context(locale="zh-CN", viewport=WINDOWS[window])
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    overflow: list[str] = []

    content_overflow: list[str] = []

    def check_width(name: str) -> None:
        """The page's content (this slice's) and then the whole document (the top bar is
        helper "phone"'s: base.html and its CSS)."""
        if window != "phone":
            return
        wide = page.evaluate(WIDE, "main *")
        if wide:
            content_overflow.append(f"{name}: {wide}")
        if not page.evaluate(NO_OVERFLOW):
            overflow.append(f"{name}: {page.evaluate(WIDE, 'body *')}")

    try:
        # the officer sees the readiness check: the open evaluation must be fixed first
        _switch(page, "hr")
        page.goto(page.base_url + f"/appraisal/{cycle.pk}/")
        page.wait_for_selector("#readiness")
        assert page.locator("[data-readiness=evaluation]").is_visible()
        assert "2026年度民主测评" in page.inner_text("[data-readiness=evaluation]")
        assert page.locator("#readiness-refused").is_visible()
        assert page.locator("#to-committee").count() == 0
        check_width("cycle (refused)")

        # the evaluation closes; the missing summaries and the one missing proposal remain
        ev.campaign_close(actor=hr, campaign=campaign)
        page.reload()
        summaries = page.locator("[data-readiness=summaries]")
        proposals = page.locator("[data-readiness=proposals]")
        assert summaries.is_visible() and proposals.is_visible()
        assert "13人（共13人）" in summaries.inner_text()
        assert "1人（共13人）" in proposals.inner_text()
        assert page.locator("[data-readiness=evaluation]").count() == 0
        check_width("cycle (readiness)")

        # sent with a reason, which the audit log keeps
        page.fill("#override-reason", "个人总结为纸质材料，已存档")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#to-committee")
        page.wait_for_selector("#cycle-status")
        assert AnnualCycle.objects.get(pk=cycle.pk).status == "committee"
        entry = AuditEntry.objects.get(action="appraisal.to_committee")
        assert (entry.after or {})["override_reason"] == "个人总结为纸质材料，已存档"

        # the committee: one page, nothing preselected for the agency leader, the counter live
        _switch(page, "committee")
        page.goto(page.base_url + f"/appraisal/{cycle.pk}/committee/")
        page.fill("input[name=meeting_date]", page.input_value("input[name=meeting_date]"))
        page.fill("textarea[name=members_present]", "甲主席、乙副主席、卯委员")
        page.click("#save-meeting")
        page.wait_for_selector("#decide-all")
        lead_select = page.locator(f"#grade-{lead.pk}")
        assert lead_select.input_value() == ""
        assert page.locator(f"#grade-{staff.pk}").input_value() == "proposed"
        assert page.inner_text("#quota-count") == "1"
        page.select_option(f"#grade-{head.pk}", "excellent")
        assert page.inner_text("#quota-count") == "2"
        assert page.locator("#quota-over").is_hidden()
        page.select_option(f"#grade-{lead.pk}", "excellent")
        assert page.inner_text("#quota-count") == "3"
        assert page.locator("#quota-over").is_visible()
        assert page.inner_text("#changed-count") == "2"
        check_width("committee")
        page.select_option(f"#grade-{lead.pk}", "competent")
        page.select_option(f"#grade-{head.pk}", "proposed")
        assert page.inner_text("#quota-count") == "1"
        page.click("#save-decisions")
        page.wait_for_selector("#decide-all")
        decided = Participant.objects.filter(cycle=cycle, decided_at__isnull=False).count()
        assert decided == 13
        assert Participant.objects.get(pk=lead.pk).decided_grade == "competent"
        assert Participant.objects.get(pk=staff.pk).decided_grade == "excellent"
        assert AuditEntry.objects.filter(action="appraisal.decide").count() == 13

        # the stage counts add up: all 13 decided, none left "drawn"
        _switch(page, "hr")
        page.goto(page.base_url + f"/appraisal/{cycle.pk}/?step=drawn")
        assert page.locator("#participants tbody tr td[colspan]").count() == 1
        check_width("cycle (committee)")

        # the officer publishes the Excellent list (from today)
        page.goto(page.base_url + f"/appraisal/{cycle.pk}/committee/")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#start-publicity")
        page.wait_for_selector("#publicity-list")
        assert org.people["staff"].name in page.inner_text("#publicity-list")
        check_width("publicity")
        assert errors == []
        assert content_overflow == [], f"content wider than the phone: {content_overflow}"
        assert overflow == [], f"document wider than the phone: {overflow}"
    finally:
        context.close()
