"""Downloads of plans and tasks: the breakdown table (xlsx, docx), the monthly progress
compilation (docx) and the ledger (xlsx).

A plan must be visible to the viewer (not-found otherwise); the tasks in every file come from the
selectors, so a file holds only what its viewer may see. Each download is recorded in the audit
log (documents.exporters.export_record) and streamed from a temporary file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from luoshi.core.errors import InvalidInput, NotFound
from luoshi.documents import background
from luoshi.documents.exporters import Exporter, export_record, export_response
from luoshi.orgs.permissions import scope_for

from .. import permissions as perms
from ..exports.breakdown import BreakdownDocx, BreakdownXlsx
from ..exports.ledger import LedgerXlsx
from ..exports.reports import ProgressDocx, parse_month
from ..selectors.ledger import TaskFilter
from .ledger import ledger_filter


def _send(request: HttpRequest, exporter: Exporter) -> HttpResponseBase:
    export = exporter.render()
    export_record(actor=request.user, export=export)
    return export_response(export)


@login_required
@require_safe
def breakdown_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = perms.access_plan(request.user, pk)
    return _send(request, BreakdownXlsx(request.user, plan))


@login_required
@require_safe
def breakdown_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    plan = perms.access_plan(request.user, pk)
    return _send(request, BreakdownDocx(request.user, plan))


@login_required
@require_safe
def progress_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """?month=YYYY-MM (default: the current month)."""
    plan = perms.access_plan(request.user, pk)
    try:
        month = parse_month(request.GET.get("month"))
    except ValueError:
        raise InvalidInput(
            _("Give the month as year and month, for example 2024-06."),
            details=[{"field": "month", "message": _("Not a month.")}],
        ) from None
    return _send(request, ProgressDocx(request.user, plan, month))


def _ledger_filter(request: HttpRequest) -> TaskFilter:
    """The ledger page's filters, read from the query string the same way."""
    return ledger_filter(request)


@login_required
@require_safe
def ledger_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The ledger with the filters of the ledger page (the same query string)."""
    if scope_for(request.user).is_empty:
        raise NotFound()
    exporter = LedgerXlsx(request.user, _ledger_filter(request))
    if background.wants_background(exporter):  # tens of thousands of rows: not in the request
        job = background.start(request.user, exporter)
        return redirect("documents:export", pk=job.pk)
    return _send(request, exporter)
