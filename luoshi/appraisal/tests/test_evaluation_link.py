"""The annual cycle reads the democratic evaluation's tally (built by luoshi.evaluation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.appraisal import selectors, services
from luoshi.core.errors import InvalidInput
from luoshi.evaluation import services as ev
from luoshi.evaluation.tests.conftest import make_campaign

from .conftest import part

pytestmark = pytest.mark.django_db


def test_linked_campaign_scores_show_after_closing(
    org: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2026, as_of=dt.date(2026, 12, 31)
    )
    campaign = make_campaign(org, min_ballots=2, mode="slips")
    other_year = make_campaign(org, year=2025, title="2025年度民主测评", publish=False)
    with pytest.raises(InvalidInput):
        services.campaign_link(actor=org.users["hr"], cycle=cycle, campaign=other_year)
    cycle = services.campaign_link(actor=org.users["hr"], cycle=cycle, campaign=campaign)
    assert selectors.evaluation_results(cycle) == {}  # open: nothing but turnout elsewhere
    issued = ev.codes_issue(actor=org.users["hr"], campaign=campaign)
    grade_codes = list(campaign.grades.order_by("sort_order").values_list("code", flat=True))
    for item in issued[:3]:
        voter = ev.voter_for_code(item.code)
        choices = {
            c.person_id: grade_codes[0]
            for c in ev.ballot_candidates(voter)
            if c.person_id != voter.person_id
        }
        ev.ballot_cast(voter=voter, choices=choices, channel="code")
    with django_capture_on_commit_callbacks(execute=True):  # the close's sealing task runs
        ev.campaign_close(actor=org.users["hr"], campaign=campaign)
    cycle.refresh_from_db()
    results = selectors.evaluation_results(cycle)
    assert results[org.people["staff"].pk].ballots >= 2
    page = client_for("hr").get(f"/appraisal/participants/{part(cycle, org, 'staff').pk}/")
    assert page.context["evaluation"].valid
    committee = client_for("hr").get(f"/appraisal/{cycle.pk}/committee/")
    assert committee.status_code == 200
