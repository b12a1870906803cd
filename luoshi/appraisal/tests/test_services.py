"""The annual cycle's services end to end: draw, eligibility, proposal, quota, committee,
publicity, finalize by tick, notice, acknowledgement, review and appeal, consequences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from luoshi.appraisal import rules, selectors, services
from luoshi.appraisal.models import (
    AnnualCycle,
    Appeal,
    EligibilityChange,
    GradeChange,
    YearResult,
)
from luoshi.core.errors import Forbidden, InvalidInput, NotFound
from luoshi.core.models import AuditEntry
from luoshi.core.periodic import steps

from .conftest import part


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in their English source text."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def test_open_draws_agency_people_not_local_federations(org: Any, cycle: AnnualCycle) -> None:
    names = set(cycle.participants.values_list("person__name", flat=True))
    assert org.people["staff"].name in names
    assert org.people["outsider"].name not in names  # a city federation is its own agency
    assert cycle.participants.count() == 13
    assert {p.family for p in cycle.participants.all()} == {rules.CIVIL_SERVANT}
    assert AuditEntry.objects.filter(action="appraisal.cycle_open").count() == 1
    with pytest.raises(InvalidInput):
        services.cycle_open(
            actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
        )


def test_only_the_personnel_officer_opens(org: Any) -> None:
    with pytest.raises(Forbidden):
        services.cycle_open(
            actor=org.users["staff"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
        )


def test_public_institution_family_in_the_same_cycle(org: Any) -> None:
    from luoshi.orgs.models import StaffCategory

    person = org.people["admin"]
    person.staff_category = StaffCategory.objects.get(name="事业单位")
    person.save()
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    p = part(cycle, org, "admin")
    assert p.family == rules.PUBLIC_INSTITUTION
    p.final_grade = rules.COMPETENT
    assert rules.grade_word(p.family, p.final_grade) == "合格"


def test_probation_is_comments_only(org: Any) -> None:
    person = org.people["office_staff"]
    person.work_start = dt.date(2025, 6, 1)
    person.save()
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    p = part(cycle, org, "office_staff")
    assert p.eligibility == rules.COMMENTS_ONLY
    with pytest.raises(InvalidInput):
        services.propose(actor=org.users["head"], participant=p, grade="competent", comments="好")
    services.propose(actor=org.users["head"], participant=p, grade="", comments="试用期表现良好")


def test_eligibility_change_keeps_reason(org: Any, cycle: AnnualCycle) -> None:
    p = part(cycle, org, "staff")
    hr = org.users["hr"]
    with pytest.raises(InvalidInput):
        services.eligibility_change(actor=hr, participant=p, reason=" ", leave_days=200)
    p = services.eligibility_change(actor=hr, participant=p, reason="病假证明", leave_days=200)
    assert p.eligibility == rules.UNGRADED and p.eligibility_reason == "leave"
    p = services.eligibility_change(
        actor=hr,
        participant=p,
        reason="病假更正",
        leave_days=10,
        penalties=[{"kind": "warning", "year": 2025}],
    )
    assert p.eligibility == rules.GRADED and not p.may_be_excellent
    p = services.eligibility_change(
        actor=hr, participant=p, reason="立案审查", under_investigation=True
    )
    assert p.eligibility == rules.PENDING
    changes = list(EligibilityChange.objects.filter(participant=p))
    assert [c.reason for c in changes] == ["病假证明", "病假更正", "立案审查"]
    assert changes[0].before["eligibility"] == rules.GRADED
    assert changes[0].after["eligibility"] == rules.UNGRADED
    with pytest.raises(Forbidden):
        services.eligibility_change(actor=org.users["head"], participant=p, reason="x")


def test_self_summary_prefilled_with_facts(org: Any, plan: Any) -> None:
    from luoshi.plans.models import Task

    Task.objects.filter(code="2026-1-1-1").update(responsible_person=org.people["staff"])
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2026, as_of=dt.date(2026, 12, 31)
    )
    p = part(cycle, org, "staff")
    assert "2026-1-1-1" in p.self_summary
    p = services.summary_submit(
        actor=org.users["staff"],
        participant=p,
        duties="经济联络",
        self_summary=p.self_summary + "\n本人总结",
        version=p.version,
    )
    assert p.summary_submitted_at is not None
    with pytest.raises(Forbidden):
        services.summary_submit(
            actor=org.users["supervisor"],
            participant=p,
            duties="",
            self_summary="x",
            version=None,
        )


def _decide_all(org: Any, cycle: AnnualCycle, excellent: list[str]) -> None:
    leader = org.users["leader"]
    for p in cycle.participants.select_related("person", "unit", "cycle", "cycle__agency"):
        if p.person_id == org.people["leader"].pk:
            continue
        grade = rules.EXCELLENT if p.person.name in excellent else rules.COMPETENT
        if p.eligibility != rules.GRADED:
            grade = ""
        services.propose(actor=leader, participant=p, grade=grade, comments="同意")
    services.cycle_to_committee(
        actor=org.users["hr"], cycle=cycle, override_reason="个人总结为纸质材料"
    )


@pytest.mark.parametrize(("count", "cap20", "cap25"), [(13, 2, 3), (8, 1, 2), (4, 0, 1)])
def test_quota_20_and_25(org: Any, count: int, cap20: int, cap25: int) -> None:
    from luoshi.orgs.models import Person

    keep = list(
        Person.objects.filter(unit__path__startswith=org.agency.path)
        .exclude(unit=org.city)
        .order_by("id")
        .values_list("pk", flat=True)
    )[:count]
    Person.objects.exclude(pk__in=keep).update(is_active=False)
    cycle = services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    assert cycle.participants.count() == count
    assert services.excellent_cap(cycle) == cap20
    with pytest.raises(InvalidInput, match="approval"):
        services.quota_set(actor=org.users["hr"], cycle=cycle, percent="25")
    with pytest.raises(InvalidInput):
        services.quota_set(
            actor=org.users["hr"], cycle=cycle, percent="26", approved_by="x", approval_document="y"
        )
    cycle = services.quota_set(
        actor=org.users["hr"],
        cycle=cycle,
        percent="25",
        approved_by="省公务员局",
        approval_document="公务员局函〔2025〕8号",
    )
    assert services.excellent_cap(cycle) == cap25


def test_excellent_beyond_cap_refused_with_cap_and_count(org: Any, cycle: AnnualCycle) -> None:
    _decide_all(org, cycle, [])
    hr = org.users["hr"]
    committee = org.users["committee"]
    services.committee_record(
        actor=committee, cycle=cycle, meeting_date=dt.date(2026, 1, 10), members_present="甲、乙"
    )
    assert services.excellent_cap(cycle) == 2
    services.decide(actor=committee, participant=part(cycle, org, "staff"), grade="excellent")
    services.decide(actor=hr, participant=part(cycle, org, "head"), grade="excellent")
    with pytest.raises(InvalidInput) as exc:
        services.decide(
            actor=committee, participant=part(cycle, org, "office_staff"), grade="excellent"
        )
    assert exc.value.code == "quota_full"
    assert "2" in str(exc.value.message) and "13" in str(exc.value.message)
    # re-deciding someone already Excellent is not a new place
    services.decide(actor=committee, participant=part(cycle, org, "staff"), grade="excellent")
    with pytest.raises(Forbidden):
        services.decide(
            actor=org.users["staff"],
            participant=part(cycle, org, "office_staff"),
            grade="competent",
        )


def test_unit_quota_allocation(org: Any, cycle: AnnualCycle) -> None:
    hr = org.users["hr"]
    _decide_all(org, cycle, [])
    services.unit_quota_set(actor=hr, cycle=cycle, unit=org.office, places=1)
    with pytest.raises(InvalidInput):
        services.unit_quota_set(actor=hr, cycle=cycle, unit=org.econ, places=2)
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=dt.date(2026, 1, 10), members_present="甲"
    )
    services.decide(actor=hr, participant=part(cycle, org, "head"), grade="excellent")
    with pytest.raises(InvalidInput, match="办公室"):
        services.decide(actor=hr, participant=part(cycle, org, "hr"), grade="excellent")


def _to_publicity(org: Any, cycle: AnnualCycle, start: dt.date) -> AnnualCycle:
    _decide_all(org, cycle, [org.people["staff"].name])
    hr = org.users["hr"]
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=start, members_present="甲、乙、丙"
    )
    assert services.decide_as_proposed(actor=hr, cycle=cycle) in (11, 12)
    # the agency leader had no proposal: decide by hand
    services.decide(actor=hr, participant=part(cycle, org, "leader"), grade="competent")
    return services.publicity_start(actor=hr, cycle=cycle, start=start, today=start)


def test_publicity_spanning_a_holiday_and_tick_finalizes(org: Any, cycle: AnnualCycle) -> None:
    # 2025-09-29 (Mon): 29, 30, then the National Day holiday to Oct 8, then 9, 10, 11 (make-up Sat)
    cycle = _to_publicity(org, cycle, dt.date(2025, 9, 29))
    assert cycle.publicity_end == dt.date(2025, 10, 11)
    assert [p.person.name for p in selectors.publicity_list(cycle)] == [org.people["staff"].name]
    step = next(s for s in steps() if s.name == "appraisal.finalize")
    with time_machine.travel(dt.datetime(2025, 10, 11, 12, tzinfo=dt.UTC), tick=False):
        step.run(dt.date(2025, 10, 11))
    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.PUBLICITY
    objection = services.objection_raise(
        actor=org.users["supervisor"],
        cycle=cycle,
        text="请核实",
        participant=part(cycle, org, "staff"),
        today=dt.date(2025, 10, 11),  # the last day of publicity
    )
    step.run(dt.date(2025, 10, 12))
    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.PUBLICITY  # held by an unanswered objection
    with pytest.raises(Forbidden):
        services.objection_answer(actor=org.users["staff"], objection=objection, answer="x")
    services.objection_answer(actor=org.users["hr"], objection=objection, answer="经核实无误")
    summary = step.run(dt.date(2025, 10, 12))
    assert summary.startswith("1 ")
    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.FINAL
    step.run(dt.date(2025, 10, 13))  # idempotent
    assert GradeChange.objects.filter(participant__cycle=cycle).count() == 13
    assert YearResult.objects.get(person=org.people["staff"], year=2025).grade == "excellent"


def test_publicity_needs_every_decision(org: Any, cycle: AnnualCycle) -> None:
    _decide_all(org, cycle, [])
    hr = org.users["hr"]
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=dt.date(2026, 1, 5), members_present="甲"
    )
    with pytest.raises(InvalidInput, match="13"):
        services.publicity_start(actor=hr, cycle=cycle, start=dt.date(2026, 1, 5))


def _final(org: Any, cycle: AnnualCycle) -> AnnualCycle:
    cycle = _to_publicity(org, cycle, dt.date(2025, 12, 1))
    assert cycle.publicity_end == dt.date(2025, 12, 5)
    services.finalize_cycle(cycle, dt.date(2025, 12, 6))
    cycle.refresh_from_db()
    return cycle


def test_notice_acknowledgement(org: Any, cycle: AnnualCycle) -> None:
    cycle = _final(org, cycle)
    p = part(cycle, org, "staff")
    with pytest.raises(InvalidInput):
        services.acknowledge(actor=org.users["staff"], participant=p, choice="agree")
    assert services.notices_send(actor=org.users["hr"], cycle=cycle) == 13
    assert services.notices_send(actor=org.users["hr"], cycle=cycle) == 0
    from luoshi.notify.models import Notice

    assert Notice.objects.filter(recipient=org.users["staff"]).exists()
    p = part(cycle, org, "staff")
    with pytest.raises(NotFound):
        services.acknowledge(actor=org.users["head"], participant=p, choice="agree")
    with pytest.raises(InvalidInput):
        services.acknowledge(actor=org.users["staff"], participant=p, choice="disagree")
    p = services.acknowledge(actor=org.users["staff"], participant=p, choice="agree", text="同意")
    assert p.ack == "agree"
    with pytest.raises(InvalidInput):
        services.acknowledge(actor=org.users["staff"], participant=p, choice="agree")


def test_review_and_appeal_deadlines_and_grade_history(org: Any, cycle: AnnualCycle) -> None:
    cycle = _final(org, cycle)
    p = part(cycle, org, "econ_colleague")
    review = services.appeal_file(
        actor=org.users["hr"],
        participant=p,
        kind="review",
        reason="不服",
        learned_on=dt.date(2026, 1, 5),
        filed_on=dt.date(2026, 1, 20),
    )
    assert review.file_by == dt.date(2026, 2, 4) and review.decide_by == dt.date(2026, 2, 19)
    assert review.in_time
    with time_machine.travel(dt.datetime(2026, 2, 10, 4, tzinfo=dt.UTC), tick=False):
        services.appeal_decide(actor=org.users["hr"], appeal=review, decision="维持")
    review.refresh_from_db()
    assert review.status == Appeal.Status.UPHELD and review.decided_on == dt.date(2026, 2, 10)
    appeal = services.appeal_file(
        actor=org.users["hr"],
        participant=p,
        kind="appeal",
        reason="申诉",
        learned_on=dt.date(2026, 1, 5),
        filed_on=dt.date(2026, 2, 28),
    )
    assert appeal.file_by == dt.date(2026, 2, 25) and not appeal.in_time
    assert appeal.decide_by == dt.date(2026, 4, 29)
    assert appeal.decide_by_extended == dt.date(2026, 5, 29)
    services.appeal_decide(
        actor=org.users["hr"], appeal=appeal, decision="改为基本称职", new_grade="basic"
    )
    p.refresh_from_db()
    assert p.final_grade == "basic"
    history = list(p.grade_changes.values_list("old_grade", "new_grade"))
    assert history == [("", "competent"), ("competent", "basic")]
    assert YearResult.objects.get(person=p.person, year=2025).grade == "basic"


def test_pending_grade_filled_later(org: Any, cycle: AnnualCycle) -> None:
    hr = org.users["hr"]
    p = services.eligibility_change(
        actor=hr,
        participant=part(cycle, org, "liaison_staff"),
        reason="审查",
        under_investigation=True,
    )
    cycle = _final(org, cycle)
    p.refresh_from_db()
    assert not p.is_final
    p = services.pending_grade_fill(actor=hr, participant=p, grade="competent", reason="审查结束")
    assert p.is_final and p.final_grade == "competent"


def test_consequences_with_imported_history(org: Any, cycle: AnnualCycle) -> None:
    for year in (2023, 2024):
        YearResult.objects.create(
            person=org.people["staff"],
            year=year,
            grade="excellent",
            family="civil_servant",
            source="import",
        )
    YearResult.objects.create(
        person=org.people["vice"],
        year=2022,
        grade="competent",
        family="civil_servant",
        source="import",
    )
    YearResult.objects.create(
        person=org.people["head"],
        year=2024,
        grade="incompetent",
        family="civil_servant",
        source="import",
    )
    cycle = _final(org, cycle)
    hr = org.users["hr"]
    services.appeal_file(actor=hr, participant=part(cycle, org, "head"), kind="review", reason="x")
    a = Appeal.objects.get()
    services.appeal_decide(actor=hr, appeal=a, decision="改", new_grade="incompetent")
    result = selectors.consequences(cycle)
    names = {k: [r.name for r in v] for k, v in result.items()}
    assert names["commendation"] == [org.people["staff"].name]
    assert names["merit_candidate"] == [org.people["staff"].name]
    assert org.people["head"].name in names["incompetent_flag"]
    assert org.people["vice"].name in names["pay_step"]  # 2022 and 2025: cumulative two
    assert org.people["staff"].name not in names["pay_step"]  # three so far: not a multiple


def test_quota_state(org: Any, cycle: AnnualCycle) -> None:
    state = selectors.quota_state(cycle)
    assert (state.graded, state.cap, state.percent) == (13, 2, Decimal("20"))


def test_luoshi_tick_finalizes_on_the_right_day_under_frozen_time(
    org: Any, cycle: AnnualCycle
) -> None:
    from io import StringIO

    from django.core.management import call_command

    _decide_all(org, cycle, [org.people["staff"].name])
    hr = org.users["hr"]
    services.committee_record(
        actor=hr, cycle=cycle, meeting_date=dt.date(2025, 12, 31), members_present="甲"
    )
    services.decide_as_proposed(actor=hr, cycle=cycle)
    services.decide(actor=hr, participant=part(cycle, org, "leader"), grade="competent")
    # published on Wednesday 31 Dec 2025: 31 Dec, then 1 Jan is a holiday, 2 Jan (Fri),
    # 5, 6, 7 Jan — the fifth working day is Wednesday 7 January 2026
    with time_machine.travel(dt.datetime(2025, 12, 31, 2, tzinfo=dt.UTC), tick=False):
        cycle = services.publicity_start(actor=hr, cycle=cycle)
    assert cycle.publicity_start == dt.date(2025, 12, 31)
    assert cycle.publicity_end == dt.date(2026, 1, 7)
    with time_machine.travel(dt.datetime(2026, 1, 7, 9, tzinfo=dt.UTC), tick=False):
        call_command("tick", stdout=StringIO())
    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.PUBLICITY
    with time_machine.travel(dt.datetime(2026, 1, 8, 1, tzinfo=dt.UTC), tick=False):
        call_command("tick", stdout=StringIO())
        call_command("tick", stdout=StringIO())
    cycle.refresh_from_db()
    assert cycle.status == AnnualCycle.Status.FINAL
    assert part(cycle, org, "staff").final_grade == "excellent"
