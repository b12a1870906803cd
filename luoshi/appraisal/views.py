"""Pages of appraisal: cycles and their dashboard, a participant's page (own record, leader's
proposal, committee decision), committee, publicity, appeals, consequences, routine quarters,
unit performance. Every write goes through services; every view of a confidential record is
audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.core import uploads
from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.forms import apply_domain_error
from luoshi.core.paging import paginate
from luoshi.documents.exporters import export_response
from luoshi.documents.xlsx import read_limited
from luoshi.evaluation.models import Campaign
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, require_business_scope, scope_for
from luoshi.orgs.roles import Role

from . import documents, exports, forms, imports, rules, selectors, services
from . import permissions as perms
from .models import (
    STEP_LABELS,
    AnnualCycle,
    Appeal,
    Objection,
    Participant,
    RoutineCycle,
    RoutineEntry,
)

UPLOAD_PURPOSE = "appraisal_history"
SESSION_KEY = "appraisal_history_upload"


# --- cycles -----------------------------------------------------------------------------------


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    cycles = selectors.cycles_visible(request.user).order_by("-year", "agency__path")
    return render(
        request,
        "appraisal/cycle_list.html",
        {"page_obj": paginate(request, cycles), "can_open": perms.can_open_cycle(request.user)},
    )


@login_required
def cycle_open(request: HttpRequest) -> HttpResponse:
    perms.require(perms.can_open_cycle(request.user))
    year = timezone.localdate().year
    form = forms.CycleForm(
        request.POST or None,
        agencies=perms.agencies_administered(request.user),
        initial={"year": year, "as_of": rules.default_as_of(year)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_open(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The annual appraisal was opened."))
            return redirect("appraisal:cycle", pk=cycle.pk)
    return render(request, "appraisal/cycle_form.html", {"form": form})


def _cycle_context(request: HttpRequest, cycle: AnnualCycle) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "is_officer": perms.can_manage_cycle(request.user, cycle),
        "can_decide": perms.can_decide(request.user, cycle),
        "sees_all": perms.sees_all_confidential(request.user, cycle),
    }


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle dashboard: who is at which step (confidential: audited)."""
    cycle = perms.access_cycle(request.user, pk)
    ctx = _cycle_context(request, cycle)
    qs = selectors.participants_confidential(request.user, cycle)
    if request.method == "POST":
        perms.require(ctx["is_officer"])
        action = request.POST.get("action", "")
        try:
            if action == "draw":
                n = services.participants_draw(actor=request.user, cycle=cycle)
                messages.success(request, _("%(n)d participants added.") % {"n": n})
            elif action == "to_committee":
                services.cycle_to_committee(
                    actor=request.user,
                    cycle=cycle,
                    override_reason=request.POST.get("override_reason", "")[:2000],
                )
                messages.success(request, _("The appraisal is with the committee."))
            elif action == "quota":
                qform = forms.QuotaForm(request.POST)
                if qform.is_valid():
                    services.quota_set(actor=request.user, cycle=cycle, **qform.cleaned_data)
                    messages.success(request, _("The excellent quota was saved."))
                else:
                    messages.error(request, _("The input is not valid."))
            elif action == "unit_quota":
                uform = forms.UnitQuotaForm(request.POST, units=services.agency_units(cycle.agency))
                if uform.is_valid():
                    services.unit_quota_set(
                        actor=request.user,
                        cycle=cycle,
                        unit=uform.cleaned_data["unit"],
                        places=uform.cleaned_data["places"],
                    )
                    messages.success(request, _("Saved."))
                else:
                    messages.error(request, _("The input is not valid."))
            elif action == "campaign":
                raw = request.POST.get("campaign", "")
                campaign = _campaigns(cycle).filter(pk=int(raw)).first() if raw.isdigit() else None
                if raw and campaign is None:
                    raise NotFound()
                services.campaign_link(actor=request.user, cycle=cycle, campaign=campaign)
                messages.success(request, _("Saved."))
            elif action == "notices":
                n = services.notices_send(actor=request.user, cycle=cycle)
                messages.success(request, _("%(n)d notices sent.") % {"n": n})
            else:
                raise NotFound()
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, str(exc.message))
        return redirect("appraisal:cycle", pk=cycle.pk)
    step = request.GET.get("step", "")
    rows = list(qs)
    if step in STEP_LABELS:
        rows = [p for p in rows if p.step == step]
    if ctx["sees_all"] or rows:  # a confidential list was shown
        services.record_view(actor=request.user, obj=cycle, what="dashboard")
    ctx.update(
        {
            "steps": selectors.step_counts(qs),
            "step": step,
            "page_obj": paginate(request, rows),
            "quota": selectors.quota_state(cycle),
            "quota_form": forms.QuotaForm(
                initial={
                    "percent": cycle.quota_percent,
                    "approved_by": cycle.quota_approved_by,
                    "approval_document": cycle.quota_approval_document,
                }
            ),
            "unit_quota_form": forms.UnitQuotaForm(units=services.agency_units(cycle.agency)),
            "unit_quotas": cycle.unit_quotas.select_related("unit").order_by("unit__path"),
            "step_labels": STEP_LABELS,
            "documents": _documents_available(),
            "campaigns": list(_campaigns(cycle)) if ctx["is_officer"] else [],
        }
    )
    if ctx["is_officer"] and cycle.status == AnnualCycle.Status.OPEN:
        readiness = services.committee_readiness(cycle)
        ctx["readiness"] = readiness
        ctx["readiness_blocked"] = any(not item.overridable for item in readiness)
    return render(request, "appraisal/cycle_detail.html", ctx)


