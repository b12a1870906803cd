"""Gap-free numbered series (督办〔2025〕12号, 催办〔2025〕3号, certificates, decisions, minutes).

One series per agency, year and kind of number (`luoshi.core.models.NumberSeries`). The one
call is `next_number(agency_id=..., year=..., kind=...)`: it runs inside the caller's
transaction and locks the series row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's immediate
transactions serialise writers), so numbers are

- consecutive and never reused: each call answers the last number given plus one;
- without gaps: the number belongs to the caller's transaction, and when that transaction rolls
  back the number rolls back with it;
- without duplicates under concurrency: a second transaction asking for the same series waits
  for the first to commit or roll back.

A series row is created on first use. Kinds are named "<app>.<kind>" (e.g. "supervision.item")
so that apps never share a series by accident. Formatting the number as a document number
(发文字号) is the caller's business: `luoshi.documents.official.document_number`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberSeries


def next_number(*, agency_id: int, year: int, kind: str) -> int:
    """The next number of the agency's series of `kind` for `year`, taken in the caller's
    transaction with the series row locked (see the module docstring)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    rows = NumberSeries.objects.select_for_update().filter(
        agency_id=agency_id, year=year, kind=kind
    )
    series = rows.first()
    if series is None:
        try:
            with transaction.atomic():
                NumberSeries.objects.create(agency_id=agency_id, year=year, kind=kind, last=0)
        except IntegrityError:
            pass  # another transaction created it first; we now wait for its lock below
        series = rows.get()
    NumberSeries.objects.filter(pk=series.pk).update(last=F("last") + 1)
    return series.last + 1
