"""The working-day calendar's pages, for the system administrator (everyone else: not found).

A year as twelve month grids (each kind of day told apart by colour and by a word), the coverage
banner, a form to change one day, adding a year, confirming a year complete, filling years from
the chinesecalendar package, and a CSV import in the three steps of luoshi.core.importflow on one
URL (upload → preview → commit, all or nothing).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from luoshi.core import calendar as services
from luoshi.core import importflow
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.forms import StyledFormMixin
from luoshi.core.models import CalendarDay, CalendarYear
from luoshi.core.workdays import year_runs

from ..permissions import can_manage_org

Kind = CalendarDay.Kind

SESSION_KEY = "core_calendar_import"
UPLOAD_PURPOSE = "calendar_csv"
NOTICE_FROM_MONTH = 11  # from 1 November, next year's missing arrangement is flagged


def can_edit_calendar(user: Any) -> bool:
    """The system administrator's check."""
    return can_manage_org(user)


def _require(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise NotFound()


# --- how a day looks ----------------------------------------------------------------------------

# Colour (Bootstrap utilities, so the page reads without calendar.css) AND a word for each kind.
_KIND_CSS: dict[str, str] = {
    Kind.WORKDAY: "ls-cal-workday",
    Kind.WEEKEND: "ls-cal-weekend bg-body-secondary text-body-secondary",
    Kind.HOLIDAY: "ls-cal-holiday bg-danger-subtle text-danger-emphasis",
    Kind.MAKEUP: "ls-cal-makeup bg-warning-subtle text-warning-emphasis",
}


def kind_mark(kind: str) -> str:
    """The short word printed in a day's cell (none for an ordinary working day)."""
    if kind == Kind.HOLIDAY:
        # Translators: a holiday's mark in a small calendar cell; Chinese calendars print 休.
        return pgettext("calendar mark", "off")
    if kind == Kind.MAKEUP:
        # Translators: a make-up working day's mark in a small calendar cell; Chinese
        # calendars print 班.
        return pgettext("calendar mark", "work")
    if kind == Kind.WEEKEND:
        # Translators: a weekend day's mark in a small calendar cell (e.g. 末).
        return pgettext("calendar mark", "wkd")
    return ""


@dataclass(frozen=True)
class Cell:
    date: dt.date
    kind: str
    name: str
    stored: bool

    @property
    def css(self) -> str:
        return _KIND_CSS.get(self.kind, "")

    @property
    def mark(self) -> str:
        return kind_mark(self.kind)

    @property
    def kind_label(self) -> str:
        return str(CalendarDay.Kind(self.kind).label)

    @property
    def label(self) -> str:
        parts = [date_format(self.date, "DATE_FORMAT"), self.kind_label]
        if self.name:
            parts.append(self.name)
        return " · ".join(parts)

    @property
    def iso(self) -> str:
        return self.date.isoformat()


@dataclass(frozen=True)
class Month:
    number: int
    name: str
    weeks: list[list[Cell | None]]


def _months(year: int, days: dict[dt.date, CalendarDay]) -> list[Month]:
    grid = pycalendar.Calendar(firstweekday=0)  # weeks start on Monday, as in China
    months = []
    for number in range(1, 13):
        weeks: list[list[Cell | None]] = []
        for week in grid.monthdatescalendar(year, number):
            row: list[Cell | None] = []
            for day in week:
                if day.month != number:
                    row.append(None)
                    continue
                stored = days.get(day)
                if stored is not None:
                    row.append(Cell(day, stored.kind, stored.name, True))
                else:
                    kind = Kind.WEEKEND if day.weekday() >= 5 else Kind.WORKDAY
                    row.append(Cell(day, kind, "", False))
            weeks.append(row)
        months.append(Month(number, str(MONTHS[number]), weeks))
    return months


# --- the coverage banner ------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    level: str  # a Bootstrap alert colour
    text: str


def _years_text(years: list[int] | frozenset[int]) -> str:
    return _(", ").join(f"{a}–{b}" if a != b else str(a) for a, b in year_runs(years))


def coverage_notices(years: dict[int, bool], today: dt.date) -> list[Notice]:
    """What the banner says: the covered years, the years not confirmed, and a warning when this
    year — or, from 1 November, next year — is not covered."""
    covered = frozenset(y for y, ok in years.items() if ok)
    pending = sorted(y for y, ok in years.items() if not ok)
    notices = []
    if covered:
        notices.append(
            Notice("info", _("The calendar covers %(years)s.") % {"years": _years_text(covered)})
        )
    else:
        notices.append(Notice("danger", _("The calendar covers no year yet.")))
    if pending:
        notices.append(
            Notice(
                "warning",
                _(
                    "Not yet confirmed complete: %(years)s. Enter the holidays and make-up "
                    "working days, then mark the year complete."
                )
                % {"years": _years_text(pending)},
            )
        )
    if today.year not in covered:
        notices.append(
            Notice(
                "danger",
                _(
                    "This year (%(year)d) is not covered: deadlines count Monday to Friday and "
                    "carry a warning."
                )
                % {"year": today.year},
            )
        )
    if today.month >= NOTICE_FROM_MONTH and today.year + 1 not in covered:
        notices.append(
            Notice(
                "warning",
                _(
                    "Next year (%(year)d) is not covered yet. Once the State Council publishes "
                    "its holiday arrangement, add the year and enter its holidays and make-up "
                    "working days, or import them from a CSV file."
                )
                % {"year": today.year + 1},
            )
        )
    return notices


# --- forms --------------------------------------------------------------------------------------


class YearAddForm(StyledFormMixin, forms.Form):
    compact = True
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=services.MIN_YEAR, max_value=services.MAX_YEAR
    )