def _campaigns(cycle: AnnualCycle) -> Any:
    """Democratic evaluations that may be linked: same year, inside the cycle's agency."""

    return Campaign.objects.filter(
        year=cycle.year, unit__path__startswith=cycle.agency.path
    ).order_by("-id")


# --- participant ------------------------------------------------------------------------------


def _participant_context(request: HttpRequest, p: Participant) -> dict[str, Any]:
    user = request.user
    cycle = p.cycle
    is_self = perms.is_self(user, p)
    confidential = perms.can_see_confidential(user, p)
    is_officer = perms.can_manage_cycle(user, cycle)
    ctx: dict[str, Any] = {
        "p": p,
        "cycle": cycle,
        "is_self": is_self,
        "confidential": confidential,
        "is_officer": is_officer,
        "elig": services.elig_of(p),
        "show_result": p.is_final and (is_self or confidential),
        "appeals": list(p.appeals.all()),
        "documents": _documents_available(),
    }
    if is_self and cycle.status == AnnualCycle.Status.OPEN:
        ctx["summary_form"] = forms.SummaryForm(
            initial={"duties": p.duties, "self_summary": p.self_summary, "version": p.version}
        )
    if perms.can_propose(user, p) and cycle.status == AnnualCycle.Status.OPEN:
        ctx["proposal_form"] = forms.ProposalForm(
            participant=p, initial={"comments": p.leader_comments, "grade": p.proposed_grade}
        )
    if perms.can_decide(user, cycle) and cycle.status == AnnualCycle.Status.COMMITTEE:
        ctx["decision_form"] = forms.DecisionForm(
            participant=p, initial={"grade": forms.decision_default(p), "note": p.decision_note}
        )
    if is_officer and cycle.status in (AnnualCycle.Status.OPEN, AnnualCycle.Status.COMMITTEE):
        penalty = (p.penalties or [{}])[-1] if p.penalties else {}
        ctx["eligibility_form"] = forms.EligibilityForm(
            initial={
                "leave_days": p.leave_days,
                "under_investigation": p.under_investigation,
                "penalty": penalty.get("kind", ""),
                "penalty_year": penalty.get("year", cycle.year),
            }
        )
        changes = list(p.eligibility_changes.all())
        for change in changes:  # the codes recorded, shown by their labels
            for side in ("before", "after"):
                code = (getattr(change, side) or {}).get("eligibility", "")
                setattr(change, f"{side}_label", rules.ELIGIBILITY_LABELS.get(code, code))
        ctx["eligibility_changes"] = changes
    if perms.can_fill_pending(user, p):
        ctx["pending_form"] = forms.PendingForm(participant=p)
    if is_self and p.notified_at and not p.ack:
        ctx["ack_form"] = forms.AckForm()
    if (is_self or is_officer) and p.is_final:
        ctx["appeal_form"] = forms.AppealForm()
    if confidential or is_self:
        ctx["grade_changes"] = list(p.grade_changes.all())
    if confidential:
        ctx["evaluation"] = selectors.evaluation_results(cycle).get(p.person_id)
    return ctx


