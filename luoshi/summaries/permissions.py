"""Who may do what with the annual summaries. Forbidden and missing look the same (NotFound)
for records the user cannot see; Forbidden only for a visible record the user may not act on.

- The office: a holder of `Policy.office_role` (the general office, 督查督办) whose scope covers
  the agency. It creates rounds, sees every summary of them, accepts, returns and compiles.
- The unit: the people of the summary's unit edit its prose and submit it.
- The unit head (the unit's head, or a holder of the unit-head role in the unit) reviews first;
  then the leader in charge of the unit (from the leader-in-charge matrix; an agency leader
  where the unit has none).
- Anyone else sees a summary whose unit lies in their data scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.models import LeaderAssignment, OrgUnit, Person
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import leaders_in_charge

from . import rules
from .models import SummaryRound, UnitSummary


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None)


def own_unit_id(user: Any) -> int | None:
    if hasattr(user, "_summaries_unit"):
        cached: int | None = user._summaries_unit
        return cached
    pid = person_id(user)
    unit = Person.objects.filter(pk=pid).values_list("unit_id", flat=True).first() if pid else None
    user._summaries_unit = unit
    return unit


def is_office(user: Any, agency: OrgUnit) -> bool:
    return has_role(user, rules.policy().office_role) and scope_for(user).covers_unit(
        agency.pk, agency.path
    )


def office_agencies(user: Any) -> QuerySet[OrgUnit]:
    if not has_role(user, rules.policy().office_role):
        return OrgUnit.objects.none()
    agencies = OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL], is_active=True
    )
    scope = scope_for(user)
    ids = [a.pk for a in agencies.only("pk", "path") if scope.covers_unit(a.pk, a.path)]
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


def is_unit_member(user: Any, summary: UnitSummary) -> bool:
    return (
        not scope_for(user).is_empty
        and own_unit_id(user) is not None
        and own_unit_id(user) == summary.unit_id
    )


def is_head(user: Any, unit: OrgUnit) -> bool:
    pid = person_id(user)
    if pid is None:
        return False
    if unit.head_id == pid:
        return True
    return has_role(user, Role.UNIT_HEAD) and own_unit_id(user) == unit.pk


def is_leader(user: Any, summary: UnitSummary) -> bool:
    pid = person_id(user)
    if pid is None:
        return False
    leaders = leaders_in_charge(summary.unit)
    if leaders.exists():
        return leaders.filter(pk=pid).exists()
    agency = summary.round.agency
    return has_role(user, Role.AGENCY_LEADER) and scope_for(user).covers_unit(
        agency.pk, agency.path
    )


def may_edit(user: Any, summary: UnitSummary) -> bool:
    return is_unit_member(user, summary) or is_head(user, summary.unit)


def reviewer_step(user: Any, summary: UnitSummary) -> str:
    """The review step the user may take on the summary now ("" when none)."""
    S = UnitSummary.Status
    if summary.status == S.SUBMITTED and is_head(user, summary.unit):
        return "head"
    if summary.status == S.HEAD_APPROVED and is_leader(user, summary):
        return "leader"
    if summary.status == S.LEADER_APPROVED and is_office(user, summary.round.agency):
        return "office"
    return ""


# --- what a user sees ------------------------------------------------------------------------


def summaries_visible(user: Any) -> QuerySet[UnitSummary]:
    scope = scope_for(user)
    qs = UnitSummary.objects.all()
    if scope.is_empty:
        return qs.none()
    q = scope.q(unit="unit")
    if q is None:
        return qs
    offices = list(office_agencies(user).values_list("pk", flat=True))
    if offices:
        q |= Q(round__agency_id__in=offices)
    return qs.filter(q)


def rounds_visible(user: Any) -> QuerySet[SummaryRound]:
    if scope_for(user).is_empty:
        return SummaryRound.objects.none()
    seen = summaries_visible(user).values("round_id")
    return SummaryRound.objects.filter(
        Q(agency__in=office_agencies(user)) | Q(pk__in=seen)
    ).select_related("agency")


def access_summary(user: Any, pk: Any) -> UnitSummary:
    try:
        return summaries_visible(user).select_related("round__agency", "unit").get(pk=int(pk))
    except (UnitSummary.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_round(user: Any, pk: Any) -> SummaryRound:
    try:
        return rounds_visible(user).get(pk=int(pk))
    except (SummaryRound.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def waiting_for(user: Any) -> QuerySet[UnitSummary]:
    """The summaries whose next review step is the user's (the same decision as
    `reviewer_step`, as one query)."""
    S = UnitSummary.Status
    pid = person_id(user)
    if pid is None or scope_for(user).is_empty:
        return UnitSummary.objects.none()
    q = Q(pk__in=[])
    head_q = Q(unit__head_id=pid)
    if has_role(user, Role.UNIT_HEAD) and own_unit_id(user) is not None:
        head_q |= Q(unit_id=own_unit_id(user))
    q |= Q(status=S.SUBMITTED) & head_q
    day = timezone.localdate()
    current = LeaderAssignment.objects.filter(start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    q |= Q(status=S.HEAD_APPROVED, unit_id__in=current.filter(leader_id=pid).values("unit_id"))
    if has_role(user, Role.AGENCY_LEADER):
        scope_q = scope_for(user).q(unit="round__agency")
        no_leader = Q(status=S.HEAD_APPROVED) & ~Q(unit_id__in=current.values("unit_id"))
        q |= no_leader if scope_q is None else (no_leader & scope_q)
    offices = list(office_agencies(user).values_list("pk", flat=True))
    if offices:
        q |= Q(status=S.LEADER_APPROVED, round__agency_id__in=offices)
    return UnitSummary.objects.filter(q)
