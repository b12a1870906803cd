"""Pages of commendation: programs with their quota table by unit, nominations, the vetting
queue, the decision, publicity, certificates and the honourees' table, a person's honours, and
the public verification page. Every write goes through the services (the same as the API)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.appraisal.services import agency_units
from luoshi.core import importflow
from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.forms import submit_form
from luoshi.core.paging import fast_paginate, paginate
from luoshi.documents.exporters import export_record, export_response
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.permissions import access_person, access_unit, require_business_scope, scope_for

from . import exports, forms, imports, rules, selectors, services
from . import permissions as perms
from .models import (
    Certificate,
    Honour,
    Nomination,
    NominationEvidence,
    Program,
    ProgramObjection,
    UnitAllocation,
)

ST = Program.Status


def _officer_agencies(user: Any) -> Any:
    agencies = OrgUnit.objects.filter(
        kind__in=[OrgUnit.Kind.AGENCY, OrgUnit.Kind.LOCAL], is_active=True
    )
    return OrgUnit.objects.filter(pk__in=[a.pk for a in agencies if perms.is_officer(user, a)])


# --- programs --------------------------------------------------------------------------------


def _appraisal_honours(user: Any) -> Any:
    """The 嘉奖 written from the annual appraisals of the agencies the user is the officer of."""
    return Honour.objects.filter(
        source=Honour.Source.APPRAISAL,
        kind=rules.COMMENDATION,
        appraisal_cycle_id__isnull=False,
        agency__in=_officer_agencies(user),
    )


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    programs = perms.programs_visible(request.user).order_by("-year", "-id")
    appraisal_years = (
        _appraisal_honours(request.user)
        .values("year")
        .annotate(n=Count("id"), numbered=Count("certificate"))
        .order_by("-year")
    )
    return render(
        request,
        "honors/program_list.html",
        {
            "page_obj": paginate(request, programs),
            "can_create": _officer_agencies(request.user).exists(),
            "appraisal_years": appraisal_years,
            "year": timezone.localdate().year,
        },
    )


@login_required
def appraisal_certificates(request: HttpRequest, year: int) -> HttpResponseBase:
    """The "年度考核优秀" certificates of a year: POST numbers those without one; GET prints."""
    honours = _appraisal_honours(request.user).filter(year=year, revoked=False)
    if not honours.exists():
        raise NotFound()
    if request.method == "POST":
        issued = services.certificates_issue(
            actor=request.user, honours=honours.order_by("unit__path", "id")
        )
        messages.success(request, _("%(n)d certificate(s) numbered.") % {"n": len(issued)})
        return redirect("honors:programs")
    mode = request.GET.get("mode", "design")
    if mode not in exports.MODES:
        raise NotFound()
    certs = list(
        Certificate.objects.filter(honour__in=honours)
        .select_related("honour__person", "honour__unit", "honour__program")
        .order_by("serial")
    )
    export = exports.CertificatesPdf(
        request.user, None, certs, verify_url=_verify_url(request), mode=mode
    ).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


@login_required
def program_create(request: HttpRequest) -> HttpResponse:
    agencies = _officer_agencies(request.user)
    if not agencies.exists():
        raise NotFound()
    form = forms.ProgramForm(
        request.POST or None,
        agencies=agencies,
        initial={"year": timezone.localdate().year, "agency": agencies.first()},
    )
    if request.method == "POST":
        ok, program = submit_form(
            request,
            form,
            lambda d: services.program_create(actor=request.user, **d),
            _("The program was drafted. Set its quotas, then open it for nomination."),
        )
        if ok:
            return redirect("honors:program", pk=program.pk)
    return render(request, "honors/program_form.html", {"form": form})


def _quota_rows(program: Program) -> list[dict[str, Any]]:
    """The quota summary by unit, over the whole program (the used places in one aggregate
    query, the units' order from their own ancestors)."""
    rows = []
    pol = rules.policy()
    commended = services.commended_units(program.agency, program.year)
    with_units = Prefetch("allocations", queryset=UnitAllocation.objects.select_related("unit"))
    quotas = list(program.quotas.prefetch_related(with_units).order_by("kind", "family"))
    used_all = selectors.used_places(program) if quotas else {}
    order = selectors.units_order(
        {a.unit_id: a.unit for q in quotas for a in q.allocations.all()}.values()
    )
    for quota in quotas:
        used = selectors.quota_used(used_all, quota.kind, quota.family)
        allocations = []
        everyone = sorted(quota.allocations.all(), key=lambda a: a.pk)
        shares = rules.allocate([(a.pk, a.headcount) for a in everyone], quota.places)
        for a in sorted(everyone, key=lambda a: order.get(a.unit_id, ())):
            cap = rules.unit_cap(
                a.headcount,
                quota.kind,
                quota.family,
                pol,
                unit_commended=a.unit_id in commended,
                share=shares.get(a.pk, 0),
            )
            allocations.append(
                {
                    "allocation": a,
                    "used": used.get(a.unit_id, 0),
                    "commended": cap is not None,
                    "cap": cap,
                }
            )
        rows.append(
            {
                "quota": quota,
                "kind": rules.kind(quota.kind),
                "allocations": allocations,
                "used": sum(used.values()),
            }
        )
    return rows


NOMINATION_FILTERS = ("q", "kind", "status")


def _nomination_filters(request: HttpRequest) -> dict[str, str]:
    f = {k: request.GET.get(k, "").strip()[:100] for k in NOMINATION_FILTERS}
    if f["kind"] not in rules.KINDS:
        f["kind"] = ""
    if f["status"] not in Nomination.Status.values:
        f["status"] = ""
    return f


def _program_context(request: HttpRequest, program: Program) -> dict[str, Any]:
    user = request.user
    officer = perms.is_officer(user, program.agency)
    visible = perms.nominations_visible(user, program).select_related(None)
    f = _nomination_filters(request)
    counts = selectors.nomination_counts(visible)
    page = fast_paginate(
        request,
        selectors.filter_nominations(
            visible.select_related("person", "unit"),
            q=f["q"],
            kind=f["kind"],
            status=f["status"],
        ).order_by("kind", "unit__path", "id"),
        count=None if any(f.values()) else counts["total"],  # unfiltered: counted already
    )
    quota_rows = _quota_rows(program)
    final = program.status == ST.FINAL
    if officer:
        outcomes = selectors.outcomes_of(page.object_list)
        for n in page.object_list:
            n.outcome = outcomes.get(n.pk, "")
    pol = rules.policy()
    return {
        "program": program,
        "officer": officer,
        "vetter": perms.is_vetter(user, program),
        "may_nominate": program.status == ST.NOMINATION and perms.may_nominate_in(user, program),
        "quota_rows": quota_rows,
        "page_obj": page,
        "filters": f,
        "filtered": any(f.values()),
        "nomination_counts": counts,
        "kinds": rules.KIND_CHOICES,
        "statuses": Nomination.Status.choices,
        "needs_approval": rules.needs_approval(program.title, program.scope, pol),
        "restricted_words": rules.restricted_words_in(program.title, pol),
        "readiness": services.readiness(program) if officer else [],
        "quota_form": forms.QuotaForm(prefix="quota"),
        "approval_form": forms.ApprovalForm(prefix="approval"),
        "publicity_form": forms.PublicityForm(prefix="publicity"),
        "number_form": forms.NumberForm(
            prefix="number", initial={"number": program.decision_document_number}
        ),
        "has_collective_quota": officer
        and any(rules.kind(row["quota"].kind).collective for row in quota_rows),
        # the certificates' buttons and figures show once the program is final
        "certificates": Certificate.objects.filter(honour__program=program).count() if final else 0,
        "honours": program.honours.count() if final else 0,
    }


@login_required
def collective_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's units ranked by their unit performance score of the program's year (the
    appraisal's scoring over the year's tasks: its own page, not computed on every visit of the
    program's page), for the personnel officer."""
    program = perms.access_program(request.user, pk)
    if not perms.is_officer(request.user, program.agency):
        raise NotFound()
    return render(
        request,
        "honors/collective_candidates.html",
        {"program": program, "collective_candidates": selectors.collective_candidates(program)},
    )


ACTIONS = {
    "open": lambda r, p, d: services.program_open(actor=r.user, program=p),
    "close": lambda r, p, d: services.nominations_close(actor=r.user, program=p),
    "certificates": lambda r, p, d: services.certificates_issue(
        actor=r.user, honours=p.honours.select_related("unit").order_by("kind", "unit__path", "id")
    ),
}
DONE = {
    "open": _("The program is open for nomination."),
    "close": _("Nominations are closed; the nominations go to joint vetting."),
    "certificates": _("The certificates are numbered."),
}


@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = perms.access_program(request.user, pk)
    ctx = _program_context(request, program)
    if request.method == "POST":
        action = request.POST.get("action", "")
        form: Any = None
        try:
            if action in ACTIONS:
                ACTIONS[action](request, program, None)
                messages.success(request, DONE[action])
                return redirect("honors:program", pk=program.pk)
            if action == "quota":
                form = ctx["quota_form"] = forms.QuotaForm(request.POST, prefix="quota")
                ok, _r = submit_form(
                    request,
                    form,
                    lambda d: services.quota_set(actor=request.user, program=program, **d),
                    _("The quota is set and shared among the units."),
                )
            elif action == "allocation":
                form = forms.AllocationForm(request.POST)
                allocation = UnitAllocation.objects.filter(
                    pk=request.POST.get("allocation") or 0, quota__program=program
                ).first()
                if allocation is None:
                    raise NotFound()
                ok, _r = submit_form(
                    request,
                    form,
                    lambda d: services.allocation_set(
                        actor=request.user,
                        allocation=allocation,
                        places=d["places"],
                        reason=d["reason"],
                    ),
                    _("The unit's places are changed."),
                )
            elif action == "approval":
                form = ctx["approval_form"] = forms.ApprovalForm(request.POST, prefix="approval")
                ok, _r = submit_form(
                    request,
                    form,
                    lambda d: services.approval_record(
                        actor=request.user, program=program, reference=d["reference"]
                    ),
                    _("The approval is recorded."),
                )
            elif action == "publicity":
                form = ctx["publicity_form"] = forms.PublicityForm(request.POST, prefix="publicity")
                ok, _r = submit_form(
                    request,
                    form,
                    lambda d: services.publicity_start(
                        actor=request.user, program=program, start=d["start"]
                    ),
                    _("The proposed honourees are published."),
                )
            elif action == "number":
                form = ctx["number_form"] = forms.NumberForm(request.POST, prefix="number")
                ok, _r = submit_form(
                    request,
                    form,
                    lambda d: services.decision_number_set(
                        actor=request.user, program=program, number=d["number"]
                    ),
                    _("The decision's number is recorded."),
                )
            else:
                raise NotFound()
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("honors:program", pk=program.pk)
        if ok:
            return redirect("honors:program", pk=program.pk)
        if form is not None:  # the inline forms show field errors; the rest goes on top
            for error in form.non_field_errors():
                messages.error(request, error)
            if action == "allocation":
                for errors in form.errors.values():
                    messages.error(request, " ".join(errors))
        ctx = {
            **_program_context(request, program),
            **{k: v for k, v in ctx.items() if k.endswith("_form")},
        }
    return render(request, "honors/program_detail.html", ctx)


# --- nominations -----------------------------------------------------------------------------


def _nominable(request: HttpRequest, program: Program) -> tuple[Any, Any]:
    """The people and units the user may nominate in this program."""
    units = agency_units(program.agency).filter(is_active=True)
    if not perms.is_officer(request.user, program.agency):
        own = perms.own_unit(request.user)
        units = units.filter(pk=own.pk if own else 0)
    people = Person.objects.filter(unit__in=units, is_active=True).select_related("unit")
    return people.order_by("unit__path", "name"), units.order_by("path")


@login_required
def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = perms.access_program(request.user, pk)
    if not perms.may_nominate_in(request.user, program):
        raise NotFound()
    people, units = _nominable(request, program)
    kinds = sorted({(q.kind, rules.kind(q.kind).label) for q in program.quotas.all()})
    form = forms.NominationForm(
        request.POST or None, request.FILES or None, kinds=kinds, people=people, units=units
    )
    if request.method == "POST" and request.POST.get("intent") == "draft":
        # Draft the deeds from the chosen person's year, keep everything else as typed.
        person = people.filter(pk=request.POST.get("person") or 0).first()
        data = request.POST.copy()
        if person is not None:
            data["deeds"] = services.deeds_draft(person, program.year)
        else:
            messages.error(request, _("Choose the person whose deeds to draft."))
        form = forms.NominationForm(initial=data.dict(), kinds=kinds, people=people, units=units)
    elif request.method == "POST":
        ok, nomination = submit_form(
            request,
            form,
            lambda d: services.nominate(
                actor=request.user,
                program=program,
                **{**d, "evidence": _files(d.get("evidence") or [])},
            ),
            _("The nomination is saved as a draft. Check it, then submit it."),
        )
        if ok:
            return redirect("honors:nomination", pk=nomination.pk)
    pol = rules.policy()
    return render(
        request,
        "honors/nomination_form.html",
        {"program": program, "form": form, "policy": pol},
    )


def _files(files: Any) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, bytes), none read past the attachment size limit."""
    limit = int(settings.LUOSHI_ATTACHMENT_MAX_BYTES)
    return [(f.name or "", importflow.read_upload(f, max_bytes=limit)) for f in files]


@login_required
def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft's deeds and opinion (the version it was read at guards against a
    concurrent edit), add or remove evidence files."""
    nomination = perms.access_nomination(request.user, pk)
    program = nomination.program
    if not perms.may_nominate(request.user, program, nomination.unit):
        raise NotFound()
    editable = nomination.status in services.EDITABLE and program.status == ST.NOMINATION
    form = forms.NominationEditForm(
        request.POST or None,
        request.FILES or None,
        collective=nomination.collective,
        initial={
            "version": nomination.version,
            "deeds_brief": nomination.deeds_brief,
            "deeds": nomination.deeds,
            "unit_opinion": nomination.unit_opinion,
        },
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        evidence = nomination.evidence.filter(pk=request.POST.get("evidence") or 0).first()
        if evidence is None:
            raise NotFound()
        try:
            services.evidence_remove(actor=request.user, evidence=evidence)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The file is removed."))
        return redirect("honors:nomination_edit", pk=nomination.pk)
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            with transaction.atomic():  # the text and the files together, or nothing
                n = services.nomination_edit(
                    actor=request.user,
                    nomination=nomination,
                    deeds_brief=d["deeds_brief"],
                    deeds=d["deeds"],
                    unit_opinion=d["unit_opinion"],
                    version=d["version"],
                )
                files = _files(d.get("evidence") or [])
                if files:
                    services.evidence_add(actor=request.user, nomination=n, files=files)
                return n

        ok, _r = submit_form(request, form, save, _("The nomination is saved."))
        if ok:
            return redirect("honors:nomination", pk=nomination.pk)
    return render(
        request,
        "honors/nomination_edit.html",
        {
            "nomination": nomination,
            "program": program,
            "form": form,
            "editable": editable,
            "evidence": list(nomination.evidence.all()),
            "policy": rules.policy(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    """Evidence is downloaded only by those who may see the nomination."""
    nomination = perms.access_nomination(request.user, pk)
    evidence = NominationEvidence.objects.filter(pk=evidence_id, nomination=nomination).first()
    if evidence is None or not perms.sees_evidence(request.user, nomination):
        raise NotFound()
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


@login_required
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = perms.access_nomination(request.user, pk)
    program = nomination.program
    user = request.user
    pol = rules.policy()
    bodies = [
        b
        for b in rules.vetting_bodies(pol)
        if perms.may_vet(user, program, b, pol) and not nomination.opinions.filter(body=b).exists()
    ]
    vet_form = forms.VetForm(prefix="vet", bodies=bodies)
    withdraw_form = forms.WithdrawForm(prefix="withdraw")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "submit":
            try:
                services.nomination_submit(actor=user, nomination=nomination)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The nomination is submitted."))
            return redirect("honors:nomination", pk=nomination.pk)
        if action == "withdraw":
            withdraw_form = forms.WithdrawForm(request.POST, prefix="withdraw")
            ok, _r = submit_form(
                request,
                withdraw_form,
                lambda d: services.nomination_withdraw(
                    actor=user, nomination=nomination, reason=d["reason"]
                ),
                _("The nomination is withdrawn."),
            )
            if ok:
                return redirect("honors:nomination", pk=nomination.pk)
        elif action == "vet":
            vet_form = forms.VetForm(request.POST, prefix="vet", bodies=bodies)
            ok, _r = submit_form(
                request,
                vet_form,
                lambda d: services.vet(actor=user, nomination=nomination, **d),
                _("Your opinion is signed."),
            )
            if ok:
                return redirect("honors:vetting")
        else:
            raise NotFound()
    nomination.refresh_from_db()
    confidential = perms.sees_confidential(user, program)
    opinions = list(nomination.opinions.order_by("signed_at")) if confidential else []
    for o in opinions:
        o.body_label = rules.body_label(o.body)  # type: ignore[attr-defined]
    return render(
        request,
        "honors/nomination_detail.html",
        {
            "nomination": nomination,
            "program": program,
            "kind": rules.kind(nomination.kind),
            "may_edit": nomination.status == Nomination.Status.DRAFT
            and perms.may_nominate(user, program, nomination.unit),
            "may_change": nomination.status in services.EDITABLE
            and program.status == ST.NOMINATION
            and perms.may_nominate(user, program, nomination.unit),
            "evidence": list(nomination.evidence.all())
            if perms.sees_evidence(user, nomination)
            else [],
            "may_withdraw": nomination.status
            in (Nomination.Status.DRAFT, Nomination.Status.SUBMITTED)
            and program.status in (ST.NOMINATION, ST.VETTING)
            and perms.may_nominate(user, program, nomination.unit),
            "opinions": opinions,
            "confidential": confidential,
            "vet_form": vet_form
            if bodies
            and program.status in (ST.NOMINATION, ST.VETTING)
            and nomination.status == Nomination.Status.SUBMITTED
            else None,
            "withdraw_form": withdraw_form,
        },
    )


@login_required
def vetting_queue(request: HttpRequest) -> HttpResponse:
    """The nominations waiting for an opinion of a body the user signs for."""
    require_business_scope(request)
    rows = selectors.vetting_waiting(request.user)
    return render(request, "honors/vetting.html", {"rows": rows})


# --- decision and publicity ------------------------------------------------------------------


@login_required
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    program = perms.access_program(request.user, pk)
    if not perms.is_officer(request.user, program.agency):
        raise NotFound()
    state = services.outcomes(program)
    noms = program.nominations.filter(pk__in=state).select_related("person", "unit")
    choices = [
        (
            n.pk,
            f"{rules.kind(n.kind).label} · {n.person.name if n.person else n.unit.name}"
            f" · {n.unit.name}",
        )
        for n in noms
        if state[n.pk] == rules.PASS
    ]
    form = forms.DecisionForm(request.POST or None, choices=choices)
    if request.method == "POST":
        ok, _r = submit_form(
            request,
            form,
            lambda d: services.decide(
                actor=request.user,
                program=program,
                approved=[int(x) for x in d["approved"]],
                decision_body=d["decision_body"],
                decision_date=d["decision_date"],
                record=d["record"],
            ),
            _("The decision is recorded."),
        )
        if ok:
            return redirect("honors:program", pk=program.pk)
    pending = [n for n in noms if state[n.pk] == "pending"]
    failed = [n for n in noms if state[n.pk] == rules.FAIL]
    return render(
        request,
        "honors/decision.html",
        {"program": program, "form": form, "pending": pending, "failed": failed},
    )


@login_required
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    program = perms.access_program(request.user, pk)
    if program.status not in (ST.PUBLICITY, ST.FINAL) or not perms.may_see_publicity(
        request.user, program
    ):
        raise NotFound()
    officer = perms.is_officer(request.user, program.agency)
    form = forms.ObjectionForm(prefix="objection")
    answer_form = forms.AnswerForm(prefix="answer")
    if request.method == "POST":
        if request.POST.get("action") == "answer" and officer:
            answer_form = forms.AnswerForm(request.POST, prefix="answer")
            objection = ProgramObjection.objects.filter(
                program=program, pk=request.POST.get("answer-objection") or 0
            ).first()
            if objection is None:
                raise NotFound()
            ok, _r = submit_form(
                request,
                answer_form,
                lambda d: services.objection_answer(
                    actor=request.user,
                    objection=objection,
                    answer=d["answer"],
                    withdraw=d["withdraw"],
                ),
                _("The objection is answered."),
            )
        else:
            form = forms.ObjectionForm(request.POST, prefix="objection")
            ok, _r = submit_form(
                request,
                form,
                lambda d: services.objection_raise(
                    actor=request.user, program=program, text=d["text"]
                ),
                _("Your objection is recorded; the personnel office will answer it."),
            )
        if ok:
            return redirect("honors:publicity", pk=program.pk)
    honourees = (
        program.nominations.filter(status=Nomination.Status.APPROVED)
        .select_related("person", "unit")
        .order_by("kind", "unit__path", "id")
    )
    return render(
        request,
        "honors/publicity.html",
        {
            "program": program,
            "honourees": honourees,
            "kind": rules.kind,
            "form": form,
            "answer_form": answer_form,
            "officer": officer,
            "objections": ProgramObjection.objects.filter(program=program)
            if perms.sees_confidential(request.user, program)
            else [],
            "is_open": program.status == ST.PUBLICITY
            and program.publicity_start is not None
            and program.publicity_end is not None
            and program.publicity_start <= timezone.localdate() <= program.publicity_end,
        },
    )


# --- files -----------------------------------------------------------------------------------


def _verify_url(request: HttpRequest) -> Any:
    return lambda number: request.build_absolute_uri(reverse("honors:verify_number", args=[number]))


@login_required
def certificates_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = perms.access_program(request.user, pk)
    if not perms.is_officer(request.user, program.agency):
        raise NotFound()
    mode = request.GET.get("mode", "design")
    if mode not in exports.MODES:
        raise NotFound()
    certs = list(
        Certificate.objects.filter(honour__program=program, honour__revoked=False)
        .select_related("honour__person", "honour__unit", "honour__program")
        .order_by("kind", "serial")
    )
    export = exports.CertificatesPdf(
        request.user, program, certs, verify_url=_verify_url(request), mode=mode
    ).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


@login_required
def honourees_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = perms.access_program(request.user, pk)
    if not perms.is_officer(request.user, program.agency):
        raise NotFound()
    honours = selectors.in_decision_order(
        program.honours.select_related("person", "unit", "certificate").order_by("id"),
        program.agency,
        kind=lambda h: h.kind,
        unit=lambda h: h.unit_id,
    )
    export = exports.HonoureesXlsx(request.user, program, honours).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


@login_required
def decision_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = perms.access_program(request.user, pk)
    try:
        export = exports.decision_export(request.user, program)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
        return redirect("honors:program", pk=program.pk)
    return export_response(export)


# --- the honours record ----------------------------------------------------------------------


@login_required
def person_honours(request: HttpRequest, pk: int) -> HttpResponse:
    require_business_scope(request)
    person = access_person(request.user, pk)
    honours = perms.honours_visible(request.user).filter(person=person)
    revoke_form = forms.RevokeForm(prefix="revoke")
    if request.method == "POST":
        honour = perms.access_honour(request.user, request.POST.get("honour"))
        revoke_form = forms.RevokeForm(request.POST, prefix="revoke")
        ok, _r = submit_form(
            request,
            revoke_form,
            lambda d: services.revoke(actor=request.user, honour=honour, **d),
            _("The honour is revoked; its certificate now verifies as revoked."),
        )
        if ok:
            return redirect("honors:person", pk=person.pk)
    rows = list(honours.order_by("-year", "-awarded_on"))
    return render(
        request,
        "honors/person.html",
        {
            "person": person,
            "honours": rows,
            "kind": rules.kind,
            "officer": perms.is_officer(request.user, rows[0].agency) if rows else False,
            "revoke_form": revoke_form,
        },
    )


@login_required
def person_honours_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_business_scope(request)
    person = access_person(request.user, pk)
    rows = list(
        perms.honours_visible(request.user)
        .filter(person=person)
        .order_by("-year", "-awarded_on", "id")
    )
    export = exports.HonoursRecordXlsx(request.user, person, rows).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


def _access_unit(request: HttpRequest, pk: int) -> OrgUnit:
    require_business_scope(request)
    unit = access_unit(request.user, pk)
    if not scope_for(request.user).covers_unit(unit.pk, unit.path):
        raise NotFound()  # the organisation's maintainers see every unit, not its honours
    return unit


@login_required
def unit_honours(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's honours: its collective honours and those of its people while in it."""
    unit = _access_unit(request, pk)
    rows = list(selectors.unit_honours(request.user, unit))
    return render(
        request,
        "honors/unit.html",
        {
            "unit": unit,
            "collective": [h for h in rows if h.person_id is None],
            "individual": [h for h in rows if h.person_id is not None],
        },
    )


@login_required
def unit_honours_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    unit = _access_unit(request, pk)
    rows = list(selectors.unit_honours(request.user, unit))
    export = exports.HonoursRecordXlsx(request.user, unit, rows).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


# --- import of earlier years ----------------------------------------------------------------

IMPORT_SESSION_KEY = "honors_import"
IMPORT_PURPOSE = "honors_history_xlsx"


@login_required
def honours_import(request: HttpRequest) -> HttpResponse:
    """Earlier years' honours: upload → preview (nothing written) → commit (all or nothing)."""
    agencies = list(_officer_agencies(request.user).order_by("path"))
    if not agencies:
        raise NotFound()
    flow = importflow.ImportFlow(
        request,
        purpose=IMPORT_PURPOSE,
        url=reverse("honors:import"),
        session_key=IMPORT_SESSION_KEY,
        result_key="honors_import_done",
    )

    def agency_of(pending: dict[str, Any]) -> OrgUnit:
        found = next((a for a in agencies if a.pk == pending.get("agency")), None)
        if found is None:
            raise NotFound()
        return found

    def form_page(form: Any, status: int = 200) -> HttpResponse:
        return flow.render(
            "honors/import.html",
            {"form": form, "agencies": agencies, "headers": imports.HEADERS},
            status=status,
        )

    def upload() -> HttpResponse:
        form = forms.ImportForm(request.POST, request.FILES)
        wanted = request.POST.get("agency", "")
        agency = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
        if not flow.receive(form, default_name="honours.xlsx", agency=agency.pk):
            return form_page(form, status=422)
        return flow.redirect("preview")

    def preview(pending: dict[str, Any], data: bytes) -> HttpResponse:
        agency = agency_of(pending)
        plan = imports.plan_from_bytes(data, agency=agency)
        return flow.render(
            "honors/import_preview.html",
            {
                "pending": pending,
                "agency": agency,
                "plan": plan,
                "ok": not plan.problems,
                "problems": plan.problems,
            },
        )

    def commit(pending: dict[str, Any], data: bytes) -> HttpResponse:
        agency = agency_of(pending)
        n = imports.honours_import(
            actor=request.user, agency=agency, data=data, file_name=pending["name"]
        )
        return flow.finish({"count": n, "agency": agency.name})

    def done(result: dict[str, Any]) -> HttpResponse:
        messages.success(
            request,
            _("%(n)d honours of earlier years were imported into the record of %(agency)s.")
            % {"n": result.get("count", 0), "agency": result.get("agency", "")},
        )
        return redirect("honors:programs")

    return flow.route(
        upload=upload,
        preview=preview,
        commit=commit,
        form=lambda: form_page(forms.ImportForm()),
        done=done,
    )


# --- the year's honours, for the work meeting --------------------------------------------------


@login_required
def year_honours(request: HttpRequest, year: int) -> HttpResponse:
    """Every honour of the year that is not revoked — from programs, the annual appraisal and
    higher bodies — by category in unit order, for the work meeting; and the form that records
    an honour received from a higher body."""
    agencies = list(_officer_agencies(request.user).order_by("path"))
    if not agencies or not 2000 <= year <= 2100:
        raise NotFound()
    wanted = request.GET.get("agency", "") or request.POST.get("agency", "")
    agency = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
    units = agency_units(agency).filter(is_active=True).order_by("path")
    people = Person.objects.filter(unit__in=units, is_active=True).order_by("unit__path", "name")
    form = forms.ExternalHonourForm(request.POST or None, units=units, people=people)
    if request.method == "POST":
        ok, _r = submit_form(
            request,
            form,
            lambda d: services.external_record(actor=request.user, agency=agency, **d),
            _("The honour is recorded."),
        )
        if ok:
            return redirect(f"{reverse('honors:year', args=[year])}?agency={agency.pk}")
    rows = selectors.in_decision_order(
        Honour.objects.filter(agency=agency, year=year, revoked=False)
        .select_related("person", "unit", "program")
        .order_by("id"),
        agency,
        kind=lambda h: h.kind,
        unit=lambda h: h.unit_id,
    )
    return render(
        request,
        "honors/year.html",
        {"agency": agency, "agencies": agencies, "year": year, "rows": rows, "form": form},
        status=422 if request.method == "POST" else 200,
    )


# --- merit candidates (three consecutive years Excellent) -------------------------------------


@login_required
def merit(request: HttpRequest) -> HttpResponse:
    """The candidates for 记三等功 / 记功 after three consecutive years Excellent, for the
    personnel officer to confirm."""
    agencies = list(_officer_agencies(request.user).order_by("path"))
    if not agencies:
        raise NotFound()
    wanted = request.GET.get("agency", "")
    agency = next((a for a in agencies if str(a.pk) == wanted), agencies[0])
    try:
        year = max(2000, min(2100, int(request.GET.get("year", ""))))
    except ValueError:
        year = timezone.localdate().year - 1
    form = forms.MeritConfirmForm(prefix="merit")
    if request.method == "POST":
        form = forms.MeritConfirmForm(request.POST, prefix="merit")
        if form.is_valid():
            person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
            if person is None:
                raise NotFound()
            ok, _r = submit_form(
                request,
                form,
                lambda d: services.merit_confirm(
                    actor=request.user,
                    agency=agency,
                    person=person,
                    year=year,
                    document_number=d["document_number"],
                ),
                _("The merit is recorded in the honours record."),
            )
            if ok:
                return redirect(f"{reverse('honors:merit')}?agency={agency.pk}&year={year}")
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    rows = services.merit_candidates(agency, year)
    for row in rows:
        row["kind_label"] = rules.kind(row["kind"]).label
    return render(
        request,
        "honors/merit.html",
        {"agency": agency, "agencies": agencies, "year": year, "rows": rows, "form": form},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    pid = getattr(request.user, "person_id", None)
    if not pid:
        raise NotFound()
    return redirect("honors:person", pk=pid)


# --- public verification ---------------------------------------------------------------------


def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """No login: whether a certificate number is real and valid, and nothing internal."""
    form = forms.VerifyForm(request.GET or None, initial={"number": number})
    if not number and form.is_valid():
        return redirect("honors:verify_number", number=form.cleaned_data["number"].strip())
    shown = None
    status = 200
    if number:
        try:
            shown = services.verify(number)
        except NotFound:
            status = 404
    return render(
        request,
        "honors/verify.html",
        {"form": form, "number": number, "shown": shown},
        status=status,
    )
