"""Campaign fixtures built through the real services.

`campaign`: identified ballots (a voter list; each voter votes through their own link).
`slips`: anonymous slips (two rater categories, codes printed), with `slip_codes` its codes.
`cast(who, **grades)`: `who` is a persona key (that person's voter row in the open identified
campaign) or a printed slip code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from luoshi.evaluation import services
from luoshi.evaluation.models import Campaign, Voter

# (rater category, weight %, slips)
CATEGORIES = (("领导班子成员", 40, 2), ("一般干部", 60, 4))


def make_campaign(
    org: Any,
    *,
    publish: bool = True,
    min_ballots: int = 2,
    mode: str = Campaign.BallotMode.IDENTIFIED,
    categories: tuple[tuple[str, int, int], ...] = CATEGORIES,
    **kw: Any,
) -> Campaign:
    hr = org.users["hr"]
    campaign = services.campaign_create(
        actor=hr,
        unit=org.agency,
        year=kw.pop("year", 2026),
        title=kw.pop("title", "2026年度民主测评"),
        min_ballots=min_ballots,
        ballot_mode=mode,
        **kw,
    )
    p = org.people
    services.candidates_set(actor=hr, campaign=campaign, people=[p["head"], p["staff"]])
    if mode == Campaign.BallotMode.IDENTIFIED:
        services.voters_set(
            actor=hr,
            campaign=campaign,
            people=[
                p["head"],
                p["staff"],
                p["econ_colleague"],
                p["office_staff"],
                p["liaison_staff"],
            ],
        )
    else:
        services.categories_set(
            actor=hr,
            campaign=campaign,
            categories=[services.CategoryIn(*row) for row in categories],
        )
    if publish:
        campaign = services.campaign_publish(actor=hr, campaign=campaign)
    return campaign


def make_slips(org: Any, **kw: Any) -> tuple[Campaign, list[services.IssuedCode]]:
    """A published anonymous-slips campaign and its printed slips."""
    campaign = make_campaign(org, mode=Campaign.BallotMode.SLIPS, **kw)
    return campaign, services.codes_issue(actor=org.users["hr"], campaign=campaign)


@pytest.fixture
def campaign(org: Any) -> Campaign:
    return make_campaign(org)


@pytest.fixture
def slips_issued(org: Any) -> tuple[Campaign, list[services.IssuedCode]]:
    return make_slips(org)


@pytest.fixture
def slips(slips_issued: Any) -> Campaign:
    return slips_issued[0]


@pytest.fixture
def slip_codes(slips_issued: Any) -> list[str]:
    """The slips' printed codes, in the order printed (grouped by category)."""
    return [item.code for item in slips_issued[1]]


@pytest.fixture
def close(org: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Campaign]:
    """Close as the officer and run what the commit starts: the sealing task (the immediate
    backend runs it at once). Returns the campaign as sealed."""

    def do(campaign: Campaign, actor: Any = None) -> Campaign:
        with django_capture_on_commit_callbacks(execute=True):
            services.campaign_close(actor=actor or org.users["hr"], campaign=campaign)
        return Campaign.objects.get(pk=campaign.pk)

    return do


def voter_of(org: Any, key: str) -> Voter:
    """The persona's place on the voter list of the open identified campaign."""
    return Voter.objects.select_related("campaign").get(
        person=org.people[key],
        campaign__status=Campaign.Status.PUBLISHED,
        campaign__ballot_mode=Campaign.BallotMode.IDENTIFIED,
    )


@pytest.fixture
def cast(org: Any) -> Callable[..., None]:
    def do(who: str, **grades: str) -> None:
        if who in org.people:
            voter, channel = voter_of(org, who), "link"
        else:
            voter, channel = services.voter_for_code(who), "code"
        choices = {org.people[key].pk: grade for key, grade in grades.items()}
        services.ballot_cast(voter=voter, choices=choices, channel=channel)

    return do


@pytest.fixture(autouse=True)
def _ballots_stored_at_once(settings: Any) -> None:
    """Most tests here look at a ballot right after its cast: a batch of one moves each ballot
    from the buffer at once. The buffer's batching has its own tests (test_ballot_secrecy.py),
    which set the batch they need."""
    settings.LUOSHI_BALLOT_BATCH = 1
