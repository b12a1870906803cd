"""The meetings API (mounted by luoshi.api.api at /api/v1/meetings/): the same permissions and
services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.core.apitypes import MAX_ID, Text, error_responses
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.paging import FastPaginator, api_page
from luoshi.honors.models import Program
from luoshi.orgs.models import OrgUnit, Person, Post, Rank

from . import permissions as perms
from . import selectors, services
from .models import Meeting, Participant

router = Router(tags=["meetings"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ---------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    year: int
    kind: str
    title: str
    date: dt.date
    starts_at: dt.time | None
    venue: str
    presiding: int | None = Field(None, alias="presiding_id")
    honour_side: str
    state: str
    program: int | None = Field(None, alias="program_id")
    minutes_number: str
    version: int


class AgendaItemOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    presenter: int | None = Field(None, alias="presenter_id")
    unit: int | None = Field(None, alias="unit_id")
    duration_minutes: int
    reads: str
    material_due: dt.date | None
    has_material: bool


class KeyPointLinkOut(Schema):
    id: int
    plan: int
    label: str
    title: str
    tasks: int
    progress: int
    light: str


class SupervisionLinkOut(Schema):
    id: int
    number: str
    title: str
    status: str
    progress: int
    light: str


class RequirementOut(Schema):
    id: int
    number: int
    text: str
    passage: str
    key_point: KeyPointLinkOut | None
    supervision_item: SupervisionLinkOut | None
    version: int


class ReadinessOut(Schema):
    step: str
    ready: bool
    missing: list[str]


class MeetingDetailOut(MeetingOut):
    agenda: list[AgendaItemOut]
    requirements: list[RequirementOut]
    readiness: ReadinessOut | None


class MeetingIn(Schema):
    agency: RefId
    year: int = Field(..., ge=2000, le=2100)
    kind: str = Field("work", pattern="^(work|plenary|party_group|other)$")
    title: Text = Field(..., min_length=1, max_length=200)
    date: dt.date
    starts_at: dt.time | None = None
    venue: Text = Field(..., min_length=1, max_length=200)
    presiding: RefId | None = None
    honour_side: str = Field("left", pattern="^(left|right)$")
    program: RefId | None = None


class MeetingPatchIn(Schema):
    """The particulars to change (only those given); `version` is the one read, a stale one
    answers 409."""

    kind: str | None = Field(None, pattern="^(work|plenary|party_group|other)$")
    title: Text | None = Field(None, min_length=1, max_length=200)
    date: dt.date | None = None
    starts_at: dt.time | None = None
    venue: Text | None = Field(None, min_length=1, max_length=200)
    presiding: RefId | None = None
    honour_side: str | None = Field(None, pattern="^(left|right)$")
    program: RefId | None = None
    version: int | None = Field(None, ge=0, le=MAX_ID)


NOT_NULL = ("kind", "title", "date", "venue", "honour_side")


class AdvanceIn(Schema):
    to: str = Field(..., pattern="^(notified|in_session|closed|minutes_published)$")


class AgendaIn(Schema):
    kind: str = Field(..., pattern="^(speech|report|reading|awarding|exchange)$")
    title: Text = Field(..., min_length=1, max_length=200)
    presenter: RefId | None = None
    unit: RefId | None = None
    duration_minutes: int | None = Field(None, ge=1, le=240)
    reads: str = Field("", pattern="^(|decision|excellent)$")
    material_due: dt.date | None = None


class RuleIn(Schema):
    unit_kind: str = Field(..., pattern="^(agency|department|affiliated|local)$")
    rank: RefId | None = None
    post: RefId | None = None


class ParticipantOut(Schema):
    id: int
    person: int | None = Field(None, alias="person_id")
    unit: int | None = Field(None, alias="unit_id")
    name: str
    guest_body: str
    guest_title: str
    source: str
    role: str
    presidium: bool
    protocol_order: int | None
    reply: str
    leave_reason: str
    substitute_for: int | None = Field(None, alias="substitute_for_id")
    signed_in_at: dt.datetime | None
    sign_in_method: str


class ParticipantIn(Schema):
    person: RefId | None = None
    guest_name: Text = Field("", max_length=64)
    guest_body: Text = Field("", max_length=128)
    guest_title: Text = Field("", max_length=128)
    role: str = Field("attend", pattern="^(attend|observe)$")


class ReplyIn(Schema):
    answer: str = Field(..., pattern="^(accepted|leave)$")
    leave_reason: Text = Field("", max_length=300)


class SubstituteIn(Schema):
    person: RefId


class SignInIn(Schema):
    token: str = Field(..., min_length=1, max_length=80)


class GuestCodeOut(Schema):
    code: str


class ApplyOut(Schema):
    added: int
    removed: int
    honourees: int


class AttendanceUnitOut(Schema):
    unit: str
    expected: int
    signed_in: int
    leave: int
    guest: bool


class AttendanceOut(Schema):
    total: int
    signed_in: int
    units: list[AttendanceUnitOut]
    late: list[int]
    absent: list[int]
    leave: list[int]


class SeatOut(Schema):
    position: int
    person: int | None
    name: str
    rank_order: int | None


class HallSeatOut(SeatOut):
    row: int
    zone: str


class SeatingOut(Schema):
    presidium: list[SeatOut]
    hall: list[HallSeatOut]


class PresidiumIn(Schema):
    people: list[RefId] = Field(..., max_length=100)


class SeatMoveIn(Schema):
    to: RefId


class SeatLockIn(Schema):
    locked: bool


class SeatStateOut(Schema):
    id: int
    area: str
    row: int
    position: int
    participant: int | None = Field(None, alias="participant_id")
    locked: bool


class CompilationOut(Schema):
    version: int
    sha256: str
    contents: list[dict[str, Any]]
    frozen_at: dt.datetime


class RequirementIn(Schema):
    text: Text = Field(..., min_length=1, max_length=500)
    passage: Text = Field("", max_length=20000)
    number: int | None = Field(None, ge=1, le=99)


class SupervisionIn(Schema):
    lead_unit: RefId
    deadline: dt.date


class DecisionsIn(Schema):
    decisions: Text = Field(..., min_length=1, max_length=20000)
    version: int | None = None


MEETING_FIELDS = (
    "id", "agency_id", "year", "kind", "title", "date", "starts_at", "venue", "presiding_id",
    "honour_side", "state", "program_id", "minutes_number", "version",
)  # fmt: skip


AGENDA_FIELDS = ("id", "order", "kind", "title", "duration_minutes", "reads", "material_due")


def _agenda_item(a: Any) -> dict[str, Any]:
    return {
        **{f: getattr(a, f) for f in AGENDA_FIELDS},
        "presenter_id": a.presenter_id,
        "unit_id": a.unit_id,
        "has_material": a.has_material,
    }


def _detail(meeting: Meeting, user: Any) -> dict[str, Any]:
    data = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    data["agenda"] = [
        _agenda_item(a) for a in meeting.agenda.defer("material_content").order_by("order")
    ]
    data["requirements"] = selectors.requirements(meeting)
    check = services.readiness(meeting) if perms.is_organizer(user, meeting.agency) else None
    data["readiness"] = (
        {"step": check.step, "ready": check.ready, "missing": check.missing} if check else None
    )
    return data


def _participant(p: Participant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "person_id": p.person_id,
        "unit_id": p.unit_id,
        "name": p.name,
        "guest_body": p.guest_body,
        "guest_title": p.guest_title,
        "source": p.source,
        "role": p.role,
        "presidium": p.presidium,
        "protocol_order": p.protocol_order,
        "reply": p.reply,
        "leave_reason": p.leave_reason,
        "substitute_for_id": p.substitute_for_id,
        "signed_in_at": p.signed_in_at,
        "sign_in_method": p.sign_in_method,
    }


def _unit(pk: int) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    return unit


def _person(pk: int | None) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound()
    return person


# --- meetings --------------------------------------------------------------------------------


@router.get("", response=list[MeetingOut])
def list_meetings(request: HttpRequest) -> Any:
    return list(perms.meetings_visible(_user(request)).order_by("-date", "-id")[:500])


@router.post(
    "",
    response={201: MeetingOut},
    openapi_extra=error_responses({404: "The agency is not one whose meetings this account runs."}),
)
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    user = _user(request)
    agency = OrgUnit.objects.filter(pk=payload.agency).first()
    if agency is None or not perms.is_organizer(user, agency):
        raise NotFound()
    program = None
    if payload.program is not None:
        program = Program.objects.filter(pk=payload.program, agency=agency).first()
        if program is None:
            raise NotFound()
    meeting = services.meeting_create(
        actor=user,
        agency=agency,
        year=payload.year,
        title=payload.title,
        date=payload.date,
        starts_at=payload.starts_at,
        venue=payload.venue,
        kind=payload.kind,
        presiding=_person(payload.presiding),
        honour_side=payload.honour_side,
        program=program,
    )
    return Status(201, meeting)


@router.get("/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: Id) -> Any:
    user = _user(request)
    return _detail(perms.access_meeting(user, meeting_id), user)


@router.patch(
    "/{meeting_id}",
    response=MeetingDetailOut,
    openapi_extra=error_responses(
        {409: "The meeting changed since the version given.", 422: "Not in this state."}
    ),
)
def update_meeting(request: HttpRequest, meeting_id: Id, payload: MeetingPatchIn) -> Any:
    """Change the meeting's particulars: all of them while planned or notified, only the title
    (and the program while in session) afterwards."""
    user = _user(request)
    meeting = perms.access_organized(user, meeting_id)
    given = payload.model_dump(exclude_unset=True)
    version = given.pop("version", None)
    changes: dict[str, Any] = {}
    for name, value in given.items():
        if value is None and name in NOT_NULL:
            raise InvalidInput(
                details=[{"field": name, "message": _("This field cannot be empty.")}]
            )
        changes[name] = value
    if "presiding" in changes:
        changes["presiding"] = _person(changes["presiding"])
    if changes.get("program") is not None:
        changes["program"] = Program.objects.filter(
            pk=changes["program"], agency=meeting.agency
        ).first()
        if changes["program"] is None:
            raise NotFound()
    meeting = services.meeting_update(actor=user, meeting=meeting, version=version, **changes)
    return _detail(meeting, user)


@router.post("/{meeting_id}/advance", response=MeetingDetailOut)
def advance_meeting(request: HttpRequest, meeting_id: Id, payload: AdvanceIn) -> Any:
    user = _user(request)
    meeting = services.meeting_advance(
        actor=user, meeting=perms.access_meeting(user, meeting_id), to=payload.to
    )
    return _detail(meeting, user)


@router.post("/{meeting_id}/agenda", response={201: AgendaItemOut})
def add_agenda_item(request: HttpRequest, meeting_id: Id, payload: AgendaIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    unit = _unit(payload.unit) if payload.unit is not None else None
    item = services.agenda_add(
        actor=user,
        meeting=meeting,
        kind=payload.kind,
        title=payload.title,
        presenter=_person(payload.presenter),
        unit=unit,
        duration_minutes=payload.duration_minutes,
        reads=payload.reads,
        material_due=payload.material_due,
    )
    return Status(201, item)


@router.delete("/{meeting_id}/agenda/{agenda_item_id}", response={204: None})
def remove_agenda_item(request: HttpRequest, meeting_id: Id, agenda_item_id: Id) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    services.agenda_remove(actor=user, item=perms.access_agenda_item(user, meeting, agenda_item_id))
    return Status(204, None)


# --- participants ----------------------------------------------------------------------------


class ParticipantPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[ParticipantOut]


class ParticipantQuery(Schema):
    q: Text = Field("", max_length=100, description="Name, unit or body (part of it)")
    reply: str | None = Field(None, pattern="^(" + "|".join(Participant.Reply.values) + ")$")
    source: str | None = Field(None, pattern="^(" + "|".join(Participant.Source.values) + ")$")
    signed_in: bool | None = None
    unit: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("/{meeting_id}/participants", response=ParticipantPage)
def list_participants(
    request: HttpRequest, meeting_id: Id, filters: Query[ParticipantQuery]
) -> Any:
    """The participant list in its order, a page at a time, by name, unit or body, reply,
    source, signed in or not, and unit."""
    user = _user(request)
    meeting = perms.access_overseen(user, meeting_id)
    rows = selectors.filter_participants(
        meeting.participants.select_related("person").order_by("sort_key", "id"),
        q=filters.q,
        reply=filters.reply or "",
        source=filters.source or "",
        signed_in="" if filters.signed_in is None else ("yes" if filters.signed_in else "no"),
        unit=filters.unit,
    )
    return api_page(FastPaginator(rows, filters.page_size), filters.page, _participant)


@router.post("/{meeting_id}/rules", response={204: None})
def set_rule(request: HttpRequest, meeting_id: Id, payload: RuleIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    rank = Rank.objects.filter(pk=payload.rank).first() if payload.rank else None
    post = Post.objects.filter(pk=payload.post).first() if payload.post else None
    if (payload.rank and rank is None) or (payload.post and post is None):
        raise NotFound()
    services.rule_set(
        actor=user, meeting=meeting, unit_kind=payload.unit_kind, rank=rank, post=post
    )
    return Status(204, None)


@router.post("/{meeting_id}/participants/apply-rules", response=ApplyOut)
def apply_rules(request: HttpRequest, meeting_id: Id) -> Any:
    user = _user(request)
    return services.participants_apply(actor=user, meeting=perms.access_meeting(user, meeting_id))


@router.post("/{meeting_id}/participants", response={201: ParticipantOut})
def add_participant(request: HttpRequest, meeting_id: Id, payload: ParticipantIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    participant = services.participant_add(
        actor=user,
        meeting=meeting,
        person=_person(payload.person),
        guest_name=payload.guest_name,
        guest_body=payload.guest_body,
        guest_title=payload.guest_title,
        role=payload.role,
    )
    return Status(201, _participant(participant))


@router.post("/{meeting_id}/participants/{participant_id}/reply", response=ParticipantOut)
def reply(request: HttpRequest, meeting_id: Id, participant_id: Id, payload: ReplyIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    p = services.reply(
        actor=user,
        participant=perms.access_participant(user, meeting, participant_id),
        answer=payload.answer,
        leave_reason=payload.leave_reason,
    )
    return _participant(p)


@router.post(
    "/{meeting_id}/participants/{participant_id}/substitute", response={201: ParticipantOut}
)
def name_substitute(
    request: HttpRequest, meeting_id: Id, participant_id: Id, payload: SubstituteIn
) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    person = _person(payload.person)
    assert person is not None
    sub = services.substitute_name(
        actor=user,
        participant=perms.access_participant(user, meeting, participant_id),
        person=person,
    )
    return Status(201, _participant(sub))


@router.post("/{meeting_id}/participants/{participant_id}/guest-code", response=GuestCodeOut)
def issue_guest_code(request: HttpRequest, meeting_id: Id, participant_id: Id) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    code = services.guest_code_issue(
        actor=user, participant=perms.access_participant(user, meeting, participant_id)
    )
    return {"code": code}


@router.post("/{meeting_id}/participants/{participant_id}/sign-in", response=ParticipantOut)
def sign_in_at_desk(request: HttpRequest, meeting_id: Id, participant_id: Id) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    p = services.sign_in_at_desk(
        actor=user, participant=perms.access_participant(user, meeting, participant_id)
    )
    return _participant(p)


@router.post("/{meeting_id}/sign-in", response=ParticipantOut)
def sign_in(request: HttpRequest, meeting_id: Id, payload: SignInIn) -> Any:
    """The caller signs in with the code shown at the door (scanned on their phone)."""
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    return _participant(
        services.sign_in_with_token(actor=user, meeting=meeting, token=payload.token)
    )


@router.get("/{meeting_id}/attendance", response=AttendanceOut)
def attendance(request: HttpRequest, meeting_id: Id) -> Any:
    user = _user(request)
    data = selectors.attendance(perms.access_overseen(user, meeting_id))
    return {
        "total": data["total"],
        "signed_in": data["signed_in"],
        "units": data["units"],
        "late": [p.pk for p in data["late"]],
        "absent": [p.pk for p in data["absent"]],
        "leave": [p.pk for p in data["leave"]],
    }


# --- seats -----------------------------------------------------------------------------------


@router.get("/{meeting_id}/seating", response=SeatingOut)
def get_seating(request: HttpRequest, meeting_id: Id) -> Any:
    """The presidium and the hall, `position` counted from the left as seen from the hall."""
    user = _user(request)
    return selectors.seating(perms.access_overseen(user, meeting_id))


class PresidiumEntryOut(Schema):
    protocol_order: int
    person: int
    name: str


@router.get("/{meeting_id}/presidium", response=list[PresidiumEntryOut])
def get_presidium(request: HttpRequest, meeting_id: Id) -> Any:
    """The presidium in protocol order (No. 1 first), as `POST …/presidium` sets it."""
    user = _user(request)
    meeting = perms.access_overseen(user, meeting_id)
    return [
        {"protocol_order": p.protocol_order, "person": p.person_id, "name": p.name}
        for p in selectors.presidium(meeting)
    ]


@router.post("/{meeting_id}/presidium", response={204: None})
def set_presidium(request: HttpRequest, meeting_id: Id, payload: PresidiumIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    services.presidium_set(actor=user, meeting=meeting, person_ids=payload.people)
    return Status(204, None)


@router.post(
    "/{meeting_id}/seats/{seat_id}/move",
    response=list[SeatStateOut],
    openapi_extra=error_responses({422: "A locked seat, or a move between presidium and hall."}),
)
def move_seat(request: HttpRequest, meeting_id: Id, seat_id: Id, payload: SeatMoveIn) -> Any:
    """Move the occupant of a seat to another seat of the same area, swapping with whoever sits
    there; both seats as they now are."""
    user = _user(request)
    meeting = perms.access_organized(user, meeting_id)
    a, b = services.seat_move(actor=user, meeting=meeting, seat_id=seat_id, to_seat_id=payload.to)
    return [a, b] if a.pk != b.pk else [a]


@router.put("/{meeting_id}/seats/{seat_id}/lock", response=SeatStateOut)
def lock_seat(request: HttpRequest, meeting_id: Id, seat_id: Id, payload: SeatLockIn) -> Any:
    """Lock a seat (the arrangement keeps its occupant) or unlock it."""
    user = _user(request)
    meeting = perms.access_organized(user, meeting_id)
    return services.seat_lock(actor=user, meeting=meeting, seat_id=seat_id, locked=payload.locked)


# --- materials -------------------------------------------------------------------------------


@router.post(
    "/{meeting_id}/agenda/{agenda_item_id}/material",
    response=AgendaItemOut,
    openapi_extra=error_responses(
        {422: "Not a PDF, larger than 20 MB, or the meeting is past its notice."}
    ),
)
def upload_material(
    request: HttpRequest,
    meeting_id: Id,
    agenda_item_id: Id,
    file: Annotated[UploadedFile | None, File()] = None,
) -> Any:
    """Attach the item's material as the multipart field `file` (a PDF, checked by its content;
    20 MB at most): the presenter, the reporting unit's staff or the office; a later upload
    replaces it."""
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    item = perms.access_agenda_item(user, meeting, agenda_item_id)
    if not perms.may_attach_material(user, item):
        raise NotFound()
    if file is None:
        raise InvalidInput(_("Send the material as the multipart field “file”."))
    if file.size is not None and file.size > services.MATERIAL_MAX_BYTES:
        raise InvalidInput(_("The material is larger than 20 MB."))
    item = services.material_upload(
        actor=user, item=item, name=file.name or "material.pdf", data=file.read()
    )
    return _agenda_item(item)


@router.post(
    "/{meeting_id}/compilations",
    response={201: CompilationOut},
    openapi_extra=error_responses({422: "The agenda has no items."}),
)
def freeze_compilation(request: HttpRequest, meeting_id: Id) -> Any:
    """Freeze the materials compilation (材料汇编) as it stands as its next version; the PDF is at
    the meeting page's compilation link."""
    user = _user(request)
    meeting = perms.access_organized(user, meeting_id)
    c = services.compilation_freeze(actor=user, meeting=meeting)
    return Status(201, c)