class DayForm(StyledFormMixin, forms.Form):
    setting = forms.ChoiceField(
        label=gettext_lazy("The day is"),
        choices=[
            (services.SET_NORMAL, gettext_lazy("Normal (Monday to Friday work)")),
            (services.SET_HOLIDAY, gettext_lazy("Holiday")),
            (services.SET_MAKEUP, gettext_lazy("Make-up working day (调休上班)")),
        ],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=services.NAME_MAX,
        help_text=gettext_lazy("The holiday's name, e.g. 国庆节 (also for its make-up days)."),
    )

    def __init__(self, *args: Any, day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day = day
        self.fields["setting"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        setting = data.get("setting")
        if setting:
            problem = services.setting_problem(self.day, setting, data.get("name") or "")
            if problem:
                self.add_error("setting", problem)
        return data


class ImportForm(forms.Form):
    file = importflow.file_field(
        gettext_lazy("CSV file"),
        accept=".csv,text/csv",
        help_id="calendar-file-help",
        autofocus=False,
    )
    mark_covered = forms.BooleanField(
        label=gettext_lazy(
            "The file holds the complete arrangement of its years: mark them complete"
        ),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


# --- the calendar page --------------------------------------------------------------------------


def _year_param(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        return default
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else default


def _calendar_url(year: int, anchor: str = "") -> str:
    return f"{reverse('core:calendar')}?year={year}{'#' + anchor if anchor else ''}"


def _calendar_page(
    request: HttpRequest, year: int, *, add_form: YearAddForm | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    years = dict(CalendarYear.objects.values_list("year", "covered"))
    year_row = CalendarYear.objects.select_related("updated_by").filter(year=year).first()
    days = {
        row.date: row
        for row in CalendarDay.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).only("date", "kind", "name")
    }
    exceptions = [
        Cell(d, row.kind, row.name, True)
        for d, row in sorted(days.items())
        if row.kind in (Kind.HOLIDAY, Kind.MAKEUP)
    ]
    missing = [y for y in range(today.year, today.year + 2) if y not in years]
    if add_form is None:
        suggested = missing[0] if missing else max(years, default=today.year) + 1
        add_form = YearAddForm(initial={"year": suggested})
    context = {
        "year": year,
        "year_row": year_row,
        "prev_year": year - 1 if year > services.MIN_YEAR else None,
        "next_year": year + 1 if year < services.MAX_YEAR else None,
        "months": _months(year, days) if days else [],
        "weekdays": [str(WEEKDAYS_ABBR[i]) for i in range(7)],
        "exceptions": exceptions,
        "counts": {
            "working": sum(1 for r in days.values() if r.kind in CalendarDay.WORKING_KINDS),
            "holiday": sum(1 for r in days.values() if r.kind == Kind.HOLIDAY),
            "makeup": sum(1 for r in days.values() if r.kind == Kind.MAKEUP),
        },
        "notices": coverage_notices(years, today),
        "years": sorted(years),
        "add_form": add_form,
        "legend": [
            Cell(today, kind, "", True)
            for kind in (Kind.WORKDAY, Kind.WEEKEND, Kind.HOLIDAY, Kind.MAKEUP)
        ],
        "nav_current": "core:calendar",
    }
    return render(request, "core/calendar.html", context, status=status)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    _require(request)
    return _calendar_page(request, _year_param(request, timezone.localdate().year))


@login_required
@require_POST
def calendar_year_add(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = YearAddForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            row = services.calendar_year_add(actor=request.user, can_edit=True, year=year)
        except InvalidInput as exc:
            form.add_error("year", str(exc.message))
        else:
            if row.covered:
                messages.success(
                    request,
                    _("%(year)d was added from the chinesecalendar package and is complete.")
                    % {"year": year},
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(year)d was added with Monday to Friday as working days. Enter its "
                        "holidays and make-up working days, then mark the year complete."
                    )
                    % {"year": year},
                )
            return redirect(_calendar_url(year))
    shown = form.data.get("year")
    year = int(shown) if isinstance(shown, str) and shown.isdigit() else timezone.localdate().year
    if not services.MIN_YEAR <= year <= services.MAX_YEAR:
        year = timezone.localdate().year
    return _calendar_page(request, year, add_form=form, status=422)


@login_required
@require_POST
def calendar_year_coverage(request: HttpRequest, year: int) -> HttpResponse:
    _require(request)
    covered = request.POST.get("covered") == "1"
    try:
        services.calendar_year_set_covered(
            actor=request.user, can_edit=True, year=year, covered=covered
        )
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        if covered:
            messages.success(request, _("%(year)d is marked complete.") % {"year": year})
        else:
            messages.warning(
                request,
                _("%(year)d is no longer marked complete: deadlines in it carry a warning.")
                % {"year": year},
            )
    return redirect(_calendar_url(year))


@login_required
@require_POST
def calendar_seed(request: HttpRequest) -> HttpResponse:
    _require(request)
    added = services.calendar_seed_from_package(actor=request.user, can_edit=True)
    if added:
        messages.success(
            request,
            _("Added from the chinesecalendar package: %(years)s.") % {"years": _years_text(added)},
        )
    else:
        messages.info(
            request, _("The chinesecalendar package knows no year that the calendar lacks.")
        )
    return redirect(_calendar_url(_year_param(request, timezone.localdate().year)))


# --- one day ------------------------------------------------------------------------------------


@login_required
def calendar_day(request: HttpRequest, day: str) -> HttpResponse:
    _require(request)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound() from None
    if not services.MIN_YEAR <= date.year <= services.MAX_YEAR:
        raise NotFound()
    row = CalendarDay.objects.filter(date=date).first()
    status = 200
    if request.method == "POST":
        form = DayForm(request.POST, day=date)
        if form.is_valid():
            try:
                services.calendar_day_set(
                    actor=request.user,
                    can_edit=True,
                    day=date,
                    setting=form.cleaned_data["setting"],
                    name=form.cleaned_data["name"],
                )
            except InvalidInput as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("%(date)s is saved.") % {"date": date_format(date, "DATE_FORMAT")},
                )
                return redirect(_calendar_url(date.year, f"m{date.month}"))
        status = 422
    else:
        setting = services.SET_NORMAL
        if row is not None and row.kind == Kind.HOLIDAY:
            setting = services.SET_HOLIDAY
        elif row is not None and row.kind == Kind.MAKEUP:
            setting = services.SET_MAKEUP
        form = DayForm(initial={"setting": setting, "name": row.name if row else ""}, day=date)
    context = {
        "day": date,
        "row": row,
        "cell": Cell(
            date,
            row.kind if row else (Kind.WEEKEND if date.weekday() >= 5 else Kind.WORKDAY),
            row.name if row else "",
            row is not None,
        ),
        "year_held": CalendarYear.objects.filter(year=date.year).exists(),
        "form": form,
        "nav_current": "core:calendar",
    }
    return render(request, "core/calendar_day.html", context, status=status)


# --- CSV import ---------------------------------------------------------------------------------


def _import_flow(request: HttpRequest) -> importflow.ImportFlow:
    return importflow.ImportFlow(
        request,
        purpose=UPLOAD_PURPOSE,
        url=reverse("core:calendar_import"),
        session_key=SESSION_KEY,
    )


@login_required
def calendar_import(request: HttpRequest) -> HttpResponse:
    _require(request)
    flow = _import_flow(request)
    return flow.route(
        upload=lambda: _import_upload(flow),
        preview=lambda pending, data: _import_preview(flow, pending, data),
        commit=lambda pending, data: _import_commit(flow, pending, data),
        form=lambda: _import_form(flow, ImportForm()),
    )


def _import_form(flow: importflow.ImportFlow, form: ImportForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "max_kb": services.IMPORT_MAX_BYTES // 1024,
        "kind_words": services.KIND_WORDS,
        "nav_current": "core:calendar",
    }
    return flow.render("core/calendar_import.html", context, status=status)


def _import_upload(flow: importflow.ImportFlow) -> HttpResponse:
    form = ImportForm(flow.request.POST, flow.request.FILES)
    covered = form.is_valid() and bool(form.cleaned_data["mark_covered"])
    received = flow.receive(
        form,
        default_name="calendar.csv",
        max_bytes=services.IMPORT_MAX_BYTES,
        name_max=200,
        covered=covered,
    )
    if not received:
        return _import_form(flow, form, status=422)
    return flow.redirect("preview")


def _import_preview(
    flow: importflow.ImportFlow, pending: dict[str, Any], data: bytes
) -> HttpResponse:
    plan = services.calendar_import_plan(data)
    context = {
        "pending": pending,
        "plan": plan,
        "nav_current": "core:calendar",
    }
    return flow.render("core/calendar_import_preview.html", context)


def _import_commit(
    flow: importflow.ImportFlow, pending: dict[str, Any], data: bytes
) -> HttpResponse:
    name = pending["name"]
    result = services.calendar_import(
        actor=flow.request.user,
        can_edit=True,
        data=data,
        file_name=name,
        mark_covered=bool(pending.get("covered")),
    )
    flow.forget()
    request = flow.request
    messages.success(
        request,
        _(
            "%(name)s was imported. Days changed: %(changed)d; days already as listed: "
            "%(unchanged)d."
        )
        % {"name": name, "changed": result.changed, "unchanged": result.unchanged},
    )
    if result.covered_years:
        messages.info(
            request,
            _("Marked complete: %(years)s.") % {"years": _years_text(result.covered_years)},
        )
    return redirect(_calendar_url(result.years[0] if result.years else timezone.localdate().year))
