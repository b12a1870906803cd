"""Every write of commendation: keyword-only, atomic, audited in the same transaction.

The flow (RULES.md §3): a program with its quotas opens for nomination → units nominate people
and collectives with their deeds → the vetting bodies give their opinions (联审) → the
leadership decides → the proposed honourees are published for N working days → the honours are
final and written to the honours record → certificates are numbered and printed; an honour may
later be revoked. Honours also come from the annual appraisal (嘉奖 for each Excellent) and from
higher bodies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.appraisal import facts as appraisal_facts
from luoshi.appraisal import rules as appraisal_rules
from luoshi.appraisal.models import AnnualCycle, Participant, YearResult
from luoshi.appraisal.services import agency_units
from luoshi.core import audit, cache, publicity
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.numbering import next_number
from luoshi.core.versioning import check_version
from luoshi.orgs.models import OrgUnit, Person
from luoshi.plans.services.attachments import check_attachment

from . import permissions as perms
from . import rules
from .models import (
    Certificate,
    Honour,
    Nomination,
    NominationEvidence,
    Program,
    ProgramObjection,
    ProgramQuota,
    UnitAllocation,
    VettingOpinion,
)

ST = Program.Status
NST = Nomination.Status
LIVE = (NST.DRAFT, NST.SUBMITTED, NST.APPROVED)  # nominations that hold a place
# Nominations the nominator may still change (the model has no "returned" state: a nomination
# sent back is withdrawn and nominated again).
EDITABLE = (NST.DRAFT,)


def _lock(program: Program) -> Program:
    return Program.objects.select_for_update().select_related("agency").get(pk=program.pk)


def _advance(program: Program, status: str, *, action: str, actor: Any) -> Program:
    """Move a (locked) program to its next stage, audited."""
    program.status = status
    program.version += 1
    program.save(update_fields=["status", "version", "updated_at"])
    audit.record(action, actor=actor, obj=program)
    return program


def _require_status(program: Program, *allowed: str) -> None:
    if program.status not in allowed:
        raise InvalidInput(
            _("This cannot be done while the program is at the stage “%(stage)s”.")
            % {"stage": program.get_status_display()}
        )


def _family_of(person: Person) -> str:
    category = person.staff_category
    return appraisal_rules.family_for(category.appraisal_family) if category else ""


def _staff(agency: OrgUnit) -> Any:
    return Person.objects.filter(unit__in=agency_units(agency), is_active=True)


# --- programs and quotas ---------------------------------------------------------------------


@transaction.atomic
def program_create(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    title: str,
    scope: str,
    approval_reference: str = "",
    nomination_deadline: dt.date | None = None,
) -> Program:
    """The personnel officer drafts a program of the agency."""
    perms.require(perms.is_officer(actor, agency))
    title = title.strip()
    if not title:
        raise InvalidInput(_("A program needs a title."))
    if scope not in (rules.INTERNAL, rules.SYSTEM):
        raise InvalidInput(_("Choose whether the program is internal or across the system."))
    if nomination_deadline is not None and nomination_deadline < timezone.localdate():
        raise InvalidInput(_("The nomination deadline cannot be in the past."))
    program = Program.objects.create(
        agency=agency,
        year=year,
        title=title,
        scope=scope,
        approval_reference=approval_reference.strip(),
        nomination_deadline=nomination_deadline,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record("honors.program_create", actor=actor, obj=program, after=audit.snapshot(program))
    return program


def staff_counts(agency: OrgUnit) -> dict[tuple[int, str], int]:
    """Active staff of the agency by (unit id, rule family), one query."""
    rows = (
        _staff(agency).values("unit_id", "staff_category__appraisal_family").annotate(n=Count("id"))
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        family = row["staff_category__appraisal_family"]
        if family not in rules.FAMILIES_WITH_AWARDS:
            continue
        counts[(row["unit_id"], family)] += row["n"]
    return dict(counts)


@transaction.atomic
def quota_set(
    *,
    actor: Any,
    program: Program,
    kind: str,
    family: str = "",
    percent: Decimal | int | str | None = None,
    places: int | None = None,
) -> ProgramQuota:
    """Set the places of an award kind: as a share of the family's staff (rounded down; never
    above the rule's cap), or as a number of places where no rule caps the kind. The places are
    then shared among the units by headcount."""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DRAFT, ST.NOMINATION)
    k = rules.kind(kind)
    if k.collective or rules.ANY in k.families:
        family = ""
    elif family not in k.families:
        raise InvalidInput(_("%(kind)s is not given to this staff family.") % {"kind": k.label})
    pol = rules.policy()
    counts = staff_counts(program.agency)
    if family:
        by_unit = {u: n for (u, f), n in counts.items() if f == family}
    else:
        by_unit = defaultdict(int)
        for (u, _f), n in counts.items():
            by_unit[u] += n
    staff = sum(by_unit.values())
    rule_percent = rules.default_percent(kind, family, pol)
    if percent is None and places is None:
        percent = rule_percent
    if percent is not None:
        percent = Decimal(str(percent))
        if percent <= 0:
            raise InvalidInput(_("The share must be more than 0 %."))
        if rule_percent is not None and percent > rule_percent:
            raise InvalidInput(
                _("%(kind)s may go to at most %(max)s%% of the staff; %(asked)s%% was asked.")
                % {"kind": k.label, "max": _pct(rule_percent), "asked": _pct(percent)}
            )
        places = rules.cap_for(staff, percent)
    elif places is None or places < 0:
        raise InvalidInput(_("Give the number of places."))
    elif rule_percent is not None and places > rules.cap_for(staff, rule_percent):
        raise InvalidInput(
            _("At most %(cap)d places (%(max)s%% of %(staff)d staff); %(asked)d were asked.")
            % {
                "cap": rules.cap_for(staff, rule_percent),
                "max": _pct(rule_percent),
                "staff": staff,
                "asked": places,
            }
        )
    quota, _created = ProgramQuota.objects.update_or_create(
        program=program,
        kind=kind,
        family=family,
        defaults={"staff_count": staff, "percent": percent, "places": places},
    )
    _allocate(quota, program.agency, by_unit)
    audit.record(
        "honors.quota_set",
        actor=actor,
        obj=program,
        after={"kind": kind, "family": family, "percent": percent, "places": places},
    )
    return quota


def commended_units(agency: OrgUnit, year: int) -> set[int]:
    """The units of the agency that are themselves commended for the year: they hold a collective
    honour (not revoked) of that year (one query)."""
    collective = [code for code, k in rules.KINDS.items() if k.collective]
    return set(
        Honour.objects.filter(
            agency=agency, year=year, person__isnull=True, kind__in=collective, revoked=False
        ).values_list("unit_id", flat=True)
    )


def quota_ceiling(quota: ProgramQuota) -> int:
    """The places a quota holds in all: its own, or more where commended units were given their
    higher share (the allocations then add up to more)."""
    return max(quota.places, sum(a.places for a in quota.allocations.all()))


def _pct(value: Decimal) -> str:
    """A percent as people write it: 20, 2.5 (never 2E+1)."""
    text = format(Decimal(value).normalize(), "f")
    return text


def _allocate(quota: ProgramQuota, agency: OrgUnit, by_unit: dict[int, int]) -> None:
    units = list(agency_units(agency).filter(pk__in=by_unit).order_by("path", "sort_order"))
    shares = rules.allocate([(u.id, by_unit.get(u.id, 0)) for u in units], quota.places)
    quota.allocations.all().delete()
    UnitAllocation.objects.bulk_create(
        UnitAllocation(
            quota=quota, unit_id=u.id, headcount=by_unit.get(u.id, 0), places=shares[u.id]
        )
        for u in units
    )


@transaction.atomic
def allocation_set(
    *, actor: Any, allocation: UnitAllocation, places: int, reason: str
) -> UnitAllocation:
    """Change a unit's share of a quota, with the reason recorded; the shares together may not
    exceed the quota."""
    quota = ProgramQuota.objects.select_related("program__agency").get(pk=allocation.quota_id)
    program = _lock(quota.program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DRAFT, ST.NOMINATION)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for changing the unit's places."))
    if places < 0:
        raise InvalidInput(_("The number of places cannot be negative."))
    pol = rules.policy()
    commended = commended_units(program.agency, program.year)
    allocation = UnitAllocation.objects.select_related("unit").get(pk=allocation.pk)
    rows = list(
        quota.allocations.order_by("id").values_list("pk", "headcount", "unit_id", "places")
    )
    shares = rules.allocate([(pk, h) for pk, h, _u, _p in rows], quota.places)
    cap = rules.unit_cap(
        allocation.headcount,
        quota.kind,
        quota.family,
        pol,
        unit_commended=allocation.unit_id in commended,
        share=shares.get(allocation.pk, 0),
    )
    if cap is not None and places > cap:
        top = rules.max_percent(quota.kind, quota.family, pol, unit_commended=True)
        raise InvalidInput(
            _(
                "%(unit)s, itself commended, may have at most %(cap)d place(s) "
                "(%(pct)s%% of %(n)d staff); %(asked)d were asked."
            )
            % {
                "unit": allocation.unit.name,
                "cap": cap,
                "pct": _pct(top or Decimal(0)),
                "n": allocation.headcount,
                "asked": places,
            },
            code="over_quota",
        )
    ceiling = rules.allocation_ceiling(
        quota.places,
        [(h, u in commended, shares.get(pk, 0)) for pk, h, u, _p in rows],
        quota.kind,
        quota.family,
        pol,
    )
    others = sum(p for pk, _h, _u, p in rows if pk != allocation.pk)
    if others + places > ceiling:
        raise InvalidInput(
            _("The units' places would add up to %(total)d, more than the quota of %(cap)d.")
            % {"total": others + places, "cap": ceiling}
        )
    before = {"places": allocation.places}
    allocation.places, allocation.override_reason = places, reason.strip()
    allocation.save(update_fields=["places", "override_reason"])
    audit.record(
        "honors.allocation_set",
        actor=actor,
        obj=program,
        before=before,
        after={"unit": allocation.unit_id, "places": places, "reason": reason.strip()},
    )
    return allocation


@transaction.atomic
def program_open(*, actor: Any, program: Program) -> Program:
    """Open the program for nomination: it needs its quotas, and the approval reference where
    the rules ask for outside approval."""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DRAFT)
    pol = rules.policy()
    if rules.needs_approval(program.title, program.scope, pol) and not program.approval_reference:
        words = rules.restricted_words_in(program.title, pol)
        if words:
            message = _(
                "The title uses %(words)s: record the approval reference before the program opens."
            ) % {"words": "、".join(words)}
        else:
            message = _(
                "A program across the federation system needs an approval reference "
                "before it opens."
            )
        raise InvalidInput(message, code="approval_required")
    if not program.quotas.exists():
        raise InvalidInput(_("Set at least one quota before the program opens."))
    return _advance(program, ST.NOMINATION, action="honors.program_open", actor=actor)


@transaction.atomic
def approval_record(*, actor: Any, program: Program, reference: str) -> Program:
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DRAFT)
    program.approval_reference = reference.strip()
    program.save(update_fields=["approval_reference", "updated_at"])
    audit.record("honors.approval_record", actor=actor, obj=program, after={"reference": reference})
    return program


# --- nominations -----------------------------------------------------------------------------


def deeds_draft(person: Person, year: int) -> str:
    """A draft of a person's deeds from the year's facts, for the nominator to edit: the tasks
    they were responsible for (completion and light), routine grades, and the annual grade
    (a fixed number of queries)."""
    lines = [appraisal_facts.summary_facts(year, [person.pk]).get(person.pk, "")]
    result = YearResult.objects.filter(person=person, year=year).first()
    if result is not None and result.grade:
        lines.append(
            _("Annual appraisal %(year)d: %(grade)s.")
            % {"year": year, "grade": appraisal_rules.grade_label(result.family, result.grade)}
        )
    return "\n".join(line for line in lines if line).strip()


def eligibility_facts(person: Person, year: int) -> rules.EligibilityFacts:
    """What the negative list looks at, from the year's appraisal: penalties and investigation as
    recorded on the person's participation, and the year's final grade."""
    part = (
        Participant.objects.filter(person=person, cycle__year=year)
        .values("penalties", "under_investigation")
        .first()
    )
    penalties: tuple[appraisal_rules.Penalty, ...] = ()
    investigation = False
    if part:
        penalties = tuple(
            appraisal_rules.Penalty(p.get("kind", ""), int(p.get("year", year)))
            for p in part["penalties"] or []
        )
        investigation = bool(part["under_investigation"])
    grade = (
        YearResult.objects.filter(person=person, year=year).values_list("grade", flat=True).first()
    )
    return rules.EligibilityFacts(
        year=year, penalties=penalties, under_investigation=investigation, annual_grade=grade or ""
    )


def _quota_for(program: Program, kind: str, family: str) -> ProgramQuota:
    quota = ProgramQuota.objects.filter(
        program=program,
        kind=kind,
        family="" if not family or rules.ANY in rules.kind(kind).families else family,
    ).first()
    if quota is None:
        raise InvalidInput(
            _("This program has no places for %(kind)s.") % {"kind": rules.kind(kind).label}
        )
    return quota


@transaction.atomic
def nominate(
    *,
    actor: Any,
    program: Program,
    kind: str,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    deeds_brief: str = "",
    deeds: str = "",
    unit_opinion: str = "",
    evidence: Sequence[tuple[str, bytes]] = (),
) -> Nomination:
    """A unit nominates one of its people (or, for a collective honour, a unit) as a draft,
    with its evidence files if any. Refused, naming the reason, for anyone on the negative list
    or nominated already; nothing is kept of a refused nomination."""
    program = _lock(program)
    k = rules.kind(kind)
    if k.collective:
        if unit is None or person is not None:
            raise InvalidInput(_("A collective honour is given to a unit."))
        nominee_unit = unit
    else:
        if person is None:
            raise InvalidInput(_("Choose the person nominated."))
        person = Person.objects.select_related("unit", "post", "rank", "staff_category").get(
            pk=person.pk
        )
        nominee_unit = person.unit
    perms.require(perms.may_nominate(actor, program, nominee_unit))
    _require_status(program, ST.NOMINATION)
    pol = rules.policy()
    family = ""
    if person is not None:
        if not agency_units(program.agency).filter(pk=nominee_unit.pk).exists():
            raise NotFound()
        family = _family_of(person)
        if not rules.family_may_receive(kind, family):
            raise InvalidInput(rules.reason_text("family"), code="ineligible")
        reasons = rules.ineligibility(eligibility_facts(person, program.year), pol)
        if reasons:
            raise InvalidInput(
                _("%(name)s cannot be nominated: %(reasons)s")
                % {"name": person.name, "reasons": " ".join(rules.reason_text(r) for r in reasons)},
                code="ineligible",
                details=[{"reason": r, "message": rules.reason_text(r)} for r in reasons],
            )
        if Nomination.objects.filter(program=program, person=person, status__in=LIVE).exists():
            raise InvalidInput(rules.reason_text("nominated"), code="ineligible")
    elif Nomination.objects.filter(
        program=program, kind=kind, unit=nominee_unit, person=None, status__in=LIVE
    ).exists():
        raise InvalidInput(rules.reason_text("nominated"), code="ineligible")
    _quota_for(program, kind, family)
    problems = rules.deeds_problems(
        deeds_brief, deeds, pol, collective=k.collective, complete=False
    )
    if problems:
        raise InvalidInput(" ".join(problems))
    post = ""
    leader = False
    if person is not None:
        post_name = person.post.name if person.post else ""
        rank_name = person.rank.name if person.rank else ""
        post = "".join(x for x in (nominee_unit.name, post_name) if x)
        leader = rules.is_leader(post_name, rank_name, pol)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                program=program,
                kind=kind,
                person=person,
                unit=nominee_unit,
                family=family,
                is_leader=leader,
                post_at_time=post,
                deeds_brief=deeds_brief.strip(),
                deeds=deeds.strip(),
                unit_opinion=unit_opinion.strip(),
                nominated_by=actor,
            )
    except IntegrityError:
        raise InvalidInput(rules.reason_text("nominated"), code="ineligible") from None
    audit.record(
        "honors.nominate",
        actor=actor,
        obj=nomination,
        after={"kind": kind, "person": getattr(person, "pk", None), "unit": nominee_unit.pk},
    )
    if evidence:
        evidence_add(actor=actor, nomination=nomination, files=evidence)
    return nomination


@transaction.atomic
def nomination_edit(
    *,
    actor: Any,
    nomination: Nomination,
    deeds_brief: str,
    deeds: str,
    unit_opinion: str,
    version: int | None = None,
) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("program__agency", "unit")
        .get(pk=nomination.pk)
    )
    perms.require(perms.may_nominate(actor, nomination.program, nomination.unit))
    _require_status(nomination.program, ST.NOMINATION)
    if nomination.status not in EDITABLE:
        raise InvalidInput(_("Only a draft nomination can be edited."))
    check_version(nomination, version)
    problems = rules.deeds_problems(
        deeds_brief, deeds, rules.policy(), collective=nomination.collective, complete=False
    )
    if problems:
        raise InvalidInput(" ".join(problems))
    before = audit.snapshot(nomination, ["deeds_brief", "deeds", "unit_opinion"])
    nomination.deeds_brief, nomination.deeds = deeds_brief.strip(), deeds.strip()
    nomination.unit_opinion = unit_opinion.strip()
    nomination.version += 1
    nomination.save()
    audit.record(
        "honors.nomination_edit",
        actor=actor,
        obj=nomination,
        before=before,
        after=audit.snapshot(nomination, ["deeds_brief", "deeds", "unit_opinion"]),
    )
    return nomination


@transaction.atomic
def evidence_add(
    *, actor: Any, nomination: Nomination, files: Sequence[tuple[str, bytes]]
) -> list[NominationEvidence]:
    """Attach evidence files to a nomination its nominator may still change: each of an
    allow-listed type whose content matches it, within the size limit (the checks every app's
    evidence has); all or none."""
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("program__agency", "unit")
        .get(pk=nomination.pk)
    )
    perms.require(perms.may_nominate(actor, nomination.program, nomination.unit))
    _require_status(nomination.program, ST.NOMINATION)
    if nomination.status not in EDITABLE:
        raise InvalidInput(_("Evidence is added while the nomination is a draft."))
    if not files:
        raise InvalidInput(_("Choose a file."))
    checked = [(*check_attachment(name, content), content) for name, content in files]
    added = []
    for clean, suffix, content in checked:
        evidence = NominationEvidence(
            nomination=nomination,
            name=clean,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
        evidence.file.save(secrets.token_hex(16) + suffix, ContentFile(content), save=False)
        evidence.save()
        added.append(evidence)
    audit.record(
        "honors.evidence_add",
        actor=actor,
        obj=nomination,
        after={"files": [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in added]},
    )
    return added


@transaction.atomic
def evidence_remove(*, actor: Any, evidence: NominationEvidence) -> None:
    """Remove an evidence file while the nomination may still be changed."""
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("program__agency", "unit")
        .get(pk=evidence.nomination_id)
    )
    perms.require(perms.may_nominate(actor, nomination.program, nomination.unit))
    _require_status(nomination.program, ST.NOMINATION)
    if nomination.status not in EDITABLE:
        raise InvalidInput(_("Evidence is removed while the nomination is a draft."))
    name, sha = evidence.name, evidence.sha256
    stored = evidence.file.name
    evidence.delete()
    storage = evidence.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
    audit.record(
        "honors.evidence_remove", actor=actor, obj=nomination, before={"name": name, "sha256": sha}
    )


def places_used(quota: ProgramQuota, unit_id: int | None) -> int:
    """Submitted and approved nominations on a quota: of one unit, or of all (None)."""
    rows = Nomination.objects.filter(
        program_id=quota.program_id, kind=quota.kind, status__in=(NST.SUBMITTED, NST.APPROVED)
    )
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    if quota.family:
        rows = rows.filter(family=quota.family)
    return rows.count()


def used_by_unit(quota: ProgramQuota) -> dict[int, int]:
    """Submitted and approved nominations on a quota by unit (one query)."""
    rows = Nomination.objects.filter(
        program_id=quota.program_id, kind=quota.kind, status__in=(NST.SUBMITTED, NST.APPROVED)
    )
    if quota.family:
        rows = rows.filter(family=quota.family)
    return dict(rows.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))


@transaction.atomic
def nomination_submit(*, actor: Any, nomination: Nomination) -> Nomination:
    """Submit a draft: its deeds within limits, and its unit within its places."""
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("program__agency", "unit")
        .get(pk=nomination.pk)
    )
    program = _lock(nomination.program)
    perms.require(perms.may_nominate(actor, program, nomination.unit))
    _require_status(program, ST.NOMINATION)
    if nomination.status != NST.DRAFT:
        raise InvalidInput(_("Only a draft nomination can be submitted."))
    problems = rules.deeds_problems(
        nomination.deeds_brief, nomination.deeds, rules.policy(), collective=nomination.collective
    )
    if problems:
        raise InvalidInput(" ".join(problems))
    quota = _quota_for(program, nomination.kind, nomination.family)
    allocation = quota.allocations.filter(unit_id=nomination.unit_id).first()
    if allocation is not None:
        cap, used = allocation.places, places_used(quota, nomination.unit_id)
    else:  # a unit without staff of the family: only the quota as a whole binds
        cap, used = quota.places, places_used(quota, None)
    if used + 1 > cap:
        raise InvalidInput(
            _(
                "%(unit)s has %(cap)d place(s) for %(kind)s and %(used)d are taken: "
                "this nomination would be over the quota."
            )
            % {
                "unit": nomination.unit.name,
                "cap": cap,
                "kind": rules.kind(quota.kind).label,
                "used": used,
            },
            code="over_quota",
        )
    nomination.status, nomination.submitted_at = NST.SUBMITTED, timezone.now()
    nomination.version += 1
    nomination.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    audit.record("honors.nomination_submit", actor=actor, obj=nomination)
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: Any, nomination: Nomination, reason: str) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update()
        .select_related("program__agency", "unit")
        .get(pk=nomination.pk)
    )
    program = _lock(nomination.program)
    perms.require(perms.may_nominate(actor, program, nomination.unit))
    _require_status(program, ST.NOMINATION, ST.VETTING)
    if nomination.status not in (NST.DRAFT, NST.SUBMITTED):
        raise InvalidInput(_("This nomination can no longer be withdrawn."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason for withdrawing the nomination."))
    nomination.status = NST.WITHDRAWN
    nomination.version += 1
    nomination.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        "honors.nomination_withdraw", actor=actor, obj=nomination, after={"reason": reason.strip()}
    )
    return nomination


# --- readiness -------------------------------------------------------------------------------


def readiness(program: Program) -> list[dict[str, Any]]:
    """What the program's next step still needs, each item with `blocking` (the step is refused
    until it is done) and a sentence for people. Empty: ready."""
    items: list[dict[str, Any]] = []

    def need(text: str, *, blocking: bool = True) -> None:
        items.append({"text": text, "blocking": blocking})

    pol = rules.policy()
    if program.status == ST.DRAFT:
        if not program.quotas.exists():
            need(_("No quota is set yet."))
        if rules.needs_approval(program.title, program.scope, pol) and not (
            program.approval_reference
        ):
            need(_("The approval reference is not recorded."))
    elif program.status == ST.NOMINATION:
        counts = dict(
            program.nominations.values("status").annotate(n=Count("id")).values_list("status", "n")
        )
        if not counts.get(NST.SUBMITTED):
            need(_("No nomination has been submitted yet."))
        if counts.get(NST.DRAFT):
            need(
                _("%(n)d draft nomination(s) are not submitted and will be left out.")
                % {"n": counts[NST.DRAFT]},
                blocking=False,
            )
    elif program.status == ST.VETTING:
        state = outcomes(program)
        pending = sum(1 for o in state.values() if o == "pending")
        if pending:
            need(_("%(n)d nomination(s) still wait for a vetting opinion.") % {"n": pending})
    elif program.status == ST.DECIDED:
        if not program.decision_document_number:
            need(_("The decision document's number is not recorded yet."), blocking=False)
    elif program.status == ST.PUBLICITY:
        open_objections = ProgramObjection.objects.filter(program=program).open().count()
        if open_objections:
            need(_("%(n)d objection(s) are not answered yet.") % {"n": open_objections})
    elif program.status == ST.FINAL:
        missing = program.honours.filter(certificate__isnull=True, revoked=False).count()
        if missing:
            need(
                _("%(n)d honour(s) have no numbered certificate yet.") % {"n": missing},
                blocking=False,
            )
    return items


# --- vetting ---------------------------------------------------------------------------------


@transaction.atomic
def nominations_close(*, actor: Any, program: Program) -> Program:
    """Close nominations: the submitted ones go to joint vetting, the drafts are left out."""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.NOMINATION)
    if not program.nominations.filter(status=NST.SUBMITTED).exists():
        raise InvalidInput(_("No nomination has been submitted yet."))
    return _advance(program, ST.VETTING, action="honors.nominations_close", actor=actor)


@transaction.atomic
def vet(
    *, actor: Any, nomination: Nomination, body: str, verdict: str, note: str = ""
) -> VettingOpinion:
    """A vetting body's opinion, signed by a person holding that body's role in the agency."""
    nomination = Nomination.objects.select_related("program__agency").get(pk=nomination.pk)
    program = _lock(nomination.program)
    pol = rules.policy()
    if body not in rules.vetting_bodies(pol):
        raise InvalidInput(_("Unknown vetting body."))
    perms.require(perms.may_vet(actor, program, body, pol))
    _require_status(program, ST.NOMINATION, ST.VETTING)  # from submission on
    if nomination.status != NST.SUBMITTED:
        raise InvalidInput(_("Only a submitted nomination is vetted."))
    if verdict not in rules.VERDICTS:
        raise InvalidInput(_("Choose pass, fail or conditional pass."))
    if verdict != rules.PASS and not note.strip():
        raise InvalidInput(_("A failed or conditional opinion needs a note saying why."))
    if VettingOpinion.objects.filter(nomination=nomination, body=body).exists():
        raise InvalidInput(
            _("%(body)s has already given its opinion.") % {"body": rules.body_label(body)}
        )
    opinion = VettingOpinion.objects.create(
        nomination=nomination,
        body=body,
        verdict=verdict,
        note=note.strip(),
        signed_by=actor,
        signed_at=timezone.now(),
    )
    # The opinion's text is confidential: the audit trail keeps who signed what verdict.
    audit.record(
        "honors.vet", actor=actor, obj=nomination, after={"body": body, "verdict": verdict}
    )
    return opinion


def outcomes(program: Program) -> dict[int, str]:
    """Each submitted nomination's vetting outcome (pending / pass / fail), one query."""
    pol = rules.policy()
    opinions: dict[int, dict[str, str]] = defaultdict(dict)
    for nid, body, verdict in VettingOpinion.objects.filter(
        nomination__program=program
    ).values_list("nomination_id", "body", "verdict"):
        opinions[nid][body] = verdict
    ids = program.nominations.filter(status=NST.SUBMITTED).values_list("id", flat=True)
    return {nid: rules.vetting_outcome(opinions.get(nid, {}), pol) for nid in ids}


