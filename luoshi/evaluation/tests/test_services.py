"""Services: lifecycle, freezing, credentials, casting rules and the tally."""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from django.utils import translation

from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.models import AuditEntry
from luoshi.evaluation import rules, selectors, services
from luoshi.evaluation.models import Ballot, BallotMark, Campaign, Voter

from .conftest import make_campaign, voter_of

IDENTIFIED = Campaign.BallotMode.IDENTIFIED
SLIPS = Campaign.BallotMode.SLIPS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_create_uses_the_default_scale_and_minimum(org: Any, settings: Any) -> None:
    settings.LUOSHI_EVALUATION_MIN_BALLOTS = 5
    campaign = services.campaign_create(
        actor=org.users["hr"], unit=org.agency, year=2026, title="测评", ballot_mode=SLIPS
    )
    grades = list(campaign.grades.values_list("code", "points"))
    assert grades == [
        ("excellent", 95),
        ("competent", 85),
        ("basically_competent", 75),
        ("incompetent", 65),
        ("unknown", None),
    ]
    assert campaign.min_ballots == 5
    assert AuditEntry.objects.filter(action="evaluation.create").count() == 1


def test_public_institution_scale(org: Any) -> None:
    campaign = services.campaign_create(
        actor=org.users["hr"],
        unit=org.agency,
        year=2026,
        title="事业单位测评",
        ballot_mode=IDENTIFIED,
        family=Campaign.Family.PUBLIC_INSTITUTION,
    )
    labels = [g.display_label for g in campaign.grades.all()]
    assert labels == ["Excellent", "Qualified", "Basically qualified", "Unqualified", "Don't know"]


def test_publishing_freezes_everything(org: Any) -> None:
    campaign = make_campaign(org)
    assert campaign.status == Campaign.Status.PUBLISHED
    hr = org.users["hr"]
    with pytest.raises(services.CampaignFrozen, match="can no longer be changed"):
        services.candidates_set(actor=hr, campaign=campaign, people=[org.people["head"]])
    with pytest.raises(services.CampaignFrozen):
        services.voters_set(actor=hr, campaign=campaign, people=[org.people["head"]])
    with pytest.raises(services.CampaignFrozen):
        services.grades_set(actor=hr, campaign=campaign, grades=[services.GradeIn("a", "", 1)])
    with pytest.raises(services.CampaignFrozen):
        services.campaign_update(actor=hr, campaign=campaign, title="x", year=2026)
    with pytest.raises(services.CampaignFrozen):
        services.campaign_delete(actor=hr, campaign=campaign)
    assert AuditEntry.objects.filter(action="evaluation.publish").count() == 1


def test_publish_needs_candidates_and_voters(org: Any) -> None:
    campaign = services.campaign_create(
        actor=org.users["hr"], unit=org.agency, year=2026, title="测评", ballot_mode=IDENTIFIED
    )
    with pytest.raises(InvalidInput) as info:
        services.campaign_publish(actor=org.users["hr"], campaign=campaign)
    assert {d["field"] for d in info.value.details} == {"candidates", "voters"}


def test_publish_of_slips_needs_candidates_and_categories(org: Any) -> None:
    campaign = services.campaign_create(
        actor=org.users["hr"], unit=org.agency, year=2026, title="测评", ballot_mode=SLIPS
    )
    with pytest.raises(InvalidInput) as info:
        services.campaign_publish(actor=org.users["hr"], campaign=campaign)
    assert {d["field"] for d in info.value.details} == {"candidates", "categories"}


def test_people_outside_the_unit_are_refused(org: Any) -> None:
    campaign = services.campaign_create(
        actor=org.users["hr"],
        unit=org.econ,
        year=2026,
        title="经济科技部测评",
        ballot_mode=IDENTIFIED,
    )
    with pytest.raises(InvalidInput):
        services.voters_set(actor=org.users["hr"], campaign=campaign, people=[org.people["head"]])


def test_a_voter_votes_once(org: Any, campaign: Campaign, cast: Any) -> None:
    cast("econ_colleague", head="excellent", staff="competent")
    with pytest.raises(services.AlreadyVoted, match="already been cast"):
        cast("econ_colleague", head="competent", staff="competent")
    assert Ballot.objects.count() == 1
    assert selectors.turnout(campaign) == selectors.Turnout(voted=1, total=5)


