"""Every write of appraisal: keyword-only, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit, publicity
from luoshi.core.errors import Conflict, InvalidInput
from luoshi.core.versioning import check_version
from luoshi.notify.services import notify
from luoshi.orgs.models import OrgUnit, Person, User

from . import facts, rules
from . import permissions as perms
from .models import (
    AnnualCycle,
    Appeal,
    EligibilityChange,
    GradeChange,
    LeadershipScore,
    Objection,
    Participant,
    RoutineCycle,
    RoutineEntry,
    UnitQuota,
    YearResult,
)

ST = AnnualCycle.Status


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _require_status(cycle: AnnualCycle, *allowed: str) -> None:
    if cycle.status not in allowed:
        raise InvalidInput(
            _("This step is not possible while the appraisal is at “%(status)s”.")
            % {"status": cycle.get_status_display()}
        )


def _lock_cycle(cycle: AnnualCycle) -> AnnualCycle:
    return AnnualCycle.objects.select_for_update().select_related("agency").get(pk=cycle.pk)


def _save_audited(action: str, *, actor: Any, obj: Any, audited: list[str], **values: Any) -> None:
    """Set `values` on a versioned row (already locked and checked by the caller), save it with
    its version raised, and audit the `audited` fields as they were before and are after."""
    before = audit.snapshot(obj, audited)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.save()
    audit.record(action, actor=actor, obj=obj, before=before, after=audit.snapshot(obj, audited))


def _lock_participant(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update()
        .select_related("cycle", "cycle__agency", "unit", "person")
        .get(pk=participant.pk)
    )


def elig_of(p: Participant) -> rules.Eligibility:
    return rules.Eligibility(
        p.eligibility, p.eligibility_reason, p.may_be_excellent, p.forced_grade
    )


def _check_grade(p: Participant, grade: str) -> None:
    if not rules.grade_allowed(grade, elig_of(p)):
        if p.eligibility != rules.GRADED:
            raise InvalidInput(
                _("%(name)s is not graded this year (%(status)s).")
                % {"name": p.person.name, "status": rules.ELIGIBILITY_LABELS[p.eligibility]},
                details=[{"field": "grade", "message": str(elig_of(p).reason_text)}],
            )
        raise InvalidInput(
            _("This grade is not possible for %(name)s: %(reason)s")
            % {"name": p.person.name, "reason": elig_of(p).reason_text or _("unknown grade")},
            details=[{"field": "grade", "message": str(elig_of(p).reason_text)}],
        )


# --- annual cycle -----------------------------------------------------------------------------


def agency_units(agency: OrgUnit) -> Any:
    """The agency's own units: its subtree without other local federations (their own agencies)."""
    locals_ = OrgUnit.objects.filter(path__startswith=agency.path, kind=OrgUnit.Kind.LOCAL).exclude(
        pk=agency.pk
    )
    q = Q(path__startswith=agency.path)
    for path in locals_.values_list("path", flat=True):
        q &= ~Q(path__startswith=path)
    return OrgUnit.objects.filter(q)


@transaction.atomic
def cycle_open(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    as_of: dt.date | None = None,
    notice_issuer: str = "",
) -> AnnualCycle:
    """The personnel officer of the organization opens the year's annual appraisal (not the
    officer of the organization above it: `perms.administers`); participants are drawn at once,
    as of `as_of` (default: 31 December of the year, `rules.default_as_of`)."""
    perms.require(perms.administers(actor, agency))
    as_of = as_of or rules.default_as_of(year)
    if AnnualCycle.objects.filter(agency=agency, year=year).exists():
        raise InvalidInput(
            _("%(agency)s already has an annual appraisal for %(year)d.")
            % {"agency": agency.name, "year": year}
        )
    pol = rules.policy()
    cycle = AnnualCycle.objects.create(
        agency=agency,
        year=year,
        as_of=as_of,
        quota_percent=pol.excellent_quota_percent,
        notice_issuer=notice_issuer or agency.name,
    )
    audit.record("appraisal.cycle_open", actor=actor, obj=cycle, after=audit.snapshot(cycle))
    participants_draw(actor=actor, cycle=cycle)
    return cycle


@transaction.atomic
def participants_draw(*, actor: Any, cycle: AnnualCycle) -> int:
    """Add everyone of the agency who is active, hired by the as-of date and under one of the two
    rule families; people already drawn are kept. Returns how many were added."""
    perms.require(perms.is_officer(actor, cycle.agency))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.OPEN)
    pol = rules.policy()
    existing = set(cycle.participants.values_list("person_id", flat=True))
    people = (
        Person.objects.filter(unit__in=agency_units(cycle.agency), is_active=True)
        .filter(Q(work_start__isnull=True) | Q(work_start__lte=cycle.as_of))
        .filter(
            staff_category__appraisal_family__in=[rules.CIVIL_SERVANT, rules.PUBLIC_INSTITUTION]
        )
        .select_related("staff_category", "post", "unit")
        .exclude(pk__in=existing)
        .order_by("unit__path", "name")
    )
    added: list[Participant] = []
    for person in people:
        assert person.staff_category is not None
        p = Participant(
            cycle=cycle,
            person=person,
            unit=person.unit,
            family=rules.family_for(person.staff_category.appraisal_family),
            hire_date=person.work_start,
            duties=person.post.name if person.post else "",
        )
        _apply_eligibility(p, pol, cycle)
        added.append(p)
    Participant.objects.bulk_create(added)
    if added:
        prefill_summaries(
            cycle=cycle, participants=list(cycle.participants.filter(self_summary=""))
        )
    audit.record(
        "appraisal.participants_draw",
        actor=actor,
        obj=cycle,
        after={"added": [p.person_id for p in added]},
    )
    return len(added)


def _apply_eligibility(p: Participant, pol: rules.Policy, cycle: AnnualCycle) -> None:
    penalties = tuple(
        rules.Penalty(str(x.get("kind", "")), int(x.get("year", 0))) for x in (p.penalties or [])
    )
    e = rules.eligibility(
        rules.EligibilityFacts(
            year=cycle.year,
            hire_date=p.hire_date,
            leave_days=p.leave_days,
            under_investigation=p.under_investigation,
            penalties=penalties,
        ),
        pol,
        cycle.as_of,
    )
    p.eligibility, p.eligibility_reason = e.status, e.reason
    p.may_be_excellent, p.forced_grade = e.may_be_excellent, e.forced_grade


