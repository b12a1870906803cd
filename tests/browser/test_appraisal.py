"""Browser: the annual appraisal from the leader's proposal to the person's acknowledgement —
proposal → committee (meeting, decisions) → publicity → finalize (tick) → notice → acknowledgement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle, Participant

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def test_proposal_committee_publicity_final_acknowledgement(page: Any, org: Any) -> None:
    hr, leader = org.users["hr"], org.users["leader"]
    cycle = services.cycle_open(actor=hr, agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31))
    target = Participant.objects.get(cycle=cycle, person=org.people["staff"])
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.pk != target.pk and p.person_id != org.people["leader"].pk:
            services.propose(actor=leader, participant=p, grade="competent", comments="称职")

    # the supervising leader proposes Excellent on the person's page
    switch(page, "leader")
    page.goto(page.base_url + f"/appraisal/participants/{target.pk}/")
    page.fill("#proposal textarea[name=comments]", "工作突出，建议评为优秀")
    page.select_option("#proposal select[name=grade]", "excellent")
    page.click("#save-proposal")
    page.wait_for_selector("#proposal")
    assert Participant.objects.get(pk=target.pk).proposed_grade == "excellent"

    # the personnel officer sends the cycle to the committee
    switch(page, "hr")
    page.goto(page.base_url + f"/appraisal/{cycle.pk}/")
    page.fill("#override-reason", "个人总结为纸质材料")  # the readiness check: none written
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#to-committee")
    page.wait_for_selector("#cycle-status")
    assert AnnualCycle.objects.get(pk=cycle.pk).status == "committee"

    # the committee records its meeting and confirms the grades
    switch(page, "committee")
    page.goto(page.base_url + f"/appraisal/{cycle.pk}/committee/")
    page.fill("input[name=meeting_date]", "2025-12-01")
    page.fill("textarea[name=members_present]", "甲主席、乙副主席、卯委员")
    page.click("#save-meeting")
    page.wait_for_selector("#decisions")
    row = page.locator(f"tr[data-person='{org.people['leader'].name}']")
    row.locator("select[data-decision]").select_option("competent")
    page.click("#save-decisions")
    page.wait_for_selector("#decisions")
    decided = Participant.objects.filter(cycle=cycle, decided_at__isnull=False).count()
    assert decided == cycle.participants.count()
    assert Participant.objects.get(pk=target.pk).decided_grade == "excellent"

    # the officer publishes the Excellent list from today (it may not start in the past: issue 15
    # finding 1), for five working days
    today = timezone.localdate()
    end, _warning = services.publicity_end_for(today)
    switch(page, "hr")
    page.goto(page.base_url + f"/appraisal/{cycle.pk}/committee/")
    page.fill("input[name=start]", today.isoformat())
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#start-publicity")
    page.wait_for_selector("#publicity-list")
    assert org.people["staff"].name in page.inner_text("#publicity-list")
    assert end.isoformat() in page.inner_text("#publicity-period")

    # the tick finalizes once publicity is over; the officer sends the notices
    assert services.finalize_due(end).startswith("0 ")
    assert services.finalize_due(end + dt.timedelta(days=1)).startswith("1 ")
    page.goto(page.base_url + f"/appraisal/{cycle.pk}/")
    page.click("#send-notices")
    page.wait_for_selector("#cycle-status")

    # the person sees the result and signs their opinion
    switch(page, "staff")
    page.goto(page.base_url + f"/appraisal/participants/{target.pk}/")
    assert page.locator("#final-grade").count() == 1
    page.check("input[name=choice][value=agree]")
    page.fill("#ack-form textarea[name=text]", "同意考核结果")
    page.click("#submit-ack")
    page.wait_for_selector("#ack")
    target.refresh_from_db()
    assert target.ack == "agree" and target.final_grade == "excellent"
    assert page.console_errors == []