@login_required
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = perms.access_participant(request.user, pk)
    ctx = _participant_context(request, p)
    if request.method == "POST":
        return _participant_post(request, p, ctx)
    if ctx["confidential"]:
        services.record_view(actor=request.user, obj=p, what="participant")
    return render(request, "appraisal/participant.html", ctx)


def _eligibility_change(
    *, actor: Any, participant: Participant, penalty: str, penalty_year: int | None, **d: Any
) -> Any:
    penalties = (
        [{"kind": penalty, "year": penalty_year or participant.cycle.year}] if penalty else []
    )
    return services.eligibility_change(
        actor=actor,
        participant=participant,
        reason=d["reason"],
        leave_days=d["leave_days"],
        under_investigation=d["under_investigation"],
        penalties=penalties,
        override=d["override"] or None,
    )


# The participant page's actions: action → (its form's name in the page, the form for the posted
# data, the service it runs with the form's data, what the page says when it is done). The
# services decide who may act and in which state, for the page as for the API: a forbidden caller
# is refused (403, or 404 where the service hides the record) before any state is looked at, and
# a permitted caller in the wrong state sees the service's message on the form (422). Only
# 补定 (pending), which has no API, is open just when permissions.can_fill_pending offers it.
_PARTICIPANT_ACTIONS: dict[str, tuple[str, Any, Any, Any]] = {
    "summary": (
        "summary_form",
        lambda data, p: forms.SummaryForm(data),
        services.summary_submit,
        gettext_lazy("Your self-summary was submitted."),
    ),
    "propose": (
        "proposal_form",
        lambda data, p: forms.ProposalForm(data, participant=p),
        services.propose,
        gettext_lazy("Your proposal was saved."),
    ),
    "decide": (
        "decision_form",
        lambda data, p: forms.DecisionForm(data, participant=p),
        services.decide,
        gettext_lazy("The decision was recorded."),
    ),
    "eligibility": (
        "eligibility_form",
        lambda data, p: forms.EligibilityForm(data),
        _eligibility_change,
        gettext_lazy("Eligibility was changed."),
    ),
    "pending": (
        "pending_form",
        lambda data, p: forms.PendingForm(data, participant=p),
        services.pending_grade_fill,
        gettext_lazy("The grade was filled in."),
    ),
    "ack": (
        "ack_form",
        lambda data, p: forms.AckForm(data),
        services.acknowledge,
        gettext_lazy("Your opinion was recorded."),
    ),
    "appeal": (
        "appeal_form",
        lambda data, p: forms.AppealForm(data),
        services.appeal_file,
        gettext_lazy("The request was filed."),
    ),
}


def _participant_post(request: HttpRequest, p: Participant, ctx: dict[str, Any]) -> HttpResponse:
    name = request.POST.get("action", "")
    action = _PARTICIPANT_ACTIONS.get(name)
    if action is None or (name == "pending" and not perms.can_fill_pending(request.user, p)):
        raise NotFound()
    key, make_form, run, done = action
    form = ctx[key] = make_form(request.POST, p)
    try:
        if form.is_valid():
            run(actor=request.user, participant=p, **form.cleaned_data)
            messages.success(request, str(done))
            return redirect("appraisal:participant", pk=p.pk)
    except DomainError as exc:
        if isinstance(exc, NotFound | perms.Forbidden):
            raise
        apply_domain_error(form, exc)
    return render(request, "appraisal/participant.html", ctx, status=422)


# --- committee --------------------------------------------------------------------------------


