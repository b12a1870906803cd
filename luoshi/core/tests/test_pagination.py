"""The pagination bar under every list (includes/pagination.html, built by a tag)."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from luoshi.core.paging import FastPaginator


def bar(items: Any, number: int, query: str = "") -> str:
    request = RequestFactory().get(f"/list/?{query}")
    page = Paginator(items, 10).get_page(number)
    with translation.override("en"):
        return render_to_string("includes/pagination.html", {"page_obj": page}, request=request)


def test_nothing_for_an_empty_list() -> None:
    assert bar([], 1).strip() == ""


def test_one_page_shows_the_count_without_links() -> None:
    html = bar(range(3), 1)
    assert "3 records" in html and "page 1 of 1" in html
    assert "<ul" not in html
    assert "1 record ·" not in bar(range(3), 1) and "1 record" in bar(range(1), 1)


def test_links_keep_the_filters_and_mark_gaps_and_the_current_page() -> None:
    html = bar(range(200), 10, query="q=%E4%BE%A8&light=red&page=10")
    assert "200 records" in html and "page 10 of 20" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all("q=%E4%BE%A8" in h and "light=red" in h for h in hrefs)
    assert [re.search(r"page=(\d+)", h).group(1) for h in hrefs] == [  # type: ignore[union-attr]
        "9", "1", "8", "9", "10", "11", "12", "20", "11",
    ]  # fmt: skip
    assert html.count("…") == 2
    current = '<a class="page-link" href="?q=%E4%BE%A8&amp;light=red&amp;page=10">10<'
    assert f'class="page-item active">{current}' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_the_first_and_last_pages_disable_their_step() -> None:
    first, last = bar(range(30), 1), bar(range(30), 3)
    assert '<span class="page-link">Previous</span>' in first and 'rel="next"' in first
    assert '<span class="page-link">Next</span>' in last and 'rel="prev"' in last


def test_a_capped_count_says_so(settings: Any) -> None:
    settings.LUOSHI_COUNT_LIMIT = 50
    paginator = FastPaginator([], 10)
    paginator.__dict__["count"] = 50  # as counted: the limit reached (see FastPaginator.count)
    paginator.count_capped = True
    request = RequestFactory().get("/list/")
    with translation.override("en"):
        html = render_to_string(
            "includes/pagination.html",
            {"page_obj": Page(list(range(10)), 1, paginator)},
            request=request,
        )
    assert "More than 50 records: narrow the filters to see them all" in html
    assert "page 1 of 5" in html


def test_labels_are_translated() -> None:
    request = RequestFactory().get("/list/")
    page = Paginator(range(30), 10).get_page(2)
    with translation.override("zh-hans"):
        html = render_to_string("includes/pagination.html", {"page_obj": page}, request=request)
    assert "Previous" not in html and "Next" not in html and "records" not in html


# --- FastPaginator's pages: the right rows in the right order, in one statement --------------


def test_a_page_of_an_ordered_list_is_one_statement_with_the_rows_in_order(
    org: Any, django_assert_num_queries: Any
) -> None:
    from luoshi.orgs.models import OrgUnit

    for orders in (("name", "id"), ("-sort_order", "-id"), ("parent__name", "-path")):
        items = OrgUnit.objects.select_related("parent").order_by(*orders)
        expected = [unit.pk for unit in items]
        assert len(expected) >= 6
        paginator = FastPaginator(items, 4, count=len(expected))  # 2 pages
        seen = []
        for number in paginator.page_range:
            with django_assert_num_queries(1):
                page = paginator.page(number)
                seen += [(unit.pk, unit.parent.name if unit.parent else None) for unit in page]
        assert [pk for pk, _name in seen] == expected, orders
        assert seen == [(u.pk, u.parent.name if u.parent else None) for u in items]


def test_a_list_without_its_own_order_keeps_the_ids_order(
    org: Any, django_assert_num_queries: Any
) -> None:
    from luoshi.orgs.models import OrgUnit

    items = OrgUnit.objects.all()  # the model's default order
    expected = [unit.pk for unit in items]
    paginator = FastPaginator(items, 4, count=len(expected))
    seen = []
    for number in paginator.page_range:
        with django_assert_num_queries(2):  # the ids, then their rows
            seen += [unit.pk for unit in paginator.page(number)]
    assert seen == expected
    with django_assert_num_queries(0):
        assert list(FastPaginator(items, 5, count=0).page(1)) == []


def test_a_page_can_be_dicts_of_chosen_fields(org: Any) -> None:
    from luoshi.orgs.models import OrgUnit

    fields = ("id", "name", "parent__name")
    for items in (OrgUnit.objects.order_by("-name", "id"), OrgUnit.objects.all()):
        expected = list(items.values(*fields))
        paginator = FastPaginator(items, 4, count=len(expected), values=fields)
        seen = [row for number in paginator.page_range for row in paginator.page(number)]
        assert seen == expected
