"""The demo agency's democratic evaluations: last year's (small, closed, fictional) and this
year's open one (built by the appraisal demo, linked to this year's cycle; codes printed).

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
        actor=hr, unit=agency, year=year, title=title, purpose=f"{year}年度考核"
    )
    services.candidates_set(actor=hr, campaign=campaign, people=heads)
    services.voters_set(actor=hr, campaign=campaign, people=voters)
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    codes = services.codes_issue(actor=hr, campaign=campaign)
    weights = [("excellent", 5), ("competent", 8), ("basically_competent", 1), ("unknown", 1)]
    population = [code for code, weight in weights for _ in range(weight)]
    voted = 0
    for issued in codes[: max(1, len(codes) - 3)]:  # a few did not vote
        voter = services.voter_for_code(issued.code)
        choices = {c.person_id: rng.choice(population) for c in services.ballot_candidates(voter)}
        services.ballot_cast(voter=voter, choices=choices, channel="code")
        voted += 1
    services.campaign_close(actor=hr, campaign=campaign)
    # sealed here, not by the background task: the demo's results are there at once (small)
    sealing.campaign_seal(campaign_id=campaign.pk)
    return f"{len(heads)} candidates, {voted} of {len(voters)} voters voted; closed"


OPEN_TITLE = "{year}年度机关工作人员民主测评"
DEMO_VOTERS = ("demo_staff", "demo_head", "demo_vice", "demo_supervisor", "demo_leader")


@dataclass(frozen=True)
class OpenCampaign:
    campaign: Campaign
    codes: list[tuple[str, str]]  # (who: username or name, printed code)

    def summary(self) -> str:
        shown = "; ".join(f"{who} {code}" for who, code in self.codes)
        return (
            f"open evaluation #{self.campaign.pk}, {self.campaign.candidates.count()} candidates, "
            f"{self.campaign.voters.count()} voters; printed codes to try at /vote/: {shown}"
        )


def build_open_campaign(*, agency: OrgUnit, year: int, hr: User) -> OpenCampaign:
    """This year's evaluation, published and open: the agency's staff rate each other.

    Codes are issued through the service (only their hashes are stored); the few returned here,
    for the demo accounts and two more people, are the only copies, printed once by `luoshi demo`.
    """
    people = list(
        Person.objects.filter(unit__path__startswith=agency.path, is_active=True)
        .exclude(unit__kind=OrgUnit.Kind.LOCAL)
        .select_related("unit")
        .order_by("unit__path", "id")
    )
    accounts = {
        u.person_id: u.username
        for u in User.objects.filter(username__in=DEMO_VOTERS, person__isnull=False)
    }
    voters = people[:30]
    chosen = {p.pk for p in voters}
    voters += [p for p in people if p.pk in accounts and p.pk not in chosen]
    candidates = [p for p in people if p.pk not in accounts][:8]
    campaign = services.campaign_create(
        actor=hr,
        unit=agency,
        year=year,
        title=OPEN_TITLE.format(year=year),
        purpose=f"{year}年度考核",
    )
    services.candidates_set(actor=hr, campaign=campaign, people=candidates)
    services.voters_set(actor=hr, campaign=campaign, people=voters)
    campaign = services.campaign_publish(actor=hr, campaign=campaign)
    issued = services.codes_issue(actor=hr, campaign=campaign)
    shown: list[tuple[str, str]] = []
    others = 0
    for item in issued:
        who = accounts.get(item.voter.person_id)
        if who is None and others < 2:
            who, others = item.voter.person.name, others + 1
        if who is not None:
            shown.append((who, rules.format_code(item.code)))
    order = {name: i for i, name in enumerate(DEMO_VOTERS)}
    shown.sort(key=lambda row: order.get(row[0], len(order)))
    return OpenCampaign(campaign, shown)