def prefill_summaries(*, cycle: AnnualCycle, participants: list[Participant]) -> None:
    """Write the facts (tasks led, completion and lights, routine grades) into empty summaries."""
    texts = facts.summary_facts(cycle.year, [p.person_id for p in participants])
    for p in participants:
        p.self_summary = texts.get(p.person_id, "")
    Participant.objects.bulk_update(participants, ["self_summary"])


ELIGIBILITY_FIELDS = (
    "leave_days",
    "under_investigation",
    "penalties",
    "eligibility",
    "eligibility_reason",
    "may_be_excellent",
    "forced_grade",
)


@transaction.atomic
def eligibility_change(
    *,
    actor: Any,
    participant: Participant,
    reason: str,
    leave_days: int | None = None,
    under_investigation: bool | None = None,
    penalties: list[dict[str, Any]] | None = None,
    override: str | None = None,
) -> Participant:
    """Change the facts behind a participant's eligibility (or override the status); the reason
    is required and kept with before and after."""
    perms.require(perms.is_officer(actor, participant.cycle.agency))
    p = _lock_participant(participant)
    _require_status(p.cycle, ST.OPEN, ST.COMMITTEE)
    if not reason.strip():
        raise InvalidInput(
            _("Give the reason for the change."),
            details=[{"field": "reason", "message": _("This field is required.")}],
        )
    before = audit.snapshot(p, ELIGIBILITY_FIELDS)
    if leave_days is not None:
        if leave_days < 0 or leave_days > 366:
            raise InvalidInput(_("Days of leave must be between 0 and 366."))
        p.leave_days = leave_days
    if under_investigation is not None:
        p.under_investigation = under_investigation
    if penalties is not None:
        clean = []
        for item in penalties:
            kind = str(item.get("kind", ""))
            if kind not in rules.PENALTY_SEVERITY:
                raise InvalidInput(_("Unknown penalty."))
            clean.append({"kind": kind, "year": int(item.get("year", p.cycle.year))})
        p.penalties = clean
    _apply_eligibility(p, rules.policy(), p.cycle)
    if override is not None:
        if override not in rules.ELIGIBILITY:
            raise InvalidInput(_("Unknown eligibility."))
        p.eligibility, p.eligibility_reason = override, "manual"
        if override != rules.GRADED:
            p.may_be_excellent = False
    # a grade that no longer fits is cleared
    if p.proposed_grade and not rules.grade_allowed(p.proposed_grade, elig_of(p)):
        p.proposed_grade = ""
    if p.decided_grade and not rules.grade_allowed(p.decided_grade, elig_of(p)):
        p.decided_grade, p.decided_at = "", None
    after = audit.snapshot(p, ELIGIBILITY_FIELDS)
    p.version += 1
    p.save()
    EligibilityChange.objects.create(
        participant=p, before=before, after=after, reason=reason.strip(), actor=_user_or_none(actor)
    )
    audit.record(
        "appraisal.eligibility_change",
        actor=actor,
        obj=p,
        before=before,
        after={**after, "reason": reason.strip()},
    )
    return p


@transaction.atomic
def summary_submit(
    *, actor: Any, participant: Participant, duties: str, self_summary: str, version: int | None
) -> Participant:
    """The person writes (or the officer enters) the self-summary."""
    if not (perms.is_self(actor, participant) or perms.is_officer(actor, participant.cycle.agency)):
        raise perms.Forbidden()
    p = _lock_participant(participant)
    check_version(p, version)
    _require_status(p.cycle, ST.OPEN)
    if not self_summary.strip():
        raise InvalidInput(
            _("The self-summary is empty."),
            details=[{"field": "self_summary", "message": _("This field is required.")}],
        )
    _save_audited(
        "appraisal.summary_submit",
        actor=actor,
        obj=p,
        audited=["duties", "self_summary"],
        duties=duties.strip(),
        self_summary=self_summary.strip(),
        summary_submitted_at=timezone.now(),
    )
    return p


@transaction.atomic
def propose(
    *, actor: Any, participant: Participant, grade: str, comments: str, version: int | None = None
) -> Participant:
    """The supervising leader's comments and proposed grade (comments only for the ungraded)."""
    perms.require(perms.can_propose(actor, participant))
    p = _lock_participant(participant)
    check_version(p, version)
    _require_status(p.cycle, ST.OPEN)
    if not comments.strip():
        raise InvalidInput(
            _("Write your comments."),
            details=[{"field": "comments", "message": _("This field is required.")}],
        )
    _check_grade(p, grade)
    if grade == rules.EXCELLENT:
        _check_routine_link(p)
    _save_audited(
        "appraisal.propose",
        actor=actor,
        obj=p,
        audited=["leader_comments", "proposed_grade"],
        leader_comments=comments.strip(),
        proposed_grade=grade,
        proposed_by=_user_or_none(actor),
        proposed_at=timezone.now(),
    )
    return p


def _check_routine_link(p: Participant) -> None:
    pol = rules.policy()
    if not pol.routine_link_for_excellent:
        return
    grades = list(
        RoutineEntry.objects.filter(person=p.person, cycle__year=p.cycle.year)
        .exclude(grade="")
        .values_list("grade", flat=True)
    )
    if not rules.routine_allows_excellent(grades, pol):
        raise InvalidInput(
            _(
                "Excellent needs Good in at least half of the year's routine appraisals and no "
                "Average or Poor."
            )
        )


NAMES_SHOWN = 30  # names listed per readiness item (the count is always exact)


