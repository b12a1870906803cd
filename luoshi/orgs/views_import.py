"""Import and export of units and people in the layout of org-people.xlsx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from luoshi.core.errors import NotFound


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    raise NotFound()


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    raise NotFound()
