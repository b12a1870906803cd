"""The demo's closed evaluation: built through the services, once, with results to show."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.evaluation import selectors
from luoshi.evaluation.demo import build_demo_campaign
from luoshi.evaluation.models import Campaign
from luoshi.orgs.demo import build_demo

pytestmark = pytest.mark.django_db


def test_demo_campaign(settings: Any) -> None:
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    build_demo()
    summary = build_demo_campaign()
    assert "closed" in summary, summary
    campaign = Campaign.objects.get()
    assert campaign.is_closed
    results = selectors.campaign_results(campaign)
    assert results and any(r.valid for r in results.values())
    assert campaign.is_identified  # last year's: identified ballots
    assert build_demo_campaign() == "already present; nothing changed"


def test_demo_open_campaign_prints_codes_that_vote_once(settings: Any) -> None:
    """This year's cycle links an open evaluation of anonymous slips; a printed slip casts once,
    and the summary names categories, never a person, beside the codes."""
    import datetime as dt
    import re

    import time_machine
    from django.test import Client

    from luoshi.appraisal.demo import build_demo as build_appraisal_demo
    from luoshi.appraisal.models import AnnualCycle
    from luoshi.core.calendar import ensure_seeded
    from luoshi.evaluation import services
    from luoshi.evaluation.models import Ballot

    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    with time_machine.travel(dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC), tick=False):
        ensure_seeded()
        build_demo()
        build_demo_campaign()
        summary = build_appraisal_demo()
        cycle = AnnualCycle.objects.select_related("evaluation_campaign").get(year=2026)
        campaign = cycle.evaluation_campaign
        assert campaign is not None and campaign.is_open and campaign.year == 2026
        assert campaign.candidates.count() >= 2 and campaign.voters.count() >= 5
        assert campaign.uses_slips and campaign.rater_categories.count() == 3
        found = re.search(r"一般干部 ([A-Z0-9]{4}-[A-Z0-9]{4})", summary)
        assert found, summary
        assert "demo_staff" not in summary
        code = found.group(1)
        voter = services.voter_for_code(code)
        assert voter.campaign_id == campaign.pk and voter.person_id is None
        assert voter.category is not None and voter.category.name == "一般干部"
        choices = {c.person_id: "competent" for c in services.ballot_candidates(voter)}
        marks = {"code": code, "choices": choices}
        url = "/api/v1/appraisal/ballots"
        first = Client().post(url, marks, content_type="application/json")
        assert first.status_code == 201, first.content
        again = Client().post(url, marks, content_type="application/json")
        assert again.status_code == 409 and again.json()["code"] == "already_voted"
        assert Ballot.objects.filter(campaign=campaign).count() == 1
