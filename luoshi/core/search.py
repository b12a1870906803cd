"""Text search at size: the `search_text` filter of people, the ledger and every later list.

Every searchable row keeps `search_text`, its text folded to Simplified script and lower case
(luoshi.core.text.search_key), and a query is folded the same way (fold_query), so 侨联 finds
僑聯 and back. What is asked is "contains": `search_text LIKE '%…%'`. Unindexed, that is a
sequential scan of the table, twice (the count and the page): 11–21 ms at 60,000 people,
420 ms for a rare term at 1,000,000 tasks.

The choice (PostgreSQL). Queries are mostly one to four Chinese characters. A trigram index
(pg_trgm) cannot serve a query shorter than three characters — and 侨 or 侨联 is the common
case; PostgreSQL's full text has no Chinese parser (zhparser and friends are extensions we do
not want to depend on) and its default parser glues a run of Han characters into one word. So
the index is a GIN over the set of the text's single characters and bigrams, computed by an
immutable SQL function, `luoshi_grams(search_text)` (created by core's migration
0010_search_grams; each app's migration builds the expression index on its table):

- a query of one or two characters is one gram: `luoshi_grams(search_text) @> '{侨联}'`, exact;
- a longer query is the set of its bigrams, all of which a match must contain
  (`@> '{华侨, 侨联, 联合}'`); the index narrows to the rows with all of them and the
  `LIKE '%华侨联合%'` beside it rechecks the order (the bigrams can occur apart);
- the index is used only when the query's rarest gram is expected in few rows (INDEX_ROWS:
  its share of the rows by the index's statistics, times the table's estimated rows), and then
  with its rare grams only (a common gram's posting list is long and narrows little); else the
  LIKE alone. Through the index every match is fetched and rechecked before the first page
  (6.8 s for 侨, in 97 % of the rows, at 100,000 tasks, measured), whereas the list's ordered
  scan with the LIKE stops after a page and the ledger's count at its cap (10,000). The cost of
  the index path grows with the matches (share × rows), that of the ordered scan with the
  count's cap divided by the share, so the line between them falls as the table grows: a fixed
  share (20 %, the earlier rule) sent a mid-frequency term such as 侨联 at a million tasks to
  fetch a hundred thousand rows. The row budget keeps the 20 % line at 100,000 rows and draws
  it at 2 % at 1,000,000;
- the LIKE stays beside the gram condition even when the gram is exact (one or two
  characters), as the cheap filter of an ordered scan: the planner still walks the list's
  order when the matches are many, and the gram function per row costs far more (people q=王
  at 60,000 people: 57 ms for the page without the LIKE, 0.7 ms with it, measured).

The grams are computed from `search_text` by the database itself, so every path that writes
the column (a service's save, a bulk_create of an import, a queryset update) keeps the index
right with no second column to maintain. The cost is the index's size and write time (a task's
goal and measures are long: its grams number in the hundreds); the tick writes few rows now, so
the ledger's writes are few. Measured figures: docs/performance.md.

SQLite (tests, small installs) keeps the plain scan: the function and the indexes exist only
on PostgreSQL, and `contains` adds the gram filter only there.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import F, Func, QuerySet

from .text import fold_query

M = TypeVar("M", bound=models.Model)

GRAMS_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION luoshi_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS grams
$$
"""


def query_grams(key: str) -> list[str]:
    """The grams a row's text must all contain to contain `key` (folded): `key` itself when it
    has one or two characters, else its bigrams."""
    if len(key) <= 2:
        return [key]
    return sorted({key[i : i + 2] for i in range(len(key) - 1)})


class GramsContain(Func):
    """`luoshi_grams(<field>) @> <grams>` (PostgreSQL): served by the GIN expression index."""

    output_field = models.BooleanField()

    def __init__(self, field: str, grams: list[str]) -> None:
        super().__init__(F(field))
        self.grams = grams

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"luoshi_grams({sql}) @> %s::text[]", [*params, self.grams]


class Position(Func):
    """`strpos(<field>, <key>) > 0` (PostgreSQL): "contains" as a substring search. The same
    rows as `LIKE '%key%'` (the key is matched literally: no wildcard to escape), found about a
    third faster per row on the long texts of the ledger (the count of 归侨侨眷 up to 1,001 at
    1,000,000 tasks: 11–14 ms against 16–18 ms, measured), because PostgreSQL searches a
    substring with a skip table where LIKE steps through the pattern character by character.
    Its selectivity is unknown to the planner (it is a function), so the gram condition beside it
    (when used) is what the planner estimates by; an ordered list scan filters by it cheaply."""

    output_field = models.BooleanField()

    def __init__(self, field: str, key: str) -> None:
        super().__init__(F(field))
        self.key = key

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strpos({sql}, %s) > 0", [*params, self.key]


