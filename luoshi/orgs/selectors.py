"""Reads, scoped to what the acting user may see, with related rows loaded up front; and the
cached account and token look-ups of authentication.

Every request authenticates, so the account row (for the session) and the token (for the API)
come from the shared cache when there is one (LUOSHI_CACHE_URL), kept exact by generations:
`account:<id>` moves on every save or delete of that account — log-in bookkeeping and lockouts
included — and "org" with every other account, person, unit or role change and after `migrate`;
"tokens" moves on every token created, revoked or deleted. With the per-process default cache
both are read from the database on every request, as before. The cached account carries its
password hash (Django checks a session against it), like the session store beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from luoshi.core import search
from luoshi.core.cache import remember
from luoshi.core.text import fold_query

from .models import ApiToken, LeaderAssignment, OrgUnit, OrgUnitChange, Person, User
from .permissions import has_role, maintains_org, people_visible, scope_for, units_visible
from .roles import Role


def account_generation(user_id: Any) -> str:
    return f"account:{user_id}"


def cached_account(user_id: Any) -> Any:
    """The account row with this id (None if there is none), through the shared cache."""
    return remember(
        f"account:{user_id}",
        ("org", account_generation(user_id)),
        lambda: User._default_manager.filter(pk=user_id).first(),
        shared_only=True,
        keep_none=False,
    )


def cached_token(digest: str) -> tuple[int, int, Any, Any, str] | None:
    """(token id, account id, last used, expires at, password fingerprint) of the unrevoked
    token with this hash, or None. The caller checks the expiry and the fingerprint."""

    def load() -> tuple[int, int, Any, Any, str] | None:
        row = (
            ApiToken.objects.filter(token_hash=digest, revoked_at__isnull=True)
            .order_by("-created_at")
            .values_list("pk", "user_id", "last_used_at", "expires_at", "password_fingerprint")
            .first()
        )
        return None if row is None else (row[0], row[1], row[2], row[3], row[4])

    # unknown values are not kept: a client sending junk must not fill the cache
    return remember(f"token:{digest}", ("tokens",), load, shared_only=True, keep_none=False)


@dataclass(frozen=True)
class UnitBrief:
    """What filters need of a unit: its id, materialised path, depth and name."""

    id: int
    path: str
    depth: int
    name: str


def unit_brief(pk: int) -> UnitBrief | None:
    """A unit's id, path, depth and name (None when there is no such unit), kept in the cache
    until the org tree changes. Visibility is the caller's check (`unit_brief_visible`)."""

    def compute() -> UnitBrief | None:
        row = OrgUnit.objects.filter(pk=pk).values_list("id", "path", "depth", "name").first()
        return UnitBrief(*row) if row else None

    return remember(f"unit-brief:{pk}", ("org",), compute)


def root_paths() -> frozenset[str]:
    """The paths of the tree's top units (kept in the cache until the org tree changes)."""
    top = OrgUnit.objects.filter(parent__isnull=True)
    return remember("unit-roots", ("org",), lambda: frozenset(top.values_list("path", flat=True)))


def covers_every_unit(scope: Any) -> bool:
    """True when the scope reaches every unit of the tree (all of it, or a subtree per top
    unit): a record tied to a unit is then always in it."""
    if scope.everything:
        return True
    roots = root_paths()
    return bool(roots) and all(any(r.startswith(p) for p in scope.subtree_paths) for r in roots)


def unit_brief_visible(user: Any, brief: UnitBrief) -> bool:
    """True when `units_visible(user)` holds this unit (without a query)."""
    scope = scope_for(user)
    return scope.everything or maintains_org(user) or scope.covers_unit(brief.id, brief.path)


@dataclass
class PeopleFilter:
    q: str = ""
    unit: int | None = None
    include_subunits: bool = True
    staff_category: int | None = None
    rank: int | None = None
    gender: str = ""
    active: bool | None = True


def people_count(user: Any, f: PeopleFilter, qs: QuerySet[Person]) -> int | None:
    """The number of people in `qs` (people_search(user, f)) when it is everyone active — a
    viewer who sees every unit, no filter: the list a national viewer opens first — kept in the
    shared cache under the "org" generation (every write to people moves it), instead of counted
    on each page (4–10 ms at 60,000 people); None otherwise (the caller counts)."""
    if f != PeopleFilter() or not covers_every_unit(scope_for(user)):
        return None
    return remember("people-active-count", ("org",), qs.count, shared_only=True)