@login_required
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = perms.access_cycle(request.user, pk)
    perms.require(perms.can_decide(request.user, cycle))
    meeting_form = forms.MeetingForm(
        request.POST if request.POST.get("action") == "meeting" else None,
        initial={
            "meeting_date": cycle.meeting_date or timezone.localdate(),
            "members_present": cycle.members_present,
        },
    )
    publicity_form = forms.PublicityForm(initial={"start": timezone.localdate()})
    row_errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "meeting":
                if meeting_form.is_valid():
                    services.committee_record(
                        actor=request.user, cycle=cycle, **meeting_form.cleaned_data
                    )
                    messages.success(request, _("The meeting was recorded."))
                    return redirect("appraisal:committee", pk=cycle.pk)
            elif action == "decide_all":
                n = services.decide_bulk(
                    actor=request.user, cycle=cycle, decisions=_bulk_decisions(request, cycle)
                )
                messages.success(request, _("%(n)d decisions recorded.") % {"n": n})
                return redirect("appraisal:committee", pk=cycle.pk)
            elif action == "publicity":
                perms.require(perms.can_manage_cycle(request.user, cycle))
                publicity_form = forms.PublicityForm(request.POST)
                if publicity_form.is_valid():
                    services.publicity_start(
                        actor=request.user, cycle=cycle, start=publicity_form.cleaned_data["start"]
                    )
                    messages.success(request, _("The list was published."))
                    return redirect("appraisal:publicity", pk=cycle.pk)
            else:
                raise NotFound()
        except DomainError as exc:
            if isinstance(exc, NotFound | perms.Forbidden):
                raise
            messages.error(request, str(exc.message))
            row_errors = {
                str(d.get("field", "")): str(d.get("message", "")) for d in exc.details or []
            }
    services.record_view(actor=request.user, obj=cycle, what="committee")
    rows = list(selectors.participants_confidential(request.user, cycle))
    results = selectors.evaluation_results(cycle)
    posted = request.POST if request.POST.get("action") == "decide_all" else {}
    for row in rows:
        row.evaluation = results.get(row.person_id)  # type: ignore[attr-defined]
        row.choices = forms.decision_choices(row)  # type: ignore[attr-defined]
        row.chosen = posted.get(f"grade-{row.pk}", forms.decision_default(row))  # type: ignore[attr-defined]
        row.error = row_errors.get(f"grade-{row.pk}", "")  # type: ignore[attr-defined]
    quota = selectors.quota_state(cycle)
    return render(
        request,
        "appraisal/committee.html",
        {
            **_cycle_context(request, cycle),
            "rows": rows,
            "quota": quota,
            "evaluation_open": _evaluation_open(cycle),
            "meeting_form": meeting_form,
            "publicity_form": publicity_form,
            "undecided": sum(
                1 for r in rows if r.decided_at is None and r.eligibility != rules.PENDING
            ),
        },
        status=422 if posted and request.method == "POST" else 200,
    )


def _evaluation_open(cycle: AnnualCycle) -> Any:
    campaign = cycle.evaluation_campaign if cycle.evaluation_campaign_id else None
    return campaign if campaign is not None and not campaign.is_closed else None


def _bulk_decisions(request: HttpRequest, cycle: AnnualCycle) -> list[tuple[int, str, str | None]]:
    """The rows of the one-page decision whose choice is new or differs from the decision on
    record; an undecided person left without a choice is refused by name."""
    rows = list(selectors.participants_confidential(request.user, cycle))
    out: list[tuple[int, str, str | None]] = []
    unchosen: list[str] = []
    for p in rows:
        if p.eligibility == rules.PENDING:
            continue
        value = request.POST.get(f"grade-{p.pk}", "")
        if value not in {code for code, _label in forms.decision_choices(p)}:
            if p.decided_at is None:
                unchosen.append(p.person.name)
            continue
        grade = "" if value == forms.NO_GRADE else value
        if p.decided_at is not None:
            effective = p.proposed_grade if grade == services.AS_PROPOSED else grade
            if effective == p.decided_grade:
                continue
        out.append((p.pk, grade, None))  # None: the opinion written on the person's page kept
    if unchosen and cycle.status == AnnualCycle.Status.COMMITTEE:  # else the service refuses
        raise InvalidInput(
            _("Choose a decision for %(n)d people: %(names)s.")
            % {"n": len(unchosen), "names": "、".join(unchosen)}
        )
    return out


# --- publicity --------------------------------------------------------------------------------


