"""The commendation flow through its services, on the real database: program and quotas,
nominations and the negative list, vetting by role, decision, publicity, honours, certificates,
verification, revocation, and the links to appraisal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from luoshi.appraisal import services as appraisal_services
from luoshi.appraisal.models import AnnualCycle, Participant, YearResult
from luoshi.core.errors import Forbidden, InvalidInput, NotFound
from luoshi.core.models import AuditEntry
from luoshi.honors import services
from luoshi.honors.models import Honour, Nomination, Program

DEEDS = "该同志工作积极主动，圆满完成年度各项任务。"


def _end(program: Program) -> dt.date:
    assert program.publicity_end is not None
    return program.publicity_end


def nominate(program: Program, org: Any, key: str, **kw: Any) -> Nomination:
    return services.nominate(
        actor=org.users["hr"],
        program=program,
        kind=kw.pop("kind", "commendation"),
        person=org.people[key],
        deeds_brief=kw.pop("deeds_brief", DEEDS),
        **kw,
    )


def vetted(program: Program, org: Any, inspector: Any, *noms: Nomination) -> None:
    services.nominations_close(actor=org.users["hr"], program=program)
    for n in noms:
        services.vet(actor=inspector, nomination=n, body="discipline", verdict="pass")
        services.vet(actor=org.users["hr"], nomination=n, body="personnel", verdict="pass")


def test_quota_is_a_share_of_the_family_rounded_down_and_shared_by_headcount(
    program: Program,
) -> None:
    quota = program.quotas.get()
    assert quota.staff_count == 13  # the agency's own staff, not the city federation's
    assert quota.places == 2  # floor(13 × 20 %)
    shares = {a.unit.name: a.places for a in quota.allocations.select_related("unit")}
    assert sum(shares.values()) == 2
    assert shares["办公室"] == 1  # the largest unit gets a place


def test_a_share_above_the_rule_is_refused_naming_the_cap(org: Any) -> None:
    hr = org.users["hr"]
    p = services.program_create(actor=hr, agency=org.agency, year=2026, title="t", scope="internal")
    with pytest.raises(InvalidInput, match=r"20%.*25%"):
        services.quota_set(
            actor=hr, program=p, kind="commendation", family="civil_servant", percent=25
        )
    with pytest.raises(InvalidInput, match="not given"):
        services.quota_set(actor=hr, program=p, kind="merit", family="civil_servant", places=1)


def test_a_changed_unit_share_needs_a_reason_and_stays_within_the_quota(
    program: Program, org: Any
) -> None:
    quota = program.quotas.get()
    allocation = quota.allocations.get(unit=org.econ)
    with pytest.raises(InvalidInput, match="reason"):
        services.allocation_set(actor=org.users["hr"], allocation=allocation, places=1, reason=" ")
    with pytest.raises(InvalidInput, match=r"3.*2"):
        services.allocation_set(
            actor=org.users["hr"], allocation=allocation, places=1, reason="重点工作多"
        )
    office = quota.allocations.get(unit=org.office)
    services.allocation_set(actor=org.users["hr"], allocation=office, places=0, reason="调剂")
    services.allocation_set(
        actor=org.users["hr"], allocation=allocation, places=1, reason="重点工作多"
    )
    allocation.refresh_from_db()
    assert (allocation.places, allocation.override_reason) == (1, "重点工作多")


def test_titles_with_restricted_words_and_system_programs_need_approval(org: Any) -> None:
    hr = org.users["hr"]
    p = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="全国侨联系统先进集体", scope="internal"
    )
    services.quota_set(actor=hr, program=p, kind="advanced_collective", places=1)
    with pytest.raises(InvalidInput, match="全国") as excinfo:
        services.program_open(actor=hr, program=p)
    assert excinfo.value.code == "approval_required"
    services.approval_record(actor=hr, program=p, reference="中国侨联人事部〔2026〕5号")
    assert services.program_open(actor=hr, program=p).status == Program.Status.NOMINATION
    q = services.program_create(
        actor=hr, agency=org.agency, year=2026, title="先进集体", scope="system"
    )
    services.quota_set(actor=hr, program=q, kind="advanced_collective", places=1)
    with pytest.raises(InvalidInput, match="federation system"):
        services.program_open(actor=hr, program=q)


def test_staff_may_not_run_programs(org: Any) -> None:
    with pytest.raises(Forbidden):
        services.program_create(
            actor=org.users["staff"], agency=org.agency, year=2026, title="t", scope="internal"
        )


def test_each_eligibility_reason_refuses_naming_it(program: Program, org: Any) -> None:
    year = program.year
    YearResult.objects.create(
        person=org.people["staff"],
        year=year,
        grade="basic",
        family="civil_servant",
        source="import",
    )
    with pytest.raises(InvalidInput, match="below Competent") as excinfo:
        nominate(program, org, "staff")
    assert excinfo.value.details == [
        {"reason": "low_grade", "message": excinfo.value.details[0]["message"]}
    ]
    cycle = appraisal_services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=year, as_of=dt.date(year, 12, 31)
    )
    Participant.objects.filter(cycle=cycle, person=org.people["econ_colleague"]).update(
        under_investigation=True
    )
    Participant.objects.filter(cycle=cycle, person=org.people["office_staff"]).update(
        penalties=[{"kind": "warning", "year": year}]
    )
    with pytest.raises(InvalidInput, match="investigation"):
        nominate(program, org, "econ_colleague")
    with pytest.raises(InvalidInput, match="penalty"):
        nominate(program, org, "office_staff")
    assert not Nomination.objects.exists()


def test_nobody_is_nominated_twice_in_a_program(program: Program, org: Any) -> None:
    nominate(program, org, "head")
    with pytest.raises(InvalidInput, match="Already nominated"):
        nominate(program, org, "head")
    assert Nomination.objects.count() == 1


def test_deeds_limits_and_the_brief_deeds_required_to_submit(program: Program, org: Any) -> None:
    with pytest.raises(InvalidInput, match="301"):
        nominate(program, org, "head", deeds_brief="侨" * 301)
    n = nominate(program, org, "head", deeds_brief="")
    with pytest.raises(InvalidInput, match="required"):
        services.nomination_submit(actor=org.users["hr"], nomination=n)
    assert Nomination.objects.get().status == Nomination.Status.DRAFT


def test_over_quota_is_refused_naming_the_cap_and_the_count(program: Program, org: Any) -> None:
    hr = org.users["hr"]
    services.nomination_submit(actor=hr, nomination=nominate(program, org, "head"))
    second = nominate(program, org, "office_staff")
    with pytest.raises(InvalidInput, match=r"办公室 has 1 place.*1 are taken") as excinfo:
        services.nomination_submit(actor=hr, nomination=second)
    assert excinfo.value.code == "over_quota"
    second.refresh_from_db()
    assert second.status == Nomination.Status.DRAFT


def test_a_unit_head_nominates_only_their_own_unit(program: Program, org: Any) -> None:
    head = org.users["head"]  # head of 办公室
    services.nominate(
        actor=head,
        program=program,
        kind="commendation",
        person=org.people["office_staff"],
        deeds_brief=DEEDS,
    )
    with pytest.raises(Forbidden):
        services.nominate(
            actor=head,
            program=program,
            kind="commendation",
            person=org.people["staff"],
            deeds_brief=DEEDS,
        )


def test_vetting_by_the_wrong_role_is_refused(program: Program, org: Any, inspector: Any) -> None:
    n = nominate(program, org, "head")
    services.nomination_submit(actor=org.users["hr"], nomination=n)
    services.nominations_close(actor=org.users["hr"], program=program)
    with pytest.raises(Forbidden):
        services.vet(actor=org.users["hr"], nomination=n, body="discipline", verdict="pass")
    with pytest.raises(Forbidden):
        services.vet(actor=inspector, nomination=n, body="personnel", verdict="pass")
    with pytest.raises(InvalidInput, match="note"):
        services.vet(actor=inspector, nomination=n, body="discipline", verdict="conditional")
    services.vet(actor=inspector, nomination=n, body="discipline", verdict="pass")
    with pytest.raises(InvalidInput, match="already"):
        services.vet(actor=inspector, nomination=n, body="discipline", verdict="pass")
    assert services.outcomes(program) == {n.pk: "pending"}
    services.vet(actor=org.users["hr"], nomination=n, body="personnel", verdict="pass")
    assert services.outcomes(program) == {n.pk: "pass"}


def test_the_decision_needs_every_opinion_and_keeps_the_leaders_share(
    program: Program, org: Any, inspector: Any
) -> None:
    hr = org.users["hr"]
    head = nominate(program, org, "head")  # 丙主任 holds no leadership post in the fixture
    services.nomination_submit(actor=hr, nomination=head)
    services.nominations_close(actor=hr, program=program)
    with pytest.raises(InvalidInput, match="wait for a vetting opinion"):
        services.decide(
            actor=hr,
            program=program,
            approved=[head.pk],
            decision_body="党组会",
            decision_date=timezone.localdate(),
            record="2026年第12次党组会",
        )
    services.vet(actor=inspector, nomination=head, body="discipline", verdict="pass")
    services.vet(actor=hr, nomination=head, body="personnel", verdict="pass")
    Nomination.objects.filter(pk=head.pk).update(is_leader=True)
    with pytest.raises(InvalidInput, match=r"at most 20%.*0 of 1"):
        services.decide(
            actor=hr,
            program=program,
            approved=[head.pk],
            decision_body="党组会",
            decision_date=timezone.localdate(),
            record="2026年第12次党组会",
        )
    Nomination.objects.filter(pk=head.pk).update(is_leader=False)
    decided = services.decide(
        actor=hr,
        program=program,
        approved=[head.pk],
        decision_body="党组会",
        decision_date=timezone.localdate(),
        record="2026年第12次党组会",
    )
    assert decided.status == Program.Status.DECIDED
    head.refresh_from_db()
    assert head.status == Nomination.Status.APPROVED


def _decided(program: Program, org: Any, inspector: Any, on: dt.date) -> Nomination:
    hr = org.users["hr"]
    n = nominate(program, org, "head")
    services.nomination_submit(actor=hr, nomination=n)
    vetted(program, org, inspector, n)
    services.decide(
        actor=hr,
        program=program,
        approved=[n.pk],
        decision_body="党组会",
        decision_date=on,
        record="党组会议纪要",
    )
    return n


def test_publicity_cannot_start_in_the_past_or_before_the_decision(
    program: Program, org: Any, inspector: Any
) -> None:
    today = timezone.localdate()
    _decided(program, org, inspector, today)
    with pytest.raises(InvalidInput, match="past"):
        services.publicity_start(
            actor=org.users["hr"], program=program, start=today - dt.timedelta(days=1)
        )
    started = services.publicity_start(actor=org.users["hr"], program=program)
    assert started.publicity_start == today


def test_publicity_end_across_the_national_day_holiday(org: Any, inspector: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 9, 29, 9, 0), tick=False):
        hr = org.users["hr"]
        p = services.program_create(
            actor=hr, agency=org.agency, year=2026, title="t", scope="internal"
        )
        services.quota_set(actor=hr, program=p, kind="commendation", family="civil_servant")
        services.program_open(actor=hr, program=p)
        _decided(p, org, inspector, dt.date(2026, 9, 29))
        started = services.publicity_start(actor=hr, program=p, start=dt.date(2026, 9, 30))
    # 9/30 counts; 10/1–10/7 are the holiday; 10/10 (a Saturday) is a make-up working day:
    # 9/30, 10/8, 10/9, 10/10, 10/12
    assert (started.publicity_start, started.publicity_end) == (
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 12),
    )


def test_objections_only_inside_the_window_and_finalizing_writes_the_record(
    program: Program, org: Any, inspector: Any
) -> None:
    today = timezone.localdate()
    n = _decided(program, org, inspector, today)
    with pytest.raises(InvalidInput, match="not published"):
        services.objection_raise(actor=org.users["staff"], program=program, text="有异议")
    services.publicity_start(actor=org.users["hr"], program=program)
    program.refresh_from_db()
    with pytest.raises(Forbidden):  # another federation's staff is not asked
        services.objection_raise(actor=org.users["outsider"], program=program, text="有异议")
    objection = services.objection_raise(
        actor=org.users["staff"], program=program, text="有异议", nomination=n
    )
    after = _end(program) + dt.timedelta(days=1)
    assert not services.finalize(program, after)  # held by the open objection
    services.objection_answer(
        actor=org.users["hr"], objection=objection, answer="经核实，反映不属实。"
    )
    with (
        time_machine.travel(dt.datetime.combine(after, dt.time(9)), tick=False),
        pytest.raises(InvalidInput, match="no longer accepted"),
    ):
        services.objection_raise(actor=org.users["staff"], program=program, text="迟到的异议")
    assert services.finalize(program, after)
    honour = Honour.objects.get()
    assert (honour.person, honour.kind, honour.gbt_code, honour.source) == (
        org.people["head"],
        "commendation",
        "01115",
        Honour.Source.PROGRAM,
    )
    assert not services.finalize(program, after)  # idempotent


def _honours(program: Program, org: Any, inspector: Any) -> list[Honour]:
    _decided(program, org, inspector, timezone.localdate())
    services.publicity_start(actor=org.users["hr"], program=program)
    program.refresh_from_db()
    services.finalize(program, _end(program) + dt.timedelta(days=1))
    return list(Honour.objects.all())


def test_certificates_are_numbered_gap_free_per_kind_and_verified(
    program: Program, org: Any, inspector: Any, settings: Any
) -> None:
    settings.LUOSHI_HONORS = {"certificate_prefix": "侨联奖"}
    honours = _honours(program, org, inspector)
    external = services.external_record(
        actor=org.users["hr"],
        agency=org.agency,
        unit=org.econ,
        kind="advanced_unit",
        title="创建模范机关先进单位",
        approving_body="中央和国家机关工委",
        document_number="国机党发〔2026〕8号",
        awarded_on=timezone.localdate(),
    )
    year = timezone.localdate().year
    certs = services.certificates_issue(actor=org.users["hr"], honours=[*honours, external])
    # one series per kind, each from 1; the kind's word keeps the numbers apart
    assert [c.number for c in certs] == [
        f"侨联奖〔{year}〕嘉奖第001号",
        f"侨联奖〔{year}〕先进单位第001号",
    ]
    assert services.certificates_issue(actor=org.users["hr"], honours=honours) == []  # once only
    shown = services.verify(certs[0].number)
    assert shown == {
        "number": certs[0].number,
        "holder": "丙主任",
        "honour": "嘉奖",
        "program": "机关优秀工作者评选",
        "issuing_body": "党组会",
        "date": honours[0].awarded_on,
        "valid": True,
        "revoked_on": None,
    }
    with pytest.raises(NotFound):
        services.verify("侨联奖〔2026〕第999号")


def test_revocation_needs_reason_and_document_and_shows_in_verification(
    program: Program, org: Any, inspector: Any
) -> None:
    honour = _honours(program, org, inspector)[0]
    cert = services.certificates_issue(actor=org.users["hr"], honours=[honour])[0]
    with pytest.raises(InvalidInput, match="reason"):
        services.revoke(actor=org.users["hr"], honour=honour, reason="", document_number="x")
    with pytest.raises(Forbidden):
        services.revoke(
            actor=org.users["staff"], honour=honour, reason="弄虚作假", document_number="x"
        )
    services.revoke(
        actor=org.users["hr"],
        honour=honour,
        reason="弄虚作假骗取荣誉",
        document_number="侨联发〔2026〕30号",
    )
    shown = services.verify(cert.number)
    assert shown["valid"] is False and shown["revoked_on"] == timezone.localdate()
    assert AuditEntry.objects.filter(action="honors.revoke").count() == 1
    with pytest.raises(InvalidInput, match="already"):
        services.revoke(actor=org.users["hr"], honour=honour, reason="r", document_number="d")


def test_a_final_annual_appraisal_writes_a_commendation_for_each_excellent(org: Any) -> None:
    cycle = appraisal_services.cycle_open(
        actor=org.users["hr"], agency=org.agency, year=2025, as_of=dt.date(2025, 12, 31)
    )
    Participant.objects.filter(cycle=cycle, person=org.people["staff"]).update(
        final_grade="excellent"
    )
    Participant.objects.filter(cycle=cycle, person=org.people["head"]).update(
        final_grade="competent"
    )
    assert services.appraisal_awards(cycle) == 0  # not final yet
    AnnualCycle.objects.filter(pk=cycle.pk).update(status="final", finalized_at=timezone.now())
    cycle.refresh_from_db()
    assert services.appraisal_awards(cycle) == 1
    assert services.appraisal_awards(cycle) == 0  # once
    honour = Honour.objects.get()
    assert (honour.person, honour.kind, honour.year, honour.source) == (
        org.people["staff"],
        "commendation",
        2025,
        Honour.Source.APPRAISAL,
    )


def test_three_years_excellent_makes_a_merit_candidate_to_confirm(org: Any) -> None:
    for year in (2023, 2024, 2025):
        YearResult.objects.create(
            person=org.people["staff"],
            year=year,
            grade="excellent",
            family="civil_servant",
            source="import",
        )
    for year in (2024, 2025):
        YearResult.objects.create(
            person=org.people["head"],
            year=year,
            grade="excellent",
            family="civil_servant",
            source="import",
        )
    candidates = services.merit_candidates(org.agency, 2025)
    assert [(c["person"], c["kind"]) for c in candidates] == [(org.people["staff"], "merit_third")]
    with pytest.raises(InvalidInput, match="not Excellent"):
        services.merit_confirm(
            actor=org.users["hr"],
            agency=org.agency,
            person=org.people["head"],
            year=2025,
            document_number="d",
        )
    honour = services.merit_confirm(
        actor=org.users["hr"],
        agency=org.agency,
        person=org.people["staff"],
        year=2025,
        document_number="侨联人〔2026〕2号",
    )
    assert (honour.kind, honour.gbt_code) == ("merit_third", "01114")
    assert services.merit_candidates(org.agency, 2025)[0]["confirmed"] is True


def test_the_deeds_draft_is_written_from_the_year(org: Any) -> None:
    YearResult.objects.create(
        person=org.people["staff"],
        year=2025,
        grade="excellent",
        family="civil_servant",
        source="import",
    )
    draft = services.deeds_draft(org.people["staff"], 2025)
    assert "Annual appraisal 2025: Excellent." in draft
    assert services.deeds_draft(org.people["head"], 2025) == ""  # nothing known: nothing made up
