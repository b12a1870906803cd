"""The task ledger page and its filters (the export reads the same filters).

The filter lists come from plans.selectors.choices (bounded and cached); the page itself is paged by
primary key first (core.paging.FastPaginator)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from luoshi.core.errors import NotFound
from luoshi.core.paging import fast_paginate
from luoshi.orgs.permissions import scope_for

from ..forms.ledger import LedgerFilterForm
from ..selectors.categories import ledger_category_choices
from ..selectors.choices import (
    scope_category_choices,
    scope_leader_choices,
    scope_unit_choices,
    with_chosen,
)
from ..selectors.ledger import (
    LEDGER_SORTS,
    TaskFilter,
    ledger_count,
    search_count_limit,
    task_ledger,
)

# What the page shows of each task (its rows are dicts of these, not model instances).
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


def ledger_filter_form(request: HttpRequest) -> LedgerFilterForm:
    """The ledger's filters from the query string (the page and its export read them alike)."""
    user = request.user
    units, leaders = scope_unit_choices(user), scope_leader_choices(user)
    units = with_chosen(user, units, _int(request.GET.get("lead_unit")), people=False)
    leaders = with_chosen(user, leaders, _int(request.GET.get("leader_in_charge")), people=True)
    categories = scope_category_choices(user)
    chosen = _int(request.GET.get("category"))
    if chosen is not None and all(pk != chosen for pk, _label in categories):
        categories = ledger_category_choices(user, chosen)  # the chosen one added (uncached)
    return LedgerFilterForm(
        request.GET or None, units=units, leaders=leaders, categories=categories
    )


def ledger_filter(request: HttpRequest, form: LedgerFilterForm | None = None) -> TaskFilter:
    f = (form or ledger_filter_form(request)).to_filter()
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in LEDGER_SORTS:
        f.sort = sort
    return f


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the query string that sorts by it (again: the other way).

    The filters are kept as given (without the page, which a new order starts again from)."""
    kept = [
        (k, v) for k, values in request.GET.lists() if k not in ("page", "sort") for v in values
    ]
    links = {}
    for column in SORT_COLUMNS:
        if current == column:
            sort, state = [("sort", f"-{column}")], "asc"
        elif current == f"-{column}":
            sort, state = [], "desc"
        else:
            sort, state = [("sort", column)], ""
        links[column] = {"query": urlencode(kept + sort), "state": state}
    return links


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user).is_empty:
        raise NotFound()
    form = ledger_filter_form(request)
    f = ledger_filter(request, form)
    tasks = task_ledger(request.user, f).select_related(None)
    count = ledger_count(request.user, f)
    page = fast_paginate(
        request, tasks, count=count, values=LEDGER_COLUMNS, count_limit=search_count_limit(f)
    )
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