def test_a_slip_votes_once(org: Any, slips: Campaign, slip_codes: list[str], cast: Any) -> None:
    cast(slip_codes[0], head="excellent", staff="competent")
    with pytest.raises(services.AlreadyVoted, match="already been cast"):
        cast(slip_codes[0], head="competent", staff="competent")
    assert Ballot.objects.count() == 1
    assert selectors.turnout(slips) == selectors.Turnout(voted=1, total=6)


def test_the_link_token_votes_once_and_only_for_its_owner(org: Any, campaign: Campaign) -> None:
    voter = Voter.objects.get(campaign=campaign, person=org.people["office_staff"])
    token = services.link_token(voter)
    assert token and voter.token_hash == services.token_hash(token)
    with pytest.raises(NotFound):
        services.voter_for_token(token, org.users["staff"])  # someone else's link
    office_user = org.users["head"]  # the head has an account; office_staff has none
    with pytest.raises(NotFound):
        services.voter_for_token(token, office_user)
    head_voter = Voter.objects.get(campaign=campaign, person=org.people["head"])
    found = services.voter_for_token(services.link_token(head_voter), office_user)
    services.ballot_cast(voter=found, choices={org.people["staff"].pk: "excellent"})
    with pytest.raises(services.AlreadyVoted):
        services.ballot_cast(voter=found, choices={org.people["staff"].pk: "excellent"})


def test_nobody_rates_themself(org: Any, campaign: Campaign) -> None:
    """issue 15 finding 2: identified ballots refuse a self-rating (the voter is known)."""
    voter = voter_of(org, "head")
    assert [c.person_id for c in services.ballot_candidates(voter)] == [org.people["staff"].pk]
    with pytest.raises(InvalidInput) as info:
        services.ballot_cast(
            voter=voter,
            choices={org.people["head"].pk: "excellent", org.people["staff"].pk: "competent"},
        )
    assert "Nobody rates themself." in [d["message"] for d in info.value.details]
    assert not Voter.objects.get(pk=voter.pk).has_voted  # refused: the credential is not spent
    services.ballot_cast(voter=voter, choices={org.people["staff"].pk: "competent"})
    # every candidate has a mark: the voter's own is "self — not rated" (issue 20, finding 9)
    assert BallotMark.objects.count() == 2
    own = BallotMark.objects.get(candidate__person=org.people["head"])
    assert own.grade is None


def test_incomplete_or_foreign_choices_are_refused(org: Any, campaign: Campaign) -> None:
    voter = voter_of(org, "office_staff")
    with pytest.raises(InvalidInput):
        services.ballot_cast(voter=voter, choices={org.people["head"].pk: "excellent"})
    with pytest.raises(InvalidInput):
        services.ballot_cast(
            voter=voter,
            choices={org.people["head"].pk: "excellent", org.people["staff"].pk: "superb"},
        )
    with pytest.raises(InvalidInput):
        services.ballot_cast(
            voter=voter,
            choices={
                org.people["head"].pk: "excellent",
                org.people["staff"].pk: "excellent",
                org.people["leader"].pk: "excellent",
            },
        )
    assert Ballot.objects.count() == 0


def test_bad_codes_are_not_found(slips: Campaign, slip_codes: list[str]) -> None:
    with pytest.raises(NotFound):
        services.voter_for_code("ABCD-EFGH")
    with pytest.raises(NotFound):
        services.voter_for_code("")
    code = slip_codes[-1]
    slip = services.voter_for_code(f" {code[:4].lower()}-{code[4:]} ")
    assert slip.campaign_id == slips.pk and slip.person_id is None and slip.category_id


def test_reissued_codes_replace_the_old_ones(
    org: Any, slips: Campaign, slip_codes: list[str], cast: Any
) -> None:
    cast(slip_codes[0], head="excellent", staff="competent")
    again = services.codes_issue(actor=org.users["hr"], campaign=slips)
    assert len(again) == 5  # the used slip is not printed again
    with pytest.raises(NotFound):
        services.voter_for_code(slip_codes[1])
    assert services.voter_for_code(again[0].code).campaign_id == slips.pk


def test_codes_are_stored_hashed(org: Any, slips: Campaign, slip_codes: list[str]) -> None:
    stored = " ".join(" ".join(str(v) for v in row) for row in Voter.objects.values_list())
    for code in slip_codes:
        assert code not in stored
        assert rules.format_code(code) not in stored


