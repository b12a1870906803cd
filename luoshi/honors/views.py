"""Pages of commendation: programs with their quota table by unit, nominations, the vetting
queue, the decision, publicity, certificates and the honourees' table, a person's honours, and
the public verification page. Every write goes through the services (the same as the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.appraisal.services import agency_units
from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import submit_form
from luoshi.core.paging import paginate
from luoshi.documents.exporters import export_record, export_response
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.permissions import access_person, require_business_scope

from . import exports, forms, rules, selectors, services
from . import permissions as perms
from .models import Certificate, Honour, Nomination, Program, ProgramObjection, UnitAllocation

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
    rows = []
    for quota in program.quotas.prefetch_related("allocations__unit").order_by("kind", "family"):
        used = services.used_by_unit(quota)
        rows.append(
            {
                "quota": quota,
                "kind": rules.kind(quota.kind),
                "allocations": [
                    {"allocation": a, "used": used.get(a.unit_id, 0)}
                    for a in sorted(quota.allocations.all(), key=lambda a: a.unit.path)
                ],
                "used": sum(used.values()),
            }
        )
    return rows


def _program_context(request: HttpRequest, program: Program) -> dict[str, Any]:
    user = request.user
    officer = perms.is_officer(user, program.agency)
    outcomes = services.outcomes(program) if officer else {}
    nominations = list(
        perms.nominations_visible(user, program).order_by("kind", "unit__path", "id")
    )
    for n in nominations:
        n.outcome = outcomes.get(n.pk, "")  # type: ignore[attr-defined]
    pol = rules.policy()
    return {
        "program": program,
        "officer": officer,
        "vetter": perms.is_vetter(user, program),
        "may_nominate": program.status == ST.NOMINATION and perms.may_nominate_in(user, program),
        "quota_rows": _quota_rows(program),
        "nominations": nominations,
        "needs_approval": rules.needs_approval(program.title, program.scope, pol),
        "restricted_words": rules.restricted_words_in(program.title, pol),
        "readiness": services.readiness(program) if officer else [],
        "quota_form": forms.QuotaForm(prefix="quota"),
        "approval_form": forms.ApprovalForm(prefix="approval"),
        "publicity_form": forms.PublicityForm(prefix="publicity"),
        "number_form": forms.NumberForm(
            prefix="number", initial={"number": program.decision_document_number}
        ),
        "certificates": Certificate.objects.filter(honour__program=program).count(),
        "honours": program.honours.count(),
    }


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
    form = forms.NominationForm(request.POST or None, kinds=kinds, people=people, units=units)
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
            lambda d: services.nominate(actor=request.user, program=program, **d),
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
    honours = list(
        program.honours.select_related("person", "unit", "certificate").order_by(
            "kind", "unit__path", "id"
        )
    )
    export = exports.HonoureesXlsx(request.user, program, honours).render()
    export_record(actor=request.user, export=export)
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