def committee_readiness(cycle: AnnualCycle) -> list[rules.ReadinessItem]:
    """The readiness check before the committee (rules.committee_readiness over the cycle's
    facts): what is missing, by name and count. An empty list: ready."""
    pol = rules.policy()
    rows = list(
        cycle.participants.order_by("unit__path", "person__name", "id").values_list(
            "person__name", "eligibility", "summary_submitted_at", "proposed_at"
        )
    )
    need_summary = [r for r in rows if r[1] != rules.UNGRADED]
    need_proposal = [r for r in rows if r[1] in (rules.GRADED, rules.COMMENTS_ONLY)]
    no_summary = [r[0] for r in need_summary if r[2] is None]
    no_proposal = [r[0] for r in need_proposal if r[3] is None]
    campaign = cycle.evaluation_campaign if cycle.evaluation_campaign_id else None
    graded = sum(1 for r in rows if r[1] == rules.GRADED)
    facts = rules.ReadinessFacts(
        summaries_missing=len(no_summary),
        summaries_total=len(need_summary),
        proposals_missing=len(no_proposal),
        proposals_total=len(need_proposal),
        evaluation_title=campaign.title if campaign is not None else "",
        evaluation_closed=campaign is None or bool(campaign.is_closed),
        evaluation_status=str(campaign.get_status_display()) if campaign is not None else "",
        quota_verdict=rules.check_quota_percent(
            cycle.quota_percent, pol, has_approval=_has_approval(cycle)
        ),
        quota_percent=cycle.quota_percent,
        quota_base_percent=pol.excellent_quota_percent,
        unit_places=sum(cycle.unit_quotas.values_list("places", flat=True)),
        cap=rules.excellent_cap(graded, cycle.quota_percent),
        missing_names={
            rules.SUMMARIES: no_summary[:NAMES_SHOWN],
            rules.PROPOSALS: no_proposal[:NAMES_SHOWN],
        },
    )
    return rules.committee_readiness(facts)


def readiness_details(items: list[rules.ReadinessItem]) -> list[dict[str, Any]]:
    return [
        {
            "field": item.key,
            "message": item.message,
            "missing": item.missing,
            "total": item.total,
            "overridable": item.overridable,
        }
        for item in items
    ]


@transaction.atomic
def cycle_to_committee(*, actor: Any, cycle: AnnualCycle, override_reason: str = "") -> AnnualCycle:
    """Send the cycle to the committee once the readiness check passes. Missing self-summaries
    or proposals may be overridden with a reason (kept in the audit entry); an open democratic
    evaluation or a quota outside the rules is refused."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.OPEN)
    items = committee_readiness(cycle)
    hard = [i for i in items if not i.overridable]
    if hard:
        raise InvalidInput(
            _("The appraisal is not ready for the committee: %(problems)s")
            % {"problems": " ".join(i.message for i in hard)},
            code="not_ready",
            details=readiness_details(items),
        )
    reason = override_reason.strip()
    if items and not reason:
        raise InvalidInput(
            _(
                "The appraisal is not ready for the committee: %(problems)s To send it anyway, "
                "give the reason."
            )
            % {"problems": " ".join(i.message for i in items)},
            code="override_required",
            details=[
                *readiness_details(items),
                {"field": "override_reason", "message": _("This field is required.")},
            ],
        )
    cycle.status = ST.COMMITTEE
    cycle.version += 1
    cycle.save()
    after: dict[str, Any] = {"status": cycle.status}
    if items:
        after["override_reason"] = reason
        after["readiness"] = {i.key: f"{i.missing}/{i.total}" for i in items}
    audit.record("appraisal.to_committee", actor=actor, obj=cycle, after=after)
    return cycle


def _require_evaluation_closed(cycle: AnnualCycle) -> None:
    """The committee decides only once the linked democratic evaluation is closed."""
    if cycle.evaluation_campaign_id is None:
        return
    campaign = cycle.evaluation_campaign
    if campaign is not None and not campaign.is_closed:
        raise InvalidInput(
            _(
                "The democratic evaluation “%(title)s” is not closed (%(status)s): the committee "
                "decides after it closes."
            )
            % {"title": campaign.title, "status": campaign.get_status_display()},
            code="evaluation_open",
        )


@transaction.atomic
def campaign_link(*, actor: Any, cycle: AnnualCycle, campaign: Any) -> AnnualCycle:
    """Link the cycle to its democratic evaluation (built by luoshi.evaluation); None unlinks."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.OPEN, ST.COMMITTEE)
    if campaign is not None:
        unit = OrgUnit.objects.get(pk=campaign.unit_id)
        if campaign.year != cycle.year or not unit.path.startswith(cycle.agency.path):
            raise InvalidInput(_("The evaluation must be of the same year and agency."))
    before = {"evaluation_campaign": cycle.evaluation_campaign_id}
    cycle.evaluation_campaign = campaign
    cycle.version += 1
    cycle.save()
    audit.record(
        "appraisal.campaign_link",
        actor=actor,
        obj=cycle,
        before=before,
        after={"evaluation_campaign": campaign.pk if campaign else None},
    )
    return cycle


def _has_approval(cycle: AnnualCycle) -> bool:
    return bool(cycle.quota_approved_by.strip() and cycle.quota_approval_document.strip())


@transaction.atomic
def quota_set(
    *,
    actor: Any,
    cycle: AnnualCycle,
    percent: Decimal | str,
    approved_by: str = "",
    approval_document: str = "",
    approved_on: dt.date | None = None,
) -> AnnualCycle:
    """The excellent quota: up to the default freely; up to the maximum with an approval record
    (who approved, which document)."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.OPEN, ST.COMMITTEE)
    try:
        value = Decimal(str(percent))
    except InvalidOperation:
        raise InvalidInput(_("Enter a number.")) from None
    pol = rules.policy()
    has_approval = bool(approved_by.strip() and approval_document.strip())
    verdict = rules.check_quota_percent(value, pol, has_approval=has_approval)
    if verdict == rules.QUOTA_TOO_HIGH:
        raise InvalidInput(
            _("The excellent quota cannot exceed %(max)s%%.")
            % {"max": rules.percent_text(pol.excellent_quota_max_percent)}
        )
    if verdict == rules.QUOTA_TOO_LOW:
        raise InvalidInput(_("The excellent quota must be above 0%."))
    if verdict == rules.QUOTA_NEEDS_APPROVAL:
        raise InvalidInput(
            _(
                "A quota above %(base)s%% needs an approval record: who approved it and the "
                "approval document."
            )
            % {"base": rules.percent_text(pol.excellent_quota_percent)},
            details=[{"field": "approved_by", "message": _("This field is required.")}],
        )
    raised = value > pol.excellent_quota_percent
    _save_audited(
        "appraisal.quota_set",
        actor=actor,
        obj=cycle,
        audited=["quota_percent", "quota_approved_by", "quota_approval_document"],
        quota_percent=value,
        quota_approved_by=approved_by.strip() if raised else "",
        quota_approval_document=approval_document.strip() if raised else "",
        quota_approved_on=approved_on if raised else None,
    )
    return cycle


@transaction.atomic
def unit_quota_set(*, actor: Any, cycle: AnnualCycle, unit: OrgUnit, places: int | None) -> None:
    """Allocate some of the cycle's excellent places to a unit (None removes the allocation)."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.OPEN, ST.COMMITTEE)
    if places is None:
        UnitQuota.objects.filter(cycle=cycle, unit=unit).delete()
    else:
        if places < 0:
            raise InvalidInput(_("Enter a number of places of 0 or more."))
        others = sum(
            UnitQuota.objects.filter(cycle=cycle)
            .exclude(unit=unit)
            .values_list("places", flat=True)
        )
        cap = excellent_cap(cycle)
        if others + places > cap:
            raise InvalidInput(
                _(
                    "The units' places (%(total)d) would exceed the cycle's cap of %(cap)d "
                    "Excellent."
                )
                % {"total": others + places, "cap": cap}
            )
        UnitQuota.objects.update_or_create(cycle=cycle, unit=unit, defaults={"places": places})
    audit.record(
        "appraisal.unit_quota_set",
        actor=actor,
        obj=cycle,
        after={"unit": unit.pk, "places": places},
    )


