"""Campaign fixtures built through the real services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from luoshi.evaluation import services
from luoshi.evaluation.models import Campaign


def make_campaign(org: Any, *, publish: bool = True, min_ballots: int = 2, **kw: Any) -> Campaign:
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr,
        unit=org.agency,
        year=kw.pop("year", 2026),
        title=kw.pop("title", "2026年度民主测评"),
        min_ballots=min_ballots,
        **kw,
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    services.voters_set(
        actor=hr,
        campaign=campaign,
        people=[p["head"], p["staff"], p["econ_colleague"], p["office_staff"], p["liaison_staff"]],
    )
    if publish:
        campaign = services.campaign_publish(actor=hr, campaign=campaign)
    return campaign


@pytest.fixture
def campaign(org: Any) -> Campaign:
    return make_campaign(org)


@pytest.fixture
def codes(org: Any, campaign: Campaign) -> dict[str, str]:
    """persona key → printed code for the published campaign's voters."""
    issued = services.codes_issue(actor=org.users["hr"], campaign=campaign)
    by_person = {i.voter.person_id: i.code for i in issued}
    return {key: by_person[p.pk] for key, p in org.people.items() if p.pk in by_person}


@pytest.fixture
def close(org: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Campaign]:
    """Close as the officer and run what the commit starts: the sealing task (the immediate
    backend runs it at once). Returns the campaign as sealed."""

    def do(campaign: Campaign, actor: Any = None) -> Campaign:
        with django_capture_on_commit_callbacks(execute=True):
            services.campaign_close(actor=actor or org.users["hr"], campaign=campaign)
        return Campaign.objects.get(pk=campaign.pk)

    return do


@pytest.fixture
def cast(org: Any) -> Callable[..., None]:
    def do(code: str, **grades: str) -> None:
        voter = services.voter_for_code(code)
        choices = {org.people[key].pk: grade for key, grade in grades.items()}
        services.ballot_cast(voter=voter, choices=choices, channel="code")

    return do