@login_required
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list of proposed Excellent: visible to everyone in the cycle."""
    cycle = perms.access_cycle(request.user, pk)
    listed = list(selectors.publicity_list(cycle))
    is_officer = perms.can_manage_cycle(request.user, cycle)
    form = forms.ObjectionForm(listed=listed)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "object":
                form = forms.ObjectionForm(request.POST, listed=listed)
                if form.is_valid():
                    target = next(
                        (p for p in listed if str(p.pk) == form.cleaned_data["participant"]), None
                    )
                    services.objection_raise(
                        actor=request.user,
                        cycle=cycle,
                        text=form.cleaned_data["text"],
                        participant=target,
                    )
                    messages.success(request, _("Your objection was recorded."))
                    return redirect("appraisal:publicity", pk=cycle.pk)
            elif action == "answer":  # the service decides who answers (the office), as in the API
                objection = Objection.objects.select_related("cycle").get(
                    pk=int(request.POST.get("objection", "0") or 0), cycle=cycle
                )
                aform = forms.AnswerForm(request.POST)
                if aform.is_valid():
                    services.objection_answer(
                        actor=request.user, objection=objection, answer=aform.cleaned_data["answer"]
                    )
                    messages.success(request, _("The answer was recorded."))
                else:
                    messages.error(request, _("Write the answer."))
                return redirect("appraisal:publicity", pk=cycle.pk)
            else:
                raise NotFound()
        except Objection.DoesNotExist:
            raise NotFound() from None
        except DomainError as exc:
            if isinstance(exc, NotFound | perms.Forbidden):
                raise
            apply_domain_error(form, exc)
            if cycle.status != AnnualCycle.Status.PUBLICITY:  # no form shown to hold the error
                messages.error(request, exc.message)
                status = 422
    objections = (
        list(cycle.objections.select_related("participant__person").all()) if is_officer else []
    )
    return render(
        request,
        "appraisal/publicity.html",
        {
            **_cycle_context(request, cycle),
            "listed": listed,
            "form": form,
            "objections": objections,
            "answer_form": forms.AnswerForm(),
            "open": cycle.status == AnnualCycle.Status.PUBLICITY,
        },
        status=status,
    )


# --- appeals and consequences -----------------------------------------------------------------


@login_required
def appeals(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = perms.access_cycle(request.user, pk)
    perms.require(perms.can_manage_cycle(request.user, cycle))
    if request.method == "POST":
        appeal = perms.access_appeal(request.user, request.POST.get("appeal"))
        if appeal.participant.cycle_id != cycle.pk:
            raise NotFound()
        form = forms.AppealDecisionForm(request.POST, participant=appeal.participant)
        if form.is_valid():
            try:
                services.appeal_decide(
                    actor=request.user,
                    appeal=appeal,
                    decision=form.cleaned_data["decision"],
                    new_grade=form.cleaned_data["new_grade"] or None,
                )
                messages.success(request, _("The request was decided."))
            except DomainError as exc:
                messages.error(request, str(exc.message))
        else:
            messages.error(request, _("Write the decision."))
        return redirect("appraisal:appeals", pk=cycle.pk)
    rows = list(
        Appeal.objects.filter(participant__cycle=cycle)
        .select_related("participant", "participant__person", "participant__unit")
        .order_by("status", "filed_on")
    )
    services.record_view(actor=request.user, obj=cycle, what="appeals")
    forms_by_id = {a.pk: forms.AppealDecisionForm(participant=a.participant) for a in rows}
    return render(
        request,
        "appraisal/appeals.html",
        {
            **_cycle_context(request, cycle),
            "rows": [(a, forms_by_id[a.pk]) for a in rows],
            "today": timezone.localdate(),
        },
    )


@login_required
def consequences(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = perms.access_cycle(request.user, pk)
    if not perms.can_see_consequences(request.user, cycle):
        raise NotFound()  # as for a missing cycle, and as the API (issue 15 finding 13)
    services.record_view(actor=request.user, obj=cycle, what="consequences")
    groups = selectors.consequences(cycle)
    return render(
        request,
        "appraisal/consequences.html",
        {
            **_cycle_context(request, cycle),
            "groups": [(k, rules.CONSEQUENCE_LABELS[k], groups[k]) for k in rules.CONSEQUENCES],
        },
    )


@login_required
def history_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Earlier years' results: upload → preview (nothing written) → commit (all or nothing)."""
    cycle = perms.access_cycle(request.user, pk)
    perms.require(perms.can_manage_cycle(request.user, cycle))
    form = forms.ImportForm()
    plan = None
    token = request.session.get(SESSION_KEY)
    if request.method == "POST" and request.POST.get("action") == "commit":
        try:
            _name, data = uploads.load(request.user, UPLOAD_PURPOSE, token)
        except NotFound:
            messages.error(request, _("Upload the file again."))
            return redirect("appraisal:history_import", pk=cycle.pk)
        try:
            n = imports.import_history(actor=request.user, agency=cycle.agency, data=data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            uploads.discard(request.user, UPLOAD_PURPOSE, token)
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("%(n)d results imported.") % {"n": n})
            return redirect("appraisal:consequences", pk=cycle.pk)
    elif request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data = read_limited(form.cleaned_data["file"])
                plan = imports.plan_from_bytes(data, agency=cycle.agency)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                if token:
                    uploads.discard(request.user, UPLOAD_PURPOSE, token)
                request.session[SESSION_KEY] = uploads.store(
                    request.user, UPLOAD_PURPOSE, form.cleaned_data["file"].name, data
                )
    return render(
        request,
        "appraisal/history_import.html",
        {**_cycle_context(request, cycle), "form": form, "plan": plan},
    )


