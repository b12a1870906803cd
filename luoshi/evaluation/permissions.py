"""Who may see and do what with evaluation campaigns (issue 5 §5, confidentiality).

Campaigns, their turnout and their tallies are confidential: only personnel officers, appraisal
committee members and agency leaders see them, each within the data scope of *that* role (a
committee member who is also staff does not see more through the staff role). A committee member
also sees the campaigns of their own organization (the committee decides for the agency). Personnel
officers draft, publish and close. Everyone else gets not-found, whether the campaign exists or not.
Voters reach only their own ballot, through their credential.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from luoshi.core.errors import Forbidden, NotFound
from luoshi.core.scoping import EMPTY, Scope
from luoshi.orgs.models import Person, RoleAssignment
from luoshi.orgs.permissions import has_role, units_in_charge
from luoshi.orgs.roles import Role, ScopeKind
from luoshi.orgs.selectors import organization_of

from .models import Campaign

CONFIDENTIAL_ROLES = (Role.PERSONNEL_OFFICER, Role.COMMITTEE_MEMBER, Role.AGENCY_LEADER)


def role_scope(user: Any, roles: tuple[str, ...]) -> Scope:
    """The data scope granted by the user's assignments of `roles` only (cached per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cache: dict[tuple[str, ...], Scope] = user.__dict__.setdefault("_evaluation_scopes", {})
    if roles in cache:
        return cache[roles]
    assignments = list(
        RoleAssignment.objects.filter(user=user, role__in=roles).select_related("anchor")
    )
    person = None
    if assignments and user.person_id:
        person = Person.objects.select_related("unit").filter(pk=user.person_id).first()
    own_unit = person.unit if person else None
    everything = False
    paths: set[str] = set()
    unit_ids: set[int] = set()
    for assignment in assignments:
        anchor = assignment.anchor or own_unit
        if assignment.scope == ScopeKind.ALL:
            everything = True
        elif assignment.scope == ScopeKind.SUBTREE and anchor is not None:
            paths.add(anchor.path)
        elif assignment.scope == ScopeKind.UNIT and anchor is not None:
            unit_ids.add(anchor.id)
        elif assignment.scope == ScopeKind.IN_CHARGE and person is not None:
            paths.update(unit.path for unit in units_in_charge(person))
        if assignment.role == Role.COMMITTEE_MEMBER and own_unit is not None:
            unit_ids.add(organization_of(own_unit).id)
    scope = Scope(
        everything=everything, subtree_paths=frozenset(paths), unit_ids=frozenset(unit_ids)
    )
    cache[roles] = scope
    return scope


def confidential_scope(user: Any) -> Scope:
    return role_scope(user, CONFIDENTIAL_ROLES)


def officer_scope(user: Any) -> Scope:
    return role_scope(user, (Role.PERSONNEL_OFFICER,))


def can_manage_campaigns(user: Any) -> bool:
    return has_role(user, Role.PERSONNEL_OFFICER)


def can_see_campaigns(user: Any) -> bool:
    return has_role(user, *CONFIDENTIAL_ROLES)


def can_manage(user: Any, campaign: Campaign) -> bool:
    return officer_scope(user).covers_unit(campaign.unit_id, campaign.unit.path)


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def campaigns_q(scope: Scope) -> Q | None:
    return scope.q(unit="unit")


def campaigns_visible(user: Any) -> QuerySet[Campaign]:
    scope = confidential_scope(user)
    qs = Campaign.objects.select_related("unit")
    if scope.is_empty:
        return qs.none()
    return scope.filter(qs, unit="unit")


def access_campaign(user: Any, pk: Any) -> Campaign:
    """A campaign the user may see (officers, committee members, leaders in scope)."""
    try:
        return campaigns_visible(user).get(pk=int(pk))
    except (Campaign.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_campaign_to_manage(user: Any, pk: Any) -> Campaign:
    """A campaign the user manages; one they only see is refused (403), others not found."""
    campaign = access_campaign(user, pk)
    require(can_manage(user, campaign))
    return campaign
