"""Read-only views of news items built for a page or the API, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import NewsItem


def filter_items(qs: QuerySet[NewsItem], *, q: str = "", status: str = "") -> QuerySet[NewsItem]:
    """Items narrowed by a part of the title, subtitle or authors and by status (empty or
    unknown: not narrowed); the desk's list and the API share it."""
    q = q.strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(subtitle__icontains=q) | Q(authors__icontains=q))
    if status in NewsItem.Status.values:
        qs = qs.filter(status=status)
    return qs