# --- documents --------------------------------------------------------------------------------


def _documents() -> Any:
    return documents


def _documents_available() -> dict[str, bool]:
    docs = _documents()
    names = (
        "registration_form_docx",
        "registration_form_pdf",
        "result_table_xlsx",
        "result_notice_docx",
    )
    return {n: bool(docs is not None and hasattr(docs, n)) for n in names}


_PARTICIPANT_DOCUMENTS: dict[str, type[exports.ParticipantDocument]] = {
    "form.docx": exports.RegistrationFormDocx,
    "form.pdf": exports.RegistrationFormPdf,
    "notice.docx": exports.ResultNoticeDocx,
}


@login_required
def participant_document(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    p = perms.access_participant(request.user, pk)
    exporter = _PARTICIPANT_DOCUMENTS.get(kind)
    if exporter is None or (exporter is exports.ResultNoticeDocx and not p.is_final):
        raise NotFound()
    export = exporter(request.user, p).render()
    if perms.can_see_confidential(request.user, p):
        services.record_view(actor=request.user, obj=p, what=kind)
    return export_response(export)


@login_required
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    cycle = perms.access_cycle(request.user, pk)
    perms.require(perms.sees_all_confidential(request.user, cycle))
    export = exports.ResultsXlsx(request.user, cycle).render()
    services.record_view(actor=request.user, obj=cycle, what="results.xlsx")
    return export_response(export)


# --- own page ---------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)

    pid = perms.person_id(request.user) or 0
    routine = (
        RoutineEntry.objects.filter(person_id=pid, cycle__status=RoutineCycle.Status.CONFIRMED)
        .select_related("cycle", "cycle__unit")
        .order_by("-cycle__year", "-cycle__quarter")
    )
    return render(
        request,
        "appraisal/mine.html",
        {
            "participations": list(selectors.own_participation(request.user)),
            "routine": list(routine),
        },
    )


# --- routine ----------------------------------------------------------------------------------


def _routine_units(user: Any) -> Any:
    units = OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.LOCAL)
    return [u for u in units if perms.can_open_routine(user, u)]


