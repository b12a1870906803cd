"""Build the plain data of the official forms (docdata) from the database."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import rules
from .docdata import RegistrationFormData, ResultNoticeData, ResultRow, Signature
from .models import AnnualCycle, Participant

FORM_TITLES = {
    rules.CIVIL_SERVANT: "{year}年度公务员年度考核登记表",
    rules.PUBLIC_INSTITUTION: "{year}年度事业单位工作人员年度考核登记表",
}
STATUS_WORDS = {
    rules.GRADED: "已确定",
    rules.COMMENTS_ONLY: "不定等次（试用期）",
    rules.UNGRADED: "不定等次",
    rules.PENDING: "待补定",
}
ACK_WORDS = {"agree": "同意", "disagree": "不同意"}


def _post_and_rank(p: Participant) -> str:
    person = p.person
    post = person.post.name if person.post else ""
    rank = f"（{person.rank.name}）" if person.rank else ""
    return f"{p.unit.name} {post}{rank}".strip()


def registration_data(p: Participant) -> RegistrationFormData:
    person = p.person
    cycle = p.cycle
    ungraded_note = ""
    if p.eligibility != rules.GRADED:
        ungraded_note = str(rules.REASONS.get(p.eligibility_reason, "")) or STATUS_WORDS.get(
            p.eligibility, ""
        )
    grade = p.final_grade if p.is_final else p.decided_grade
    ack = ""
    if p.ack:
        ack = ACK_WORDS.get(p.ack, p.ack) + (f"：{p.ack_text}" if p.ack_text else "")
    return RegistrationFormData(
        year=cycle.year,
        form_title=FORM_TITLES[rules.family_for(p.family)].format(year=cycle.year),
        name=person.name,
        sex=person.get_gender_display(),
        birth_month=person.birth_month,
        political_status=person.political_status.name if person.political_status else "",
        post_since=person.post_since,
        unit=p.unit.name,
        post_and_rank=_post_and_rank(p),
        duties=p.duties,
        self_summary=p.self_summary,
        self_summary_signature=Signature(
            person.name,
            timezone.localtime(p.summary_submitted_at).date() if p.summary_submitted_at else None,
        ),
        leader_comments=p.leader_comments,
        proposed_grade=rules.grade_word(p.family, p.proposed_grade),
        leader_signature=Signature(
            "", timezone.localtime(p.proposed_at).date() if p.proposed_at else None
        ),
        committee_opinion=p.decision_note,
        committee_grade=rules.grade_word(p.family, grade),
        committee_signature=Signature("", cycle.meeting_date),
        seal_text=cycle.notice_issuer or cycle.agency.name,
        acknowledgement=ack,
        acknowledgement_signature=Signature(
            person.name if p.ack else "", timezone.localtime(p.ack_at).date() if p.ack_at else None
        ),
        ungraded_note=ungraded_note,
        staff_category=person.staff_category.name if person.staff_category else "",
    )


def result_rows(
    participants: list[Participant], evaluation: dict[int, Any] | None = None
) -> list[ResultRow]:
    rows = []
    evaluation = evaluation or {}
    for i, p in enumerate(participants, start=1):
        result = evaluation.get(p.person_id)
        score = f"{result.score}" if result is not None and result.valid and result.score else ""
        grade = p.final_grade if p.is_final else p.decided_grade
        rows.append(
            ResultRow(
                seq=i,
                name=p.person.name,
                unit=p.unit.name,
                post_and_rank=_post_and_rank(p),
                staff_category=p.person.staff_category.name if p.person.staff_category else "",
                proposed_grade=rules.grade_word(p.family, p.proposed_grade),
                evaluation_score=score,
                grade=rules.grade_word(p.family, grade),
                status=STATUS_WORDS.get(p.eligibility, ""),
                remarks=str(rules.REASONS.get(p.eligibility_reason, "")),
            )
        )
    return rows


def notice_data(p: Participant) -> ResultNoticeData:
    cycle: AnnualCycle = p.cycle
    pol = rules.policy()
    learned = timezone.localtime(p.notified_at).date() if p.notified_at else timezone.localdate()
    deadlines = rules.request_deadlines(rules.REVIEW, pol, learned_on=learned)
    word = rules.grade_word(p.family, p.final_grade)
    if word:
        body = [
            f"经考核委员会审定并公示，你{cycle.year}年度考核结果为：{word}。",
        ]
    else:
        body = [f"经考核委员会审定，你{cycle.year}年度考核不定等次。"]
    body.append(
        f"如对考核结果有异议，可自知道考核结果之日起{pol.review_request_days}日内申请复核；"
        f"对复核结果不服的，可自接到复核决定之日起{pol.appeal_after_review_days}日内提出申诉，"
        f"也可不经复核，自知道考核结果之日起{pol.appeal_direct_days}日内直接提出申诉。"
    )
    history = {p.cycle.year: p.final_grade}
    found = rules.consequences(history, cycle.year, pol)
    words = {rules.COMMENDATION: "嘉奖"}
    return ResultNoticeData(
        year=cycle.year,
        issuing_body=cycle.notice_issuer or cycle.agency.name,
        document_number="",
        title=f"关于{cycle.year}年度考核结果的通知",
        recipient_name=p.person.name,
        recipient_unit=p.unit.name,
        grade=word,
        body_paragraphs=body,
        review_deadline=deadlines.file_by,
        issue_date=learned,
        signer=cycle.notice_issuer or cycle.agency.name,
        consequences=[words[c] for c in found if c in words],
    )
