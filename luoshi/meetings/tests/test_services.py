from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.meetings import rules, selectors, services
from luoshi.meetings.models import AgendaItem, Meeting, Participant
from luoshi.orgs.models import OrgUnit, Person, Post, Rank
from luoshi.plans.services.plans import plan_create
from luoshi.supervision.models import SupervisionItem

from .conftest import make_meeting, ready_meeting

pytestmark = pytest.mark.django_db


def test_only_the_office_plans_a_meeting(org: Any) -> None:
    with pytest.raises(Forbidden):
        services.meeting_create(
            actor=org.users["staff"],
            agency=org.agency,
            year=2025,
            title="x",
            date=timezone.localdate(),
            venue="y",
        )


def test_notify_needs_agenda_and_participants(org: Any, meeting: Meeting) -> None:
    office = org.users["supervisor"]
    check = services.readiness(meeting)
    assert check is not None and check.step == "notified"
    assert len(check.missing) == 2
    with pytest.raises(InvalidInput, match="agenda has no items"):
        services.meeting_advance(actor=office, meeting=meeting, to="notified")
    services.agenda_add(actor=office, meeting=meeting, kind="speech", title="讲话")
    services.participant_add(actor=office, meeting=meeting, person=org.people["staff"])
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="notified")
    assert meeting.state == "notified"
    assert meeting.participants.get().invited_at is not None


def test_states_in_order_with_their_guards(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    with pytest.raises(InvalidInput):
        services.meeting_advance(actor=office, meeting=meeting, to="closed")  # no session yet
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="closed")
    with pytest.raises(InvalidInput, match="decisions"):
        services.meeting_advance(actor=office, meeting=meeting, to="minutes_published")
    services.decisions_set(actor=office, meeting=meeting, text="会议同意……")
    with pytest.raises(InvalidInput, match="Nobody signed in"):
        services.meeting_advance(actor=office, meeting=meeting, to="minutes_published")
    with pytest.raises(InvalidInput, match="Sign-in is open"):  # no sign-in once closed
        services.sign_in_at_desk(actor=office, participant=meeting.participants.first())  # type: ignore[arg-type]


def test_minutes_get_a_number(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    services.sign_in_at_desk(actor=office, participant=meeting.participants.first())  # type: ignore[arg-type]
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="closed")
    meeting = services.decisions_set(actor=office, meeting=meeting, text="会议同意。")
    meeting = services.meeting_advance(actor=office, meeting=meeting, to="minutes_published")
    assert meeting.minutes_number == f"纪要〔{meeting.date.year}〕1号"
    lists = selectors.minutes_lists(meeting)
    assert len(lists["attended"]) == 1


def _rank(person: Person, name: str) -> None:
    Person.objects.filter(pk=person.pk).update(rank=Rank.objects.get(name=name))


def test_participants_by_rank_threshold_per_unit_kind(org: Any, meeting: Meeting) -> None:
    office = org.users["supervisor"]
    _rank(org.people["staff"], "四级调研员")  # department, at the threshold
    _rank(org.people["econ_colleague"], "一级主任科员")  # department, below
    _rank(org.people["admin"], "二级调研员")  # affiliated, below its threshold (post only)
    Person.objects.filter(pk=org.people["security"].pk).update(
        post=Post.objects.get(name="副主任")
    )  # affiliated: 副主任 and above
    Person.objects.filter(pk=org.people["auditor"].pk).update(
        post=Post.objects.get(name="主任"), post_since=meeting.date + dt.timedelta(days=30)
    )  # took the post after the meeting date: not counted
    services.rule_set(
        actor=office,
        meeting=meeting,
        unit_kind=OrgUnit.Kind.DEPARTMENT,
        rank=Rank.objects.get(name="四级调研员"),
        post=None,
    )
    services.rule_set(
        actor=office,
        meeting=meeting,
        unit_kind=OrgUnit.Kind.AFFILIATED,
        rank=None,
        post=Post.objects.get(name="副主任"),
    )
    result = services.participants_apply(actor=office, meeting=meeting)
    names = set(meeting.participants.values_list("person__name", flat=True))
    assert names == {org.people["staff"].name, org.people["security"].name}
    assert result["added"] == 2
    # the threshold raised: the one taken by the rule goes, a named representative stays
    services.participant_add(actor=office, meeting=meeting, person=org.people["econ_colleague"])
    services.rule_set(
        actor=office,
        meeting=meeting,
        unit_kind=OrgUnit.Kind.DEPARTMENT,
        rank=Rank.objects.get(name="一级调研员"),
        post=None,
    )
    services.participants_apply(actor=office, meeting=meeting)
    names = set(meeting.participants.values_list("person__name", flat=True))
    assert names == {org.people["security"].name, org.people["econ_colleague"].name}


