"""Who may do what in commendation. Forbidden and missing look the same (NotFound) for records
the user cannot see; Forbidden only for a visible record the user may not act on.

- The personnel officer whose scope covers the agency runs the programs (quotas, decision,
  publicity, certificates, revocation, the honours record).
- A unit head nominates people of their own unit (and their unit as a collective); the officer
  nominates anyone of the agency.
- A vetting body's opinion is signed by a person holding the role the rules name for it
  (`Policy.vetting_roles`) in the agency; the opinions are seen only by the officer and the
  vetting roles.
- During publicity the list is seen by the agency's own people, not by other federations.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from luoshi.appraisal import permissions as appraisal_perms
from luoshi.appraisal.services import agency_units
from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import organization_of

from . import rules
from .models import Honour, Nomination, Program


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def is_officer(user: Any, agency: OrgUnit) -> bool:
    return appraisal_perms.is_officer(user, agency)


def own_unit(user: Any) -> OrgUnit | None:
    """The user's unit (appraisal's, kept for the request)."""
    return appraisal_perms._own_unit(user)


def is_member(user: Any, agency: OrgUnit) -> bool:
    """Whether the user belongs to the agency itself (not to another federation below it)."""
    unit = own_unit(user)
    return unit is not None and agency_units(agency).filter(pk=unit.pk).exists()


def may_nominate(user: Any, program: Program, unit: OrgUnit) -> bool:
    if is_officer(user, program.agency):
        return True
    own = own_unit(user)
    return has_role(user, Role.UNIT_HEAD) and own is not None and own.pk == unit.pk


def may_nominate_in(user: Any, program: Program) -> bool:
    """Whether the user nominates anyone in the program (the officer, or a head for their unit)."""
    own = own_unit(user)
    return is_officer(user, program.agency) or (
        own is not None and may_nominate(user, program, own)
    )


def may_vet(user: Any, program: Program, body: str, pol: rules.Policy) -> bool:
    role = pol.vetting_roles.get(body, "")
    return (
        bool(role)
        and has_role(user, role)
        and scope_for(user).covers_unit(program.agency_id, program.agency.path)
    )


def is_vetter(user: Any, program: Program) -> bool:
    pol = rules.policy()
    return any(may_vet(user, program, body, pol) for body in rules.vetting_bodies(pol))


def may_see_publicity(user: Any, program: Program) -> bool:
    return is_officer(user, program.agency) or is_member(user, program.agency)


# --- what a user sees: querysets and access getters (object or NotFound) -----------------------


def _in_scope(user: Any, *, unit: str, person: str | None = None) -> Q:
    """The user's data scope as a filter that can be OR-ed (everything: always true)."""
    q = scope_for(user).q(unit=unit, person=person)
    return Q(pk__isnull=False) if q is None else q


def home_agency_id(user: Any) -> int | None:
    """The organization the user belongs to (the nearest agency or local federation above their
    unit), cached on the user for the request."""
    if hasattr(user, "_honors_home"):
        cached: int | None = user._honors_home
        return cached
    unit = own_unit(user)
    home = organization_of(unit).pk if unit is not None else None
    user._honors_home = home
    return home


def programs_visible(user: Any) -> QuerySet[Program]:
    """Officers: every program of the agencies in their scope; vetting roles: programs in their
    scope once open; the agency's own people: its programs once open. Nobody else: none."""
    qs = Program.objects.select_related("agency")
    if not getattr(user, "is_authenticated", False) or scope_for(user).is_empty:
        return qs.none()
    q = Q(pk__in=[])
    if has_role(user, Role.PERSONNEL_OFFICER):
        q |= _in_scope(user, unit="agency")
    pol = rules.policy()
    vetting = [pol.vetting_roles[b] for b in rules.vetting_bodies(pol) if b in pol.vetting_roles]
    if has_role(user, *vetting):
        q |= _in_scope(user, unit="agency") & ~Q(status=Program.Status.DRAFT)
    home = home_agency_id(user)
    if home is not None:
        q |= Q(agency_id=home) & ~Q(status=Program.Status.DRAFT)
    return qs.filter(q)


def access_program(user: Any, pk: Any) -> Program:
    try:
        return programs_visible(user).get(pk=int(pk))
    except (Program.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def sees_confidential(user: Any, program: Program) -> bool:
    """Vetting opinions and objections: the officer and the vetting roles only."""
    return is_officer(user, program.agency) or is_vetter(user, program)


def nominations_visible(user: Any, program: Program) -> QuerySet[Nomination]:
    """The officer and vetters: every nomination (vetters once submitted); a unit head: their
    unit's; everyone of the agency: their own, and the approved ones once published."""
    qs = program.nominations.select_related("person", "unit", "program__agency")
    if is_officer(user, program.agency):
        return qs
    q = Q(pk__in=[])
    if is_vetter(user, program):
        q |= ~Q(status__in=(Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN))
    unit = own_unit(user)
    if has_role(user, Role.UNIT_HEAD) and unit is not None:
        q |= Q(unit=unit)
    pid = getattr(user, "person_id", None)
    if pid:
        q |= Q(person_id=pid)
    if program.status in (Program.Status.PUBLICITY, Program.Status.FINAL):
        q |= Q(status=Nomination.Status.APPROVED)
    return qs.filter(q)


def sees_evidence(user: Any, nomination: Nomination) -> bool:
    """A nomination's evidence files: its nominator, the nominee, the officer and the vetting
    roles — not everyone who sees the published list."""
    program = nomination.program
    pid = getattr(user, "person_id", None)
    return (
        may_nominate(user, program, nomination.unit)
        or is_vetter(user, program)
        or (pid is not None and pid == nomination.person_id)
    )


def access_nomination(user: Any, pk: Any) -> Nomination:
    try:
        nomination = Nomination.objects.select_related("program__agency").get(pk=int(pk))
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not programs_visible(user).filter(pk=nomination.program_id).exists():
        raise NotFound()
    if not nominations_visible(user, nomination.program).filter(pk=nomination.pk).exists():
        raise NotFound()
    return nomination


def honours_visible(user: Any) -> QuerySet[Honour]:
    """The honours record: of the people and units in the user's business scope (not the three
    administrators'), their own, and every honour of the agencies where they are the officer."""
    qs = Honour.objects.select_related("person", "unit", "program", "certificate")
    scope = scope_for(user)
    if not getattr(user, "is_authenticated", False) or scope.is_empty:
        return qs.none()
    q = _in_scope(user, unit="unit", person="person")
    pid = getattr(user, "person_id", None)
    if pid:
        q |= Q(person_id=pid)
    return qs.filter(q)


def access_honour(user: Any, pk: Any) -> Honour:
    try:
        return honours_visible(user).get(pk=int(pk))
    except (Honour.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
