"""Text search through the gram index (luoshi.core.search): one-, two- and longer queries in
either script find exactly what a plain "contains" finds (the bigrams of a longer query occur
apart in some rows: the recheck drops them); on PostgreSQL the people's and the ledger's
queries are served by their GIN indexes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from luoshi.core import search
from luoshi.core.text import search_key
from luoshi.orgs import services
from luoshi.orgs.models import Person
from luoshi.plans.models import Task

pytestmark = pytest.mark.django_db

NAMES = [
    "侨联甲",
    "华侨乙",
    "联侨丙",
    "僑聯丁",
    "张三",
    "李四侨",
    "华侨联合会王",
    "百分%之_王",
    "百分号之王",
]


def _people(org: Any) -> list[Person]:
    return [
        services.person_create(actor=None, name=name, gender="M", unit=org.office) for name in NAMES
    ]


@pytest.mark.parametrize(
    "query",
    ["侨", "僑", "侨联", "僑聯", "华侨联", "侨联合", "联侨丙", "无", "三", "%", "分%之_", "_"],
)
def test_gram_search_finds_what_contains_finds(org: Any, query: str) -> None:
    """Also a query with LIKE's wildcards, which are matched literally (strpos on PostgreSQL)."""
    made = _people(org)
    ours = Person.objects.filter(pk__in=[p.pk for p in made])
    expected = {p.name for p in made if search_key(query) in search_key(p.name)}
    assert set(search.contains(ours, query).values_list("name", flat=True)) == expected


def test_query_grams() -> None:
    assert search.query_grams("侨") == ["侨"]
    assert search.query_grams("侨联") == ["侨联"]
    assert search.query_grams("华侨联合") == ["侨联", "华侨", "联合"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "index"),
    [(Person, "person_search_grams_idx"), (Task, "task_search_grams_idx")],
)
@pytest.mark.parametrize("query", ["侨", "侨联", "侨联合会"])
def test_postgresql_serves_the_search_from_the_gram_index(
    org: Any, model: Any, index: str, query: str
) -> None:
    with connection.cursor() as cursor:
        # a tiny table: without these the planner may as well walk another index
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        qs = search.contains(model.objects.order_by(), query, index=index)
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


@pytest.mark.parametrize("query", ["侨", "僑", "侨联", "僑聯", "华侨联", "侨联合", "联侨丙", "无"])
def test_search_through_the_index_finds_what_contains_finds(org: Any, query: str) -> None:
    made = _people(org)
    ours = Person.objects.filter(pk__in=[p.pk for p in made])
    expected = {p.name for p in made if search_key(query) in search_key(p.name)}
    found = search.contains(ours, query, index="person_search_grams_idx")
    assert set(found.values_list("name", flat=True)) == expected


def test_index_grams_keeps_the_rare_ones_within_the_row_budget() -> None:
    frequencies = {"侨": 0.97, "华侨": 0.5, "侨联": 0.3, "联合": 0.01}
    # a rare gram: the index, with the rare grams only (the common ones narrow little)
    assert search.index_grams(["侨联", "华侨", "联合"], 1_000_000, frequencies) == ["联合"]
    # an unlisted gram is rare
    assert search.index_grams(["侨眷", "归侨"], 1_000_000, frequencies) == ["侨眷", "归侨"]
    # every gram common and the table large: no index (the ordered scan stops at the page)
    assert search.index_grams(["侨联", "华侨"], 1_000_000, frequencies) == []
    # ... but a small table: the rarest only
    assert search.index_grams(["侨联", "华侨"], 60_000, frequencies) == ["侨联"]