# --- decision and publicity ------------------------------------------------------------------


@transaction.atomic
def decide(
    *,
    actor: Any,
    program: Program,
    approved: Sequence[int],
    decision_body: str,
    decision_date: dt.date,
    record: str,
    today: dt.date | None = None,
) -> Program:
    """The leadership's decision: which vetted nominations are approved, at which meeting.
    Every nomination must have passed vetting; each quota and the leaders' share are kept."""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.VETTING)
    if not decision_body.strip() or not record.strip():
        raise InvalidInput(_("Record the deciding body and the meeting record."))
    if decision_date > (today or timezone.localdate()):
        raise InvalidInput(_("The decision date cannot be in the future."))
    state = outcomes(program)
    pending = [nid for nid, o in state.items() if o == "pending"]
    if pending:
        raise InvalidInput(
            _("%(n)d nomination(s) still wait for a vetting opinion.") % {"n": len(pending)},
            code="not_ready",
        )
    chosen = set(approved)
    unknown = chosen - set(state)
    if unknown:
        raise NotFound()
    failed = [nid for nid in chosen if state[nid] != rules.PASS]
    if failed:
        raise InvalidInput(
            _("%(n)d chosen nomination(s) did not pass vetting.") % {"n": len(failed)}
        )
    noms = list(program.nominations.filter(pk__in=chosen))
    pol = rules.policy()
    per_quota: dict[tuple[str, str], int] = defaultdict(int)
    for n in noms:
        fam = "" if rules.ANY in rules.kind(n.kind).families else n.family
        per_quota[(n.kind, fam)] += 1
    for quota in program.quotas.prefetch_related("allocations"):
        count = per_quota.get((quota.kind, quota.family), 0)
        ceiling = quota_ceiling(quota)
        if count > ceiling:
            raise InvalidInput(
                _("%(kind)s has %(cap)d place(s); %(count)d were chosen.")
                % {"kind": rules.kind(quota.kind).label, "cap": ceiling, "count": count},
                code="over_quota",
            )
    individuals = [n for n in noms if n.person_id]
    leaders = sum(1 for n in individuals if n.is_leader)
    cap = rules.leader_cap(len(individuals), pol)
    if leaders > cap:
        raise InvalidInput(
            _(
                "Leaders may be at most %(pct)s%% of the individual honourees: %(cap)d of "
                "%(n)d; %(leaders)d were chosen."
            )
            % {
                "pct": _pct(pol.leader_share_percent),
                "cap": cap,
                "n": len(individuals),
                "leaders": leaders,
            },
            code="over_quota",
        )
    program.nominations.filter(pk__in=chosen).update(status=NST.APPROVED, version=F("version") + 1)
    program.nominations.filter(status=NST.SUBMITTED).exclude(pk__in=chosen).update(
        status=NST.REJECTED, version=F("version") + 1
    )
    program.status = ST.DECIDED
    program.decision_body, program.decision_date = decision_body.strip(), decision_date
    program.decision_record = record.strip()
    program.version += 1
    program.save()
    audit.record(
        "honors.decide",
        actor=actor,
        obj=program,
        after={"approved": sorted(chosen), "date": decision_date, "body": decision_body},
    )
    return program


