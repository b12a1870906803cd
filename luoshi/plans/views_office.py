"""The office's pages: its agency's list of the categories tasks are tagged with, and the
overview of missing and late progress reports per lead unit and period (with drill-down and an
xlsx export)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.paging import paginate
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import OrgUnit

from . import dashboard, reporting, selectors, services_categories
from . import permissions as perms
from .forms import CategoryForm, CategoryRenameForm, ReportOverviewForm
from .models import Category, Task
from .views import _submit

# --- categories -------------------------------------------------------------------------------


def _categories_page(
    request: HttpRequest,
    agency: OrgUnit,
    *,
    form: CategoryForm | None = None,
    rename: tuple[int, CategoryRenameForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "1"
    categories = services_categories.agency_categories(
        agency, include_inactive=show_inactive, with_counts=True
    )
    return render(
        request,
        "plans/categories.html",
        {
            "agency": agency,
            "page_obj": paginate(request, categories),
            "show_inactive": show_inactive,
            "inactive_count": Category.objects.filter(agency=agency, is_active=False).count(),
            "form": form or CategoryForm(),
            "rename_pk": rename[0] if rename else None,
            "rename_form": rename[1] if rename else None,
        },
        status=status,
    )


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    """The office keeps its own agency's list: add, rename, reorder, deactivate, reactivate and
    remove (others, and other agencies' categories: 404)."""
    user = request.user
    agency = services_categories.office_agency(user)
    if request.method != "POST":
        return _categories_page(request, agency)
    action = request.POST.get("action", "")
    if action == "create":
        form = CategoryForm(request.POST)
        ok, _category = _submit(
            request,
            form,
            lambda d: services_categories.category_create(
                actor=user, agency=agency, name=d["name"]
            ),
            _("The category was added."),
        )
        if not ok:
            return _categories_page(request, agency, form=form, status=422)
        return redirect(_back(request))
    category = services_categories.access_category(user, request.POST.get("pk"))
    if action == "rename":
        rename_form = CategoryRenameForm(request.POST)
        ok, _category = _submit(
            request,
            rename_form,
            lambda d: services_categories.category_rename(
                actor=user, category=category, name=d["name"], version=d["version"]
            ),
            _("The category was renamed."),
        )
        if not ok:
            return _categories_page(request, agency, rename=(category.pk, rename_form), status=422)
    elif action in {"up", "down"}:
        services_categories.category_move(
            actor=user,
            category=category,
            step=-1 if action == "up" else 1,
            among_active=request.GET.get("inactive") != "1",
        )
    elif action in {"deactivate", "reactivate", "delete"}:
        done = {
            "deactivate": _("The category was deactivated: its tasks keep it."),
            "reactivate": _("The category was reactivated."),
            "delete": _("The category was removed."),
        }[action]
        version = _int(request.POST.get("version"))
        try:
            if action == "delete":
                services_categories.category_delete(actor=user, category=category)
            elif action == "deactivate":
                services_categories.category_deactivate(
                    actor=user, category=category, version=version
                )
            else:
                services_categories.category_reactivate(
                    actor=user, category=category, version=version
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done)
    else:
        raise NotFound()
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """The page as it was (its page number and the show-inactive toggle)."""
    return f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- the report overview ----------------------------------------------------------------------


def _overview_request(
    request: HttpRequest,
) -> tuple[ReportOverviewForm, reporting.OverviewFilter, list[dt.date], dt.date]:
    """The overview's filter from the query string; the periods it shows (newest first)."""
    user = request.user
    if not perms.can_view_report_overview(user):
        raise NotFound()
    today = timezone.localdate()
    units = list(org_selectors.units_visible(user).order_by("path"))
    plans = selectors.plans_visible(user).order_by("-year", "agency__path")
    # Without a plan in the query, the latest plan in the viewer's scope, as on the dashboard
    # (an empty choice is "all plans": at national scale that counts a million tasks).
    data = request.GET.copy() if request.GET else None
    if "plan" not in request.GET:
        latest = dashboard.default_plan(user)
        if latest is not None:
            data = data if data is not None else QueryDict(mutable=True)
            data["plan"] = str(latest.pk)
    form = ReportOverviewForm(data, plans=plans, units=units)
    f = reporting.OverviewFilter()
    chosen: dt.date | None = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        f.cadence = d["cadence"] or Task.Cadence.MONTHLY
        f.plan = d["plan"]
        f.unit = form.units.get(d["lead_unit"]) if d["lead_unit"] else None
        chosen = d["period"]
    elif form.is_bound:  # the errors are shown; the figures are the default view's, not all plans
        f.plan = dashboard.default_plan(user)
    year = f.plan.year if f.plan is not None else today.year
    first, last = dt.date(year, 1, 1), min(today, dt.date(year, 12, 31))
    periods = reporting.periods_between(f.cadence, first, last) if first <= last else []
    form.set_periods([(p.isoformat(), reporting.period_label(f.cadence, p)) for p in periods])
    if chosen is not None:
        start = reporting.parse_period(f.cadence, chosen.isoformat())
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
    overview = reporting.report_overview(request.user, f, today=today)
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
    start = reporting.parse_period(f.cadence, request.GET.get("period", ""))
    state = request.GET.get("state", reporting.EXPECTED)
    if unit_id is None or start is None or state not in reporting.STATES:
        raise NotFound()
    unit = org_selectors.units_visible(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    tasks = reporting.overview_tasks(
        request.user, f, unit_id=unit_id, start=start, state=state, today=today
    )
    return render(
        request,
        "plans/report_overview_tasks.html",
        {
            "form": form,
            "unit": unit,
            "period_label": reporting.period_label(f.cadence, start),
            "state_label": reporting.STATE_LABELS[state],
            "page_obj": paginate(request, tasks),
            "back_query": _query(request, "unit", "period", "state"),
        },
    )


@login_required
@require_safe
def report_overview_xlsx(request: HttpRequest) -> FileResponse:
    _form, f, _periods, today = _overview_request(request)
    overview = reporting.report_overview(request.user, f, today=today)
    handle = reporting.overview_xlsx(overview)
    reporting.overview_export_record(actor=request.user, f=f, rows=len(overview.rows))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"进度报告报送情况-{today:%Y%m%d}.xlsx",
        content_type=reporting.XLSX,
    )
