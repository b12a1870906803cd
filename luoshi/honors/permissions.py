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

from luoshi.appraisal import permissions as appraisal_perms
from luoshi.appraisal.services import agency_units
from luoshi.core.errors import Forbidden
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from . import rules
from .models import Program


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def is_officer(user: Any, agency: OrgUnit) -> bool:
    return appraisal_perms.is_officer(user, agency)


def own_unit(user: Any) -> OrgUnit | None:
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