def publicity_end_for(start: dt.date) -> publicity.Answer[publicity.Period]:
    pol = rules.policy()
    return publicity.period(
        start, pol.publicity_working_days, start_counts=pol.publication_day_counts
    )


@transaction.atomic
def publicity_start(
    *, actor: Any, program: Program, start: dt.date | None = None, today: dt.date | None = None
) -> Program:
    """Publish the proposed honourees inside the agency for N working days: from today or a
    later day, never before the decision. (`today` is the clock, for the demo's history; pages
    and the API never pass it.)"""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DECIDED)
    today = today or timezone.localdate()
    start = start or today
    refusal = publicity.start_refusal(start, today=today, decided_on=program.decision_date)
    if refusal:
        raise InvalidInput(refusal, code="date_order")
    answer = publicity_end_for(start)
    if answer.uncovered_years:
        raise InvalidInput(
            _("The working-day calendar does not cover %(years)s yet.")
            % {"years": ", ".join(str(y) for y in answer.uncovered_years)}
        )
    program.publicity_start, program.publicity_end = answer.value.start, answer.value.end
    program.status = ST.PUBLICITY
    program.version += 1
    program.save()
    audit.record(
        "honors.publicity_start",
        actor=actor,
        obj=program,
        after={"start": program.publicity_start, "end": program.publicity_end},
    )
    return program