def people_search(user: Any, f: PeopleFilter) -> QuerySet[Person]:
    """The people `user` may see matching `f`, in the list's order (unit path, post order, id).

    When the viewer's scope covers every unit, every person is visible, so the visibility
    condition (an OR over a join with the units) is left out and the ordered index on the sort
    key serves the page and the partial index on the active people the count (60,000 people,
    national leader: the page 14 ms and the count 31 ms with the condition, measured)."""
    qs = people_visible(user)
    if covers_every_unit(scope_for(user)):
        qs = Person.objects.select_related(
            "unit", "post", "rank", "staff_category", "political_status"
        )
    if f.q:
        qs = search.contains(qs, f.q, index="person_search_grams_idx")
    if f.unit:
        unit = OrgUnit.objects.filter(pk=f.unit).only("path").first()
        if unit is None:
            return qs.none()
        qs = (
            qs.filter(sort_key__startswith=unit.path)
            if f.include_subunits
            else qs.filter(unit=unit)
        )
    if f.staff_category:
        qs = qs.filter(staff_category_id=f.staff_category)
    if f.rank:
        qs = qs.filter(rank_id=f.rank)
    if f.gender:
        qs = qs.filter(gender=f.gender)
    if f.active is not None:
        qs = qs.filter(is_active=f.active)
    # sort_key is the unit's path and the post's order in one indexed column
    # (person_sort_key_idx): the first page reads the index in order, with no join or sort.
    return qs.order_by("sort_key", "id")


def units_search(user: Any, q: str = "", parent: int | None = None) -> QuerySet[OrgUnit]:
    qs = units_visible(user)
    if q:
        qs = qs.filter(search_text__contains=fold_query(q))
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("path")


@dataclass
class TreeNode:
    unit: OrgUnit
    people_count: int
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(user: Any) -> list[TreeNode]:
    """The visible part of the tree, in two queries whatever its size."""
    units = list(
        units_visible(user)
        .annotate(people_count=Count("people", filter=Q(people__is_active=True)))
        .order_by("depth", "sort_order", "id")
    )
    nodes = {u.id: TreeNode(u, u.people_count) for u in units}
    roots: list[TreeNode] = []
    for unit in units:
        node = nodes[unit.id]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.unit.sort_order, n.unit.id))
    roots.sort(key=lambda n: (n.unit.sort_order, n.unit.id))
    return roots


def leaders_in_charge(unit: OrgUnit, on: Any = None) -> QuerySet[Person]:
    day = on or timezone.localdate()
    current = (
        LeaderAssignment.objects.filter(unit=unit, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values("leader_id")
    )
    return Person.objects.filter(pk__in=current)


def leader_matrix(user: Any, on: Any = None) -> QuerySet[LeaderAssignment]:
    day = on or timezone.localdate()
    visible = units_visible(user).values("pk")
    return (
        LeaderAssignment.objects.filter(unit__in=visible)
        .select_related("leader", "unit")
        .order_by("unit__path", "-start_date")
        .annotate(
            current=ExpressionWrapper(
                Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day)),
                output_field=BooleanField(),
            )
        )
    )


def unit_history(unit: OrgUnit) -> QuerySet[OrgUnitChange]:
    """Renames and moves of a unit the caller has already been allowed to see."""
    return OrgUnitChange.objects.filter(unit=unit)


def accounts_search(user: Any, q: str = "") -> QuerySet[User]:
    """Accounts for the administrators' page (system and security administrators only)."""
    if not (has_role(user, Role.SYSTEM_ADMIN) or has_role(user, Role.SECURITY_ADMIN)):
        return User.objects.none()
    rows = (
        User.objects.select_related("person__unit")
        .prefetch_related("role_assignments__anchor")
        .order_by("username")
    )
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(person__search_text__contains=fold_query(q))
        )
    return rows


def organization_of(unit: OrgUnit) -> OrgUnit:
    """The organization a unit belongs to: the nearest agency or local federation at or above it
    (a city federation is an organization of its own, not part of the provincial agency)."""
    if unit.kind in (OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL):
        return unit
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    found = (
        OrgUnit.objects.filter(
            pk__in=ancestor_ids, kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL]
        )
        .order_by("-depth")
        .first()
    )
    return found or unit