def test_results_only_after_closing(org: Any, campaign: Campaign, cast: Any, close: Any) -> None:
    cast("office_staff", head="excellent", staff="competent")
    with pytest.raises(selectors.ResultsNotAvailable):
        selectors.campaign_results(campaign)
    campaign = close(campaign)
    assert campaign.is_closed
    with pytest.raises(services.VotingClosed):
        services.ballot_cast(
            voter=Voter.objects.get(campaign=campaign, person=org.people["staff"]),
            choices={org.people["head"].pk: "excellent"},
        )
    with pytest.raises(NotFound):
        services.voter_for_token(
            services.link_token(voter_of_any(campaign, org, "staff")), org.users["staff"]
        )


def voter_of_any(campaign: Campaign, org: Any, key: str) -> Voter:
    return Voter.objects.get(campaign=campaign, person=org.people[key])


def test_results_math_with_unknown_and_the_minimum(
    org: Any, campaign: Campaign, cast: Any, close: Any
) -> None:
    campaign_min = 3
    Campaign.objects.filter(pk=campaign.pk).update(min_ballots=campaign_min)
    cast("office_staff", head="excellent", staff="competent")
    cast("liaison_staff", head="competent", staff="unknown")
    cast("econ_colleague", head="basically_competent", staff="excellent")
    cast("staff", head="unknown")
    cast("head", staff="incompetent")
    campaign = close(campaign)
    results = selectors.campaign_results(campaign)
    head = results[org.people["head"].pk]
    assert head.counts == {
        "excellent": 1,
        "competent": 1,
        "basically_competent": 1,
        "incompetent": 0,
        "unknown": 1,
    }
    assert head.ballots == 3  # 不了解 is not counted
    assert head.valid
    assert head.score == decimal.Decimal("85.00")  # (95 + 85 + 75) / 3
    staff = results[org.people["staff"].pk]
    assert staff.ballots == 3 and staff.score == decimal.Decimal("81.67")  # (85+95+65)/3
    Campaign.objects.filter(pk=campaign.pk).update(min_ballots=4)
    campaign.refresh_from_db()
    below = selectors.campaign_results(campaign)[org.people["head"].pk]
    assert below.valid is False and below.score is None and below.ballots == 3


def test_tally_rule() -> None:
    points = {"a": 95, "b": 85, "u": None}
    result = rules.tally(7, {"a": 8, "u": 5}, points, 8)
    assert result.valid and result.score == decimal.Decimal("95.00") and result.ballots == 8
    assert rules.tally(7, {"a": 7, "u": 5}, points, 8).score is None
    assert rules.tally(7, {}, points, 0).valid is False  # no rated ballot is never valid
    assert rules.tally(7, {}, points, 0).counts == {"a": 0, "b": 0, "u": 0}


def test_results_view_is_audited(org: Any, campaign: Campaign, close: Any) -> None:
    campaign = close(campaign)
    services.results_view(actor=org.users["leader"], campaign=campaign)
    entry = AuditEntry.objects.get(action="evaluation.results_view")
    assert entry.actor == org.users["leader"]


def test_the_cast_audit_entry_names_nobody(org: Any, campaign: Campaign, cast: Any) -> None:
    from luoshi.core.context import client_ip

    token = client_ip.set("10.1.2.3")
    try:
        cast("office_staff", head="excellent", staff="competent")
    finally:
        client_ip.reset(token)
    entry = AuditEntry.objects.get(action="evaluation.ballot_cast")
    assert entry.actor is None and entry.actor_name == "" and entry.client_ip is None
    assert entry.object_id == str(campaign.pk)
    text = str(entry.after)
    assert "excellent" not in text and str(org.people["office_staff"].pk) not in text


def test_grades_can_be_configured_in_a_draft(org: Any) -> None:
    campaign = make_campaign(org, publish=False)
    services.grades_set(
        actor=org.users["hr"],
        campaign=campaign,
        grades=[
            services.GradeIn("good", "好", 100),
            services.GradeIn("fair", "一般", 60),
            services.GradeIn("unknown", "", None),
        ],
    )
    assert [g.display_label for g in campaign.grades.all()] == ["好", "一般", "Don't know"]
    with pytest.raises(InvalidInput):
        services.grades_set(
            actor=org.users["hr"], campaign=campaign, grades=[services.GradeIn("u", "", None)]
        )
