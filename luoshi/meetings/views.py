"""Pages of the work meeting: the office's planning, participants, sign-in desk and door screen,
seating editor, materials, minutes and requirements; the participant's meetings, sign-in on the
phone and seat. Every write goes through the services (the same as the API)."""

from __future__ import annotations

from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from luoshi.appraisal.services import agency_units
from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import submit_form
from luoshi.core.paging import fast_paginate, paginate
from luoshi.documents.exporters import export_record, export_response
from luoshi.orgs.models import OrgUnit, Person, Post, Rank
from luoshi.orgs.permissions import require_business_scope

from . import exports, forms, rules, selectors, services
from . import permissions as perms
from .models import Meeting, Participant

ST = Meeting.State


def _organized_agencies(user: Any) -> Any:
    agencies = OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY, is_active=True)
    return OrgUnit.objects.filter(pk__in=[a.pk for a in agencies if perms.is_organizer(user, a)])


def _people(meeting_or_agency: Any) -> Any:
    agency = getattr(meeting_or_agency, "agency", meeting_or_agency)
    return (
        Person.objects.filter(unit__in=agency_units(agency), is_active=True)
        .select_related("unit")
        .order_by("unit__path", "pk")
    )


def _posted_id(request: HttpRequest, name: str) -> int:
    """A posted id, 0 for none or not a number (which then names no record: 404)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def _posted_person(request: HttpRequest, meeting: Meeting) -> Person | None:
    """The posted `person` if of the meeting's agency; else None with the page's message."""
    person = _people(meeting).filter(pk=_posted_id(request, "person")).first()
    if person is None:
        messages.error(request, _("Choose a person of the agency."))
    return person


def _run(request: HttpRequest, action: Any, success: Any) -> Any:
    """Call a service for a page's small POST form: its message, or the domain error's."""
    try:
        result = action()
    except DomainError as exc:
        details = "; ".join(str(d.get("message", "")) for d in exc.details)
        messages.error(request, f"{exc.message} {details}".strip())
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def _meeting_context(request: HttpRequest, meeting: Meeting, tab: str) -> dict[str, Any]:
    user = request.user
    return {
        "meeting": meeting,
        "tab": tab,
        "is_organizer": perms.is_organizer(user, meeting.agency),
        "sees_everything": perms.sees_everything(user, meeting),
        "own": perms.own_participant(user, meeting),
    }


# --- meetings --------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    require_business_scope(request)
    meetings = perms.meetings_visible(request.user).order_by("-date", "-id")
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page_obj": paginate(request, meetings),
            "can_create": _organized_agencies(request.user).exists(),
        },
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    agencies = _organized_agencies(request.user)
    if not agencies.exists():
        raise NotFound()
    agency = agencies.first()
    form = forms.MeetingForm(
        request.POST or None,
        agencies=agencies,
        people=_people(agency),
        initial={
            "agency": agency,
            "year": timezone.localdate().year,
            "kind": Meeting.Kind.WORK,
            "honour_side": Meeting.HonourSide.LEFT,
        },
    )
    if request.method == "POST":
        ok, meeting = submit_form(
            request,
            form,
            lambda d: services.meeting_create(actor=request.user, **d),
            _("The meeting is planned. Add its agenda and participants, then send the notice."),
        )
        if ok:
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The office changes the meeting's particulars (what its state still allows)."""
    meeting = perms.access_organized(request.user, pk)
    editable = services.updatable_fields(meeting)
    initial = {name: getattr(meeting, name) for name in services.UPDATABLE}
    initial["version"] = meeting.version
    form = forms.MeetingEditForm(
        request.POST or None, people=_people(meeting), editable=editable, initial=initial
    )
    if request.method == "POST":

        def update(data: dict[str, Any]) -> Meeting:
            changes = {k: v for k, v in data.items() if k != "version" and k in editable}
            return services.meeting_update(
                actor=request.user, meeting=meeting, version=data["version"], **changes
            )

        ok, _updated = submit_form(request, form, update, _("The meeting was updated."))
        if ok:
            return redirect("meetings:detail", pk=meeting.pk)
    ctx = _meeting_context(request, meeting, "detail")
    ctx.update({"form": form, "editable": editable})
    return render(request, "meetings/meeting_edit.html", ctx)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_meeting(request.user, pk)
    ctx = _meeting_context(request, meeting, "detail")
    organizer = ctx["is_organizer"]
    agenda_form = forms.AgendaForm(
        people=_people(meeting), units=agency_units(meeting.agency).order_by("path")
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "advance" and organizer:
            _run(
                request,
                lambda: services.meeting_advance(
                    actor=request.user, meeting=meeting, to=request.POST.get("to", "")
                ),
                _("The meeting moved to its next state."),
            )
        elif action == "agenda" and organizer:
            agenda_form = forms.AgendaForm(
                request.POST,
                people=_people(meeting),
                units=agency_units(meeting.agency).order_by("path"),
            )
            ok, _item = submit_form(
                request,
                agenda_form,
                lambda d: services.agenda_add(
                    actor=request.user,
                    meeting=meeting,
                    kind=d["kind"],
                    title=d["title"],
                    presenter=d["presenter"],
                    unit=d["unit"],
                    duration_minutes=d["duration_minutes"],
                    reads=d["reads"] or "",
                    material_due=d["material_due"],
                ),
                _("The agenda item was added."),
            )
            if not ok:
                return _render_detail(request, meeting, ctx, agenda_form)
        elif action == "propose_reports" and organizer:
            _run(
                request,
                lambda: services.report_speakers_propose(actor=request.user, meeting=meeting),
                _("Report items were added for the units with an accepted summary."),
            )
        elif action == "agenda_remove" and organizer:
            item = perms.access_agenda_item(request.user, meeting, request.POST.get("item"))
            _run(
                request,
                lambda: services.agenda_remove(actor=request.user, item=item),
                _("The agenda item was removed."),
            )
        elif action == "reply" and ctx["own"] is not None:
            _run(
                request,
                lambda: services.reply(
                    actor=request.user,
                    participant=ctx["own"],
                    answer=request.POST.get("answer", ""),
                    leave_reason=request.POST.get("leave_reason", ""),
                ),
                _("Your reply was recorded."),
            )
        else:
            raise NotFound()
        return redirect("meetings:detail", pk=meeting.pk)
    return _render_detail(request, meeting, ctx, agenda_form)


def _render_detail(
    request: HttpRequest, meeting: Meeting, ctx: dict[str, Any], agenda_form: Any
) -> HttpResponse:
    meeting.refresh_from_db()
    organizer = ctx["is_organizer"]
    ctx.update(
        {
            "agenda": meeting.agenda.defer("material_content").select_related("presenter", "unit"),
            "readiness": services.readiness(meeting) if organizer else None,
            "agenda_form": agenda_form
            if organizer and meeting.state in (ST.PLANNING, ST.NOTIFIED)
            else None,
            "requirements": selectors.requirements(meeting),
            "exchange_candidates": services.exchange_candidates(meeting)[:20] if organizer else [],
            "report_candidates": services.report_candidates(meeting) if organizer else [],
        }
    )
    return render(request, "meetings/meeting_detail.html", ctx)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/mine.html", {"rows": selectors.my_meetings(request.user)})


# --- participants ----------------------------------------------------------------------------


@login_required
def participants(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    ctx = _meeting_context(request, meeting, "participants")
    organizer = ctx["is_organizer"]
    guest_form = forms.GuestForm()
    code = None
    if request.method == "POST":
        if not organizer:
            raise NotFound()
        action = request.POST.get("action", "")
        user = request.user
        if action == "rule":
            rank = Rank.objects.filter(pk=request.POST.get("rank") or 0).first()
            post = Post.objects.filter(pk=request.POST.get("post") or 0).first()
            _run(
                request,
                lambda: services.rule_set(
                    actor=user,
                    meeting=meeting,
                    unit_kind=request.POST.get("unit_kind", ""),
                    rank=rank,
                    post=post,
                ),
                _("The rule was saved."),
            )
        elif action == "apply":
            result = _run(
                request, lambda: services.participants_apply(actor=user, meeting=meeting), ""
            )
            if result:
                messages.success(
                    request,
                    _(
                        "%(added)d added by rule, %(removed)d removed, "
                        "%(honourees)d honourees added."
                    )
                    % result,
                )
        elif action == "person":
            person = _posted_person(request, meeting)
            if person is not None:
                _run(
                    request,
                    lambda: services.participant_add(
                        actor=user,
                        meeting=meeting,
                        person=person,
                        role=request.POST.get("role", "attend"),
                    ),
                    _("%(name)s was added.") % {"name": person.name},
                )
        elif action == "guest":
            guest_form = forms.GuestForm(request.POST)
            ok, _p = submit_form(
                request,
                guest_form,
                lambda d: services.participant_add(actor=user, meeting=meeting, **d),
                _("The guest was added."),
            )
            if not ok:
                return _render_participants(request, meeting, ctx, guest_form, None)
        elif action in ("remove", "code", "leave", "accept", "substitute", "desk"):
            p = perms.access_participant(user, meeting, request.POST.get("participant"))
            if action == "remove":
                _run(
                    request,
                    lambda: services.participant_remove(actor=user, participant=p),
                    _("Removed from the list."),
                )
            elif action == "code":
                code = _run(
                    request, lambda: services.guest_code_issue(actor=user, participant=p), ""
                )
                if code:
                    messages.success(
                        request,
                        _("The sign-in code for %(name)s is %(code)s (shown once).")
                        % {"name": p.name, "code": code},
                    )
            elif action in ("leave", "accept"):
                _run(
                    request,
                    lambda: services.reply(
                        actor=user,
                        participant=p,
                        answer="leave" if action == "leave" else "accepted",
                        leave_reason=request.POST.get("leave_reason", ""),
                    ),
                    _("The reply was recorded."),
                )
            elif action == "substitute":
                person = _posted_person(request, meeting)
                if person is not None:
                    _run(
                        request,
                        lambda: services.substitute_name(actor=user, participant=p, person=person),
                        _("The substitute was named."),
                    )
            elif action == "desk":
                _run(
                    request,
                    lambda: services.sign_in_at_desk(actor=user, participant=p),
                    _("Signed in."),
                )
        elif action == "presidium":
            # the ordering widget posts one `order` per person, No. 1 first; a typed list of
            # ids (`people`) is still read
            ids = [int(x) for x in request.POST.getlist("order") if x.strip().isdigit()] or [
                int(x)
                for x in request.POST.get("people", "").replace("，", ",").split(",")
                if x.strip().isdigit()
            ]
            _run(
                request,
                lambda: services.presidium_set(actor=user, meeting=meeting, person_ids=ids),
                _("The presidium was set."),
            )
        else:
            raise NotFound()
        back = reverse("meetings:participants", args=[meeting.pk])  # the same filters and page
        return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)
    return _render_participants(request, meeting, ctx, guest_form, code)


PARTICIPANT_FILTERS = ("q", "reply", "source", "signed_in")


def _participant_rows(meeting: Meeting, f: dict[str, str]) -> Any:
    """The list as the page's table reads it, filtered, with everything a row shows joined (no
    query per row; a page's rows are joined after their window is found: FastPaginator)."""
    return selectors.filter_participants(
        meeting.participants.select_related(
            "person__post", "person__rank", "unit", "substitute_for__person"
        ).order_by("sort_key", "id"),
        q=f["q"],
        reply=f["reply"],
        source=f["source"],
        signed_in=f["signed_in"],
    )


def _options(rows: Any) -> SafeString:
    """<option>s of (value, label) pairs, escaped (html.escape: format_html's cost per option
    is ten times this on a list of hundreds)."""
    return mark_safe(  # noqa: S308 — every value and label is escaped
        "".join(f'<option value="{escape(str(v))}">{escape(label)}</option>' for v, label in rows)
    )


def _people_options(meeting: Meeting, with_unit: bool) -> SafeString:
    """<option>s of the agency's people (one query, built once for every select that lists
    them)."""
    rows = _people(meeting).values_list("pk", "name", "unit__name")
    if with_unit:
        return _options((pk, f"{name} · {unit}") for pk, name, unit in rows)
    return _options((pk, name) for pk, name, _unit in rows)


def _render_participants(
    request: HttpRequest, meeting: Meeting, ctx: dict[str, Any], guest_form: Any, code: Any
) -> HttpResponse:
    organizer = ctx["is_organizer"]
    editable = meeting.state in (ST.PLANNING, ST.NOTIFIED)
    live = meeting.state in (ST.NOTIFIED, ST.IN_SESSION)
    f = {k: request.GET.get(k, "").strip()[:100] for k in PARTICIPANT_FILTERS}
    counts = selectors.participant_counts(meeting)
    filtered = any(f.values())
    page = fast_paginate(
        request, _participant_rows(meeting, f), count=counts["total"] if not filtered else None
    )
    if organizer and live:  # who already has a substitute named (one query for the page)
        named = set(
            Participant.objects.filter(
                substitute_for_id__in=[p.pk for p in page.object_list]
            ).values_list("substitute_for_id", flat=True)
        )
        for p in page.object_list:
            p.has_substitute = p.pk in named
    ctx.update(
        {
            "page_obj": page,
            "filters": f,
            "filtered": filtered,
            "counts": counts,
            "replies": Participant.Reply.choices,
            "sources": Participant.Source.choices,
            "guest_form": guest_form,
            "editable": editable,
        }
    )
    if organizer:
        # the people on the list (one query): the presidium in protocol order, the rest for
        # the presidium's "add" list
        listed = list(
            meeting.participants.filter(person__isnull=False)
            .order_by("sort_key", "id")
            .values_list("person_id", "person__name", "unit__name", "presidium", "protocol_order")
        )
        seated = sorted((r for r in listed if r[3]), key=lambda r: r[4] or 0)
        order = (
            [{"pk": pid, "name": name} for pid, name, *_rest in seated]
            if seated
            else [{"pk": p.pk, "name": p.name} for p in services.presidium_proposal(meeting)]
        )
        chosen = {entry["pk"] for entry in order}
        candidates = [(pid, name, unit) for pid, name, unit, *_rest in listed if pid not in chosen]
        ctx["presidium_order"] = order
        ctx["presidium_candidates"] = _options(
            (pid, f"{name}（{unit}）" if unit else name) for pid, name, unit in candidates
        )
        if editable or live:  # the substitutes' selects
            ctx["people_options"] = _people_options(meeting, with_unit=False)
    if organizer and editable:
        rules_by_kind = {r.unit_kind: r for r in meeting.rules.select_related("rank", "post")}
        ctx.update(
            {
                "unit_kinds": [
                    (value, label, rules_by_kind.get(value))
                    for value, label in OrgUnit.Kind.choices
                ],
                "ranks": Rank.objects.filter(is_active=True),
                "posts": Post.objects.filter(is_active=True),
                "people_choices": _people_options(meeting, with_unit=True),
            }
        )
    return render(request, "meetings/participants.html", ctx)


@login_required
def participants_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    meeting = perms.access_overseen(request.user, pk)
    export = exports.ParticipantsXlsx(request.user, meeting).render()
    export_record(actor=request.user, export=export)
    return export_response(export)


# --- sign-in ---------------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-in desk: live attendance by unit, late and absent, manual sign-in."""
    meeting = perms.access_overseen(request.user, pk)
    ctx = _meeting_context(request, meeting, "desk")
    if request.method == "POST":
        if not ctx["is_organizer"]:
            raise NotFound()
        p = perms.access_participant(request.user, meeting, request.POST.get("participant"))
        _run(
            request,
            lambda: services.sign_in_at_desk(actor=request.user, participant=p),
            _("%(name)s signed in.") % {"name": p.name},
        )
        return redirect("meetings:desk", pk=meeting.pk)
    ctx["attendance"] = selectors.attendance(meeting)
    template = (
        "meetings/_attendance.html" if request.headers.get("HX-Request") else "meetings/desk.html"
    )
    return render(request, template, ctx)


@login_required
def door(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen at the door: the QR code that changes every minute (refreshed by door.js)."""
    meeting = perms.access_organized(request.user, pk)
    return render(request, "meetings/door.html", {"meeting": meeting})


def sign_in_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("meetings:sign_in", args=[token]))


@never_cache
@login_required
def door_svg(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_organized(request.user, pk)
    url = sign_in_url(request, services.current_token(meeting))
    return HttpResponse(exports.qr_svg(url), content_type="image/svg+xml")


@never_cache
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """What the phone opens after scanning: a participant (logged in) confirms; a guest enters
    their one-time code. An unknown or expired token says so, and nothing else."""
    meeting_id = rules.token_meeting_id(token)
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        raise NotFound()
    user = request.user
    logged_in = getattr(user, "is_authenticated", False)
    own = perms.own_participant(user, meeting) if logged_in else None
    done = None
    if request.method == "POST":
        try:
            if request.POST.get("code") is not None and not logged_in:
                done = services.sign_in_with_code(
                    meeting=meeting, token=token, code=request.POST.get("code", "")
                )
            elif logged_in:
                done = services.sign_in_with_token(actor=user, meeting=meeting, token=token)
            else:
                raise NotFound()
        except DomainError as exc:
            messages.error(request, str(exc.message))
    else:
        problem = rules.token_problem(
            token,
            meeting_id=meeting.pk,
            meeting_secret=meeting.sign_in_secret,
            now_minute=rules.minute_of(timezone.now().timestamp()),
            accepted=rules.policy().token_minutes_accepted,
        )
        if problem == "forged" or problem == "malformed":
            raise NotFound()
        if problem:
            messages.error(
                request, _("This sign-in code has expired: scan the code at the door again.")
            )
    whom = done or own
    seat = selectors.seat_of(meeting, whom) if whom is not None else None
    return render(
        request,
        "meetings/sign_in.html",
        {
            "meeting": meeting,
            "token": token,
            "logged_in": logged_in,
            "own": own,
            "done": done,
            "seat": seat,
            "login_url": f"{reverse('login')}?next={request.path}",
        },
    )


@login_required
def my_seat(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_meeting(request.user, pk)
    own = perms.own_participant(request.user, meeting)
    if own is None:
        raise NotFound()
    return render(
        request,
        "meetings/my_seat.html",
        {"meeting": meeting, "own": own, "seat": selectors.seat_of(meeting, own)},
    )


# --- seats -----------------------------------------------------------------------------------


@login_required
def seating(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    ctx = _meeting_context(request, meeting, "seating")
    if request.method == "POST":
        if not ctx["is_organizer"]:
            raise NotFound()
        action = request.POST.get("action", "")
        user = request.user
        seat_id = _posted_id(request, "seat")
        if action == "move":
            to = _posted_id(request, "to")
            _run(
                request,
                lambda: services.seat_move(
                    actor=user, meeting=meeting, seat_id=seat_id, to_seat_id=to
                ),
                _("The seat was moved."),
            )
        elif action in ("lock", "unlock"):
            _run(
                request,
                lambda: services.seat_lock(
                    actor=user, meeting=meeting, seat_id=seat_id, locked=action == "lock"
                ),
                _("Saved."),
            )
        elif action == "arrange":
            result = _run(
                request, lambda: services.seating_arrange(actor=user, meeting=meeting), ""
            )
            if result:
                messages.success(
                    request,
                    _(
                        "%(presidium)d on the presidium, %(hall)d in the hall, "
                        "%(unseated)d without a seat."
                    )
                    % result,
                )
        elif action == "awarding":
            _run(
                request,
                lambda: services.awarding_plan(actor=user, meeting=meeting),
                _("The awarding rounds were planned."),
            )
        else:
            raise NotFound()
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
        return redirect("meetings:seating", pk=meeting.pk)
    ctx.update(
        {
            "rows": selectors.seat_rows(meeting),
            "rounds": selectors.awarding(meeting),
            "can_arrange": True,
        }
    )
    return render(request, "meetings/seating.html", ctx)


# --- materials, minutes, requirements --------------------------------------------------------


@login_required
def materials(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_meeting(request.user, pk)
    ctx = _meeting_context(request, meeting, "materials")
    items = list(
        meeting.agenda.defer("material_content").select_related(
            "presenter", "unit", "meeting__agency"
        )
    )
    mine = [i for i in items if perms.may_attach_material(request.user, i)]
    if not ctx["sees_everything"] and not mine:
        raise NotFound()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "upload":
            item = perms.access_agenda_item(request.user, meeting, request.POST.get("item"))
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a PDF file."))
            elif upload.size is not None and upload.size > services.MATERIAL_MAX_BYTES:
                messages.error(request, _("The material is larger than 20 MB."))
            else:
                _run(
                    request,
                    lambda: services.material_upload(
                        actor=request.user,
                        item=item,
                        name=upload.name or "material.pdf",
                        data=upload.read(),
                    ),
                    _("The material was attached."),
                )
        elif action == "freeze" and ctx["is_organizer"]:
            _run(
                request,
                lambda: services.compilation_freeze(actor=request.user, meeting=meeting),
                _("The compilation was frozen."),
            )
        else:
            raise NotFound()
        return redirect("meetings:materials", pk=meeting.pk)
    ctx.update(
        {
            "items": items if ctx["sees_everything"] else mine,
            "summarised": set(services.summaries_by_unit(meeting)),
            "uploadable": {i.pk for i in mine}
            if meeting.state in (ST.PLANNING, ST.NOTIFIED)
            else set(),
            "compilations": meeting.compilations.defer("content") if ctx["sees_everything"] else [],
            "can_freeze": True,
        }
    )
    return render(request, "meetings/materials.html", ctx)


@login_required
def material_pdf(request: HttpRequest, pk: int, agenda_item_id: int) -> HttpResponse:
    meeting = perms.access_meeting(request.user, pk)
    item = perms.access_agenda_item(request.user, meeting, agenda_item_id)
    if not (
        perms.sees_everything(request.user, meeting)
        or perms.may_attach_material(request.user, item)
    ):
        raise NotFound()
    if not item.has_material:
        raise NotFound()
    response = HttpResponse(bytes(item.material_content or b""), content_type="application/pdf")
    response["Content-Disposition"] = "inline"
    return response


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    ctx = _meeting_context(request, meeting, "minutes")
    form = forms.DecisionsForm(initial={"decisions": meeting.decisions, "version": meeting.version})
    if request.method == "POST":
        if not ctx["is_organizer"]:
            raise NotFound()
        form = forms.DecisionsForm(request.POST)
        ok, _m = submit_form(
            request,
            form,
            lambda d: services.decisions_set(
                actor=request.user, meeting=meeting, text=d["decisions"], version=d["version"]
            ),
            _("The decisions were saved."),
        )
        if ok:
            return redirect("meetings:minutes", pk=meeting.pk)
    ctx.update(
        {
            "form": form if meeting.state in (ST.IN_SESSION, ST.CLOSED) else None,
            "lists": selectors.minutes_lists(meeting),
            "readiness": services.readiness(meeting),
            "can_download": bool(meeting.minutes_number),
        }
    )
    return render(request, "meetings/minutes.html", ctx)


@login_required
def requirements(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_meeting(request.user, pk)
    ctx = _meeting_context(request, meeting, "requirements")
    units = agency_units(meeting.agency).filter(is_active=True).order_by("path")
    form = forms.RequirementForm()
    if request.method == "POST":
        if not ctx["is_organizer"]:
            raise NotFound()
        action = request.POST.get("action", "")
        user = request.user
        if action == "add":
            form = forms.RequirementForm(request.POST)
            ok, _r = submit_form(
                request,
                form,
                lambda d: services.requirement_add(actor=user, meeting=meeting, **d),
                _("The requirement was recorded."),
            )
            if not ok:
                return _render_requirements(request, meeting, ctx, form, units)
        elif action in ("key_point", "supervision"):
            r = perms.access_requirement(user, meeting, request.POST.get("requirement"))
            if action == "key_point":
                _run(
                    request,
                    lambda: services.requirement_to_key_point(actor=user, requirement=r),
                    _("The key point was created in next year's plan."),
                )
            else:
                sform = forms.SupervisionForm(request.POST, units=units)
                if sform.is_valid():
                    _run(
                        request,
                        lambda: services.requirement_to_supervision(
                            actor=user, requirement=r, **sform.cleaned_data
                        ),
                        _("The supervision item was registered."),
                    )
                else:
                    messages.error(request, _("Choose the lead unit and the deadline."))
        else:
            raise NotFound()
        return redirect("meetings:requirements", pk=meeting.pk)
    return _render_requirements(request, meeting, ctx, form, units)


def _render_requirements(
    request: HttpRequest, meeting: Meeting, ctx: dict[str, Any], form: Any, units: Any
) -> HttpResponse:
    ctx.update(
        {
            "requirements": selectors.requirements(meeting),
            "form": form if meeting.state != ST.PLANNING and meeting.state != ST.NOTIFIED else None,
            "units": units,
            "has_plan": services.next_year_plan(meeting) is not None,
        }
    )
    return render(request, "meetings/requirements.html", ctx)


@login_required
def seat_chart_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    return _pdf(exports.seat_chart(meeting), "seat-chart.pdf")


@login_required
def table_cards_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    return _pdf(exports.table_cards(meeting), "table-cards.pdf")


@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    if not meeting.minutes_number:
        raise NotFound()
    response = HttpResponse(
        exports.minutes_docx(meeting),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = 'attachment; filename="minutes.docx"'
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    return _docx(exports.notice_docx(meeting), "notice.docx")


@login_required
def standing_order_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    if not meeting.awarding_rounds.exists():
        raise NotFound()
    return _docx(exports.standing_order_docx(meeting), "standing-order.docx")


@login_required
def compilation_pdf(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    meeting = perms.access_overseen(request.user, pk)
    compilation = meeting.compilations.filter(version=version).first()
    if compilation is None:
        raise NotFound()
    return _pdf(bytes(compilation.content), f"compilation-v{version}.pdf")
