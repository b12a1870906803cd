"""Pages of supervision: register, my items, the ledger, an item with its timeline, the leader's
view, bulletins; and the downloads (assignment sheet, urging notice, ledger, bulletin)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.forms import apply_domain_error
from luoshi.core.paging import paginate
from luoshi.documents.exporters import Exporter, export_record, export_response
from luoshi.orgs import selectors as org_selectors
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.permissions import has_role, require_business_scope, scope_for
from luoshi.orgs.roles import Role
from luoshi.plans.permissions import tasks_visible

from . import bulletins, exports, selectors, services
from . import permissions as perms
from .forms import (
    BulletinCompileForm,
    BulletinEditForm,
    DecideForm,
    ExtensionForm,
    FeedbackForm,
    ItemForm,
    LedgerFilterForm,
    ReasonForm,
    ReviewForm,
    SettingsForm,
)
from .models import Bulletin, ExtensionRequest, Feedback, FeedbackAttachment, SupervisionItem

S = SupervisionItem.Status


def _send(request: HttpRequest, exporter: Exporter) -> HttpResponseBase:
    """Render the file, record it in the audit log and send it."""
    export = exporter.render()
    export_record(actor=request.user, export=export)
    return export_response(export)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version") or 0) or None
    except ValueError:
        return None


def _leaders(user: Any) -> Any:
    return (
        org_selectors.people_visible(user)
        .filter(post__is_leadership=True, is_active=True)
        .order_by("unit__path", "post__sort_order")
    )


# --- register ---------------------------------------------------------------------------------


def _item_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> ItemForm:
    user = request.user
    people = org_selectors.people_visible(user).filter(is_active=True)
    leaders = people.filter(unit__kind__in=[OrgUnit.Kind.AGENCY]) | _leaders(user)
    return ItemForm(
        data,
        units=org_selectors.units_visible(user).filter(is_active=True).order_by("path"),
        people=people.order_by("unit__path", "id"),
        leaders=leaders.distinct().order_by("unit__path", "id"),
        tasks=tasks_visible(user).filter(is_key=True).order_by("plan__year", "sort_order"),
        **kwargs,
    )


def _item_in(d: dict[str, Any]) -> services.ItemIn:
    return services.ItemIn(
        title=d["title"],
        source=d["source"],
        lead_unit=d["lead_unit"],
        content=d["content"],
        kind=d["kind"],
        is_major=d["is_major"],
        urgency=d["urgency"],
        cooperating_units=list(d["cooperating_units"]),
        responsible_person=d["responsible_person"],
        leader_in_charge=d["leader_in_charge"],
        deadline=d["deadline"],
        deadline_working_days=d["deadline_working_days"],
        report_cadence=d["report_cadence"],
        instruction_by=d["instruction_by"],
        instruction_on=d["instruction_on"],
        instruction_text=d["instruction_text"],
        source_document=d["source_document"],
        meeting=d["meeting"],
        meeting_item=d["meeting_item"],
        task=d["task"],
        remarks=d["remarks"],
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    perms.require(perms.can_register(request.user))
    form = _item_form(
        request,
        request.POST or None,
        initial={"source": SupervisionItem.Source.INSTRUCTION, "deadline_working_days": 10},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_register(actor=request.user, data=_item_in(form.cleaned_data))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Registered as %(number)s.") % {"number": item.number})
            return redirect("supervision:item", pk=item.pk)
    return render(request, "supervision/register.html", {"form": form})


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    perms.require(perms.can_edit(request.user, item))
    fields = sorted(services.EDITABLE)
    initial = {f: getattr(item, f) for f in fields}
    initial.update(
        source=item.source,
        instruction_by=item.instruction_by,
        instruction_on=item.instruction_on,
        task=item.task,
        cooperating_units=list(item.cooperating_units.all()),
    )
    form = _item_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {f: d[f] for f in fields if d.get(f) != getattr(item, f)}
        changes["cooperating_units"] = list(d["cooperating_units"])
        try:
            services.item_update(
                actor=request.user, item=item, changes=changes, version=_version(request)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:item", pk=item.pk)
    return render(request, "supervision/register.html", {"form": form, "item": item})


# --- ledger -----------------------------------------------------------------------------------


def ledger_filter_form(request: HttpRequest) -> LedgerFilterForm:
    user = request.user
    return LedgerFilterForm(
        request.GET or None,
        units=list(org_selectors.units_visible(user).order_by("path")),
        leaders=list(_leaders(user)),
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    form = ledger_filter_form(request)
    page = paginate(request, selectors.item_ledger(request.user, form.to_filter()))
    template = (
        "supervision/ledger.html#results"
        if getattr(request, "htmx", False)
        else "supervision/ledger.html"
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "export_query": query.urlencode(),
            "can_register": perms.can_register(request.user),
        },
    )


@login_required
@require_safe
def ledger_xlsx(request: HttpRequest) -> HttpResponseBase:
    require_business_scope(request)
    return _send(request, exports.LedgerXlsx(request.user, ledger_filter_form(request).to_filter()))


# --- my items and the leader's view -----------------------------------------------------------


@login_required
def my_items(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    user = request.user
    visible = selectors.items_visible(user)
    to_review = [
        i
        for i in visible.filter(status__in=[S.ACCEPTED, S.FINAL_SUBMITTED])
        .filter(feedback__review=Feedback.Review.PENDING)
        .distinct()
        if perms.is_office_for(user, i)
    ]
    to_approve = [i for i in visible.filter(status=S.REVIEWED) if perms.can_close_out(user, i)]
    to_register = visible.filter(status=S.REGISTERED) if perms.can_register(user) else []
    pending_ext = [
        e
        for e in ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING, item__in=visible
        ).select_related("item", "item__lead_unit")
        if perms.can_decide_extension(user, e.item)
    ]
    return render(
        request,
        "supervision/my_items.html",
        {
            "mine": selectors.my_items(user),
            "to_review": to_review,
            "to_approve": to_approve,
            "to_assign": to_register,
            "extensions": pending_ext,
        },
    )


def _chosen_leader(request: HttpRequest, leaders: list[Person]) -> Person | None:
    """The leader the view shows: the one asked for when the viewer may see them, else the viewer
    when they are one of the leaders, else the first leader offered — always the one the
    selector shows, so the heading and the lists never name someone else (issue 15 finding 10).
    None when no leader is offered."""
    try:
        asked = int(request.GET.get("leader") or 0)
    except ValueError:
        asked = 0
    own = getattr(request.user, "person_id", None)
    for wanted in (asked, own):
        found = next((p for p in leaders if wanted and p.pk == wanted), None)
        if found is not None:
            return found
    return leaders[0] if leaders else None


@login_required
def leader_view(request: HttpRequest) -> HttpResponse:
    """The leader's view: items in their charge and items bearing their instructions, with the
    per-unit completion and on-time rates of the units they can see."""
    require_business_scope(request)
    user = request.user
    leaders = list(_leaders(user))
    person_id = getattr(user, "person_id", None)
    if (
        person_id is not None
        and has_role(user, Role.AGENCY_LEADER, Role.LEADER_IN_CHARGE)
        and all(p.pk != person_id for p in leaders)
    ):  # a leader by role without a leadership post is offered too (first: their own view)
        own = Person.objects.filter(pk=person_id).first()
        leaders = [own, *leaders] if own is not None else leaders
    leader = _chosen_leader(request, leaders)
    lists = selectors.leader_items(user, leader.pk) if leader else {}
    return render(
        request,
        "supervision/leader.html",
        {
            "leaders": leaders,
            "leader": leader,
            "in_charge": lists.get("in_charge", []),
            "instructed": lists.get("instructed", []),
            "stats": selectors.unit_statistics(selectors.items_visible(user)),
        },
    )


# --- an item ----------------------------------------------------------------------------------


def _item_context(request: HttpRequest, item: SupervisionItem, **overrides: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    feedback = list(
        item.feedback.select_related(
            "submitted_by__person", "reviewed_by__person"
        ).prefetch_related("attachments")
    )
    context = {
        "item": item,
        "cooperating": list(item.cooperating_units.all()),
        "feedback": feedback,
        "pending_feedback": [f for f in feedback if f.review == Feedback.Review.PENDING],
        "extensions": list(
            item.extensions.select_related("requested_by__person", "decided_by__person")
        ),
        "urgings": list(item.urgings.all()),
        "events": item.events.select_related("actor__person")[:100],
        "can_edit": perms.can_edit(user, item),
        "can_assign": perms.can_assign(user, item),
        "can_accept": perms.can_accept(user, item),
        "can_feedback": perms.can_feedback(user, item),
        "can_review": perms.can_review(user, item),
        "can_extend": perms.can_request_extension(user, item, today),
        "can_decide_extension": perms.can_decide_extension(user, item),
        "can_close_out": perms.can_close_out(user, item),
        "can_suspend": perms.can_suspend(user, item),
        "can_resume": perms.can_resume(user, item),
        "feedback_form": FeedbackForm(initial={"version": item.version}),
        "review_form": ReviewForm(),
        "extension_form": ExtensionForm(),
        "decide_form": DecideForm(initial={"version": item.version}),
        "reason_form": ReasonForm(initial={"version": item.version}),
        "today": today,
    }
    context.update(overrides)
    return context


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    return render(request, "supervision/item_detail.html", _item_context(request, item))


def _rerender(request: HttpRequest, item: SupervisionItem, **overrides: Any) -> HttpResponse:
    return render(
        request,
        "supervision/item_detail.html",
        _item_context(request, item, **overrides),
        status=422,
    )


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Assign, accept, suspend, resume: one button each."""
    item = perms.access_item(request.user, pk)
    user = request.user
    try:
        if action == "assign":
            perms.require(perms.can_assign(user, item))
            services.item_assign(actor=user, item=item, version=_version(request))
            messages.success(request, _("The item was assigned."))
        elif action == "accept":
            perms.require(perms.can_accept(user, item))
            services.item_accept(actor=user, item=item, version=_version(request))
            messages.success(request, _("The item was accepted."))
        elif action == "suspend":
            perms.require(perms.can_suspend(user, item))
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _rerender(request, item, reason_form=form)
            services.item_suspend(
                actor=user, item=item, reason=form.cleaned_data["reason"], version=_version(request)
            )
            messages.success(request, _("The item was suspended."))
        elif action == "resume":
            perms.require(perms.can_resume(user, item))
            services.item_resume(actor=user, item=item, version=_version(request))
            messages.success(request, _("The item was resumed."))
        else:
            raise NotFound()
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    return redirect("supervision:item", pk=item.pk)