@transaction.atomic
def objection_raise(
    *, actor: Any, program: Program, text: str, nomination: Nomination | None = None
) -> ProgramObjection:
    """Anyone of the agency may object while the list is published (not before, not after)."""
    program = _lock(program)
    perms.require(perms.may_see_publicity(actor, program))
    refusal = publicity.objection_refusal(
        timezone.localdate(),
        program.publicity_start if program.status == ST.PUBLICITY else None,
        program.publicity_end if program.status == ST.PUBLICITY else None,
    )
    if refusal:
        raise InvalidInput(refusal, code="objection_outside_publicity")
    if not text.strip():
        raise InvalidInput(_("Write the objection."))
    if (
        nomination is not None
        and not program.nominations.filter(pk=nomination.pk, status=NST.APPROVED).exists()
    ):
        raise NotFound()
    objection = ProgramObjection.objects.create(
        program=program, nomination=nomination, text=text.strip(), raised_by=actor
    )
    audit.record("honors.objection_raise", actor=actor, obj=program)
    return objection


@transaction.atomic
def objection_answer(
    *, actor: Any, objection: ProgramObjection, answer: str, withdraw: bool = False
) -> ProgramObjection:
    """The personnel officer answers; where the objection holds, the nomination is withdrawn
    from the list (`withdraw`)."""
    objection = (
        ProgramObjection.objects.select_for_update()
        .select_related("program__agency")
        .get(pk=objection.pk)
    )
    program = _lock(objection.program)
    perms.require(perms.is_officer(actor, program.agency))
    if objection.answered_at is not None:
        raise InvalidInput(_("This objection has been answered."))
    if not answer.strip():
        raise InvalidInput(_("Write the answer."))
    objection.answer, objection.answered_by = answer.strip(), actor
    objection.answered_at = timezone.now()
    objection.save()
    if withdraw and objection.nomination_id:
        Nomination.objects.filter(pk=objection.nomination_id, status=NST.APPROVED).update(
            status=NST.REJECTED
        )
    audit.record(
        "honors.objection_answer", actor=actor, obj=program, after={"withdrawn": bool(withdraw)}
    )
    return objection


