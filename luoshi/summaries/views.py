"""Pages of the annual summaries: the rounds (list, create, the status of each unit, compile and
the downloads) and a unit's summary (edit with a live character count, submit, review, refresh
stale figures, download). Every write goes through the services (the same as the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import apply_domain_error, submit_form
from luoshi.core.paging import paginate
from luoshi.documents.exporters import export_record, export_response
from luoshi.orgs.permissions import require_business_scope

from . import exports, forms, rules, selectors, services
from . import permissions as perms
from .models import SummaryRound, UnitSummary

S = UnitSummary.Status


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    user = request.user
    unit_id = perms.own_unit_id(user)
    mine = list(selectors.summaries_for(user).filter(unit_id=unit_id)[:10]) if unit_id else []
    waiting = list(
        perms.waiting_for(user).select_related("unit", "round__agency").order_by("unit_path")[:50]
    )
    return render(
        request,
        "summaries/round_list.html",
        {
            "page_obj": paginate(request, selectors.rounds_for(user)),
            "mine": mine,
            "waiting": waiting,
            "can_create": perms.office_agencies(user).exists(),
        },
    )


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    agencies = perms.office_agencies(request.user)
    if not agencies.exists():
        raise NotFound()
    pol = rules.policy()
    today = timezone.localdate()
    form = forms.RoundForm(
        request.POST or None,
        agencies=agencies,
        initial={
            "agency": agencies.first(),
            "year": today.year,
            "due_date": today + dt.timedelta(days=pol.due_days),
            "total_max": pol.total_max,
            "highlights_min": pol.highlights_min,
        },
    )
    if request.method == "POST":
        ok, round_ = submit_form(
            request,
            form,
            lambda d: services.round_create(actor=request.user, **d),
            _("The round is open; every unit's summary was drafted from the year's data."),
        )
        if ok:
            return redirect("summaries:round", pk=round_.pk)
    return render(request, "summaries/round_form.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = perms.access_round(request.user, pk)
    summaries = list(selectors.summaries_for(request.user, round_id=round_.pk))
    office = perms.is_office(request.user, round_.agency)
    return render(
        request,
        "summaries/round_detail.html",
        {
            "round": round_,
            "summaries": summaries,
            "counts": selectors.round_progress(summaries),
            "office": office,
            "n_accepted": sum(1 for s in summaries if s.status == S.ACCEPTED),
        },
    )


@login_required
@require_POST
def round_compile(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = perms.access_round(request.user, pk)
    try:
        plan = services.round_compile(actor=request.user, round_=round_)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Compiled. Next year's work plan is a draft (%(title)s): edit it before approval.")
            % {"title": plan.title},
        )
    return redirect("summaries:round", pk=round_.pk)


def _office_round(request: HttpRequest, pk: int) -> tuple[SummaryRound, list[UnitSummary]]:
    round_ = perms.access_round(request.user, pk)
    if not perms.is_office(request.user, round_.agency):
        raise NotFound()
    summaries = list(services.accepted(round_))
    if not summaries:
        raise NotFound()
    return round_, summaries


@login_required
def round_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    round_, summaries = _office_round(request, pk)
    export = exports.RoundSummaryDocx(request.user, round_, summaries).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


@login_required
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    round_, summaries = _office_round(request, pk)
    export = exports.IndicatorTableXlsx(request.user, round_, summaries).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


# --- a unit's summary -------------------------------------------------------------------------


def _summary(request: HttpRequest, pk: int) -> UnitSummary:
    summary = perms.access_summary(request.user, pk)
    return summary


def _context(
    request: HttpRequest, summary: UnitSummary, form: Any = None, review: Any = None
) -> dict[str, Any]:
    user = request.user
    citations = list(summary.citations.all())
    fresh = services.fresh_figures(summary)
    rows = [
        {"c": c, "fresh": fresh[c.number], "stale": fresh[c.number].value != c.value}
        for c in citations
    ]
    editable = summary.is_editable and perms.may_edit(user, summary)
    if editable and form is None:
        form = forms.SummaryForm(
            initial={
                "version": summary.version,
                "achievements": summary.achievements,
                "problems": summary.problems,
                "next_year": summary.next_year,
            }
        )
    step = perms.reviewer_step(user, summary)
    if step and review is None:
        review = forms.ReviewForm(initial={"version": summary.version})
    return {
        "summary": summary,
        "round": summary.round,
        "form": form if editable else None,
        "review": review if step else None,
        "step": step,
        "rows": rows,
        "stale": [r for r in rows if r["stale"]],
        "sections": summary.text_sections(),
        "citation_texts": {str(c.number): c.text for c in citations},
        "limit_errors": services.limit_errors(summary) if editable else [],
    }


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary(request, pk)
    form = None
    if request.method == "POST":
        if not perms.may_edit(request.user, summary):
            perms.require(False)
        form = forms.SummaryForm(request.POST)
        then_submit = "submit" in request.POST
        ok, _result = submit_form(
            request,
            form,
            lambda d: services.summary_edit(actor=request.user, summary=summary, **d),
            _("The summary was saved."),
        )
        if ok and then_submit:
            try:
                services.summary_submit(actor=request.user, summary=summary)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The summary was submitted to the unit head."))
        if ok:
            return redirect("summaries:summary", pk=summary.pk)
    return render(request, "summaries/summary_detail.html", _context(request, summary, form))


@login_required
@require_POST
def summary_submit(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary(request, pk)
    try:
        services.summary_submit(actor=request.user, summary=summary, version=_version(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The summary was submitted to the unit head."))
    return redirect("summaries:summary", pk=summary.pk)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
@require_POST
def summary_review(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary(request, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.summary_review(
                actor=request.user,
                summary=summary,
                approve=approve,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Approved.") if approve else _("The summary was returned to the unit.")
            )
            return redirect("summaries:summary", pk=summary.pk)
    return render(request, "summaries/summary_detail.html", _context(request, summary, review=form))


@login_required
@require_POST
def summary_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary(request, pk)
    numbers = [int(n) for n in request.POST.getlist("number") if n.isdigit()] or None
    try:
        changed = services.citations_refresh(
            actor=request.user, summary=summary, numbers=numbers, version=_version(request)
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)d figure(s) refreshed.") % {"n": len(changed)})
    return redirect("summaries:summary", pk=summary.pk)


@login_required
def summary_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    summary = _summary(request, pk)
    export = exports.UnitSummaryDocx(request.user, summary).render()
    export_record(actor=request.user, export=export)
    return export_response(export)