# --- minutes and requirements ----------------------------------------------------------------


@router.post("/{meeting_id}/decisions", response=MeetingOut)
def set_decisions(request: HttpRequest, meeting_id: Id, payload: DecisionsIn) -> Any:
    user = _user(request)
    return services.decisions_set(
        actor=user,
        meeting=perms.access_meeting(user, meeting_id),
        text=payload.decisions,
        version=payload.version,
    )


@router.get("/{meeting_id}/requirements", response=list[RequirementOut])
def list_requirements(request: HttpRequest, meeting_id: Id) -> Any:
    user = _user(request)
    return selectors.requirements(perms.access_meeting(user, meeting_id))


@router.post("/{meeting_id}/requirements", response={201: RequirementOut})
def add_requirement(request: HttpRequest, meeting_id: Id, payload: RequirementIn) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    r = services.requirement_add(
        actor=user,
        meeting=meeting,
        text=payload.text,
        passage=payload.passage,
        number=payload.number,
    )
    return Status(201, next(x for x in selectors.requirements(meeting) if x["id"] == r.pk))


@router.post("/{meeting_id}/requirements/{requirement_id}/key-point", response=RequirementOut)
def requirement_key_point(request: HttpRequest, meeting_id: Id, requirement_id: Id) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    r = perms.access_requirement(user, meeting, requirement_id)
    services.requirement_to_key_point(actor=user, requirement=r)
    return next(x for x in selectors.requirements(meeting) if x["id"] == r.pk)


@router.post(
    "/{meeting_id}/requirements/{requirement_id}/supervision-item", response=RequirementOut
)
def requirement_supervision(
    request: HttpRequest, meeting_id: Id, requirement_id: Id, payload: SupervisionIn
) -> Any:
    user = _user(request)
    meeting = perms.access_meeting(user, meeting_id)
    r = perms.access_requirement(user, meeting, requirement_id)
    services.requirement_to_supervision(
        actor=user, requirement=r, lead_unit=_unit(payload.lead_unit), deadline=payload.deadline
    )
    return next(x for x in selectors.requirements(meeting) if x["id"] == r.pk)
