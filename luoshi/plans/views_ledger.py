"""The task ledger page and its filters (the export reads the same filters).

At national scale the filter form must not list every visible unit and person: the unit list
offers the top of the viewer's scope and two levels below (plus the chosen unit), the leader list
the current leaders in charge of the units in scope (plus the chosen leader). The page itself is
paged by primary key first (core.paging.FastPaginator).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Min, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from luoshi.core.cache import fingerprint, remember
from luoshi.core.errors import NotFound
from luoshi.core.paging import fast_paginate
from luoshi.orgs import permissions as org_permissions
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import LeaderAssignment, OrgUnit
from luoshi.orgs.permissions import scope_for

from . import selectors
from .forms import LedgerFilterForm

UNIT_CHOICES_DEPTH = 2  # the unit filter lists the scope's top units and two levels below
UNIT_CHOICES_LIMIT = 300
LEADER_CHOICES_LIMIT = 500
# What the page shows of each task (the rows load these columns only).
LEDGER_COLUMNS = (
    "id", "code", "title", "is_key", "deadline", "progress", "status", "light", "light_code",
    "lead_unit__name", "leader_in_charge__name",
)  # fmt: skip
SORT_COLUMNS = ("code", "lead_unit", "deadline", "progress", "status", "light")


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


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


def _choices(user: Any) -> tuple[list[Any], list[tuple[int, str]]]:
    """The unit and leader lists of the viewer's scope, kept in the cache (luoshi.core.cache)
    per scope and day until units, people or the matrix change."""
    scope = scope_for(user)
    roles = sorted(org_permissions.roles_of(user))  # the org administrator sees every unit

    def compute() -> tuple[list[Any], list[tuple[int, str]]]:
        top_units = _top_units(user)
        return _unit_choices(top_units), _leader_choices(top_units)

    key = fingerprint(scope, roles, timezone.localdate())
    return remember(f"ledger-choices:{key}", ("org",), compute)


def _with_chosen(user: Any, choices: list[Any], chosen: int | None, people: bool) -> list[Any]:
    """`choices` plus the chosen entry when the list does not hold it (one query then)."""
    if chosen is None or any(pk == chosen for pk, _label in choices):
        return choices
    if people:
        extra = org_selectors.people_visible(user).filter(pk=chosen).values_list("id", "name")
        return [*choices, *extra]
    rows = org_selectors.units_visible(user).filter(pk=chosen).values_list("id", "depth", "name")
    return [*choices, *(_unit_label(row) for row in rows)]


def ledger_filter_form(request: HttpRequest) -> LedgerFilterForm:
    """The ledger's filters from the query string (the page and its export read them alike)."""
    user = request.user
    units, leaders = _choices(user)
    units = _with_chosen(user, units, _int(request.GET.get("lead_unit")), people=False)
    leaders = _with_chosen(user, leaders, _int(request.GET.get("leader_in_charge")), people=True)
    return LedgerFilterForm(request.GET or None, units=units, leaders=leaders)


def ledger_filter(
    request: HttpRequest, form: LedgerFilterForm | None = None
) -> selectors.TaskFilter:
    f = (form or ledger_filter_form(request)).to_filter()
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in selectors.LEDGER_SORTS:
        f.sort = sort
    return f


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the query string that sorts by it (again: the other way)."""
    links = {}
    for column in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        if current == column:
            query["sort"], state = f"-{column}", "asc"
        elif current == f"-{column}":
            query.pop("sort", None)
            state = "desc"
        else:
            query["sort"], state = column, ""
        links[column] = {"query": query.urlencode(), "state": state}
    return links


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).is_empty:
        raise NotFound()
    form = ledger_filter_form(request)
    f = ledger_filter(request, form)
    tasks = (
        selectors.task_ledger(request.user, f)
        .select_related(None)
        .select_related("lead_unit", "leader_in_charge")
        .only(*LEDGER_COLUMNS)
    )
    page = fast_paginate(request, tasks)
    template = "plans/ledger.html#results" if request.htmx else "plans/ledger.html"  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "today": timezone.localdate(),
            "export_query": query.urlencode(),
            "sort": f.sort,
            "sort_links": _sort_links(request, f.sort),
        },
    )
