from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Page:
    """A page of `items` from ?page=N; out-of-range and junk numbers fall back to a valid page."""
    paginator = Paginator(items, per_page or settings.LUOSHI_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


class FastPaginator(Paginator):
    """A paginator for big tables (the ledgers at national scale).

    - The count stops at `count_limit` (`count_capped` tells when it did), so that a page of an
      unfiltered national ledger does not count half a million rows; the pages beyond it are not
      offered — the viewer narrows the filters instead.
    - A page loads its primary keys first from the filtered, ordered table alone (an index range
      scan when an index matches the order), then only those rows with their relations
      ("deferred join"), instead of joining every matching row before the LIMIT.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        count_limit: int | None = None,
        count: int | None = None,
        **kw: Any,
    ):
        super().__init__(object_list, per_page, **kw)
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
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {obj.pk: obj for obj in rows_by_pk(self.object_list, ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)  # type: ignore[attr-defined]


def rows_by_pk(qs: Any, ids: list[Any]) -> Any:
    """The rows of `qs` with these primary keys, loaded as `qs` loads them (relations, deferred
    fields, prefetches) but by primary key alone and unordered (the caller puts them in the
    ids' order): the ids came from `qs`, so its filters need not run again. A queryset with
    annotations or extra tables keeps its filters (they may feed them).
    """
    query = qs.query
    if query.annotations or query.extra or query.distinct or query.combinator:
        return qs.filter(pk__in=ids).order_by()
    plain = qs.model._base_manager.using(qs.db).filter(pk__in=ids).order_by()  # kept in id order
    plain.query.select_related = query.select_related
    plain.query.deferred_loading = query.deferred_loading
    plain._prefetch_related_lookups = qs._prefetch_related_lookups
    return plain


def fast_paginate(
    request: HttpRequest, items: Any, per_page: int | None = None, count: int | None = None
) -> Page:
    """Like paginate(), with FastPaginator (`count`: the number of items, when known)."""
    paginator = FastPaginator(items, per_page or settings.LUOSHI_PAGE_SIZE, count=count)
    return paginator.get_page(request.GET.get("page"))
