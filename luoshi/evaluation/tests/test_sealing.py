"""Closing is instant; the ballots are sealed by a background task (django-tasks).

The close stops the vote and enqueues `seal_ballots` after its commit; until the task has run
the campaign is "sealing" and no result is shown (page, export, API). The task rewrites the
ballots (new keys, new order), is harmless when run twice, and `luoshi tick` enqueues it again
for a campaign left unsealed too long.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.core.context import client_ip
from luoshi.core.models import AuditEntry
from luoshi.core.periodic import steps
from luoshi.evaluation import rules, sealing, selectors, services
from luoshi.evaluation.models import Ballot, BallotMark, Campaign, Candidate, Voter
from luoshi.evaluation.tasks import seal_ballots

from .test_anonymity import (
    GRADES,
    _ballot_patterns_in_storage_order,
    _big_campaign,
    open_credential,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _vote_all(campaign: Campaign, codes: dict[int, str]) -> list[tuple[str, ...]]:
    """Every voter casts a ballot of their own pattern; the patterns in the order cast."""
    candidates = list(Candidate.objects.filter(campaign=campaign).order_by("sort_order"))
    order = []
    for index, (person_id, code) in enumerate(sorted(codes.items())):
        choices = {
            c.person_id: GRADES[(index + k * (index // 5 + 1)) % 5]
            for k, c in enumerate(candidates)
            if c.person_id != person_id
        }
        services.ballot_cast(voter=open_credential(campaign, person_id, code), choices=choices)
        order.append(tuple(choices.get(c.person_id, "-") for c in candidates))
    return order


def test_close_returns_at_once_with_the_campaign_sealing(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    campaign, codes = _big_campaign(org)
    cast_order = _vote_all(campaign, dict(list(codes.items())[:-1]))
    ids_before = set(Ballot.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        closed = services.campaign_close(actor=org.users["hr"], campaign=campaign)
    # the sealing task, enqueued once the close commits (besides the cache's generation bumps)
    assert len([c for c in callbacks if c.__module__ != "luoshi.core.cache"]) == 1
    assert closed.is_sealing and not closed.is_closed and closed.closed_at
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SEALING
    # nothing rewritten yet: the close itself does no heavy work
    assert set(Ballot.objects.values_list("id", flat=True)) == ids_before
    assert _ballot_patterns_in_storage_order(campaign) == cast_order
    # voting stopped at once: no credential works, no ballot is accepted
    assert not Voter.objects.filter(campaign=campaign).exclude(code_hash="", token_hash="").exists()
    voter = Voter.objects.filter(campaign=campaign, has_voted=False).first()
    assert voter is not None
    with pytest.raises(services.VotingClosed):
        services.ballot_cast(voter=voter, choices={})
    with pytest.raises(services.VotingClosed):
        services.campaign_close(actor=org.users["hr"], campaign=closed)
    with pytest.raises(selectors.ResultsSealing):
        selectors.campaign_results(closed)
    entry = AuditEntry.objects.get(action="evaluation.close")
    assert (entry.after or {})["status"] == "sealing" and entry.actor == org.users["hr"]


def test_the_task_seals_new_keys_new_order_same_tally(org: Any) -> None:
    campaign, codes = _big_campaign(org)
    cast_order = _vote_all(campaign, codes)
    ids_before = set(Ballot.objects.values_list("id", flat=True))
    marks_before = set(BallotMark.objects.values_list("id", flat=True))
    per_category = sorted(Ballot.objects.values_list("category_id", flat=True))
    services.campaign_close(actor=org.users["hr"], campaign=campaign)
    token = client_ip.set("10.9.8.7")  # the immediate backend runs it in the closing request
    try:
        assert seal_ballots.call(campaign.pk) is True
    finally:
        client_ip.reset(token)
    sealed = Campaign.objects.get(pk=campaign.pk)
    assert sealed.is_closed and sealed.sealed_at and sealed.closed_at
    assert sealed.sealed_at >= sealed.closed_at
    ids_after = set(Ballot.objects.values_list("id", flat=True))
    assert len(ids_after) == len(cast_order) and not ids_before & ids_after
    assert not marks_before & set(BallotMark.objects.values_list("id", flat=True))
    stored = _ballot_patterns_in_storage_order(campaign)
    assert sorted(stored) == sorted(cast_order) and stored != cast_order
    # each slip's ballot kept its rater category (the weighted score is the same)
    assert sorted(Ballot.objects.values_list("category_id", flat=True)) == per_category
    assert selectors.campaign_results(sealed)  # readable now
    entry = AuditEntry.objects.get(action="evaluation.seal")
    assert entry.actor is None and entry.actor_name == "" and entry.client_ip is None
    assert entry.after == {"status": "closed", "ballots": len(cast_order)}


def test_sealing_twice_is_harmless(org: Any, django_capture_on_commit_callbacks: Any) -> None:
    campaign, codes = _big_campaign(org)
    _vote_all(campaign, dict(list(codes.items())[:4]))
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_close(actor=org.users["hr"], campaign=campaign)
    sealed = Campaign.objects.get(pk=campaign.pk)
    assert sealed.is_closed
    ids = set(Ballot.objects.values_list("id", flat=True))
    marks = set(BallotMark.objects.values_list("id", flat=True))
    assert seal_ballots.call(campaign.pk) is False
    assert sealing.campaign_seal(campaign_id=campaign.pk) is False
    assert sealing.campaign_seal(campaign_id=10**9) is False  # gone: nothing either
    again = Campaign.objects.get(pk=campaign.pk)
    assert (again.version, again.sealed_at) == (sealed.version, sealed.sealed_at)
    assert set(Ballot.objects.values_list("id", flat=True)) == ids
    assert set(BallotMark.objects.values_list("id", flat=True)) == marks
    assert AuditEntry.objects.filter(action="evaluation.seal").count() == 1


def test_results_are_hidden_until_sealed(
    org: Any, client_for: Any, token_for: Any, campaign: Campaign, cast: Any
) -> None:
    cast("office_staff", head="excellent", staff="competent")
    cast("liaison_staff", head="competent", staff="competent")
    hr = client_for("hr")
    detail_url = reverse("evaluation:campaign", args=[campaign.pk])
    response = hr.post(detail_url, {"action": "close"}, follow=True)
    assert "being sealed" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).is_sealing  # no commit here: task not run
    url = reverse("evaluation:results", args=[campaign.pk])
    page = hr.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="sealing"' in html and 'hx-trigger="every 3s"' in html and f'hx-get="{url}"' in html
    assert "ballots are being sealed" in html and "90.00" not in html and 'id="results"' not in html
    assert "<script>" not in html.split("</head>")[1]  # no inline script (CSP)
    poll = hr.get(url, headers={"HX-Request": "true"})
    fragment = poll.content.decode()
    assert poll.status_code == 200 and fragment.lstrip().startswith('<div class="alert')
    assert 'id="sealing"' in fragment and "<html" not in fragment
    assert hr.get(reverse("evaluation:results_xlsx", args=[campaign.pk])).status_code == 409
    api = Client().get(
        f"/api/v1/appraisal/campaigns/{campaign.pk}/results",
        HTTP_ACCEPT_LANGUAGE="en",
        **token_for("hr"),
    )
    assert api.status_code == 409 and api.json()["code"] == "results_sealing"
    state = Client().get(f"/api/v1/appraisal/campaigns/{campaign.pk}", **token_for("hr")).json()
    assert state["status"] == "sealing" and state["sealed_at"] is None
    assert not AuditEntry.objects.filter(action__startswith="evaluation.results").exists()
    # sealed: the next poll asks the browser to reload, which shows the results (audited)
    assert sealing.campaign_seal(campaign_id=campaign.pk) is True
    poll = hr.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll.headers["HX-Refresh"] == "true"
    assert not AuditEntry.objects.filter(action="evaluation.results_view").exists()
    page = hr.get(url)
    assert "90.00" in page.content.decode()  # head: (95 + 85) / 2
    assert AuditEntry.objects.filter(action="evaluation.results_view").count() == 1


def test_tick_enqueues_sealing_again_for_a_stale_campaign(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stale, codes = _big_campaign(org)
    _vote_all(stale, dict(list(codes.items())[:3]))
    with django_capture_on_commit_callbacks():  # the task is lost: never run
        services.campaign_close(actor=org.users["hr"], campaign=stale)
    fresh, _codes = _big_campaign(org)
    with django_capture_on_commit_callbacks():
        services.campaign_close(actor=org.users["hr"], campaign=fresh)
    ids = set(Ballot.objects.filter(campaign=stale).values_list("id", flat=True))
    step = next(s for s in steps() if s.name == "evaluation.sealing")
    with django_capture_on_commit_callbacks(execute=True):
        assert step.run(timezone.localdate()).startswith("0 ")  # just closed: not yet
    assert Campaign.objects.get(pk=stale.pk).is_sealing
    later = timezone.now() - dt.timedelta(minutes=rules.SEALING_RETRY_MINUTES, seconds=1)
    Campaign.objects.filter(pk=stale.pk).update(closed_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tick", stdout=io.StringIO())
    assert Campaign.objects.get(pk=stale.pk).is_closed
    assert Campaign.objects.get(pk=fresh.pk).is_sealing
    assert not ids & set(Ballot.objects.filter(campaign=stale).values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert step.run(timezone.localdate()).startswith("0 ")  # sealed: nothing left