def finalize(program: Program, today: dt.date, *, actor: Any = None) -> bool:
    """Once publicity is over and every objection answered, the approved nominations become
    honours in the record. Idempotent. Returns whether it changed."""
    with transaction.atomic():
        program = _lock(program)
        if program.status != ST.PUBLICITY or not publicity.can_finalize(
            program.publicity_end,
            today,
            open_objections=ProgramObjection.objects.filter(program=program).open(),
        ):
            return False
        noms = list(
            program.nominations.filter(status=NST.APPROVED).select_related("person", "unit")
        )
        body = program.decision_body or program.agency.name
        Honour.objects.bulk_create(
            Honour(
                agency=program.agency,
                person=n.person,
                unit=n.unit,
                kind=n.kind,
                title=program.title if n.kind == rules.TITLE else rules.kind(n.kind).word,
                gbt_code=rules.kind(n.kind).gbt_code,
                year=program.year,
                approving_body=body,
                document_number=program.decision_document_number,
                awarded_on=today,
                post_at_time=n.post_at_time,
                source=Honour.Source.PROGRAM,
                program=program,
                nomination=n,
            )
            for n in noms
        )
        cache.model_changed(Honour)  # bulk_create sends no signal
        program.status, program.finalized_at = ST.FINAL, timezone.now()
        program.version += 1
        program.save()
        audit.record("honors.finalize", actor=actor, obj=program, after={"honours": len(noms)})
        return True


