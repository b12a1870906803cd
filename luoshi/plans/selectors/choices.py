"""Choice lists of the viewer's scope for filter forms (the ledger, its export, the dashboards).

At national scale a filter must not list every visible unit and person: the unit list offers
the top of the viewer's scope and two levels below, the leader list the current leaders in
charge of those units (from the matrix); a chosen entry outside them is added. The lists are
kept in the cache per scope and day until units, people, roles or the matrix change."""

from __future__ import annotations

from typing import Any

from django.db.models import Min, QuerySet
from django.utils import timezone

from luoshi.core.cache import fingerprint, remember
from luoshi.orgs import permissions as org_permissions
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import LeaderAssignment, OrgUnit
from luoshi.orgs.permissions import scope_for

from .categories import ledger_category_choices

UNIT_CHOICES_DEPTH = 2  # the unit filter lists the scope's top units and two levels below


UNIT_CHOICES_LIMIT = 300


LEADER_CHOICES_LIMIT = 500


def _top_units(user: Any) -> QuerySet[OrgUnit]:
    """The units of the viewer's scope down to two levels below its top (1 query)."""
    visible = org_selectors.units_visible(user).select_related(None)
    top = visible.aggregate(depth=Min("depth"))["depth"]
    if top is None:
        return visible.none()
    return visible.filter(depth__lte=top + UNIT_CHOICES_DEPTH)


def _unit_label(row: tuple[int, int, str]) -> tuple[int, str]:
    pk, depth, name = row
    return pk, "\u3000" * max(0, depth - 1) + name


def _unit_choices(top_units: QuerySet[OrgUnit]) -> list[tuple[int, str]]:
    rows = top_units.order_by("path").values_list("id", "depth", "name")[:UNIT_CHOICES_LIMIT]
    return [_unit_label(row) for row in rows]


def _leader_choices(top_units: QuerySet[OrgUnit]) -> list[tuple[int, str]]:
    """Current leaders in charge of the top units (the leader-in-charge matrix)."""
    day = timezone.localdate()
    rows = (
        LeaderAssignment.objects.filter(unit__in=top_units.values("pk"), start_date__lte=day)
        .exclude(end_date__lt=day)
        .values_list("leader_id", "leader__name")
        .distinct()
    )
    return sorted(set(rows), key=lambda r: (r[1], r[0]))[:LEADER_CHOICES_LIMIT]


def _choices(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The unit and leader lists of the viewer's scope, kept in the cache (luoshi.core.cache)
    per scope and day until units, people or the matrix change."""
    scope = scope_for(user)
    roles = sorted(org_permissions.roles_of(user))  # the org administrator sees every unit

    def compute() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        top_units = _top_units(user)
        return _unit_choices(top_units), _leader_choices(top_units)

    held = getattr(user, "_luoshi_scope_choices", None)  # both lists are asked for per request
    if held is None:
        key = fingerprint(scope, roles, timezone.localdate())
        held = remember(f"scope-choices:{key}", ("org",), compute)
        user._luoshi_scope_choices = held
    return held


def scope_unit_choices(user: Any) -> list[tuple[int, str]]:
    """The top of the viewer's scope and two levels below, indented, in tree order (cached)."""
    return _choices(user)[0]


def scope_leader_choices(user: Any) -> list[tuple[int, str]]:
    """The current leaders in charge of those units (cached)."""
    return _choices(user)[1]


def scope_category_choices(user: Any) -> list[tuple[int, str]]:
    """The task categories of the agencies the viewer's scope covers (cached; see
    selectors.categories.ledger_category_choices)."""

    key = fingerprint(scope_for(user), timezone.localdate())
    return remember(
        f"scope-categories:{key}", ("org", "categories"), lambda: ledger_category_choices(user)
    )


def with_chosen(user: Any, choices: list[Any], chosen: int | None, people: bool) -> list[Any]:
    """`choices` plus the chosen entry when the list does not hold it and the viewer may see it
    (a person: one query; a unit: from the cache)."""
    if chosen is None or any(pk == chosen for pk, _label in choices):
        return choices
    if people:
        extra = org_selectors.people_visible(user).filter(pk=chosen).values_list("id", "name")
        return [*choices, *extra]
    unit = org_selectors.unit_brief(chosen)
    if unit is None or not org_selectors.unit_brief_visible(user, unit):
        return choices
    return [*choices, _unit_label((unit.id, unit.depth, unit.name))]