def graded_count(cycle: AnnualCycle) -> int:
    return cycle.participants.filter(eligibility=rules.GRADED).count()


def excellent_cap(cycle: AnnualCycle) -> int:
    return rules.excellent_cap(graded_count(cycle), cycle.quota_percent)


@transaction.atomic
def committee_record(
    *, actor: Any, cycle: AnnualCycle, meeting_date: dt.date, members_present: str
) -> AnnualCycle:
    perms.require(perms.can_decide(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.COMMITTEE)
    if not members_present.strip():
        raise InvalidInput(
            _("List the members present."),
            details=[{"field": "members_present", "message": _("This field is required.")}],
        )
    _save_audited(
        "appraisal.committee_record",
        actor=actor,
        obj=cycle,
        audited=["meeting_date", "members_present"],
        meeting_date=meeting_date,
        members_present=members_present.strip(),
    )
    return cycle


def _quota_full(cycle: AnnualCycle, count: int, cap: int) -> InvalidInput:
    return InvalidInput(
        _(
            "The excellent quota is full: the cap is %(cap)d (%(percent)s%% of %(graded)d "
            "graded participants) and %(count)d are already Excellent."
        )
        % {
            "cap": cap,
            "percent": rules.percent_text(cycle.quota_percent),
            "graded": graded_count(cycle),
            "count": count,
        },
        code="quota_full",
    )


def _unit_full(unit: OrgUnit, cap: int, count: int) -> InvalidInput:
    return InvalidInput(
        _(
            "%(unit)s's excellent places are full: %(cap)d allocated and %(count)d "
            "already Excellent."
        )
        % {"unit": unit.name, "cap": cap, "count": count},
        code="quota_full",
    )


def _write_decision(actor: Any, p: Participant, grade: str, note: str) -> None:
    _save_audited(
        "appraisal.decide",
        actor=actor,
        obj=p,
        audited=["decided_grade", "decision_note"],
        decided_grade=grade,
        decision_note=note.strip(),
        decided_at=timezone.now(),
    )


@transaction.atomic
def decide(*, actor: Any, participant: Participant, grade: str, note: str = "") -> Participant:
    """The committee's decision for one person. Confirming one Excellent beyond the cap (or the
    unit's allocation) is refused with the cap and the count; nothing is decided while the
    democratic evaluation is open."""
    cycle = _lock_cycle(participant.cycle)  # serialises decisions of one cycle
    perms.require(perms.can_decide(actor, cycle))
    _require_status(cycle, ST.COMMITTEE)
    _require_evaluation_closed(cycle)
    p = _lock_participant(participant)
    _check_grade(p, grade)
    if grade == rules.EXCELLENT and p.decided_grade != rules.EXCELLENT:
        _check_routine_link(p)
        count = cycle.participants.filter(decided_grade=rules.EXCELLENT).count()
        cap = excellent_cap(cycle)
        if not rules.within_cap(count, cap):
            raise _quota_full(cycle, count, cap)
        unit_quota = UnitQuota.objects.filter(cycle=cycle, unit=p.unit).first()
        if unit_quota is not None:
            in_unit = cycle.participants.filter(decided_grade=rules.EXCELLENT, unit=p.unit).count()
            if not rules.within_cap(in_unit, unit_quota.places):
                raise _unit_full(p.unit, unit_quota.places, in_unit)
    _write_decision(actor, p, grade, note)
    return p


AS_PROPOSED = "proposed"  # a bulk decision's grade meaning "the supervising leader's proposal"


@transaction.atomic
def decide_bulk(
    *, actor: Any, cycle: AnnualCycle, decisions: Iterable[tuple[int, str, str | None]]
) -> int:
    """The committee decides the whole list at once: (participant id, grade or AS_PROPOSED,
    note) for each person whose decision is new or differs. All or nothing: every row is
    checked (grade allowed, the quota and units' places over the list as it will stand) and a
    refusal names each person; each decision that changes is audited. Returns how many were
    written."""
    cycle = _lock_cycle(cycle)
    perms.require(perms.can_decide(actor, cycle))
    _require_status(cycle, ST.COMMITTEE)
    _require_evaluation_closed(cycle)
    wanted: dict[int, tuple[str, str | None]] = {}  # note None: the opinion on record kept
    for pid, grade, note in decisions:
        wanted[int(pid)] = (grade, note)
    participants = {
        p.pk: p
        for p in Participant.objects.select_for_update()
        .filter(cycle=cycle, pk__in=list(wanted))
        .select_related("person", "unit", "cycle", "cycle__agency")
    }
    problems: list[dict[str, Any]] = []
    final: dict[int, str] = {}
    for pid, (grade, note) in wanted.items():
        p = participants.get(pid)
        if p is None:
            raise perms.NotFound()
        if p.eligibility == rules.PENDING:
            problems.append(
                {
                    "field": f"grade-{pid}",
                    "message": _("%(name)s is pending: the grade is filled in later.")
                    % {"name": p.person.name},
                }
            )
            continue
        if grade == AS_PROPOSED:
            if p.proposed_at is None:
                problems.append(
                    {
                        "field": f"grade-{pid}",
                        "message": _("%(name)s has no proposal to take: choose the grade.")
                        % {"name": p.person.name},
                    }
                )
                continue
            grade = p.proposed_grade
        try:
            _check_grade(p, grade)
            if grade == rules.EXCELLENT and p.decided_grade != rules.EXCELLENT:
                _check_routine_link(p)
        except InvalidInput as exc:
            problems.append({"field": f"grade-{pid}", "message": str(exc.message)})
            continue
        if note is None:
            note = p.decision_note
            wanted[pid] = (wanted[pid][0], note)
        if p.decided_at is not None and (grade, note.strip()) == (p.decided_grade, p.decision_note):
            continue  # unchanged: nothing to write
        final[pid] = grade
    if problems:
        raise InvalidInput(
            _("%(n)d decisions cannot be recorded: %(problems)s")
            % {"n": len(problems), "problems": " ".join(str(x["message"]) for x in problems)},
            details=problems,
        )
    # the quota over the list as it will stand
    current = dict(
        cycle.participants.exclude(pk__in=list(final)).values_list("pk", "decided_grade")
    )
    excellent_ids = {pid for pid, g in current.items() if g == rules.EXCELLENT} | {
        pid for pid, g in final.items() if g == rules.EXCELLENT
    }
    newly = [pid for pid in excellent_ids if participants.get(pid) is not None]
    newly = [pid for pid in newly if participants[pid].decided_grade != rules.EXCELLENT]
    cap = excellent_cap(cycle)
    if newly and len(excellent_ids) > cap:
        raise _quota_full(cycle, len(excellent_ids) - len(newly), cap)
    if newly:
        units = dict(
            cycle.participants.filter(pk__in=list(excellent_ids)).values_list("pk", "unit_id")
        )
        for q in UnitQuota.objects.filter(cycle=cycle).select_related("unit"):
            in_unit = [pid for pid in excellent_ids if units.get(pid) == q.unit_id]
            added = [pid for pid in newly if units.get(pid) == q.unit_id]
            if added and len(in_unit) > q.places:
                raise _unit_full(q.unit, q.places, len(in_unit) - len(added))
    for pid, grade in final.items():
        _write_decision(actor, participants[pid], grade, wanted[pid][1] or "")
    if final:
        audit.record("appraisal.decide_bulk", actor=actor, obj=cycle, after={"decided": len(final)})
    return len(final)


@transaction.atomic
def decide_as_proposed(*, actor: Any, cycle: AnnualCycle) -> int:
    """Take every open proposal as the decision (the quota still applies over the whole list).
    Returns how many were decided."""
    rows = [
        (p.pk, AS_PROPOSED, "")
        for p in cycle.participants.filter(
            decided_at__isnull=True,
            proposed_at__isnull=False,
            eligibility__in=[rules.GRADED, rules.COMMENTS_ONLY, rules.UNGRADED],
        ).order_by("id")
    ]
    if not rows:
        return 0
    return decide_bulk(actor=actor, cycle=cycle, decisions=rows)


def publicity_end_for(start: dt.date) -> tuple[dt.date, str]:
    """The last day of publicity for a start date, and the calendar's warning ("" if covered)."""
    pol = rules.policy()
    answer = publicity.period(
        start, pol.publicity_working_days, start_counts=pol.publication_day_counts
    )
    return answer.value.end, answer.warning


@transaction.atomic
def publicity_start(
    *, actor: Any, cycle: AnnualCycle, start: dt.date | None = None, today: dt.date | None = None
) -> AnnualCycle:
    """Publish the proposed Excellent list inside the agency for N working days, from `start`
    (default: today, the server's date). It may not start in the past nor before the committee's
    meeting (`publicity.start_refusal`). `today` is the server's date unless a caller replays
    history (the demo's earlier year)."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.COMMITTEE)
    if cycle.meeting_date is None:
        raise InvalidInput(_("Record the committee meeting first."))
    undecided = cycle.participants.filter(
        eligibility__in=[rules.GRADED, rules.COMMENTS_ONLY, rules.UNGRADED], decided_at__isnull=True
    ).count()
    if undecided:
        raise InvalidInput(
            _("%(n)d participants have no committee decision yet.") % {"n": undecided}
        )
    today = today or timezone.localdate()
    start = start or today
    if not dt.date(2000, 1, 1) <= start <= dt.date(2100, 12, 31):
        raise InvalidInput(_("Enter a date between 2000 and 2100."))
    refusal = publicity.start_refusal(start, today=today, decided_on=cycle.meeting_date)
    if refusal:
        raise InvalidInput(
            refusal,
            code="publicity_start_date",
            details=[{"field": "start", "message": refusal}],
        )
    end, _warning = publicity_end_for(start)
    cycle.publicity_start, cycle.publicity_end = start, end
    cycle.status = ST.PUBLICITY
    cycle.committee_decided_at = timezone.now()
    cycle.version += 1
    cycle.save()
    audit.record(
        "appraisal.publicity_start",
        actor=actor,
        obj=cycle,
        after={"publicity_start": start, "publicity_end": end},
    )
    return cycle


@transaction.atomic
def objection_raise(
    *,
    actor: Any,
    cycle: AnnualCycle,
    text: str,
    participant: Participant | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Anyone taking part in the cycle (or managing it) may object during publicity: from its
    first to its last working day inclusive (`today`: the server's date), not after it ended
    even while the result is not final yet."""
    if cycle.pk not in perms.cycles_visible_ids(actor):
        raise perms.NotFound()
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.PUBLICITY)
    refusal = publicity.objection_refusal(
        today or timezone.localdate(), cycle.publicity_start, cycle.publicity_end
    )
    if refusal:
        raise InvalidInput(refusal, code="objection_outside_publicity")
    if not text.strip():
        raise InvalidInput(
            _("Write the objection."),
            details=[{"field": "text", "message": _("This field is required.")}],
        )
    if participant is not None and (
        participant.cycle_id != cycle.pk or participant.decided_grade != rules.EXCELLENT
    ):
        raise InvalidInput(_("Objections concern people on the publicity list."))
    obj = Objection.objects.create(
        cycle=cycle, participant=participant, text=text.strip(), raised_by=_user_or_none(actor)
    )
    audit.record("appraisal.objection_raise", actor=actor, obj=obj, after={"cycle": cycle.pk})
    return obj


