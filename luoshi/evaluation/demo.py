"""The demo agency's democratic evaluations: last year's (small, closed, fictional; identified
ballots) and this year's open one (anonymous slips per rater category, built by the appraisal
demo, linked to this year's cycle; slips printed).

The department heads of the demo agency are rated by the agency's people, through the same
services as a real vote (publish, cast, close), so the results page has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, Person, User

from . import rules, sealing, services
from .models import Campaign

TITLE = "{year}年度机关处级干部民主测评"


@transaction.atomic
def build_demo_campaign(today: dt.date | None = None, seed: int = 2026) -> str:
    day = today or timezone.localdate()
    year = day.year - 1
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    if agency is None:
        return "no demo agency"
    title = TITLE.format(year=year)
    if Campaign.objects.filter(unit=agency, year=year, title=title).exists():
        return "already present; nothing changed"
    hr = User.objects.filter(username="demo_hr").first()
    people = list(
        Person.objects.filter(unit__path__startswith=agency.path, is_active=True)
        .exclude(unit__kind=OrgUnit.Kind.LOCAL)
        .select_related("unit")
        .order_by("unit__path", "id")
    )
    heads = [p for p in people if p.headed_units.exists()][:6]
    if not heads:
        heads = people[:5]
    voters = people[:30]
    rng = random.Random(seed)
    campaign = services.campaign_create(
        actor=hr,
        unit=agency,
        year=year,
        title=title,
        purpose=f"{year}年度考核",
        ballot_mode=Campaign.BallotMode.IDENTIFIED,
    )
    services.candidates_set(actor=hr, campaign=campaign, people=heads)
    services.voters_set(actor=hr, campaign=campaign, people=voters)
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    weights = [("excellent", 5), ("competent", 8), ("basically_competent", 1), ("unknown", 1)]
    population = [code for code, weight in weights for _ in range(weight)]
    voted = 0
    listed = list(campaign.voters.select_related("campaign").order_by("id"))
    for voter in listed[: max(1, len(listed) - 3)]:  # a few did not vote
        # each voter's own link (identified ballots): the service a signed-in voter reaches
        choices = {c.person_id: rng.choice(population) for c in services.ballot_candidates(voter)}
        services.ballot_cast(voter=voter, choices=choices, channel="link")
        voted += 1
    services.campaign_close(actor=hr, campaign=campaign)
    # sealed here, not by the background task: the demo's results are there at once (small)
    sealing.campaign_seal(campaign_id=campaign.pk)
    return f"{len(heads)} candidates, {voted} of {len(voters)} voters voted; closed"


OPEN_TITLE = "{year}年度机关工作人员民主测评"
DEMO_VOTERS = ("demo_staff", "demo_head", "demo_vice", "demo_supervisor", "demo_leader")
# (rater category, weight in per cent, number of slips): the agency's usual three piles
OPEN_CATEGORIES = (("领导班子成员", 30, 5), ("中层干部", 30, 10), ("一般干部", 40, 20))


@dataclass(frozen=True)
class OpenCampaign:
    campaign: Campaign
    codes: list[tuple[str, str]]  # (rater category, printed code): slips are nobody's

    def summary(self) -> str:
        shown = "; ".join(f"{category} {code}" for category, code in self.codes)
        return (
            f"open evaluation #{self.campaign.pk} (anonymous slips), "
            f"{self.campaign.candidates.count()} candidates, {self.campaign.voters.count()} "
            f"slips; slip codes to try at /vote/: {shown}"
        )


def build_open_campaign(*, agency: OrgUnit, year: int, hr: User) -> OpenCampaign:
    """This year's evaluation, published and open, with anonymous slips per rater category.

    Codes are issued through the service (only their hashes are stored); the few returned here,
    two of each category, are the only copies, printed once by `luoshi demo` — with their
    category only: a slip is nobody's.
    """
    people = list(
        Person.objects.filter(unit__path__startswith=agency.path, is_active=True)
        .exclude(unit__kind=OrgUnit.Kind.LOCAL)
        .select_related("unit")
        .order_by("unit__path", "id")
    )
    accounts = {
        u.person_id for u in User.objects.filter(username__in=DEMO_VOTERS, person__isnull=False)
    }
    candidates = [p for p in people if p.pk not in accounts][:8]
    campaign = services.campaign_create(
        actor=hr,
        unit=agency,
        year=year,
        title=OPEN_TITLE.format(year=year),
        purpose=f"{year}年度考核",
        ballot_mode=Campaign.BallotMode.SLIPS,
    )
    services.candidates_set(actor=hr, campaign=campaign, people=candidates)
    services.categories_set(
        actor=hr,
        campaign=campaign,
        categories=[services.CategoryIn(*row) for row in OPEN_CATEGORIES],
    )
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    issued = services.codes_issue(actor=hr, campaign=campaign)
    shown: list[tuple[str, str]] = []
    per_category: dict[int, int] = {}
    for item in issued:
        if per_category.get(item.category.pk, 0) < 2:
            per_category[item.category.pk] = per_category.get(item.category.pk, 0) + 1
            shown.append((item.category.name, rules.format_code(item.code)))
    return OpenCampaign(campaign, shown)