def finalize_due(today: dt.date) -> str:
    """The `luoshi tick` step: finalize every program whose publicity ended before today."""
    done = sum(
        1
        for program in Program.objects.filter(status=ST.PUBLICITY, publicity_end__lt=today)
        if finalize(program, today)
    )
    return f"{done} commendation program(s) finalized"


@transaction.atomic
def decision_number_set(*, actor: Any, program: Program, number: str) -> Program:
    """The decision document's number (表彰决定), also written to the honours."""
    program = _lock(program)
    perms.require(perms.is_officer(actor, program.agency))
    _require_status(program, ST.DECIDED, ST.PUBLICITY, ST.FINAL)
    program.decision_document_number = number.strip()
    program.save(update_fields=["decision_document_number", "updated_at"])
    program.honours.update(document_number=number.strip())
    audit.record("honors.decision_number", actor=actor, obj=program, after={"number": number})
    return program


# --- certificates ----------------------------------------------------------------------------


@transaction.atomic
def certificates_issue(*, actor: Any, honours: Iterable[Honour]) -> list[Certificate]:
    """Number a certificate for each honour that has none: gap-free per agency, year and kind,
    in the order given (the decision's order: category, then unit). Revoked honours get none."""
    issued: list[Certificate] = []
    pol = rules.policy()
    now = timezone.now()
    rows = list(honours)
    agencies = {a.pk: a for a in OrgUnit.objects.filter(pk__in={h.agency_id for h in rows})}
    for agency in agencies.values():
        perms.require(perms.is_officer(actor, agency))
    have = set(
        Certificate.objects.filter(honour__in=[h.pk for h in rows]).values_list(
            "honour_id", flat=True
        )
    )
    for h in rows:
        if h.pk in have or h.revoked:
            continue
        serial = next_number(agency_id=h.agency_id, year=h.year, kind=f"honors.cert.{h.kind}")
        issued.append(
            Certificate.objects.create(
                honour=h,
                agency_id=h.agency_id,
                year=h.year,
                kind=h.kind,
                serial=serial,
                number=rules.certificate_number(
                    serial,
                    h.year,
                    h.kind,
                    pol,
                    agency_mark=agencies[h.agency_id].short_name or agencies[h.agency_id].name,
                ),
                issued_at=now,
            )
        )
    if issued:
        audit.record(
            "honors.certificates_issue",
            actor=actor,
            object_type="honors.certificate",
            object_repr=f"{issued[0].number} … {issued[-1].number}",
            after={"count": len(issued)},
        )
    return issued