@transaction.atomic
def objection_answer(*, actor: Any, objection: Objection, answer: str) -> Objection:
    perms.require(perms.can_manage_cycle(actor, objection.cycle))
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if not answer.strip():
        raise InvalidInput(
            _("Write the answer."),
            details=[{"field": "answer", "message": _("This field is required.")}],
        )
    obj.answer, obj.answered_by, obj.answered_at = (
        answer.strip(),
        _user_or_none(actor),
        timezone.now(),
    )
    obj.save()
    audit.record("appraisal.objection_answer", actor=actor, obj=obj, after={"answer": obj.answer})
    return obj


def _set_year_result(p: Participant, grade: str, source: str = YearResult.Source.CYCLE) -> None:
    YearResult.objects.update_or_create(
        person=p.person,
        year=p.cycle.year,
        defaults={"grade": grade, "family": p.family, "source": source},
    )


def finalize_cycle(cycle: AnnualCycle, today: dt.date, *, actor: Any = None) -> bool:
    """Make the results final once publicity is over and every objection answered. Idempotent:
    a cycle already final, or not yet due, is left alone. Returns whether it changed."""
    with transaction.atomic():
        cycle = _lock_cycle(cycle)
        if cycle.status != ST.PUBLICITY or not publicity.can_finalize(
            cycle.publicity_end, today, open_objections=cycle.objections.open()
        ):
            return False
        now = timezone.now()
        participants = list(cycle.participants.select_related("person").order_by("id"))
        changes = []
        for p in participants:
            if p.eligibility == rules.PENDING:
                continue
            p.final_grade = p.decided_grade if p.eligibility == rules.GRADED else ""
            p.is_final = True
            p.version += 1
            changes.append(
                GradeChange(
                    participant=p,
                    old_grade="",
                    new_grade=p.final_grade,
                    reason=_("Final after publicity"),
                    actor=_user_or_none(actor),
                    at=now,
                )
            )
            _set_year_result(p, p.final_grade)
        Participant.objects.bulk_update(participants, ["final_grade", "is_final", "version"])
        GradeChange.objects.bulk_create(changes)
        cycle.status, cycle.finalized_at = ST.FINAL, now
        cycle.version += 1
        cycle.save()
        audit.record(
            "appraisal.finalize", actor=actor, obj=cycle, after={"finalized": len(changes)}
        )
        return True