@login_required
@require_POST
def item_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    perms.require(perms.can_feedback(request.user, item))
    form = FeedbackForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        files = [(f.name or "", f.read()) for f in request.FILES.getlist("attachments")]
        try:
            services.feedback_submit(
                actor=request.user,
                item=item,
                kind=d["kind"],
                text=d["text"],
                percent=d["percent"],
                files=files,
                version=d["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your feedback was submitted."))
            return redirect("supervision:item", pk=item.pk)
    return _rerender(request, item, feedback_form=form)


@login_required
@require_POST
def feedback_review(request: HttpRequest, pk: int, feedback_id: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    feedback = perms.access_feedback(request.user, item, feedback_id)
    perms.require(perms.can_review_feedback(request.user, feedback))
    form = ReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.feedback_review(
                actor=request.user,
                feedback=feedback,
                accept=accept,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The feedback was accepted.") if accept else _("The feedback was returned."),
            )
            return redirect("supervision:item", pk=item.pk)
    return _rerender(request, item, review_form=form)


@login_required
@require_POST
def item_extension(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    perms.require(perms.is_lead_member(request.user, item))
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(
                actor=request.user,
                item=item,
                new_deadline=form.cleaned_data["new_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The extension was requested."))
            return redirect("supervision:item", pk=item.pk)
    return _rerender(request, item, extension_form=form)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int, extension_id: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    extension = item.extensions.filter(pk=extension_id).select_related("item").first()
    if extension is None:
        raise NotFound()
    perms.require(perms.can_decide_extension(request.user, item))
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                actor=request.user,
                request=extension,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The extension was decided."))
    return redirect("supervision:item", pk=item.pk)


@login_required
@require_POST
def item_close_out(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    perms.require(perms.can_close_out(request.user, item))
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.item_close_out(
                actor=request.user,
                item=item,
                approve=approve,
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The item was closed out.") if approve else _("The close-out was refused."),
            )
            return redirect("supervision:item", pk=item.pk)
    return _rerender(request, item, decide_form=form)


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    item = perms.access_item(request.user, pk)

    attachment = FeedbackAttachment.objects.filter(pk=attachment_id, feedback__item=item).first()
    if attachment is None:
        raise NotFound()
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_safe
def assignment_sheet(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = perms.access_item(request.user, pk)
    if item.assigned_on is None:
        raise NotFound()
    return _send(request, exports.AssignmentSheetDocx(request.user, item))


@login_required
@require_safe
def urging_notice(request: HttpRequest, pk: int, step_id: int) -> HttpResponseBase:
    item = perms.access_item(request.user, pk)
    step = item.urgings.filter(pk=step_id, step="urging").first()
    if step is None:
        raise NotFound()
    return _send(request, exports.UrgingNoticeDocx(request.user, item, step))


# --- bulletins --------------------------------------------------------------------------------


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if scope_for(user).is_empty and getattr(user, "person", None) is None:
        raise NotFound()
    form = BulletinCompileForm(request.POST or None)
    if request.method == "POST":
        perms.require(perms.can_manage_bulletins(user))
        if form.is_valid():
            try:
                month = bulletins.parse_month(form.cleaned_data["month"])
            except ValueError:
                form.add_error("month", _("Not a month."))
            else:
                person = getattr(user, "person", None)
                if person is None:
                    raise NotFound()
                agency = services._agency_of(user, person.unit)
                try:
                    bulletin = bulletins.bulletin_compile(actor=user, agency=agency, month=month)
                except DomainError as exc:
                    apply_domain_error(form, exc)
                else:
                    messages.success(request, _("The bulletin was compiled."))
                    return redirect("supervision:bulletin", pk=bulletin.pk)
    return render(
        request,
        "supervision/bulletins.html",
        {
            "page_obj": paginate(request, perms.bulletins_visible(user).order_by("-month")),
            "form": form,
            "can_manage": perms.can_manage_bulletins(user),
        },
    )


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = perms.access_bulletin(request.user, pk)
    can_edit = perms.can_manage_bulletins(request.user) and bulletin.status == Bulletin.Status.DRAFT
    form = BulletinEditForm(
        request.POST or None,
        initial={
            "title": bulletin.title,
            "introduction": bulletin.introduction,
            "closing": bulletin.closing,
            "version": bulletin.version,
        },
    )
    if request.method == "POST":
        perms.require(can_edit)
        action = request.POST.get("action", "save")
        try:
            if action == "publish":
                bulletins.bulletin_publish(
                    actor=request.user, bulletin=bulletin, version=_version(request)
                )
                messages.success(request, _("The bulletin was published."))
                return redirect("supervision:bulletin", pk=bulletin.pk)
            if action == "recompile":
                bulletins.bulletin_compile(
                    actor=request.user, agency=bulletin.agency, month=bulletin.month
                )
                messages.success(request, _("The bulletin was compiled."))
                return redirect("supervision:bulletin", pk=bulletin.pk)
            if form.is_valid():
                d = form.cleaned_data
                bulletins.bulletin_update(
                    actor=request.user,
                    bulletin=bulletin,
                    changes={k: d[k] for k in ("title", "introduction", "closing")},
                    version=d["version"],
                )
                messages.success(request, _("Saved."))
                return redirect("supervision:bulletin", pk=bulletin.pk)
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(
        request,
        "supervision/bulletin_detail.html",
        {"bulletin": bulletin, "data": bulletin.data, "form": form, "can_edit": can_edit},
    )


@login_required
@require_safe
def bulletin_docx(request: HttpRequest, pk: int) -> HttpResponseBase:
    bulletin = perms.access_bulletin(request.user, pk)
    return _send(request, exports.BulletinDocx(request.user, bulletin))


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The office's supervision settings for its agency: number prefixes and the urging ladder
    (lights use the agency's light settings, shared with tasks)."""

    user = request.user
    perms.require(perms.can_register(user))
    person = getattr(user, "person", None)
    if person is None:
        raise NotFound()
    agency = services._agency_of(user, person.unit)
    conf = services.settings_for(agency.pk)
    initial = {f: getattr(conf, f) for f in services.SETTINGS_FIELDS}
    initial["version"] = conf.version if conf.pk else None
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.settings_update(
                actor=user,
                agency=agency,
                values={f: d[f] for f in services.SETTINGS_FIELDS},
                version=d["version"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:settings")
    return render(request, "supervision/settings.html", {"form": form, "agency": agency})
