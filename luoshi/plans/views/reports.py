"""Reports pages: a task's progress report form and the report overview with its drill-down
and export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from luoshi.core.errors import NotFound
from luoshi.core.forms import submit_form
from luoshi.core.importflow import read_upload
from luoshi.core.paging import paginate
from luoshi.orgs import selectors as org_selectors

from .. import permissions as perms
from ..exports.reports import XLSX, overview_xlsx
from ..forms.reports import ReportForm, ReportOverviewForm
from ..models import Task
from ..permissions import plans_visible
from ..rules import parse_period, period_label
from ..selectors import reports as report_selectors
from ..selectors.dashboard import default_plan
from ..services.reports import ReportIn, overview_export_record, report_submit
from .categories import _int
from .ledger import ledger, ledger_filter_form  # noqa: F401  (urls, other modules)
from .tasks import _rerender, _task_context


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = perms.access_task(request.user, pk)
    context = _task_context(request, task)
    perms.require(context["can_report"])
    is_lead = context["report_unit"] == task.lead_unit
    form = ReportForm(
        request.POST,
        request.FILES,
        task=task,
        is_lead=is_lead,
        milestones=context["milestones"],
        indicators=context["indicators"],
    )

    def submit(d: dict[str, Any]) -> Any:
        data = ReportIn(
            text=d["text"],
            percent=d.get("percent"),
            indicator_values={
                ind.pk: d[name] for ind, name in form.indicator_fields if d.get(name) is not None
            },
            milestones_done={
                m.pk: (d[name], d.get(name + "_evidence") or "")
                for m, name in form.milestone_fields
                if d.get(name)
            },
            drop_reason=d.get("drop_reason") or "",
        )
        limit = int(settings.LUOSHI_ATTACHMENT_MAX_BYTES)
        files = [(f.name or "", read_upload(f, max_bytes=limit)) for f in d.get("evidence") or []]
        return report_submit(
            actor=request.user, task=task, unit=context["report_unit"], data=data, files=files
        )

    if submit_form(request, form, submit, _("Your report was submitted."))[0]:
        return redirect("plans:task", pk=task.pk)
    return _rerender(request, task, report_form=form)


def _overview_request(
    request: HttpRequest,
) -> tuple[ReportOverviewForm, report_selectors.OverviewFilter, list[dt.date], dt.date]:
    """The overview's filter from the query string; the periods it shows (newest first)."""
    user = request.user
    if not perms.can_view_report_overview(user):
        raise NotFound()
    today = timezone.localdate()
    units = list(org_selectors.units_visible(user).order_by("path"))
    plans = plans_visible(user).order_by("-year", "agency__path")
    # Without a plan in the query, the latest plan in the viewer's scope, as on the dashboard
    # (an empty choice is "all plans": at national scale that counts a million tasks).
    data = request.GET.copy() if request.GET else None
    if "plan" not in request.GET:
        latest = default_plan(user)
        if latest is not None:
            data = data if data is not None else QueryDict(mutable=True)
            data["plan"] = str(latest.pk)
    form = ReportOverviewForm(data, plans=plans, units=units)
    f = report_selectors.OverviewFilter()
    chosen: dt.date | None = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f.cadence = d["cadence"] or Task.Cadence.MONTHLY
        f.plan = d["plan"]
        f.unit = form.units.get(d["lead_unit"]) if d["lead_unit"] else None
        chosen = d["period"]
    elif form.is_bound:  # the errors are shown; the figures are the default view's, not all plans
        f.plan = default_plan(user)
    year = f.plan.year if f.plan is not None else today.year
    first, last = dt.date(year, 1, 1), min(today, dt.date(year, 12, 31))
    periods = report_selectors.periods_between(f.cadence, first, last) if first <= last else []
    form.set_periods([(p.isoformat(), period_label(f.cadence, p)) for p in periods])
    if chosen is not None:
        start = parse_period(f.cadence, chosen.isoformat())
        f.periods = [start] if start is not None else []
    else:
        f.periods = periods
    return form, f, periods, today


def _query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


@login_required
@require_safe
def report_overview(request: HttpRequest) -> HttpResponse:
    form, f, _periods, today = _overview_request(request)
    overview = report_selectors.report_overview(request.user, f, today=today)
    return render(
        request,
        "plans/report_overview.html",
        {
            "form": form,
            "overview": overview,
            "page_obj": paginate(request, overview.rows),
            "totals": overview.totals,
            "query": _query(request),
            "drill_query": _query(request, "period"),
            "today": today,
        },
    )


@login_required
@require_safe
def report_overview_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks behind one number: ?unit=&period=&state= with the overview's filters."""
    form, f, _periods, today = _overview_request(request)
    unit_id = _int(request.GET.get("unit"))
    start = parse_period(f.cadence, request.GET.get("period", ""))
    state = request.GET.get("state", report_selectors.EXPECTED)
    if unit_id is None or start is None or state not in report_selectors.STATES:
        raise NotFound()
    unit = org_selectors.units_visible(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    tasks = report_selectors.overview_tasks(
        request.user, f, unit_id=unit_id, start=start, state=state, today=today
    )
    return render(
        request,
        "plans/report_overview_tasks.html",
        {
            "form": form,
            "unit": unit,
            "period_label": period_label(f.cadence, start),
            "state_label": report_selectors.STATE_LABELS[state],
            "page_obj": paginate(request, tasks),
            "back_query": _query(request, "unit", "period", "state"),
        },
    )


@login_required
@require_safe
def report_overview_xlsx(request: HttpRequest) -> FileResponse:
    _form, f, _periods, today = _overview_request(request)
    overview = report_selectors.report_overview(request.user, f, today=today)
    handle = overview_xlsx(overview)
    overview_export_record(actor=request.user, f=f, rows=len(overview.rows))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"进度报告报送情况-{today:%Y%m%d}.xlsx",
        content_type=XLSX,
    )