def finalize_due(today: dt.date) -> str:
    """The `luoshi tick` step: finalize every cycle whose publicity ended before today.

    Safe when two ticks overlap: each cycle is locked and checked again before it is finalized,
    so one run finalizes it and the other finds it done (and does not count it as held)."""
    done = 0
    held = 0
    for cycle in AnnualCycle.objects.filter(status=ST.PUBLICITY, publicity_end__lt=today):
        if finalize_cycle(cycle, today):
            done += 1
        elif AnnualCycle.objects.filter(
            pk=cycle.pk, status=ST.PUBLICITY, objections__answered_at__isnull=True
        ).exists():
            held += 1
    return f"{done} annual appraisal(s) finalized, {held} held by open objections"


@transaction.atomic
def notices_send(*, actor: Any, cycle: AnnualCycle) -> int:
    """Give each person their result in writing (a notice); returns how many were sent."""
    perms.require(perms.can_manage_cycle(actor, cycle))
    cycle = _lock_cycle(cycle)
    _require_status(cycle, ST.FINAL)
    pending = list(
        cycle.participants.filter(is_final=True, notified_at__isnull=True).select_related("person")
    )
    users = dict(
        User.objects.filter(
            person_id__in=[p.person_id for p in pending], is_active=True
        ).values_list("person_id", "pk")
    )
    now = timezone.now()
    for p in pending:
        user_id = users.get(p.person_id)
        if user_id is not None:
            _notify(
                recipients=[user_id],
                event="appraisal.result",
                subject=_("Your %(year)d annual appraisal result") % {"year": cycle.year},
                body=_("Result: %(grade)s. Open the page to acknowledge it.")
                % {"grade": rules.grade_label(p.family, p.final_grade) or _("ungraded")},
                link=reverse("appraisal:participant", args=[p.pk]),
                actor=_user_or_none(actor),
                org_unit_id=p.unit_id,
            )
        p.notified_at = now
    Participant.objects.bulk_update(pending, ["notified_at"])
    audit.record("appraisal.notices_send", actor=actor, obj=cycle, after={"sent": len(pending)})
    return len(pending)


def _notify(**kwargs: Any) -> None:
    notify(**kwargs)


@transaction.atomic
def acknowledge(
    *, actor: Any, participant: Participant, choice: str, text: str = ""
) -> Participant:
    """The person's own opinion on the result (agree / disagree, with text)."""
    if not perms.is_self(actor, participant):
        raise perms.NotFound()
    p = _lock_participant(participant)
    if not p.notified_at:
        raise InvalidInput(_("The result has not been notified yet."))
    if p.ack:
        raise InvalidInput(_("You have already given your opinion."))
    if choice not in Participant.Ack.values:
        raise InvalidInput(
            _("Choose agree or disagree."),
            details=[{"field": "choice", "message": _("This field is required.")}],
        )
    if choice == Participant.Ack.DISAGREE and not text.strip():
        raise InvalidInput(
            _("Say why you disagree."),
            details=[{"field": "text", "message": _("This field is required.")}],
        )
    p.ack, p.ack_text, p.ack_at = choice, text.strip(), timezone.now()
    p.version += 1
    p.save()
    audit.record("appraisal.acknowledge", actor=actor, obj=p, after={"ack": choice})
    return p


def _change_final_grade(p: Participant, grade: str, reason: str, actor: Any) -> None:
    old = p.final_grade
    p.final_grade = grade
    p.is_final = True
    p.version += 1
    p.save()
    GradeChange.objects.create(
        participant=p, old_grade=old, new_grade=grade, reason=reason, actor=_user_or_none(actor)
    )
    _set_year_result(p, grade)


