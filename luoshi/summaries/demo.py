"""The demo agency's annual summaries (fictional): last year's round with every unit's summary
accepted (the material of last year's work meeting), and this year's round open with every
unit's draft generated from the year's data. Idempotent: a round that exists is left as it is.

Last year's summaries go through the review where the demo has the accounts for it: the unit's
member edits and submits, the head approves (the first one returns it once with a reason, and
it comes back), the leader in charge approves, the office accepts. A unit without an account
for one of these steps has its summary recorded accepted by the office (as a year before the
system is recorded). The leader in charge of the office (the secretary-general) gets the demo
account demo_secretary for this, if the demo has none for them yet."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from luoshi.core.errors import DomainError
from luoshi.orgs import services as org_services
from luoshi.orgs.demo import AGENCY_CODE
from luoshi.orgs.models import OrgUnit, User
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import leaders_in_charge

from . import permissions as perms
from . import rules, services
from .models import SummaryRound, UnitSummary

NARRATIVE = [
    "一年来，我们坚持以服务大局为中心，围绕年度工作要点，细化分工、压实责任，各项工作取得新进展。",
    "深入开展调查研究，走访基层组织和重点联系对象，形成专题调研报告，为领导决策提供参考。",
    "加强与有关单位的协调配合，建立定期会商机制，推动重点事项落地见效。",
    "注重工作创新，总结推广典型经验，相关做法得到上级部门的肯定。",
    "加强干部队伍建设，组织业务培训和专题学习，干部职工的履职能力进一步提升。",
    "严格落实全面从严治党要求，加强作风建设，营造风清气正的工作氛围。",
    "规范内部管理，完善制度流程，文件办理、会议组织、信息报送等工作有序高效。",
    "积极做好宣传工作，及时报送工作信息，讲好工作故事，扩大了工作影响力。",
]
PROBLEMS = (
    "一是工作统筹还不够，个别任务推进节奏不均衡；二是调查研究的深度有待加强；"
    "三是干部队伍的专业能力与新任务新要求相比还有差距。"
)
NEXT_YEAR = [
    "深化服务大局：围绕中心工作谋划年度重点任务",
    "加强调查研究：开展专题调研并形成调研报告",
    "加强自身建设：组织干部业务培训",
]


def _prose(drafted: str, minimum: int) -> str:
    parts = [drafted] if drafted.strip() else []
    i = 0
    while rules.char_count("\n".join(parts)) < minimum + 60:
        parts.append(NARRATIVE[i % len(NARRATIVE)])
        i += 1
    return "\n".join(parts)


SECRETARY = "demo_secretary"


def _secretary(agency: OrgUnit) -> User | None:
    """The account of the office's leader in charge (created once as demo_secretary)."""
    office = OrgUnit.objects.filter(path__startswith=agency.path, name="办公室").first()
    leader = leaders_in_charge(office).order_by("pk").first() if office else None
    if leader is None:
        return None
    user = User.objects.filter(person=leader).first()
    if user is not None or User.objects.filter(username=SECRETARY).exists():
        return user
    user = org_services.user_create(
        actor=None,
        username=SECRETARY,
        password=settings.LUOSHI_DEMO_PASSWORD,
        person=leader,
        validate_password=False,
    )
    org_services.role_assign(actor=None, user=user, role=Role.LEADER_IN_CHARGE)
    return user


def _reviewed(
    summary: UnitSummary, users: list[User], office: User, texts: dict[str, str], *, once: bool
) -> bool:
    """Take the summary through edit, submit and the three approvals with the demo's accounts;
    False (nothing changed) when an account for a step is missing or a step is refused."""
    head = next((u for u in users if perms.is_head(u, summary.unit)), None)
    members = [u for u in users if perms.is_unit_member(u, summary)]
    member = next((u for u in members if u != head), members[0] if members else None)
    leader = next((u for u in users if perms.is_leader(u, summary)), None)
    if member is None or head is None or leader is None:
        return False
    try:
        with transaction.atomic():
            services.summary_edit(
                actor=member,
                summary=summary,
                achievements=texts["achievements"],
                problems=texts["problems"],
                next_year=texts["next_year"],
            )
            services.summary_submit(actor=member, summary=summary)
            if once:
                services.summary_review(
                    actor=head,
                    summary=summary,
                    approve=False,
                    reason="请补充全年重点任务的完成情况和存在问题的具体表现。",
                )
                services.summary_submit(actor=member, summary=summary)
            services.summary_review(actor=head, summary=summary, approve=True)
            services.summary_review(actor=leader, summary=summary, approve=True)
            services.summary_accept(actor=office, summary=summary)
    except DomainError:
        summary.refresh_from_db()
        return False
    return True


@transaction.atomic
def build_demo() -> str:
    agency = OrgUnit.objects.filter(code=AGENCY_CODE).first()
    office = User.objects.filter(username="demo_supervisor").first()
    if agency is None or office is None:
        return "no demo agency"
    year = timezone.localdate().year
    out = []
    last = SummaryRound.objects.filter(agency=agency, year=year - 1).first()
    if last is None:
        last = services.round_create(
            actor=office,
            agency=agency,
            year=year - 1,
            due_date=dt.date(year, 1, 10),
            today=dt.date(year, 1, 4),
        )
        _secretary(agency)
        users = list(
            User.objects.filter(is_active=True, person__isnull=False, username__startswith="demo_")
            .select_related("person")
            .order_by("username")
        )
        reviewed = 0
        for summary in last.summaries.select_related("unit", "round").order_by("unit_path"):
            texts = {
                "achievements": _prose(summary.achievements, last.highlights_min),
                "problems": summary.problems or PROBLEMS,
                "next_year": summary.next_year or "\n".join(NEXT_YEAR),
            }
            if _reviewed(summary, users, office, texts, once=reviewed == 0):
                reviewed += 1
                continue
            services.summary_record_accepted(actor=office, summary=summary, **texts)
        out.append(
            f"{year - 1}: {last.summaries.count()} summaries accepted ({reviewed} through review)"
        )
    current = SummaryRound.objects.filter(agency=agency, year=year).first()
    if current is None:
        current = services.round_create(
            actor=office,
            agency=agency,
            year=year,
            due_date=dt.date(year, 12, 31)
            if timezone.localdate() < dt.date(year, 12, 10)
            else timezone.localdate() + dt.timedelta(days=20),
        )
        out.append(f"{year}: round open, {current.summaries.count()} drafts")
    return "; ".join(out) or "summary rounds exist"
