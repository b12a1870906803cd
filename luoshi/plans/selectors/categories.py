"""Reads of the task categories: an agency's list, the choices of a task and of the ledger."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import scope_for

from ..models import Category

AGENCY_KINDS = (OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL)


LEDGER_CHOICES_LIMIT = 500  # the ledger's category filter lists at most this many


def agency_categories(
    agency: OrgUnit | int, *, include_inactive: bool = True, with_counts: bool = False
) -> QuerySet[Category]:
    """An agency's list in its order; with `task_count` (tasks using each) when asked."""
    qs = Category.objects.filter(agency=agency).order_by("sort_order", "name", "id")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if with_counts:
        qs = qs.annotate(task_count=Count("task"))
    return qs


def task_category_choices(agency_id: int | None, keep: Iterable[int] = ()) -> QuerySet[Category]:
    """What a task of this agency may be tagged with: the active categories of its list, plus
    the ones it already has (`keep`), so that saving a task does not drop an inactive tag."""
    offered = Q(is_active=True)
    kept = sorted(set(keep))
    if kept:
        offered |= Q(pk__in=kept)
    qs = Category.objects.filter(offered)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs.order_by("sort_order", "name", "id")


def _scope_agencies(user: Any) -> Q | None:
    """Categories of the agencies the user's data scope covers: the agencies inside its subtrees
    and the organization each scoped unit belongs to (None: the whole tree). Two small queries at
    most, whatever the size of the tree."""
    scope = scope_for(user)
    if scope.everything:
        return None
    roots = set(scope.subtree_paths)
    if scope.unit_ids or scope.person_ids:
        roots.update(
            OrgUnit.objects.filter(
                Q(pk__in=sorted(scope.unit_ids)) | Q(people__pk__in=sorted(scope.person_ids))
            ).values_list("path", flat=True)
        )
    chains = {path: [int(p) for p in path.strip("/").split("/") if p] for path in roots}
    ancestors = sorted({pk for chain in chains.values() for pk in chain})
    agencies = set(
        OrgUnit.objects.filter(pk__in=ancestors, kind__in=AGENCY_KINDS).values_list("pk", flat=True)
        if ancestors
        else []
    )
    nearest = [next((pk for pk in reversed(c) if pk in agencies), None) for c in chains.values()]
    condition = Q(agency_id__in=sorted({pk for pk in nearest if pk is not None}))
    for path in sorted(scope.subtree_paths):
        condition |= Q(agency__path__startswith=path)
    return condition


def ledger_category_choices(user: Any, chosen: int | None = None) -> list[tuple[int, str]]:
    """The ledger filter's categories: those of the agencies the viewer's scope covers (inactive
    ones too — they still tag tasks), the top of the scope first, at most LEDGER_CHOICES_LIMIT
    (plus the chosen one). Labelled with their agency when several agencies' lists show."""
    condition = _scope_agencies(user)
    qs = Category.objects.all() if condition is None else Category.objects.filter(condition)
    fields = ("pk", "name", "is_active", "agency_id", "agency__short_name", "agency__name")
    rows = list(
        qs.order_by("agency__depth", "agency__path", "sort_order", "name", "id").values_list(
            *fields
        )[:LEDGER_CHOICES_LIMIT]
    )
    if chosen is not None and all(row[0] != chosen for row in rows):
        rows.extend(qs.filter(pk=chosen).values_list(*fields))
    several = len({row[3] for row in rows}) > 1
    choices = []
    for pk, name, active, _agency, short, full in rows:
        label = f"{name}（{short or full}）" if several else name
        if not active:
            label = _("%(name)s (inactive)") % {"name": label}
        choices.append((pk, label))
    return choices