@transaction.atomic
def pending_grade_fill(
    *, actor: Any, participant: Participant, grade: str, reason: str
) -> Participant:
    """补定: the investigation closed; the officer fills in the grade (or records it ungraded)."""
    perms.require(perms.can_manage_cycle(actor, participant.cycle))
    p = _lock_participant(participant)
    if p.eligibility != rules.PENDING:
        raise InvalidInput(_("Only a pending participant's grade is filled in later."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the change."))
    if grade and grade not in rules.GRADES:
        raise InvalidInput(_("Unknown grade."))
    before = audit.snapshot(p, ["eligibility", "final_grade"])
    p.eligibility = rules.GRADED if grade else rules.UNGRADED
    p.under_investigation = False
    p.decided_grade = grade
    _change_final_grade(p, grade, reason.strip(), actor)
    audit.record(
        "appraisal.pending_fill",
        actor=actor,
        obj=p,
        before=before,
        after=audit.snapshot(p, ["eligibility", "final_grade"]),
    )
    return p


# --- review and appeal ------------------------------------------------------------------------


@transaction.atomic
def appeal_file(
    *,
    actor: Any,
    participant: Participant,
    kind: str,
    reason: str,
    learned_on: dt.date | None = None,
    filed_on: dt.date | None = None,
) -> Appeal:
    """A review or appeal request by the person (or entered by the officer), with its
    statutory deadlines computed; one filed late is kept and marked so."""
    if not (perms.is_self(actor, participant) or perms.is_officer(actor, participant.cycle.agency)):
        raise perms.NotFound()
    p = _lock_participant(participant)
    if not p.is_final:
        raise InvalidInput(_("There is no final result to contest yet."))
    if kind not in (rules.REVIEW, rules.APPEAL):
        raise InvalidInput(_("Unknown request kind."))
    if not reason.strip():
        raise InvalidInput(
            _("Give the reasons."),
            details=[{"field": "reason", "message": _("This field is required.")}],
        )
    if p.appeals.filter(kind=kind, status=Appeal.Status.FILED).exists():
        raise InvalidInput(_("A request of this kind is already open."))
    filed_on = filed_on or timezone.localdate()
    for day in (filed_on, learned_on):
        if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise InvalidInput(_("Enter a date between 2000 and 2100."))
    learned_on = learned_on or (
        timezone.localtime(p.notified_at).date() if p.notified_at else filed_on
    )
    review_decided_on = None
    if kind == rules.APPEAL:
        review_decided_on = (
            p.appeals.filter(kind=rules.REVIEW)
            .exclude(decided_on=None)
            .order_by("-decided_on")
            .values_list("decided_on", flat=True)
            .first()
        )
    d = rules.request_deadlines(
        kind,
        rules.policy(),
        learned_on=learned_on,
        review_decided_on=review_decided_on,
        filed_on=filed_on,
    )
    appeal = Appeal.objects.create(
        participant=p,
        kind=kind,
        learned_on=learned_on,
        filed_on=filed_on,
        file_by=d.file_by,
        decide_by=d.decide_by,
        decide_by_extended=d.decide_by_extended,
        in_time=rules.filed_in_time(d, filed_on),
        reason=reason.strip(),
        filed_by=_user_or_none(actor),
    )
    audit.record("appraisal.appeal_file", actor=actor, obj=appeal, after=audit.snapshot(appeal))
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: Appeal, decision: str, new_grade: str | None = None
) -> Appeal:
    """Decide a request: upheld (new_grade None or unchanged) or changed (the final grade changes,
    its history kept)."""
    participant = appeal.participant
    perms.require(perms.can_manage_cycle(actor, participant.cycle))
    a = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if a.status != Appeal.Status.FILED:
        raise Conflict(_("This request has already been decided."))
    if not decision.strip():
        raise InvalidInput(
            _("Write the decision."),
            details=[{"field": "decision", "message": _("This field is required.")}],
        )
    p = _lock_participant(participant)
    a.decision, a.decided_on = decision.strip(), timezone.localdate()
    if new_grade is not None and new_grade != p.final_grade:
        _check_grade(p, new_grade)
        a.status, a.new_grade = Appeal.Status.CHANGED, new_grade
        _change_final_grade(
            p,
            new_grade,
            _("%(kind)s decision: %(text)s") % {"kind": a.get_kind_display(), "text": a.decision},
            actor,
        )
    else:
        a.status = Appeal.Status.UPHELD
    a.version += 1
    a.save()
    audit.record("appraisal.appeal_decide", actor=actor, obj=a, after=audit.snapshot(a))
    return a


# --- history import ---------------------------------------------------------------------------


@transaction.atomic
def history_import(
    *, actor: Any, agency: OrgUnit, rows: Iterable[Any], source: dict[str, str] | None = None
) -> int:
    """Write checked rows of earlier years' results (see imports.py); all or nothing.
    `source` (the file's name and digest) goes into the audit entry."""
    perms.require(perms.is_officer(actor, agency))
    n = 0
    for row in rows:
        YearResult.objects.update_or_create(
            person_id=row.person_id,
            year=row.year,
            defaults={
                "grade": row.grade,
                "family": row.family,
                "source": YearResult.Source.IMPORT,
                "note": row.note,
            },
        )
        n += 1
    audit.record(
        "appraisal.history_import",
        actor=actor,
        obj=agency,
        object_type="appraisal.yearresult",
        after={"rows": n, **(source or {})},
    )
    return n


# --- routine appraisal ------------------------------------------------------------------------


@transaction.atomic
def routine_open(*, actor: Any, unit: OrgUnit, year: int, quarter: int) -> RoutineCycle:
    """Open a quarter for a unit; each member's report is pre-filled from tasks and reports."""
    perms.require(perms.can_open_routine(actor, unit))
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput(_("The quarter must be 1 to 4."))
    if RoutineCycle.objects.filter(unit=unit, year=year, quarter=quarter).exists():
        raise InvalidInput(
            _("%(unit)s already has a routine appraisal for %(year)d Q%(q)d.")
            % {"unit": unit.name, "year": year, "q": quarter}
        )
    cycle = RoutineCycle.objects.create(unit=unit, year=year, quarter=quarter)
    people = list(
        Person.objects.filter(unit=unit, is_active=True)
        .exclude(pk=unit.head_id or 0)
        .order_by("name")
    )
    texts = facts.quarter_reports(year, quarter, [p.pk for p in people])
    RoutineEntry.objects.bulk_create(
        [RoutineEntry(cycle=cycle, person=p, report=texts.get(p.pk, "")) for p in people]
    )
    audit.record("appraisal.routine_open", actor=actor, obj=cycle, after={"people": len(people)})
    return cycle


@transaction.atomic
def routine_propose(*, actor: Any, entry: RoutineEntry, grade: str, comments: str) -> RoutineEntry:
    """The unit head's grade; Good is capped per unit (default 40%)."""
    cycle = RoutineCycle.objects.select_for_update().select_related("unit").get(pk=entry.cycle_id)
    perms.require(perms.is_unit_head(actor, cycle.unit) or perms.is_leader_for(actor, cycle.unit))
    if cycle.status != RoutineCycle.Status.OPEN:
        raise InvalidInput(_("This routine appraisal is already confirmed."))
    e = RoutineEntry.objects.select_for_update().select_related("person").get(pk=entry.pk)
    if perms.is_self(actor, e):  # type: ignore[arg-type]
        raise perms.Forbidden()
    if grade not in rules.ROUTINE_GRADES:
        raise InvalidInput(
            _("Choose a grade."),
            details=[{"field": "grade", "message": _("This field is required.")}],
        )
    if grade == rules.GOOD and e.grade != rules.GOOD:
        total = cycle.entries.count()
        cap = rules.routine_good_cap(total, rules.policy())
        count = cycle.entries.filter(grade=rules.GOOD).count()
        if not rules.within_cap(count, cap):
            raise InvalidInput(
                _(
                    "Good is capped at %(cap)d of %(total)d people in this unit and %(count)d "
                    "already have it."
                )
                % {"cap": cap, "total": total, "count": count},
                code="quota_full",
            )
    _save_audited(
        "appraisal.routine_propose",
        actor=actor,
        obj=e,
        audited=["grade", "comments"],
        grade=grade,
        comments=comments.strip(),
        proposed_by=_user_or_none(actor),
        proposed_at=timezone.now(),
    )
    return e


@transaction.atomic
def routine_confirm(
    *, actor: Any, cycle: RoutineCycle, grades: Mapping[int, str] | None = None
) -> RoutineCycle:
    """The leader in charge confirms the quarter's grades on one page: `grades` (entry id →
    grade) changes the entries where the confirmation differs from the unit head's proposal;
    every entry must then have a grade, Good within its cap. One transaction; each change and
    the confirmation are audited."""
    c = RoutineCycle.objects.select_for_update().select_related("unit").get(pk=cycle.pk)
    perms.require(perms.is_leader_in_charge(actor, c.unit))
    if c.status != RoutineCycle.Status.OPEN:
        raise InvalidInput(_("This routine appraisal is already confirmed."))
    entries = {e.pk: e for e in c.entries.select_for_update().select_related("person")}
    changes: dict[int, str] = {}
    problems: list[dict[str, Any]] = []
    for raw_pk, grade in (grades or {}).items():
        e = entries.get(int(raw_pk))
        if e is None:
            raise perms.NotFound()
        if not grade or grade == e.grade:
            continue
        if grade not in rules.ROUTINE_GRADES:
            problems.append({"field": f"grade-{e.pk}", "message": _("Choose a grade.")})
            continue
        if perms.is_self(actor, e):  # type: ignore[arg-type]
            raise perms.Forbidden()
        changes[e.pk] = grade
    if problems:
        raise InvalidInput(_("Choose a grade."), details=problems)
    final = {pk: changes.get(pk, e.grade) for pk, e in entries.items()}
    missing = [entries[pk].person.name for pk, g in final.items() if not g]
    if missing:
        raise InvalidInput(
            _("%(n)d people have no grade yet: %(names)s.")
            % {"n": len(missing), "names": "、".join(missing)},
            details=[
                {"field": f"grade-{pk}", "message": _("This field is required.")}
                for pk, g in final.items()
                if not g
            ],
        )
    total = len(entries)
    cap = rules.routine_good_cap(total, rules.policy())
    good = sum(1 for g in final.values() if g == rules.GOOD)
    if good > cap and any(g == rules.GOOD for g in changes.values()):
        raise InvalidInput(
            _("Good is capped at %(cap)d of %(total)d people in this unit; the list has %(count)d.")
            % {"cap": cap, "total": total, "count": good},
            code="quota_full",
        )
    for pk, grade in changes.items():
        _save_audited(
            "appraisal.routine_adjust",
            actor=actor,
            obj=entries[pk],
            audited=["grade"],
            grade=grade,
        )
    c.status, c.confirmed_by, c.confirmed_at = (
        RoutineCycle.Status.CONFIRMED,
        _user_or_none(actor),
        timezone.now(),
    )
    c.version += 1
    c.save()
    audit.record(
        "appraisal.routine_confirm",
        actor=actor,
        obj=c,
        after={"status": c.status, "changed": len(changes)},
    )
    return c


# --- unit performance -------------------------------------------------------------------------


@transaction.atomic
def leadership_score_set(
    *, actor: Any, agency: OrgUnit, unit: OrgUnit, year: int, score: Decimal | str
) -> LeadershipScore:
    perms.require(perms.is_officer(actor, agency))
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        raise InvalidInput(_("Enter a number.")) from None
    if not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(_("The score must be between 0 and 100."))
    if not unit.path.startswith(agency.path):
        raise InvalidInput(_("The unit is not part of this agency."))
    row, _created = LeadershipScore.objects.update_or_create(
        unit=unit, year=year, defaults={"agency": agency, "score": value}
    )
    audit.record(
        "appraisal.leadership_score",
        actor=actor,
        obj=unit,
        object_type="appraisal.leadershipscore",
        after={"year": year, "score": value},
    )
    return row


# --- confidential views are audited -----------------------------------------------------------


def record_view(*, actor: Any, obj: Any, what: str) -> None:
    """Every view of a confidential record is written to the audit log."""
    with transaction.atomic():
        audit.record("appraisal.view", actor=actor, obj=obj, after={"what": what})
