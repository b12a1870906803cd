from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Page:
    """A page of `items` from ?page=N; out-of-range and junk numbers fall back to a valid page."""
    paginator = Paginator(items, per_page or settings.LUOSHI_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