def test_meets_threshold_rule() -> None:
    assert rules.meets_threshold(
        rank_order=50, post_order=None, rank_threshold=50, post_threshold=None
    )
    assert not rules.meets_threshold(
        rank_order=60, post_order=None, rank_threshold=50, post_threshold=None
    )
    assert rules.meets_threshold(rank_order=60, post_order=10, rank_threshold=50, post_threshold=20)
    assert not rules.meets_threshold(
        rank_order=None, post_order=None, rank_threshold=50, post_threshold=20
    )
    assert not rules.meets_threshold(
        rank_order=1, post_order=1, rank_threshold=None, post_threshold=None
    )


def test_guests_and_leave_with_substitute(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    guest = services.participant_add(
        actor=office,
        meeting=meeting,
        guest_name="访客甲",
        guest_body="省委统战部",
        guest_title="处长",
    )
    assert guest.is_guest and guest.invited_at is not None
    mine = meeting.participants.get(person=org.people["staff"])
    with pytest.raises(InvalidInput):
        services.reply(actor=org.users["staff"], participant=mine, answer="leave")  # no reason
    services.reply(actor=org.users["staff"], participant=mine, answer="leave", leave_reason="出差")
    with pytest.raises(Forbidden):
        services.reply(
            actor=org.users["staff"],
            participant=meeting.participants.get(person=org.people["head"]),
            answer="accepted",
        )
    sub = services.substitute_name(
        actor=office, participant=mine, person=org.people["liaison_staff"]
    )
    assert sub.substitute_for_id == mine.pk and sub.source == Participant.Source.SUBSTITUTE
    data = selectors.attendance(meeting)
    assert [p.pk for p in data["leave"]] == [mine.pk]


# --- sign-in --------------------------------------------------------------------------------


def test_sign_in_with_the_current_or_previous_minute_only(org: Any) -> None:
    meeting = ready_meeting(org)
    now = time.time()
    minute = rules.minute_of(now)
    old = rules.sign_in_token(meeting.pk, minute - 2, meeting.sign_in_secret)
    with pytest.raises(InvalidInput, match="expired") as exc:
        services.sign_in_with_token(actor=org.users["staff"], meeting=meeting, token=old, now=now)
    assert exc.value.code == "sign_in_expired"
    previous = rules.sign_in_token(meeting.pk, minute - 1, meeting.sign_in_secret)
    p = services.sign_in_with_token(
        actor=org.users["staff"], meeting=meeting, token=previous, now=now
    )
    assert p.signed_in_at is not None and p.sign_in_method == "qr"


def test_sign_in_once_per_person(org: Any) -> None:
    meeting = ready_meeting(org)
    token = services.current_token(meeting)
    services.sign_in_with_token(actor=org.users["staff"], meeting=meeting, token=token)
    with pytest.raises(InvalidInput) as exc:
        services.sign_in_with_token(actor=org.users["staff"], meeting=meeting, token=token)
    assert exc.value.code == "sign_in_reused"
    # the same code still serves the next person
    services.sign_in_with_token(actor=org.users["head"], meeting=meeting, token=token)
    assert meeting.participants.filter(signed_in_at__isnull=False).count() == 2


def test_forged_and_foreign_tokens_are_refused(org: Any) -> None:
    meeting = ready_meeting(org)
    other = make_meeting(org)
    minute = rules.minute_of(time.time())
    good = services.current_token(meeting)
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    for token, code in (
        (forged, "sign_in_forged"),
        (f"{meeting.pk}-{minute}-{'a' * 32}", "sign_in_forged"),
        (services.current_token(other), "sign_in_other_meeting"),
        (rules.sign_in_token(meeting.pk, minute, "another secret"), "sign_in_forged"),
        ("garbage", "sign_in_malformed"),
        (rules.sign_in_token(meeting.pk, minute + 1, meeting.sign_in_secret), "sign_in_future"),
    ):
        with pytest.raises(InvalidInput) as exc:
            services.sign_in_with_token(actor=org.users["staff"], meeting=meeting, token=token)
        assert exc.value.code == code, token
    assert not meeting.participants.filter(signed_in_at__isnull=False).exists()


def test_someone_not_listed_cannot_sign_in(org: Any) -> None:
    meeting = ready_meeting(org)
    with pytest.raises(InvalidInput) as exc:
        services.sign_in_with_token(
            actor=org.users["hr"], meeting=meeting, token=services.current_token(meeting)
        )
    assert exc.value.code == "sign_in_not_listed"


def test_guest_code_signs_in_once(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    guest = services.participant_add(
        actor=office, meeting=meeting, guest_name="访客乙", guest_body="兄弟单位"
    )
    code = services.guest_code_issue(actor=office, participant=guest)
    token = services.current_token(meeting)
    with pytest.raises(InvalidInput):
        services.sign_in_with_code(meeting=meeting, token=token, code="WRONG123")
    p = services.sign_in_with_code(meeting=meeting, token=token, code=code.lower())
    assert p.sign_in_method == "code"
    with pytest.raises(InvalidInput):
        services.sign_in_with_code(meeting=meeting, token=token, code=code)


def test_late_and_absent(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=dt.time(0, 0))
    meeting.refresh_from_db()
    services.sign_in_at_desk(
        actor=office, participant=meeting.participants.get(person=org.people["head"])
    )
    data = selectors.attendance(meeting)
    assert data["signed_in"] == 1
    assert [p.person_id for p in data["late"]] == [org.people["head"].pk]
    assert len(data["absent"]) == 4  # the presenter is on the list too
    by_unit = {u["unit"]: u for u in data["units"]}
    assert by_unit[org.office.name]["signed_in"] == 1


# --- requirements ---------------------------------------------------------------------------


def test_requirements_become_key_points_and_supervision_items(org: Any) -> None:
    office = org.users["supervisor"]
    meeting = ready_meeting(org)
    services.meeting_advance(actor=office, meeting=meeting, to="in_session")
    first = services.requirement_add(
        actor=office, meeting=meeting, text="抓好侨务政策落实", passage="一是要抓好侨务政策落实……"
    )
    second = services.requirement_add(actor=office, meeting=meeting, text="加强海外联谊")
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(InvalidInput, match="no work plan"):
        services.requirement_to_key_point(actor=office, requirement=first)
    plan = plan_create(actor=office, agency=org.agency, year=meeting.year + 1, title="要点")
    point = services.requirement_to_key_point(actor=office, requirement=first)
    assert (
        point.plan == plan and point.label == "一、" and point.meeting_requirements.get() == first
    )
    item = services.requirement_to_supervision(
        actor=office,
        requirement=first,
        lead_unit=org.econ,
        deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    assert item.source == SupervisionItem.Source.MEETING and item.meeting == meeting.title
    assert item.meeting_requirements.get() == first
    with pytest.raises(InvalidInput):
        services.requirement_to_key_point(actor=office, requirement=first)
    rows = selectors.requirements(meeting)
    assert rows[0]["key_point"]["id"] == point.pk
    assert rows[0]["supervision_item"]["number"] == item.number
    assert rows[1]["key_point"] is None and rows[1]["supervision_item"] is None


def test_exchange_candidates_are_the_years_excellent(org: Any, meeting: Meeting) -> None:
    from luoshi.appraisal.models import YearResult

    YearResult.objects.create(
        person=org.people["staff"],
        year=meeting.year,
        grade="excellent",
        family="civil_servant",
        source="import",
    )
    YearResult.objects.create(
        person=org.people["head"],
        year=meeting.year,
        grade="competent",
        family="civil_servant",
        source="import",
    )
    assert services.exchange_candidates(meeting) == [org.people["staff"]]


def test_reading_the_decision_needs_the_decision(org: Any, meeting: Meeting) -> None:
    with pytest.raises(InvalidInput):
        services.agenda_add(
            actor=org.users["supervisor"],
            meeting=meeting,
            kind=AgendaItem.Kind.READING,
            title="宣读表彰决定",
            reads="decision",
        )