@transaction.atomic
def revoke(
    *, actor: Any, honour: Honour, reason: str, document_number: str, on: dt.date | None = None
) -> Honour:
    """Revoke an honour for fraud or concealment (law art. 56): its certificate then verifies as
    revoked, and the record and ledgers show it."""
    honour = Honour.objects.select_for_update().select_related("agency").get(pk=honour.pk)
    perms.require(perms.is_officer(actor, honour.agency))
    if honour.revoked:
        raise InvalidInput(_("This honour has already been revoked."))
    if not reason.strip() or not document_number.strip():
        raise InvalidInput(_("Give the reason and the document number of the revocation."))
    honour.revoked, honour.revoked_on = True, on or timezone.localdate()
    honour.revoked_reason, honour.revocation_document = reason.strip(), document_number.strip()
    honour.version += 1
    honour.save()
    audit.record(
        "honors.revoke",
        actor=actor,
        obj=honour,
        after={"reason": honour.revoked_reason, "document": honour.revocation_document},
    )
    return honour


def verify(number: str) -> dict[str, Any]:
    """What the public verification page shows of a certificate, and nothing else: the holder,
    the honour, the program, the issuing body, the date and whether it is valid. Unknown: 404."""
    cert = (
        Certificate.objects.select_related("honour__person", "honour__unit", "honour__program")
        .filter(number=number.strip())
        .first()
    )
    if cert is None:
        raise NotFound()
    h = cert.honour
    return {
        "number": cert.number,
        "holder": h.person.name if h.person is not None else h.unit.name,
        "honour": h.title,
        "program": h.program.title if h.program is not None else "",
        "issuing_body": h.approving_body,
        "date": h.awarded_on,
        "valid": not h.revoked,
        "revoked_on": h.revoked_on,
    }


# --- honours from elsewhere ------------------------------------------------------------------


