from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


def api_page(
    paginator: Paginator, number: int, row: Callable[[Any], Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An API list's answer, the same shape everywhere: `count` (over all pages), `page` (a
    number past the end gives the last page), `pages`, `page_size`, any `extra` members, then
    `results` (each item through `row` when given)."""
    page = paginator.get_page(number)
    items = page.object_list
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": paginator.per_page,
        **extra,
        "results": [row(item) for item in items] if row else list(items),
    }


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Page:
    """A page of `items` from ?page=N; out-of-range and junk numbers fall back to a valid page."""
    paginator = Paginator(items, per_page or settings.LUOSHI_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


# A count limit no list reaches: the count is exact (for a list whose answer promises one).
EXACT_COUNT = 2**62


class FastPaginator(Paginator):
    """A paginator for big tables (the ledgers at national scale).

    - The count stops at `count_limit` (`count_capped` tells when it did), so that a page of an
      unfiltered national ledger does not count half a million rows; the pages beyond it are not
      offered — the viewer narrows the filters instead.
    - A page selects its primary keys from the filtered, ordered table alone (an index range
      scan when an index matches the order), then only those rows with their relations
      ("deferred join"), instead of joining every matching row before the LIMIT. When the list
      has an explicit order, both steps are one statement (the keys as a subquery, the page's
      rows sorted again by the same order); otherwise the keys are fetched first.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        count_limit: int | None = None,
        count: int | None = None,
        values: tuple[str, ...] = (),
        **kw: Any,
    ):
        super().__init__(object_list, per_page, **kw)
        self.values = values  # a page's rows as dicts of these fields ("id" among them), not models
        self.count_limit = count_limit or settings.LUOSHI_COUNT_LIMIT
        self.count_capped = False
        if count is not None:  # known already (a roll-up): capped alike
            self.count_capped = count > self.count_limit
            self.__dict__["count"] = min(count, self.count_limit)

    object_list: Any

    @cached_property
    def count(self) -> int:
        n = self.object_list.order_by()[: self.count_limit + 1].count()
        if n > self.count_limit:
            self.count_capped = True
            return self.count_limit
        return int(n)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        if top <= bottom:
            return self._get_page([], number, self)  # type: ignore[attr-defined]
        ordering = qs.query.order_by
        if ordering and _plain(qs) and qs.query.can_filter():
            window = qs.values("pk")[bottom:top]
            rows_qs = rows_by_pk(qs, window).order_by(*ordering)
            if self.values:
                rows_qs = rows_qs.values(*self.values)
            return self._get_page(list(rows_qs), number, self)  # type: ignore[attr-defined]
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        if self.values:
            found = {row["id"]: row for row in rows_by_pk(qs, ids).values(*self.values)}
        else:
            found = {obj.pk: obj for obj in rows_by_pk(qs, ids)}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)  # type: ignore[attr-defined]


def _plain(qs: Any) -> bool:
    """No annotations, extra tables, DISTINCT or set operations (their rows need the filters)."""
    query = qs.query
    return not (query.annotations or query.extra or query.distinct or query.combinator)


def rows_by_pk(qs: Any, ids: Any) -> Any:
    """The rows of `qs` with these primary keys (a list, or a query of them), loaded as `qs`
    loads them (relations, deferred fields, prefetches) but by primary key alone and unordered
    (the caller orders them): the ids came from `qs`, so its filters need not run again. A
    queryset with annotations or extra tables keeps its filters (they may feed them).
    """
    query = qs.query
    if not _plain(qs):
        return qs.filter(pk__in=ids).order_by()
    plain = qs.model._base_manager.using(qs.db).filter(pk__in=ids).order_by()  # kept in id order
    plain.query.select_related = query.select_related
    plain.query.deferred_loading = query.deferred_loading
    plain._prefetch_related_lookups = qs._prefetch_related_lookups
    return plain


def fast_paginate(
    request: HttpRequest,
    items: Any,
    per_page: int | None = None,
    count: int | None = None,
    values: tuple[str, ...] = (),
    count_limit: int | None = None,
) -> Page:
    """Like paginate(), with FastPaginator (`count`: the number of items, when known; `values`:
    the rows as dicts of these fields; `count_limit`: where the count stops, when not the
    default)."""
    paginator = FastPaginator(
        items,
        per_page or settings.LUOSHI_PAGE_SIZE,
        count=count,
        values=values,
        count_limit=count_limit,
    )
    return paginator.get_page(request.GET.get("page"))
