"""Who may see and do what in appraisal (RULES.md §5 of issue 5: confidentiality).

Proposals, tallies and committee records are confidential: only personnel officers (whose scope
covers the cycle's agency), appraisal committee members of the agency, and the relevant leaders
(agency leader, leader in charge, unit head — each within their own leader scope) see them.
Everyone else sees only their own record and, during publicity, the published list. Forbidden
and missing look the same (NotFound).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from luoshi.core.errors import Forbidden, NotFound
from luoshi.core.scoping import EMPTY, Scope
from luoshi.orgs.models import LeaderAssignment, OrgUnit, Person, RoleAssignment, User
from luoshi.orgs.permissions import has_role, roles_of, scope_for, units_in_charge
from luoshi.orgs.roles import Role, ScopeKind
from luoshi.orgs.selectors import organization_of

from . import rules
from .models import AnnualCycle, Appeal, Participant, RoutineCycle, RoutineEntry

LEADER_ROLES = (Role.AGENCY_LEADER, Role.LEADER_IN_CHARGE, Role.UNIT_HEAD)


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None) if getattr(user, "is_authenticated", False) else None


def _own_unit(user: Any) -> OrgUnit | None:
    """The user's unit, kept for the request: from their person row when the request has loaded
    it with its unit already (the data scope does), else one query."""
    if hasattr(user, "_appraisal_unit"):
        cached: OrgUnit | None = user._appraisal_unit
        return cached
    pid = person_id(user)
    unit = None
    if pid and User.person.is_cached(user):  # loaded with the data scope
        person = user.person
        if person is not None and Person.unit.is_cached(person):
            user._appraisal_unit = person.unit
            return person.unit
    if pid:
        person = Person.objects.select_related("unit").filter(pk=pid).first()
        unit = person.unit if person else None
    user._appraisal_unit = unit
    return unit


def leader_scope(user: Any) -> Scope:
    """The scope the user holds as a leader (not as staff): where they are a relevant leader."""
    if not roles_of(user) & set(LEADER_ROLES):
        return EMPTY
    cached: Scope | None = getattr(user, "_appraisal_leader_scope", None)
    if cached is not None:
        return cached
    own = _own_unit(user)
    paths: set[str] = set()
    unit_ids: set[int] = set()
    everything = False
    for a in RoleAssignment.objects.filter(user=user, role__in=LEADER_ROLES).select_related(
        "anchor"
    ):
        anchor = a.anchor or own
        if a.scope == ScopeKind.ALL:
            everything = True
        elif a.scope == ScopeKind.SUBTREE and anchor is not None:
            paths.add(anchor.path)
        elif a.scope == ScopeKind.UNIT and anchor is not None:
            unit_ids.add(anchor.id)
        elif a.scope == ScopeKind.IN_CHARGE and person_id(user):
            person = Person(pk=person_id(user))
            paths.update(u.path for u in units_in_charge(person))
    scope = Scope(
        everything=everything, subtree_paths=frozenset(paths), unit_ids=frozenset(unit_ids)
    )
    user._appraisal_leader_scope = scope
    return scope


def is_officer(user: Any, agency: OrgUnit) -> bool:
    return has_role(user, Role.PERSONNEL_OFFICER) and scope_for(user).covers_unit(
        agency.id, agency.path
    )


def is_committee(user: Any, agency: OrgUnit) -> bool:
    if not has_role(user, Role.COMMITTEE_MEMBER):
        return False
    unit = _own_unit(user)
    return unit is not None and unit.path.startswith(agency.path)


def sees_all_confidential(user: Any, cycle: AnnualCycle) -> bool:
    return is_officer(user, cycle.agency) or is_committee(user, cycle.agency)


def is_leader_for(user: Any, unit: OrgUnit) -> bool:
    return leader_scope(user).covers_unit(unit.id, unit.path)


def can_see_confidential(user: Any, participant: Participant) -> bool:
    if sees_all_confidential(user, participant.cycle):
        return True
    return participant.person_id != person_id(user) and is_leader_for(user, participant.unit)


def confidential_q(user: Any, cycle: AnnualCycle) -> Q | None:
    """A filter on Participant for the records whose confidential parts the user may see
    (None: all of them)."""
    if sees_all_confidential(user, cycle):
        return None
    scope = leader_scope(user)
    if scope.is_empty:
        return Q(pk__in=[])
    condition = scope.q(unit="unit")
    return condition


def can_open_cycle(user: Any) -> bool:
    return has_role(user, Role.PERSONNEL_OFFICER)


def administers(user: Any, agency: OrgUnit) -> bool:
    """Whether the user is the personnel officer of this organization (an agency or a local
    federation): their data scope covers it and one of their personnel-officer grants is anchored
    in it — not in the organization above it. A city federation under the agency is an
    organization of its own, with its own personnel officer (issue 15 finding 12)."""
    if agency.kind not in (OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL) or not is_officer(user, agency):
        return False
    own = _own_unit(user)
    for grant in RoleAssignment.objects.filter(
        user=user, role=Role.PERSONNEL_OFFICER
    ).select_related("anchor"):
        if grant.scope == ScopeKind.ALL:
            return True
        anchor = grant.anchor or own
        if anchor is not None and organization_of(anchor).pk == agency.pk:
            return True
    return False


def agencies_administered(user: Any) -> Any:
    """The organizations the user may open an annual appraisal for (`administers`)."""
    if not can_open_cycle(user):
        return OrgUnit.objects.none()
    candidates = OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL], is_active=True
    )
    return OrgUnit.objects.filter(pk__in=[a.pk for a in candidates if administers(user, a)])


def can_manage_cycle(user: Any, cycle: AnnualCycle) -> bool:
    return is_officer(user, cycle.agency)


def can_see_consequences(user: Any, cycle: AnnualCycle) -> bool:
    """The consequences of the results (commendation, pay steps, flags): the personnel officer
    and the agency leader whose leader scope covers the agency. Anyone else in the cycle is
    answered "not found", as for a missing cycle (issue 15 finding 13)."""
    return can_manage_cycle(user, cycle) or (
        has_role(user, Role.AGENCY_LEADER) and is_leader_for(user, cycle.agency)
    )


def can_see_objections(user: Any, cycle: AnnualCycle) -> bool:
    """The objections raised and their answers: the office that answers them (everyone in the
    cycle may raise one; the list is not theirs to read)."""
    return can_manage_cycle(user, cycle)


def can_decide(user: Any, cycle: AnnualCycle) -> bool:
    return is_committee(user, cycle.agency) or is_officer(user, cycle.agency)


def can_propose(user: Any, participant: Participant) -> bool:
    """The supervising leader: a leader whose leader scope covers the person's unit (not the
    person themself)."""
    return participant.person_id != person_id(user) and is_leader_for(user, participant.unit)


def is_self(user: Any, participant: Participant) -> bool:
    pid = person_id(user)
    return pid is not None and participant.person_id == pid


def can_fill_pending(user: Any, participant: Participant) -> bool:
    """补定, a page-only step: the officer fills in the grade of a participant left pending,
    once the cycle is final (the other participant steps leave the state to the services, which
    the API calls too)."""
    return (
        can_manage_cycle(user, participant.cycle)
        and participant.eligibility == rules.PENDING
        and participant.cycle.status == AnnualCycle.Status.FINAL
    )


# --- access getters ---------------------------------------------------------------------------


def cycles_visible_ids(user: Any) -> list[int]:
    """Cycles the user may open: as officer, committee member, relevant leader, or participant."""
    if not getattr(user, "is_authenticated", False):
        return []
    pid = person_id(user)
    ids: set[int] = set()
    if pid:
        ids.update(Participant.objects.filter(person_id=pid).values_list("cycle_id", flat=True))
    roles = roles_of(user)
    if roles & {Role.PERSONNEL_OFFICER, Role.COMMITTEE_MEMBER, *LEADER_ROLES}:
        for cycle in AnnualCycle.objects.select_related("agency"):
            if sees_all_confidential(user, cycle):
                ids.add(cycle.pk)
                continue
            scope = leader_scope(user)
            if (
                scope.everything
                or any(
                    p.startswith(cycle.agency.path) or cycle.agency.path.startswith(p)
                    for p in scope.subtree_paths
                )
                or (
                    scope.unit_ids
                    and OrgUnit.objects.filter(
                        pk__in=scope.unit_ids, path__startswith=cycle.agency.path
                    ).exists()
                )
            ):
                ids.add(cycle.pk)
    return sorted(ids)


def access_cycle(user: Any, pk: Any) -> AnnualCycle:
    try:
        return AnnualCycle.objects.select_related("agency").get(
            pk=int(pk), pk__in=cycles_visible_ids(user)
        )
    except (AnnualCycle.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_participant(user: Any, pk: Any) -> Participant:
    """A participant the user may open: their own, or one whose confidential record they may
    see."""
    try:
        p = Participant.objects.select_related(
            "cycle", "cycle__agency", "person", "unit", "person__post", "person__rank"
        ).get(pk=int(pk))
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if is_self(user, p) or can_see_confidential(user, p):
        return p
    raise NotFound()


def access_appeal(user: Any, pk: Any) -> Appeal:
    try:
        appeal = Appeal.objects.select_related("participant").get(pk=int(pk))
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    access_participant(user, appeal.participant_id)
    return appeal


# --- routine ----------------------------------------------------------------------------------


def is_unit_head(user: Any, unit: OrgUnit) -> bool:
    pid = person_id(user)
    return pid is not None and unit.head_id == pid


def is_leader_in_charge(user: Any, unit: OrgUnit, on: Any = None) -> bool:
    pid = person_id(user)
    if pid is None:
        return False
    paths = [u.path for u in units_in_charge(Person(pk=pid), on)]
    if any(unit.path.startswith(p) for p in paths):
        return True
    return has_role(user, Role.AGENCY_LEADER) and is_leader_for(user, unit)


def can_open_routine(user: Any, unit: OrgUnit) -> bool:
    return is_unit_head(user, unit) or is_officer(user, unit)


def can_see_routine(user: Any, cycle: RoutineCycle) -> bool:
    unit = cycle.unit
    return (
        is_unit_head(user, unit)
        or is_leader_for(user, unit)
        or (
            has_role(user, Role.PERSONNEL_OFFICER)
            and scope_for(user).covers_unit(unit.id, unit.path)
        )
    )


def access_routine(user: Any, pk: Any) -> RoutineCycle:
    try:
        cycle = RoutineCycle.objects.select_related("unit").get(pk=int(pk))
    except (RoutineCycle.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_see_routine(user, cycle):
        raise NotFound()
    return cycle


def access_routine_entry(user: Any, pk: Any) -> RoutineEntry:
    try:
        entry = RoutineEntry.objects.select_related("cycle", "cycle__unit", "person").get(
            pk=int(pk)
        )
    except (RoutineEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not can_see_routine(user, entry.cycle):
        raise NotFound()
    return entry


__all__ = ["LeaderAssignment"]