@transaction.atomic
def external_record(
    *,
    actor: Any,
    agency: OrgUnit,
    unit: OrgUnit,
    kind: str,
    title: str,
    approving_body: str,
    document_number: str,
    awarded_on: dt.date,
    person: Person | None = None,
) -> Honour:
    """An honour received from a higher body (e.g. 创建模范机关先进单位), for a unit or a person."""
    perms.require(perms.is_officer(actor, agency))
    if not agency_units(agency).filter(pk=unit.pk).exists():
        raise NotFound()
    k = rules.kind(kind)
    if k.collective and person is not None:
        raise InvalidInput(_("A collective honour is given to a unit."))
    if not title.strip() or not approving_body.strip():
        raise InvalidInput(_("Give the honour and the awarding body."))
    if awarded_on > timezone.localdate():
        raise InvalidInput(_("The date of an honour received cannot be in the future."))
    honour = Honour.objects.create(
        agency=agency,
        person=person,
        unit=unit,
        kind=kind,
        title=title.strip(),
        gbt_code=k.gbt_code,
        year=awarded_on.year,
        approving_body=approving_body.strip(),
        document_number=document_number.strip(),
        awarded_on=awarded_on,
        source=Honour.Source.EXTERNAL,
    )
    audit.record("honors.external_record", actor=actor, obj=honour, after=audit.snapshot(honour))
    return honour


def appraisal_awards(cycle: AnnualCycle, *, actor: Any = None) -> int:
    """RULES.md §1: Excellent in the annual appraisal → 嘉奖 that year. Writes one honour per
    Excellent of a final cycle (idempotent: once per cycle and person). Returns how many."""
    if cycle.status != AnnualCycle.Status.FINAL:
        return 0
    with transaction.atomic():
        done = set(
            Honour.objects.filter(appraisal_cycle_id=cycle.pk).values_list("person_id", flat=True)
        )
        parts = (
            Participant.objects.filter(cycle=cycle, final_grade=appraisal_rules.EXCELLENT)
            .exclude(person_id__in=done)
            .select_related("person", "unit")
            .order_by("unit__path", "id")
        )
        on = cycle.finalized_at.date() if cycle.finalized_at else timezone.localdate()
        k = rules.kind(rules.COMMENDATION)
        rows = [
            Honour(
                agency_id=cycle.agency_id,
                person=p.person,
                unit=p.unit,
                kind=rules.COMMENDATION,
                title=_("%(year)d annual appraisal Excellent") % {"year": cycle.year},
                gbt_code=k.gbt_code,
                year=cycle.year,
                approving_body=cycle.notice_issuer or cycle.agency.name,
                awarded_on=on,
                source=Honour.Source.APPRAISAL,
                appraisal_cycle_id=cycle.pk,
            )
            for p in parts
        ]
        Honour.objects.bulk_create(rows)
        if rows:
            cache.model_changed(Honour)
            audit.record(
                "honors.appraisal_awards",
                actor=actor,
                obj=cycle,
                after={"honours": len(rows)},
            )
        return len(rows)


def appraisal_awards_due(today: dt.date) -> str:
    """The `luoshi tick` step after appraisal's finalisation: 嘉奖 for the Excellent of every
    final cycle not yet written (cheap when there is nothing to do: one query per final cycle
    of the last two years)."""
    written = 0
    for cycle in AnnualCycle.objects.filter(
        status=AnnualCycle.Status.FINAL, year__gte=today.year - 2
    ).select_related("agency"):
        written += appraisal_awards(cycle)
    return f"{written} commendation(s) written from annual appraisals"


def merit_candidates(agency: OrgUnit, year: int) -> list[dict[str, Any]]:
    """Three consecutive years Excellent (RULES.md §1 [practice]; the count is the appraisal
    rule `merit_consecutive_excellent`) → 记三等功 for civil servants and 参公, 记功 for
    public-institution staff: candidates for the personnel officer to confirm."""
    n = appraisal_rules.policy().merit_consecutive_excellent
    years = list(range(year - n + 1, year + 1))
    staff = _staff(agency).select_related("staff_category", "unit")
    hits = (
        YearResult.objects.filter(person__in=staff, year__in=years, grade=appraisal_rules.EXCELLENT)
        .values("person_id")
        .annotate(n=Count("year", distinct=True))
        .filter(n=len(years))
    )
    ids = [row["person_id"] for row in hits]
    already = set(
        Honour.objects.filter(
            person_id__in=ids, year=year, kind__in=(rules.MERIT_THIRD, rules.MERIT), revoked=False
        ).values_list("person_id", flat=True)
    )
    out = []
    for person in staff.filter(pk__in=ids).order_by("unit__path", "name"):
        family = _family_of(person)
        out.append(
            {
                "person": person,
                "kind": rules.MERIT if family == rules.PUBLIC_INSTITUTION else rules.MERIT_THIRD,
                "years": years,
                "confirmed": person.pk in already,
            }
        )
    return out


@transaction.atomic
def merit_confirm(
    *, actor: Any, agency: OrgUnit, person: Person, year: int, document_number: str
) -> Honour:
    """The personnel officer confirms a candidate of `merit_candidates`."""
    perms.require(perms.is_officer(actor, agency))
    n = appraisal_rules.policy().merit_consecutive_excellent
    match = next((c for c in merit_candidates(agency, year) if c["person"].pk == person.pk), None)
    if match is None:
        raise InvalidInput(
            _("%(name)s is not Excellent in each of the years %(years)s.")
            % {
                "name": person.name,
                "years": "、".join(str(y) for y in range(year - n + 1, year + 1)),
            }
        )
    if match["confirmed"]:
        raise InvalidInput(_("This merit has already been recorded."))
    k = rules.kind(match["kind"])
    honour = Honour.objects.create(
        agency=agency,
        person=person,
        unit=person.unit,
        kind=k.code,
        title=k.word,
        gbt_code=k.gbt_code,
        year=year,
        approving_body=agency.name,
        document_number=document_number.strip(),
        awarded_on=timezone.localdate(),
        source=Honour.Source.APPRAISAL,
    )
    audit.record("honors.merit_confirm", actor=actor, obj=honour, after=audit.snapshot(honour))
    return honour
