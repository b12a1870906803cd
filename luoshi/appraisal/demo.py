"""The demo agency's appraisals (fictional): two earlier years of imported results, last year's
annual appraisal run to the end (proposals, committee, publicity, final, notices, some
acknowledgements, one review), this year's appraisal in progress (with its democratic evaluation
open and a few printed codes in the summary), a confirmed routine quarter and
leadership scores for the unit ranking. Built through the same services as real use; idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from luoshi.evaluation.demo import build_open_campaign
from luoshi.evaluation.models import Campaign
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, User

from . import rules, services
from .models import AnnualCycle, Participant, RoutineCycle, YearResult


@dataclass(frozen=True)
class _Row:
    person_id: int
    year: int
    grade: str
    family: str
    note: str = "演示导入"


def _history(agency: OrgUnit, year: int, hr: User, rng: random.Random) -> int:
    """Results of the two years before last year, as if imported from the old spreadsheets."""
    people = list(
        services.agency_units(agency)
        .filter(people__is_active=True)
        .values_list("people__pk", "people__staff_category__appraisal_family")
        .order_by("people__pk")
    )
    rows = []
    for i, (pid, family) in enumerate(people):
        fam = rules.family_for(family or "")
        for y in (year - 2, year - 1):
            # a few always excellent (merit candidates next), two incompetent (flag), rest competent
            if i % 12 == 0:
                grade = rules.EXCELLENT
            elif i == 7:
                grade = rules.INCOMPETENT
            elif rng.random() < 0.08:
                grade = rules.BASIC
            else:
                grade = rules.COMPETENT
            rows.append(_Row(pid, y, grade, fam))
    return services.history_import(actor=hr, agency=agency, rows=rows)


def _last_year(agency: OrgUnit, year: int, hr: User, leader: User) -> AnnualCycle:
    cycle = services.cycle_open(
        actor=hr,
        agency=agency,
        year=year,
        as_of=dt.date(year, 12, 31),
        notice_issuer="江岚省归国华侨联合会机关考核委员会",
    )

    campaign = Campaign.objects.filter(unit=agency, year=year).order_by("-id").first()
    if campaign is not None:
        cycle = services.campaign_link(actor=hr, cycle=cycle, campaign=campaign)
    excellent_history = set(
        YearResult.objects.filter(year=year - 1, grade=rules.EXCELLENT).values_list(
            "person_id", flat=True
        )
    )
    incompetent = set(
        YearResult.objects.filter(year=year - 1, grade=rules.INCOMPETENT).values_list(
            "person_id", flat=True
        )
    )
    participants = list(
        cycle.participants.select_related("person", "unit", "cycle", "cycle__agency").order_by("id")
    )
    cap = services.excellent_cap(cycle)
    chosen = 0
    for p in participants:
        if p.person_id == leader.person_id:
            continue
        if p.eligibility != rules.GRADED:
            grade = ""
        elif p.person_id in excellent_history and chosen < cap:
            grade, chosen = rules.EXCELLENT, chosen + 1
        elif p.person_id in incompetent:
            grade = rules.INCOMPETENT
        else:
            grade = rules.COMPETENT
        services.propose(
            actor=leader,
            participant=p,
            grade=grade,
            comments="该同志政治立场坚定，工作认真负责，较好完成了年度各项任务。",
        )
    services.cycle_to_committee(
        actor=hr,
        cycle=cycle,
        override_reason="往年考核补录：个人总结和考核登记表为纸质存档。",
    )
    meeting = dt.date(year + 1, 1, 8)
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=meeting, members_present="考核委员会全体委员（7人）"
    )
    services.decide_as_proposed(actor=hr, cycle=cycle)
    for p in cycle.participants.filter(decided_at__isnull=True).exclude(eligibility=rules.PENDING):
        services.decide(
            actor=hr, participant=p, grade=rules.COMPETENT if p.eligibility == rules.GRADED else ""
        )
    published = dt.date(year + 1, 1, 12)  # the earlier year replayed: "today" is that day
    cycle = services.publicity_start(actor=hr, cycle=cycle, start=published, today=published)
    assert cycle.publicity_end is not None
    services.finalize_cycle(cycle, cycle.publicity_end + dt.timedelta(days=1), actor=hr)
    cycle.refresh_from_db()
    services.notices_send(actor=hr, cycle=cycle)
    for p in cycle.participants.select_related("person", "cycle", "cycle__agency").order_by("id")[
        :20
    ]:
        user = User.objects.filter(person_id=p.person_id).first()
        if user is not None:
            services.acknowledge(actor=user, participant=p, choice="agree", text="同意")
    return cycle


def _this_year(agency: OrgUnit, year: int, hr: User, leader: User) -> tuple[AnnualCycle, str]:

    cycle = services.cycle_open(actor=hr, agency=agency, year=year, as_of=dt.date(year, 12, 31))
    vote = build_open_campaign(agency=agency, year=year, hr=hr)
    cycle = services.campaign_link(actor=hr, cycle=cycle, campaign=vote.campaign)
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency")[:12]:
        if p.person_id == leader.person_id or p.eligibility != rules.GRADED:
            continue
        services.propose(
            actor=leader, participant=p, grade=rules.COMPETENT, comments="工作扎实，完成任务较好。"
        )
    return cycle, vote.summary()


def _routine(agency: OrgUnit, year: int, quarter: int) -> str:
    head = User.objects.filter(username="demo_head").first()
    if head is None or head.person is None:
        return ""
    unit = OrgUnit.objects.filter(head=head.person).first()
    if unit is None or RoutineCycle.objects.filter(unit=unit, year=year, quarter=quarter).exists():
        return ""
    cycle = services.routine_open(actor=head, unit=unit, year=year, quarter=quarter)
    entries = list(cycle.entries.order_by("id"))
    cap = rules.routine_good_cap(len(entries), rules.policy())
    for i, e in enumerate(entries):
        grade = rules.GOOD if i < cap else (rules.FAIRLY_GOOD if i % 3 else rules.AVERAGE)
        services.routine_propose(actor=head, entry=e, grade=grade, comments="")
    return f"routine {year} Q{quarter} of {unit.name} ({len(entries)} people, open)"


def _leadership(agency: OrgUnit, year: int, hr: User, rng: random.Random) -> int:
    units = list(services.agency_units(agency).filter(parent=agency).order_by("sort_order"))
    for u in units:
        services.leadership_score_set(
            actor=hr, agency=agency, unit=u, year=year, score=Decimal(rng.randint(78, 96))
        )
    return len(units)


@transaction.atomic
def build_demo(today: dt.date | None = None, seed: int = 5) -> str:
    day = today or timezone.localdate()
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    hr = User.objects.filter(username="demo_hr").first()
    leader = User.objects.filter(username="demo_leader").first()
    if agency is None or hr is None or leader is None:
        return "no demo agency"
    last = day.year - 1
    if AnnualCycle.objects.filter(agency=agency, year=last).exists():
        return "already present; nothing changed"
    rng = random.Random(seed)
    imported = _history(agency, last, hr, rng)
    done = _last_year(agency, last, hr, leader)
    current, vote = _this_year(agency, day.year, hr, leader)
    quarter = (day.month - 1) // 3 + 1
    routine = _routine(agency, day.year, quarter)
    scored = _leadership(agency, last, hr, rng) + _leadership(agency, day.year, hr, rng)
    final = Participant.objects.filter(cycle=done, is_final=True).count()
    return (
        f"{imported} imported results; {last}: {final} final results; "
        f"{day.year}: {current.participants.count()} participants in progress; {routine}; "
        f"{scored} leadership scores\n  {day.year} {vote}"
    )