# A gram in more than this share of the rows is "common": its posting list is long and narrows
# little, so it is left out of the index condition (the LIKE rechecks it anyway).
COMMON = 0.2
# The index is used when the rarest gram of the query is expected in at most this many rows
# (its share, from the index's statistics, times the table's rows): every one of them is
# fetched and rechecked before the first page, whereas the list's ordered scan with the LIKE
# stops after a page and the count at its cap. Measured at 100,000 tasks: 侨 (97 %) 6.8 s
# through the index, 28 ms without; 归侨侨眷 (bigrams in 6 %) 106 ms through it, 292 ms
# without. The budget keeps the old 20 % line at 100,000 rows and tightens it as the table
# grows (2 % at 1,000,000), where a mid-frequency gram's matches number in the hundred thousands.
INDEX_ROWS = 20_000
_STATS_SECONDS = 600.0
_FREQUENCIES: dict[tuple[str, str], tuple[float, float, dict[str, float]]] = {}


def gram_statistics(using: str, index: str) -> tuple[float, dict[str, float]]:
    """The table's estimated rows and the share of rows holding each of the index's most
    common grams, from PostgreSQL's statistics (pg_class.reltuples and the expression index's
    pg_stats, kept by ANALYZE), read at most every ten minutes per process; a gram not listed
    is rare."""
    now = time.monotonic()
    cached = _FREQUENCIES.get((using, index))
    if cached is not None and now - cached[0] < _STATS_SECONDS:
        return cached[1], cached[2]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT e, f FROM pg_stats, unnest(most_common_elems::text::text[], "
            "most_common_elem_freqs) AS u(e, f) WHERE tablename = %s AND e IS NOT NULL",
            [index],
        )
        found = {row[0]: float(row[1]) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT t.reltuples FROM pg_class ix JOIN pg_index i ON i.indexrelid = ix.oid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE ix.relname = %s",
            [index],
        )
        row = cursor.fetchone()
    rows = max(float(row[0]), 0.0) if row else 0.0
    _FREQUENCIES[(using, index)] = (now, rows, found)
    return rows, found


def gram_frequencies(using: str, index: str) -> dict[str, float]:
    """The share of rows holding each of the index's most common grams (gram_statistics)."""
    return gram_statistics(using, index)[1]


def index_grams(grams: list[str], rows: float, frequencies: dict[str, float]) -> list[str]:
    """The grams worth an index lookup: none when even the rarest is expected in more than
    INDEX_ROWS rows (the ordered scan is cheaper), else the rarest and every other rare one."""
    rarest = min(frequencies.get(g, 0.0) for g in grams)
    if rarest * rows > INDEX_ROWS:
        return []
    rare = [g for g in grams if frequencies.get(g, 0.0) < COMMON]
    return rare or [min(grams, key=lambda g: frequencies.get(g, 0.0))]


def contains(
    qs: QuerySet[M], query: str, *, field: str = "search_text", index: str = ""
) -> QuerySet[M]:
    """The rows of `qs` whose folded `field` contains the folded `query` (both scripts); on
    PostgreSQL also through the gram index `index` when its rarest gram is rare enough (see
    INDEX_ROWS), else the LIKE alone, which lets the ordered scan stop at the page. The LIKE
    stays beside the gram condition even where the gram is exact (one or two characters): it is
    the cheap filter when the planner still walks the list's order (the gram function per row
    is not: 57 ms against 0.7 ms for people q=王 at 60,000 people, measured)."""
    key = fold_query(query)
    if not key:
        return qs
    if connections[qs.db].vendor != "postgresql":
        return qs.filter(**{f"{field}__contains": key})
    qs = qs.filter(Position(field, key))
    if index:
        grams = query_grams(key)
        rows, frequencies = gram_statistics(qs.db, index)
        chosen = index_grams(grams, rows, frequencies)
        if chosen:
            qs = qs.filter(GramsContain(field, chosen))
    return qs


def create_gram_index(
    schema_editor: Any, table: str, name: str, column: str = "search_text"
) -> None:
    """For a migration (RunPython): the GIN index of `table`'s grams, on PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} "
        f"USING gin (luoshi_grams({quote(column)}))"
    )


def drop_gram_index(schema_editor: Any, name: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
