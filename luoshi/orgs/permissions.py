"""Who may see and do what.

`scope_for(user)` computes the user's data scope once per request from their roles;
`units_visible` and `people_visible` are that scope as querysets (luoshi.orgs.selectors builds
its reads on them); `access_*` getters return an object or raise NotFound — the same answer for
"missing" and "forbidden", so nobody learns that a record exists outside their scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from luoshi.core.cache import remember
from luoshi.core.errors import Forbidden, NotFound
from luoshi.core.scoping import EMPTY, Scope

from .models import ApiToken, LeaderAssignment, OrgUnit, Person, RoleAssignment
from .roles import Role, ScopeKind


def roles_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_luoshi_roles", None)
    if cached is None:
        cached = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user._luoshi_roles = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def units_in_charge(person: Person, on: Any = None) -> list[OrgUnit]:
    day = on or timezone.localdate()
    rows = (
        LeaderAssignment.objects.filter(leader=person, start_date__lte=day)
        .exclude(end_date__lt=day)
        .select_related("unit")
    )
    return [row.unit for row in rows]


def scope_for(user: Any) -> Scope:
    """The union of the data scopes the user's roles grant (cached on the user for the request).

    With a cache that every process shares (LUOSHI_CACHE_URL) the scope and roles are also kept
    there per user and day under the "org" generation, which every write to accounts, people,
    units, roles and the leader-in-charge matrix bumps (luoshi.core.cache), so it is exact; the
    account row itself (active or not) is read on every request by authentication.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_luoshi_scope", None)
    if cached is not None:
        return cached
    day = timezone.localdate()
    scope, roles = remember(
        f"scope:{user.pk}:{day.isoformat()}",
        ("org",),
        lambda: _compute_scope(user, day),
        shared_only=True,
    )
    user._luoshi_roles = roles
    user._luoshi_scope = scope
    return scope


def _compute_scope(user: Any, day: Any) -> tuple[Scope, frozenset[str]]:
    person = Person.objects.select_related("unit").filter(pk=user.person_id).first()
    if person is not None:
        user.person = person  # the page's user menu and the services read it again
    own_unit = person.unit if person else None
    everything = False
    paths: set[str] = set()
    unit_ids: set[int] = set()
    person_ids: set[int] = set()
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("anchor"))
    for assignment in assignments:
        anchor = assignment.anchor or own_unit
        kind = assignment.scope
        if kind == ScopeKind.ALL:
            everything = True
        elif kind == ScopeKind.SUBTREE and anchor is not None:
            paths.add(anchor.path)
        elif kind == ScopeKind.UNIT and anchor is not None:
            unit_ids.add(anchor.id)
        elif kind == ScopeKind.IN_CHARGE and person is not None:
            paths.update(unit.path for unit in units_in_charge(person, day))
            if own_unit is not None:
                unit_ids.add(own_unit.id)
        elif kind == ScopeKind.OWN and person is not None:
            person_ids.add(person.id)
    if person is not None and assignments and any(a.scope != ScopeKind.NONE for a in assignments):
        person_ids.add(person.id)  # everyone with a business role sees their own record
    scope = Scope(
        everything=everything,
        subtree_paths=frozenset(paths),
        unit_ids=frozenset(unit_ids),
        person_ids=frozenset(person_ids),
    )
    return scope, frozenset(a.role for a in assignments)


def forget_cached_access(user: Any) -> None:
    for attr in ("_luoshi_scope", "_luoshi_roles", "_luoshi_scope_choices"):
        if hasattr(user, attr):
            delattr(user, attr)


# --- named checks ---------------------------------------------------------------------------


def can_manage_org(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_manage_people(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN, Role.PERSONNEL_OFFICER)


def can_import_org_people(user: Any) -> bool:
    """The import creates units as well as people: it belongs to the system administrator."""
    return has_role(user, Role.SYSTEM_ADMIN)


def can_read_audit(user: Any) -> bool:
    """Only the audit administrator reads the audit log (三员 separation)."""
    return has_role(user, Role.AUDIT_ADMIN)


def can_create_accounts(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_manage_security(user: Any) -> bool:
    """Roles, unlocking and password resets belong to the security administrator."""
    return has_role(user, Role.SECURITY_ADMIN)


def can_see_org(user: Any) -> bool:
    return not scope_for(user).is_empty or has_role(user, Role.SYSTEM_ADMIN)


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def maintains_org(user: Any) -> bool:
    """The system administrator keeps the org tree and people up to date, so reads all of it
    (and only it: their data scope for business records is empty)."""
    return has_role(user, Role.SYSTEM_ADMIN)


def units_visible(user: Any) -> QuerySet[OrgUnit]:
    scope = scope_for(user)
    qs = OrgUnit.objects.select_related("parent", "head")
    if scope.everything or maintains_org(user):
        return qs
    if scope.is_empty:
        return qs.none()
    q = Q(pk__in=[])
    for path in sorted(scope.subtree_paths):
        q |= Q(path__startswith=path)
    if scope.unit_ids:
        q |= Q(pk__in=sorted(scope.unit_ids))
    return qs.filter(q)


def people_visible(user: Any) -> QuerySet[Person]:
    scope = scope_for(user)
    qs = Person.objects.select_related("unit", "post", "rank", "staff_category", "political_status")
    if maintains_org(user):
        return qs
    return scope.filter(qs, unit="unit", person="pk")


# --- access getters: object or NotFound ----------------------------------------------------


def access_unit(user: Any, pk: Any) -> OrgUnit:
    try:
        return units_visible(user).get(pk=int(pk))
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_person(user: Any, pk: Any) -> Person:
    try:
        return people_visible(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_token(user: Any, pk: Any) -> ApiToken:
    """One of the user's own access tokens."""
    try:
        return ApiToken.objects.get(pk=int(pk), user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def require_business_scope(request: Any) -> None:
    """Pages of the business (plans, supervision, appraisal …) are not-found to an account with
    no scope at all (a technical account, or one not yet placed in a unit)."""
    if scope_for(request.user).is_empty:
        raise NotFound()
