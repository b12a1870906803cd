"""The demo agency's work meeting of last year (fictional), held in January of this year and
complete: participants by rank and the year's honourees, guests, invitations with one leave and
its substitute, the agenda (the chair's speech, the reading of the commendation decision and of
the Excellent list, three departments' reports, the awarding, two exchange speeches), the
presidium and the hall seated by protocol, the awarding rounds from last year's commendation
decision, sign-in (some late, some absent), the decisions and the numbered minutes, and the
chair's eight requirements, each linked to a key point of this year's plan or made a
supervision item. Built through the same services as real use; idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from luoshi.appraisal.services import agency_units
from luoshi.honors.models import Program
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, Person, Post, Rank, User

from . import services
from .models import AgendaItem, Meeting, Participant

REQUIREMENTS = [
    ("坚持政治引领，推动党的创新理论在侨界入脑入心", "一是要坚持政治引领……"),
    ("聚焦中心大局，服务高质量发展", "二是要聚焦中心大局……"),
    ("深化海外联谊，扩大朋友圈", "三是要深化海外联谊……"),
    ("依法维护侨益，办好为侨服务实事", "四是要依法维护侨益……"),
    ("加强基层组织建设，夯实侨联工作基础", "五是要加强基层组织建设……"),
    ("推进数字侨联建设，提升工作效能", "六是要推进数字侨联建设……"),
    ("抓好重点任务督查督办，确保落地见效", "七是要抓好督查督办……"),
    ("锻造过硬干部队伍，持之以恒改进作风", "八是要锻造过硬干部队伍……"),
]


def _aware(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build_demo() -> str:
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    office = User.objects.filter(username="demo_supervisor").first()
    if agency is None or office is None:
        return "no demo agency"
    if Meeting.objects.filter(agency=agency).exists():
        return "already present; nothing changed"
    this_year = timezone.localdate().year
    year = this_year - 1
    program = (
        Program.objects.filter(agency=agency, year=year, status=Program.Status.FINAL)
        .order_by("pk")
        .first()
    )
    people = Person.objects.filter(unit__in=agency_units(agency), is_active=True).select_related(
        "post", "unit"
    )
    leaders = list(
        people.filter(unit=agency, post__name__in=["主席", "副主席", "秘书长"]).order_by(
            "post__sort_order", "pk"
        )
    )
    if not leaders:
        return "no leaders in the demo agency"
    chair, vices = leaders[0], leaders[1:]
    day = dt.date(this_year, 1, 16)
    planned_on = dt.date(this_year, 1, 5)
    with transaction.atomic():
        meeting = services.meeting_create(
            actor=office,
            agency=agency,
            year=year,
            title=f"{year}年度机关工作会议",
            date=day,
            starts_at=dt.time(9, 0),
            venue="机关办公楼三楼大会议室",
            presiding=vices[0] if vices else chair,
            program=program,
            today=planned_on,
        )
        services.rule_set(
            actor=office,
            meeting=meeting,
            unit_kind=OrgUnit.Kind.AGENCY,
            rank=None,
            post=Post.objects.filter(name="秘书长").first(),
        )
        services.rule_set(
            actor=office,
            meeting=meeting,
            unit_kind=OrgUnit.Kind.DEPARTMENT,
            rank=Rank.objects.filter(name="四级调研员").first(),
            post=Post.objects.filter(name="副部长").first(),
        )
        services.rule_set(
            actor=office,
            meeting=meeting,
            unit_kind=OrgUnit.Kind.AFFILIATED,
            rank=None,
            post=Post.objects.filter(name="副主任").first(),
        )
        K = AgendaItem.Kind
        services.agenda_add(
            actor=office,
            meeting=meeting,
            kind=K.SPEECH,
            title=f"{chair.post.name if chair.post else ''}作{year}年度工作总结讲话",
            presenter=chair,
            duration_minutes=40,
        )
        if program is not None and len(vices) >= 2:
            services.agenda_add(
                actor=office,
                meeting=meeting,
                kind=K.READING,
                title="宣读机关先进工作者表彰决定",
                presenter=vices[1],
                reads=AgendaItem.Reads.DECISION,
                duration_minutes=5,
            )
        if len(vices) >= 3:
            services.agenda_add(
                actor=office,
                meeting=meeting,
                kind=K.READING,
                title=f"宣读{year}年度考核优秀等次人员名单",
                presenter=vices[2],
                reads=AgendaItem.Reads.EXCELLENT,
                duration_minutes=5,
            )
        if services.summaries_by_unit(meeting):  # last year's summaries are the material
            services.report_speakers_propose(actor=office, meeting=meeting, limit=3)
        without_summaries = not meeting.agenda.filter(kind=K.REPORT).exists()
        for unit in services.report_candidates(meeting)[:3] if without_summaries else []:
            services.agenda_add(
                actor=office,
                meeting=meeting,
                kind=K.REPORT,
                title=f"{unit.name}{year}年度工作汇报",
                presenter=unit.head,
                unit=unit,
                duration_minutes=8,
                material_due=dt.date(this_year, 1, 12),
            )
        if program is not None:
            services.agenda_add(
                actor=office, meeting=meeting, kind=K.AWARDING, title="颁奖", duration_minutes=10
            )
        for person in services.exchange_candidates(meeting)[:2]:
            services.agenda_add(
                actor=office,
                meeting=meeting,
                kind=K.EXCHANGE,
                title=f"{person.name}同志交流发言",
                presenter=person,
                duration_minutes=6,
            )
        services.participants_apply(actor=office, meeting=meeting)
        services.participant_add(
            actor=office,
            meeting=meeting,
            guest_name="林文远",
            guest_body="测试省委统战部",
            guest_title="侨务处处长",
            role=Participant.Role.OBSERVE,
        )
        services.participant_add(
            actor=office,
            meeting=meeting,
            guest_name="周若溪",
            guest_body="测试省侨务服务中心",
            guest_title="主任",
            role=Participant.Role.OBSERVE,
        )
        services.presidium_set(
            actor=office,
            meeting=meeting,
            person_ids=[p.pk for p in services.presidium_proposal(meeting)],
        )
        services.meeting_advance(actor=office, meeting=meeting, to="notified", today=planned_on)
        hall = list(
            meeting.participants.filter(presidium=False, person__isnull=False, source="rule")
            .select_related("person")
            .order_by("sort_key")
        )
        if hall:
            away = hall[-1]
            services.reply(
                actor=office, participant=away, answer="leave", leave_reason="赴京参加培训"
            )
            colleague = (
                people.filter(unit_id=away.unit_id)
                .exclude(pk__in=meeting.participants.values("person_id"))
                .first()
            )
            if colleague is not None:
                services.substitute_name(actor=office, participant=away, person=colleague)
        services.seating_arrange(actor=office, meeting=meeting)
        if program is not None:
            services.awarding_plan(actor=office, meeting=meeting)
        services.meeting_advance(actor=office, meeting=meeting, to="in_session", today=day)
        listed = list(
            meeting.participants.exclude(reply=Participant.Reply.LEAVE).order_by("sort_key", "pk")
        )
        for index, participant in enumerate(listed):
            if index % 17 == 16:
                continue  # absent
            minute = 30 + index % 29 if index % 11 else 5  # most before 9:00, a few late
            hour = 8 if minute >= 30 else 9
            services.sign_in_at_desk(
                actor=office, participant=participant, at=_aware(day, hour, minute)
            )
        services.meeting_advance(actor=office, meeting=meeting, to="closed", today=day)
        services.decisions_set(
            actor=office,
            meeting=meeting,
            text=(
                f"一、会议审议通过{year}年度机关工作总结。\n"
                f"二、会议对{year}年度机关先进工作者予以表彰。\n"
                f"三、会议部署{this_year}年度重点工作，要求各部门、各直属单位抓好落实。"
            ),
        )
        plan = services.next_year_plan(meeting)
        points = list(plan.key_points.filter(level=1).order_by("sort_order")) if plan else []
        lead_units = services.report_candidates(meeting)
        for number, (text, passage) in enumerate(REQUIREMENTS, start=1):
            requirement = services.requirement_add(
                actor=office, meeting=meeting, text=text, passage=passage, number=number
            )
            if number <= 5 and number <= len(points):
                services.requirement_link_key_point(
                    actor=office, requirement=requirement, key_point=points[number - 1]
                )
            elif number <= 5 and plan is not None:
                services.requirement_to_key_point(actor=office, requirement=requirement)
            else:
                services.requirement_to_supervision(
                    actor=office,
                    requirement=requirement,
                    lead_unit=lead_units[(number - 1) % len(lead_units)],
                    deadline=dt.date(this_year, 11, 30),
                    today=dt.date(this_year, 1, 20),
                )
        services.meeting_advance(actor=office, meeting=meeting, to="minutes_published", today=day)
    meeting.refresh_from_db()
    return (
        f"{meeting.title}: {meeting.participants.count()} participants, "
        f"{meeting.participants.filter(signed_in_at__isnull=False).count()} signed in, "
        f"minutes {meeting.minutes_number}, {meeting.requirements.count()} requirements"
    )
