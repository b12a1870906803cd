"""Cross-cutting pages: the audit log for the audit administrator."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from luoshi.core.errors import NotFound


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    raise NotFound()


@login_required
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    raise NotFound()
