"""Reads of the annual summaries, scoped to the viewer, in a fixed number of queries.

Public interface for the meetings app (stable; change it only together with luoshi.meetings):
- `accepted_summaries(agency, year)` — the accepted UnitSummary objects of the agency's round
  of that year, with `unit` (and `round`, the citations) loaded, in unit order; [] without a
  round.
- `luoshi.summaries.exports.summary_docx(summary) -> bytes` — one unit's summary as a Word
  document in the official layout.
- `UnitSummary.text_sections()` — [(heading, text), ...] for 主要工作和成效 / 存在问题 /
  明年工作打算, with the figures written out.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from luoshi.orgs.models import OrgUnit

from . import permissions as perms
from .models import SummaryRound, UnitSummary

S = UnitSummary.Status


def accepted_summaries(agency: OrgUnit, year: int) -> list[UnitSummary]:
    """The accepted summaries of the agency's round for `year`, in unit order (two queries)."""
    return list(
        UnitSummary.objects.filter(round__agency=agency, round__year=year, status=S.ACCEPTED)
        .select_related("unit", "round__agency")
        .prefetch_related("citations")
        .order_by("unit_path", "id")
    )


def summaries_for(user: Any, *, round_id: int | None = None) -> QuerySet[UnitSummary]:
    """The summaries the user may see (newest round first, then in unit order), with the unit and
    the round loaded: one query whatever their number."""
    qs = (
        perms.summaries_visible(user)
        .select_related("unit", "round__agency")
        .order_by("-round__year", "round_id", "unit_path", "id")
    )
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    return qs


def rounds_for(user: Any) -> QuerySet[SummaryRound]:
    """The rounds the user may see, with how many of their summaries are in each state (one
    query)."""
    return (
        perms.rounds_visible(user)
        .annotate(
            n_units=Count("summaries", distinct=True),
            n_accepted=Count("summaries", filter=Q(summaries__status=S.ACCEPTED), distinct=True),
        )
        .order_by("-year", "-id")
    )


def round_progress(summaries: list[UnitSummary]) -> dict[str, int]:
    counts = {s: 0 for s in S.values}
    for summary in summaries:
        counts[summary.status] += 1
    return counts