@login_required
def routine_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    scope = perms.leader_scope(request.user)
    qs = RoutineCycle.objects.select_related("unit").order_by("-year", "-quarter", "unit__path")
    if has_role(request.user, Role.PERSONNEL_OFFICER):
        visible = scope_for(request.user).filter(qs, unit="unit")
    else:
        condition = scope.q(unit="unit")
        visible = qs if condition is None else qs.filter(condition)
    units = _routine_units(request.user)
    form = forms.RoutineOpenForm(
        request.POST or None,
        units=OrgUnit.objects.filter(pk__in=[u.pk for u in units]),
        initial={
            "year": timezone.localdate().year,
            "quarter": (timezone.localdate().month - 1) // 3 + 1,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.routine_open(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The routine appraisal was opened."))
            return redirect("appraisal:routine", pk=cycle.pk)
    return render(
        request,
        "appraisal/routine_list.html",
        {"page_obj": paginate(request, visible), "form": form if units else None},
    )


ROUTINE_AS_PROPOSED = "proposed"


@login_required
def routine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = perms.access_routine(request.user, pk)
    can_grade = cycle.status == RoutineCycle.Status.OPEN and (
        perms.is_unit_head(request.user, cycle.unit)
        or perms.is_leader_for(request.user, cycle.unit)
    )
    can_confirm = cycle.status == RoutineCycle.Status.OPEN and perms.is_leader_in_charge(
        request.user, cycle.unit
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            # The services decide who grades and confirms, and in which state, as in the API.
            if action == "grade":
                entry = perms.access_routine_entry(request.user, request.POST.get("entry"))
                if entry.cycle_id != cycle.pk:
                    raise NotFound()
                form = forms.RoutineGradeForm(request.POST)
                if form.is_valid():
                    services.routine_propose(actor=request.user, entry=entry, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                else:
                    messages.error(request, _("Choose a grade."))
            elif action == "confirm":
                # one page: each row "as proposed" (the unit head's grade) or changed
                grades = {
                    e.pk: value
                    for e in cycle.entries.all()
                    if (value := request.POST.get(f"grade-{e.pk}", "")) != ROUTINE_AS_PROPOSED
                }
                services.routine_confirm(actor=request.user, cycle=cycle, grades=grades)
                messages.success(request, _("The routine appraisal was confirmed."))
            else:
                raise NotFound()
        except DomainError as exc:
            if isinstance(exc, NotFound | perms.Forbidden):
                raise
            messages.error(request, str(exc.message))
        return redirect("appraisal:routine", pk=cycle.pk)
    entries = list(cycle.entries.select_related("person").order_by("person__name"))
    total = len(entries)
    return render(
        request,
        "appraisal/routine_detail.html",
        {
            "cycle": cycle,
            "entries": entries,
            "can_grade": can_grade,
            "can_confirm": can_confirm,
            "grade_choices": [(g, rules.ROUTINE_LABELS[g]) for g in rules.ROUTINE_GRADES],
            "good_cap": rules.routine_good_cap(total, rules.policy()),
            "good_count": sum(1 for e in entries if e.grade == rules.GOOD),
            "cap_percent": rules.policy().routine_good_cap_percent,
        },
    )


# --- unit performance -------------------------------------------------------------------------


def _performance_agency(request: HttpRequest) -> OrgUnit:
    agencies = [
        a
        for a in OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY, is_active=True).order_by("path")
        if perms.is_officer(request.user, a)
        or (has_role(request.user, Role.AGENCY_LEADER) and perms.is_leader_for(request.user, a))
    ]
    if not agencies:
        raise NotFound()
    wanted = request.GET.get("agency")
    return next((a for a in agencies if str(a.pk) == wanted), agencies[0])


def _year(request: HttpRequest) -> int:
    try:
        return max(2000, min(2100, int(request.GET.get("year", ""))))
    except ValueError:
        return timezone.localdate().year


@login_required
def units(request: HttpRequest) -> HttpResponse:
    agency = _performance_agency(request)
    year = _year(request)
    is_officer = perms.is_officer(request.user, agency)
    form = forms.LeadershipScoreForm(
        request.POST or None, units=services.agency_units(agency).filter(parent=agency)
    )
    if request.method == "POST":
        perms.require(is_officer)
        if form.is_valid():
            try:
                services.leadership_score_set(
                    actor=request.user, agency=agency, year=year, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('appraisal:units')}?agency={agency.pk}&year={year}")
    rows, supervision = selectors.unit_performance(agency, year)
    pol = rules.policy()
    return render(
        request,
        "appraisal/units.html",
        {
            "agency": agency,
            "year": year,
            "rows": rows,
            "supervision": supervision,
            "weights": [
                (rules.UNIT_METRIC_LABELS.get(k, k), w) for k, w in pol.unit_weights.items()
            ],
            "form": form if is_officer else None,
        },
    )


@login_required
def units_xlsx(request: HttpRequest) -> HttpResponseBase:
    agency = _performance_agency(request)
    export = exports.UnitPerformanceXlsx(request.user, agency, _year(request)).render()
    services.record_view(actor=request.user, obj=agency, what="units.xlsx")
    return export_response(export)
