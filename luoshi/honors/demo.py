"""The demo agency's commendations (fictional): last year's program run to the end (decided,
published, final, the decision's number, certificates numbered, one honour revoked), the 嘉奖
of last year's Excellent from the annual appraisal with their certificates, an honour a
department received from a higher body, and this year's program open for nomination with its
quotas and two nominations waiting for vetting. A discipline inspector account signs the
discipline body's opinions. Built through the same services as real use; idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from luoshi.appraisal.models import AnnualCycle
from luoshi.appraisal.services import agency_units
from luoshi.core.errors import InvalidInput
from luoshi.orgs import services as org_services
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, Person, User
from luoshi.orgs.roles import Role

from . import rules, services
from .models import Honour, Nomination, Program

INSPECTOR = "demo_inspector"


def _inspector(agency: OrgUnit, hr: User) -> User:
    user = User.objects.filter(username=INSPECTOR).first()
    if user is not None:
        return user
    person = (
        Person.objects.filter(unit__in=agency_units(agency), unit__name="机关党委", is_active=True)
        .order_by("pk")
        .first()
    )
    user = org_services.user_create(
        actor=None,
        username=INSPECTOR,
        password=settings.LUOSHI_DEMO_PASSWORD,
        person=person,
        validate_password=False,
    )
    org_services.role_assign(actor=None, user=user, role=Role.DISCIPLINE_INSPECTOR, anchor=agency)
    org_services.role_assign(actor=None, user=user, role=Role.STAFF)
    return user


DEEDS = (
    "该同志政治站位高，工作作风扎实，全年牵头完成重点任务{n}项，"
    "在服务归侨侨眷、联络海外侨胞工作中成效明显，得到领导和同事一致好评。"
)


def _nominate_some(program: Program, hr: User, count: int, skip: set[int]) -> list[Nomination]:
    """Submit `count` nominations for 嘉奖, from units that still have a place, skipping anyone
    the negative list refuses (the services say who)."""
    quota = program.quotas.get(kind=rules.COMMENDATION)
    free = {a.unit_id: a.places for a in quota.allocations.all()}
    people = (
        Person.objects.filter(
            unit__in=agency_units(program.agency),
            is_active=True,
            staff_category__appraisal_family=rules.CIVIL_SERVANT,
        )
        .exclude(pk__in=skip)
        .select_related("post", "rank")
        .order_by("unit__path", "pk")
    )
    pol = rules.policy()
    done: list[Nomination] = []
    for person in people:
        if len(done) == count:
            break
        post, rank = (
            person.post.name if person.post else "",
            person.rank.name if person.rank else "",
        )
        if free.get(person.unit_id, 0) <= 0 or rules.is_leader(post, rank, pol):
            continue  # no place left in the unit; leaders stay within their share (none of 4)
        try:
            n = services.nominate(
                actor=hr,
                program=program,
                kind=rules.COMMENDATION,
                person=person,
                deeds_brief=DEEDS.format(n=3 + len(done)),
                unit_opinion="同意推荐。",
            )
        except InvalidInput:
            continue  # on the negative list (e.g. graded below Competent that year)
        services.nomination_submit(actor=hr, nomination=n)
        free[person.unit_id] -= 1
        done.append(n)
    return done


def _last_year(agency: OrgUnit, year: int, hr: User, inspector: User) -> Program:
    program = services.program_create(
        actor=hr, agency=agency, year=year, title=f"{year}年度机关先进工作者评选", scope="internal"
    )
    services.quota_set(
        actor=hr, program=program, kind=rules.COMMENDATION, family=rules.CIVIL_SERVANT
    )
    services.program_open(actor=hr, program=program)
    noms = _nominate_some(program, hr, 4, set())
    services.nominations_close(actor=hr, program=program)
    for n in noms:
        services.vet(actor=inspector, nomination=n, body="discipline", verdict=rules.PASS)
        services.vet(actor=hr, nomination=n, body="personnel", verdict=rules.PASS)
    decided_on = dt.date(year, 12, 18)
    services.decide(
        actor=hr,
        program=program,
        approved=[n.pk for n in noms],
        decision_body="机关党组会议",
        decision_date=decided_on,
        record=f"{year}年12月18日机关党组第24次会议研究同意",
        today=decided_on,
    )
    services.decision_number_set(actor=hr, program=program, number=f"侨联发〔{year}〕36号")
    program = services.publicity_start(
        actor=hr, program=program, start=dt.date(year, 12, 21), today=dt.date(year, 12, 21)
    )
    assert program.publicity_end is not None
    services.finalize(program, program.publicity_end + dt.timedelta(days=1), actor=hr)
    honours = list(program.honours.select_related("unit").order_by("kind", "unit__path", "id"))
    services.certificates_issue(actor=hr, honours=honours)
    if honours:
        services.revoke(
            actor=hr,
            honour=honours[-1],
            reason="经核查，推荐材料中的主要事迹存在不实内容。",
            document_number=f"侨联发〔{year + 1}〕3号",
        )
    return program


def _this_year(agency: OrgUnit, year: int, hr: User, skip: set[int]) -> Program:
    program = services.program_create(
        actor=hr,
        agency=agency,
        year=year,
        title=f"{year}年度机关先进工作者评选",
        scope="internal",
        nomination_deadline=timezone.localdate() + dt.timedelta(days=14),
    )
    services.quota_set(
        actor=hr, program=program, kind=rules.COMMENDATION, family=rules.CIVIL_SERVANT
    )
    services.quota_set(actor=hr, program=program, kind=rules.ADVANCED_COLLECTIVE, places=2)
    services.program_open(actor=hr, program=program)
    _nominate_some(program, hr, 2, skip)
    return program


def build_demo() -> str:
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    hr = User.objects.filter(username="demo_hr").first()
    if agency is None or hr is None:
        return "no demo agency"
    year = timezone.localdate().year
    if Program.objects.filter(agency=agency).exists():
        return "already present; nothing changed"
    with transaction.atomic():
        inspector = _inspector(agency, hr)
        last = _last_year(agency, year - 1, hr, inspector)
        cycle = AnnualCycle.objects.filter(
            agency=agency, year=year - 1, status=AnnualCycle.Status.FINAL
        ).first()
        awarded = 0
        if cycle is not None:
            awarded = services.appraisal_awards(cycle, actor=hr)
            services.certificates_issue(
                actor=hr,
                honours=Honour.objects.filter(appraisal_cycle_id=cycle.pk).order_by(
                    "unit__path", "id"
                ),
            )
        department = agency_units(agency).filter(name="经济科技部").first()
        if department is not None:
            services.external_record(
                actor=hr,
                agency=agency,
                unit=department,
                kind=rules.ADVANCED_UNIT,
                title="模范机关创建先进单位",
                approving_body="测试省直机关工作委员会",
                document_number=f"省直机关党发〔{year}〕12号",
                awarded_on=dt.date(year, 6, 28),
            )
        skip = set(last.nominations.values_list("person_id", flat=True))
        current = _this_year(agency, year, hr, skip)
    return (
        f"{year - 1}: {last.honours.count()} honours, certificates numbered, one revoked; "
        f"{awarded} 嘉奖 from the annual appraisal; {year}: program open with "
        f"{current.nominations.count()} nominations waiting for vetting; account {INSPECTOR}"
    )
