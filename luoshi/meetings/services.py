"""Every write of the work meeting: keyword-only, atomic, audited in the same transaction.

The flow: the office plans a meeting (agenda, participants by rule and by name, guests) →
notifies it (invitations go out; replies and leave come back) → opens the session on the day
(sign-in by the rotating QR code, guest codes and the desk) → closes it → records the decisions
and publishes the minutes with their number. Seats, awarding rounds and the materials
compilation are prepared along the way; the leader's requirements become key points of next
year's plan and supervision items.

Each step's guards live in `readiness()`: a step that is not ready names what is missing, and
the page and the API show the same list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.appraisal import rules as appraisal_rules
from luoshi.appraisal.models import YearResult
from luoshi.appraisal.services import agency_units
from luoshi.core import audit, uploads
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.numbering import next_number
from luoshi.core.versioning import check_version, save_versioned
from luoshi.documents.compilation import Compilation as CompilationBook
from luoshi.documents.compilation import (
    CompilationAttachment,
    CompilationPart,
    CompilationSection,
    write_compilation,
)
from luoshi.documents.official import document_number
from luoshi.honors.models import Honour, Program
from luoshi.notify.services import notify_each
from luoshi.orgs.models import OrgUnit, Person, Post, Rank, User
from luoshi.plans import permissions as plan_perms
from luoshi.plans.models import KeyPoint, WorkPlan
from luoshi.plans.services.plans import key_point_create
from luoshi.summaries.models import UnitSummary
from luoshi.summaries.selectors import accepted_summaries
from luoshi.supervision import permissions as supervision_perms
from luoshi.supervision import services as supervision_services
from luoshi.supervision.models import SupervisionItem

from . import permissions as perms
from . import rules, seating
from .models import (
    AgendaItem,
    AwardingEntry,
    AwardingRound,
    Compilation,
    Meeting,
    Participant,
    ParticipantRule,
    Requirement,
    Seat,
)

ST = Meeting.State
MATERIAL_PURPOSE = "meetings.material"
MATERIAL_MAX_BYTES = 20 * 1024 * 1024


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",)).select_related("agency").get(pk=meeting.pk)
    )


def _require_state(meeting: Meeting, *allowed: str) -> None:
    if meeting.state not in allowed:
        raise InvalidInput(
            _("This cannot be done while the meeting is “%(state)s”.")
            % {"state": meeting.get_state_display()}
        )


def _organizer(actor: Any, meeting: Meeting) -> None:
    perms.require(perms.is_organizer(actor, meeting.agency))


def _organized(actor: Any, meeting: Meeting, *states: str) -> Meeting:
    """The meeting re-read and locked for a write by its office, refused unless it is in one of
    `states` (any state when none is given)."""
    meeting = _lock(meeting)
    _organizer(actor, meeting)
    if states:
        _require_state(meeting, *states)
    return meeting


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- the meeting -----------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    title: str,
    date: dt.date,
    venue: str,
    kind: str = Meeting.Kind.WORK,
    starts_at: dt.time | None = None,
    presiding: Person | None = None,
    honour_side: str = Meeting.HonourSide.LEFT,
    program: Program | None = None,
    today: dt.date | None = None,
) -> Meeting:
    """The office plans a meeting of its agency."""
    perms.require(perms.is_organizer(actor, agency))
    problems = _meeting_problems(
        agency=agency,
        title=title,
        venue=venue,
        kind=kind,
        honour_side=honour_side,
        presiding=presiding,
        program=program,
    )
    if date < _today(today):
        problems.append({"field": "date", "message": _("The meeting date cannot be in the past.")})
    if problems:
        raise InvalidInput(details=problems)
    meeting = Meeting.objects.create(
        agency=agency,
        year=year,
        title=title.strip(),
        date=date,
        starts_at=starts_at,
        venue=venue.strip(),
        kind=kind,
        presiding=presiding,
        honour_side=honour_side,
        program=program,
        sign_in_secret=secrets.token_hex(16),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record("meetings.create", actor=actor, obj=meeting, after=audit.snapshot(meeting))
    return meeting


def _meeting_problems(
    *,
    agency: OrgUnit,
    title: str,
    venue: str,
    kind: str,
    honour_side: str,
    presiding: Person | None,
    program: Program | None,
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if not title.strip():
        problems.append({"field": "title", "message": _("A meeting needs a title.")})
    if not venue.strip():
        problems.append({"field": "venue", "message": _("Give the venue.")})
    if kind not in Meeting.Kind.values:
        problems.append({"field": "kind", "message": _("Choose the kind of meeting.")})
    if honour_side not in Meeting.HonourSide.values:
        problems.append({"field": "honour_side", "message": _("Choose the side of honour.")})
    units = agency_units(agency)
    if presiding is not None and not units.filter(pk=presiding.unit_id).exists():
        problems.append(
            {"field": "presiding", "message": _("The presiding leader is not of this agency.")}
        )
    if program is not None and (
        program.agency_id != agency.pk
        or program.status
        not in (Program.Status.DECIDED, Program.Status.PUBLICITY, Program.Status.FINAL)
    ):
        problems.append(
            {
                "field": "program",
                "message": _("Choose a decided commendation program of this agency."),
            }
        )
    return problems


UPDATABLE = ("title", "date", "starts_at", "venue", "kind", "presiding", "honour_side", "program")

# What may still change in each state: everything while planned or notified; once in session
# only the wording of the title and the commendation program read at it; nothing after the
# minutes are published.
UPDATABLE_IN: dict[str, frozenset[str]] = {
    ST.PLANNING: frozenset(UPDATABLE),
    ST.NOTIFIED: frozenset(UPDATABLE),
    ST.IN_SESSION: frozenset({"title", "program"}),
    ST.CLOSED: frozenset({"title"}),
    ST.MINUTES_PUBLISHED: frozenset(),
}


def updatable_fields(meeting: Meeting) -> frozenset[str]:
    """The particulars that may change in the meeting's present state."""
    return UPDATABLE_IN.get(meeting.state, frozenset())


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    version: int | None = None,
    today: dt.date | None = None,
    **changes: Any,
) -> Meeting:
    """Change the meeting's particulars; what may change depends on its state (see
    UPDATABLE_IN: no new date once in session). A change after the notice reaches the
    participants again with the next notice. Fields given with their present value are no
    change and pass in any state."""
    meeting = _organized(actor, meeting)
    check_version(meeting, version)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    before = audit.snapshot(meeting, UPDATABLE)
    changes = {
        name: value.strip() if isinstance(value, str) else value for name, value in changes.items()
    }
    changes = {name: value for name, value in changes.items() if getattr(meeting, name) != value}
    if not changes:
        return meeting
    frozen = sorted(set(changes) - updatable_fields(meeting))
    if frozen:
        raise InvalidInput(
            _("This cannot be done while the meeting is “%(state)s”.")
            % {"state": meeting.get_state_display()},
            details=[
                {
                    "field": name,
                    "message": _("This can no longer change: the meeting is “%(state)s”.")
                    % {"state": meeting.get_state_display()},
                }
                for name in frozen
            ],
        )
    if "date" in changes and changes["date"] < _today(today):
        raise InvalidInput(
            details=[{"field": "date", "message": _("The meeting date cannot be in the past.")}]
        )
    for name, value in changes.items():
        setattr(meeting, name, value)
    problems = _meeting_problems(
        agency=meeting.agency,
        title=meeting.title,
        venue=meeting.venue,
        kind=meeting.kind,
        honour_side=meeting.honour_side,
        presiding=meeting.presiding,
        program=meeting.program,
    )
    if problems:
        raise InvalidInput(details=problems)
    save_versioned(meeting, list(changes))
    b, a = audit.diff(before, audit.snapshot(meeting, UPDATABLE))
    audit.record("meetings.update", actor=actor, obj=meeting, before=b, after=a)
    return meeting


@dataclass(frozen=True)
class Readiness:
    """Whether the meeting may move to `step` (its next state), and what is missing if not."""

    step: str
    missing: list[str]

    @property
    def ready(self) -> bool:
        return not self.missing


def readiness(meeting: Meeting, *, today: dt.date | None = None) -> Readiness | None:
    """The guards of the meeting's next step (None once the minutes are published)."""
    step = rules.NEXT.get(meeting.state)
    if step is None:
        return None
    day = _today(today)
    missing: list[str] = []
    if step == ST.NOTIFIED:
        if not meeting.agenda.exists():
            missing.append(str(_("The agenda has no items.")))
        if not meeting.participants.exists():
            missing.append(str(_("Nobody is on the list of participants.")))
        if meeting.date < day:
            missing.append(str(_("The meeting date has passed.")))
        reading = meeting.agenda.filter(reads=AgendaItem.Reads.DECISION).exists()
        if (reading or meeting.agenda.filter(kind=AgendaItem.Kind.AWARDING).exists()) and (
            meeting.program_id is None
        ):
            missing.append(str(_("The agenda reads or awards a commendation: link its decision.")))
    elif step == ST.IN_SESSION:
        if day < meeting.date:
            missing.append(
                str(_("The session opens on the meeting day (%(d)s).") % {"d": meeting.date})
            )
    elif step == ST.CLOSED:
        if meeting.opened_at is None:
            missing.append(str(_("The session has not been opened.")))
    elif step == ST.MINUTES_PUBLISHED:
        if meeting.closed_at is None:
            missing.append(str(_("The meeting has not been closed.")))
        if not meeting.decisions.strip():
            missing.append(str(_("Record the meeting's decisions for the minutes.")))
        if not meeting.participants.filter(signed_in_at__isnull=False).exists():
            missing.append(str(_("Nobody signed in: the minutes have no one present.")))
    return Readiness(step=step, missing=missing)


@transaction.atomic
def meeting_advance(
    *, actor: Any, meeting: Meeting, to: str, today: dt.date | None = None
) -> Meeting:
    """Move the meeting to its next state `to`, when its readiness check passes."""
    meeting = _organized(actor, meeting)
    check = readiness(meeting, today=today)
    if check is None or check.step != to:
        raise InvalidInput(
            _("The meeting cannot move from “%(state)s” to that state.")
            % {"state": meeting.get_state_display()}
        )
    if check.missing:
        raise InvalidInput(
            _("The meeting is not ready: %(missing)s") % {"missing": " ".join(check.missing)},
            details=[{"field": "state", "message": m} for m in check.missing],
        )
    before = meeting.state
    now = timezone.now()
    fields = ["state"]
    meeting.state = to
    if to == ST.NOTIFIED:
        meeting.notified_at = now
        fields.append("notified_at")
        _invite(actor, meeting, now)
    elif to == ST.IN_SESSION:
        meeting.opened_at = now
        fields.append("opened_at")
    elif to == ST.CLOSED:
        meeting.closed_at = now
        fields.append("closed_at")
    elif to == ST.MINUTES_PUBLISHED:
        pol = rules.policy()
        year = meeting.date.year
        serial = next_number(agency_id=meeting.agency_id, year=year, kind="meetings.minutes")
        meeting.minutes_serial = serial
        meeting.minutes_number = document_number(pol.minutes_prefix, year, serial)
        meeting.minutes_published_at = now
        fields += ["minutes_serial", "minutes_number", "minutes_published_at"]
    save_versioned(meeting, fields)
    audit.record(
        "meetings.advance",
        actor=actor,
        obj=meeting,
        before={"state": before},
        after={"state": to, "minutes_number": meeting.minutes_number},
    )
    return meeting


def _user_ids(person_ids: Iterable[int | None]) -> list[int]:
    ids = [p for p in person_ids if p]
    return list(User.objects.filter(person_id__in=ids, is_active=True).values_list("pk", flat=True))


def meeting_link(meeting: Meeting) -> str:
    return f"/meetings/{meeting.pk}/"


def _invite(actor: Any, meeting: Meeting, now: dt.datetime) -> None:
    """Invitations to everyone on the list not invited yet, sent after commit."""
    pending = meeting.participants.filter(invited_at__isnull=True)
    person_ids = list(pending.values_list("person_id", flat=True))
    pending.update(invited_at=now)
    recipients = _user_ids(person_ids)
    if not recipients:
        return
    title, date, venue, pk = meeting.title, meeting.date, meeting.venue, meeting.pk
    agency_id = meeting.agency_id
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None

    def render(_user: Any) -> tuple[str, str]:
        return (
            _("Notice of the meeting: %(title)s") % {"title": title},
            _("%(title)s, %(date)s, %(venue)s. Please reply whether you attend.")
            % {"title": title, "date": date.isoformat(), "venue": venue},
        )

    transaction.on_commit(
        lambda: notify_each(
            recipients,
            "meetings.invitation",
            render,
            link=f"/meetings/{pk}/",
            actor=actor_obj,
            org_unit_id=agency_id,
        )
    )


# --- the agenda ------------------------------------------------------------------------------


@transaction.atomic
def agenda_add(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    presenter: Person | None = None,
    unit: OrgUnit | None = None,
    duration_minutes: int | None = None,
    reads: str = "",
    material_due: dt.date | None = None,
) -> AgendaItem:
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED)
    problems: list[dict[str, Any]] = []
    if kind not in AgendaItem.Kind.values:
        problems.append({"field": "kind", "message": _("Choose the kind of item.")})
    if not title.strip():
        problems.append({"field": "title", "message": _("An agenda item needs a title.")})
    if reads not in AgendaItem.Reads.values:
        problems.append({"field": "reads", "message": _("Choose what is read.")})
    if kind == AgendaItem.Kind.READING and not reads:
        problems.append(
            {"field": "reads", "message": _("Say what is read: the decision or the list.")}
        )
    if kind != AgendaItem.Kind.READING and reads:
        reads = ""
    if reads == AgendaItem.Reads.DECISION and meeting.program_id is None:
        problems.append(
            {"field": "reads", "message": _("Link the meeting's commendation decision first.")}
        )
    if kind == AgendaItem.Kind.REPORT and unit is None:
        problems.append({"field": "unit", "message": _("Name the unit that reports.")})
    units = agency_units(meeting.agency)
    if unit is not None and not units.filter(pk=unit.pk).exists():
        problems.append({"field": "unit", "message": _("The unit is not of this agency.")})
    if presenter is not None and not units.filter(pk=presenter.unit_id).exists():
        problems.append(
            {"field": "presenter", "message": _("The presenter is not of this agency.")}
        )
    if duration_minutes is not None and not 1 <= duration_minutes <= 240:
        problems.append({"field": "duration_minutes", "message": _("Give 1 to 240 minutes.")})
    if material_due is not None and material_due > meeting.date:
        problems.append(
            {"field": "material_due", "message": _("Materials are due before the meeting.")}
        )
    if problems:
        raise InvalidInput(details=problems)
    order = (meeting.agenda.aggregate(top=Max("order"))["top"] or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        kind=kind,
        title=title.strip(),
        presenter=presenter,
        unit=unit,
        duration_minutes=duration_minutes or rules.policy().default_duration_minutes,
        reads=reads,
        material_due=material_due,
    )
    if presenter is not None:
        _ensure_participant(meeting, presenter, Participant.Source.PRESENTER)
    audit.record("meetings.agenda_add", actor=actor, obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def agenda_remove(*, actor: Any, item: AgendaItem) -> None:
    _organized(actor, item.meeting, ST.PLANNING, ST.NOTIFIED)
    audit.record("meetings.agenda_remove", actor=actor, obj=item, before=audit.snapshot(item))
    item.delete()


def _item_for_material(actor: Any, item: AgendaItem) -> AgendaItem:
    item = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=item.pk)
    )
    perms.require(perms.may_attach_material(actor, item))
    _require_state(item.meeting, ST.PLANNING, ST.NOTIFIED)
    return item


def _attach(actor: Any, item: AgendaItem, name: str, data: bytes) -> AgendaItem:
    """Keep a checked file as the item's material: a PDF (header and cross-reference frame
    read by uploads.check_file) of at most MATERIAL_MAX_BYTES."""
    name, _suffix = uploads.check_file(
        name or "material.pdf", data, allowed=(".pdf",), max_bytes=MATERIAL_MAX_BYTES
    )
    before = {"material": item.material_name, "sha256": item.material_sha256}
    item.material_name = name
    item.material_content = data
    item.material_sha256 = hashlib.sha256(data).hexdigest()
    item.material_uploaded_at = timezone.now()
    item.save(
        update_fields=[
            "material_name",
            "material_content",
            "material_sha256",
            "material_uploaded_at",
            "updated_at",
        ]
    )
    audit.record(
        "meetings.material_attach",
        actor=actor,
        obj=item,
        before=before,
        after={"material": name, "sha256": item.material_sha256, "size": len(data)},
    )
    return item


@transaction.atomic
def material_attach(*, actor: Any, item: AgendaItem, token: str) -> AgendaItem:
    """Attach the material kept by `uploads` under `token` (the presenter's or the office's
    upload) to the item; a later upload replaces it until the compilation is frozen."""
    item = _item_for_material(actor, item)
    name, data = uploads.load(actor, MATERIAL_PURPOSE, token)
    item = _attach(actor, item, name, data)
    uploads.discard(actor, MATERIAL_PURPOSE, token)
    return item


@transaction.atomic
def material_upload(*, actor: Any, item: AgendaItem, name: str, data: bytes) -> AgendaItem:
    """Attach a file sent at once (the materials page, the API) as the item's material."""
    return _attach(actor, _item_for_material(actor, item), name, data)


def _reminder(recipients: list[int], render: Any, meeting_id: int) -> Any:
    def send() -> None:
        notify_each(recipients, "meetings.material_due", render, link=f"/meetings/{meeting_id}/")

    return send


def material_reminders_due(today: dt.date) -> str:
    """The periodic step: remind each presenter whose material is due within the policy's days
    and not yet in, once a day (idempotent within the day)."""
    pol = rules.policy()
    horizon = today + dt.timedelta(days=pol.material_reminder_days)
    items = list(
        AgendaItem.objects.filter(
            meeting__state__in=(ST.PLANNING, ST.NOTIFIED),
            material_due__isnull=False,
            material_due__lte=horizon,
            material_sha256="",
            presenter__isnull=False,
        )
        .exclude(material_reminded_on=today)
        .select_related("meeting")
    )
    sent = 0
    for item in items:
        with transaction.atomic():
            updated = (
                AgendaItem.objects.filter(pk=item.pk)
                .exclude(material_reminded_on=today)
                .update(material_reminded_on=today)
            )
            if not updated:
                continue
            recipients = _user_ids([item.presenter_id])
            if not recipients:
                continue
            title, due, meeting_title = item.title, item.material_due, item.meeting.title
            pk = item.meeting_id

            def render(
                _user: Any, title: str = title, due: Any = due, mt: str = meeting_title
            ) -> tuple[str, str]:
                return (
                    _("Material due: %(title)s") % {"title": title},
                    _("The material for “%(title)s” at %(meeting)s is due by %(due)s.")
                    % {"title": title, "meeting": mt, "due": due},
                )

            transaction.on_commit(_reminder(recipients, render, pk))
            sent += 1
    return f"{sent} material reminder(s)"


# --- participants ----------------------------------------------------------------------------


def _sort_key(person: Person | None, unit: OrgUnit | None) -> str:
    """Units in their order (the tree's path), then rank and post, then the person."""
    if person is None:
        return "~guest"
    rank = person.rank.sort_order if person.rank_id and person.rank else 9999
    post = person.post.sort_order if person.post_id and person.post else 9999
    path = unit.path if unit is not None else ""
    return f"{path}|{post:05d}|{rank:05d}|{person.pk:010d}"


def _ensure_participant(meeting: Meeting, person: Person, source: str) -> Participant:
    found = Participant.objects.filter(meeting=meeting, person=person).first()
    if found is not None:
        return found
    person = Person.objects.select_related("unit", "post", "rank").get(pk=person.pk)
    return Participant.objects.create(
        meeting=meeting,
        person=person,
        unit=person.unit,
        source=source,
        sort_key=_sort_key(person, person.unit),
        invited_at=timezone.now() if meeting.state != ST.PLANNING else None,
    )


@transaction.atomic
def rule_set(
    *, actor: Any, meeting: Meeting, unit_kind: str, rank: Rank | None, post: Post | None
) -> ParticipantRule | None:
    """The threshold for units of one kind (neither rank nor post: the rule is removed)."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED)
    if unit_kind not in OrgUnit.Kind.values:
        raise InvalidInput(_("Choose a unit type."))
    if rank is None and post is None:
        ParticipantRule.objects.filter(meeting=meeting, unit_kind=unit_kind).delete()
        audit.record(
            "meetings.rule_set",
            actor=actor,
            obj=meeting,
            after={"unit_kind": unit_kind, "rule": None},
        )
        return None
    rule, _created = ParticipantRule.objects.update_or_create(
        meeting=meeting, unit_kind=unit_kind, defaults={"rank": rank, "post": post}
    )
    audit.record(
        "meetings.rule_set",
        actor=actor,
        obj=meeting,
        after={
            "unit_kind": unit_kind,
            "rank": rank.pk if rank else None,
            "post": post.pk if post else None,
        },
    )
    return rule


def people_by_rule(meeting: Meeting) -> list[Person]:
    """The agency's active people who meet their unit kind's threshold as of the meeting date
    (their posts and ranks as the people records hold them: a post taken after the meeting
    date does not count, for the record shows only when the current post began)."""
    thresholds = {
        r.unit_kind: (
            r.rank.sort_order if r.rank_id and r.rank else None,
            r.post.sort_order if r.post_id and r.post else None,
        )
        for r in meeting.rules.select_related("rank", "post")
    }
    if not thresholds:
        return []
    people = (
        Person.objects.filter(
            unit__in=agency_units(meeting.agency),
            unit__kind__in=list(thresholds),
            is_active=True,
        )
        .exclude(post_since__gt=meeting.date)
        .select_related("unit", "rank", "post")
        .order_by("unit__path", "pk")
    )
    chosen = []
    for person in people:
        rank_threshold, post_threshold = thresholds[person.unit.kind]
        if rules.meets_threshold(
            rank_order=person.rank.sort_order if person.rank else None,
            post_order=person.post.sort_order if person.post else None,
            rank_threshold=rank_threshold,
            post_threshold=post_threshold,
        ):
            chosen.append(person)
    return chosen


def honourees(meeting: Meeting) -> list[Honour]:
    """The individual honours of the meeting's commendation decision (not revoked)."""
    if meeting.program_id is None:
        return []
    return list(
        Honour.objects.filter(program_id=meeting.program_id, revoked=False)
        .select_related("person", "unit")
        .order_by("kind", "unit__path", "id")
    )


@transaction.atomic
def participants_apply(*, actor: Any, meeting: Meeting) -> dict[str, int]:
    """Put on the list everyone the rules take and the year's honourees; take off those the rules
    took earlier and no longer take (unless they signed in). Named people and guests stay."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED)
    wanted = {p.pk: p for p in people_by_rule(meeting)}
    existing: dict[int | None, Participant] = {
        p.person_id: p for p in meeting.participants.filter(person__isnull=False)
    }
    added = removed = 0
    for pid, person in wanted.items():
        if pid not in existing:
            _ensure_participant(meeting, person, Participant.Source.RULE)
            added += 1
    for held, participant in existing.items():
        if (
            participant.source == Participant.Source.RULE
            and held not in wanted
            and participant.signed_in_at is None
        ):
            Seat.objects.filter(participant=participant).update(participant=None, locked=False)
            participant.delete()
            removed += 1
    honoured = 0
    for honour in honourees(meeting):
        if (
            honour.person is not None
            and honour.person_id not in existing
            and honour.person_id not in wanted
        ):
            _ensure_participant(meeting, honour.person, Participant.Source.HONOUREE)
            existing[honour.person_id] = Participant()  # taken once
            honoured += 1
    result = {"added": added, "removed": removed, "honourees": honoured}
    audit.record("meetings.participants_apply", actor=actor, obj=meeting, after=result)
    return result


@transaction.atomic
def participant_add(
    *,
    actor: Any,
    meeting: Meeting,
    person: Person | None = None,
    guest_name: str = "",
    guest_body: str = "",
    guest_title: str = "",
    role: str = Participant.Role.ATTEND,
) -> Participant:
    """A named representative of the agency, or a guest from outside (name, body, title)."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED, ST.IN_SESSION)
    if role not in Participant.Role.values:
        raise InvalidInput(_("Choose the role."))
    if person is not None:
        if not agency_units(meeting.agency).filter(pk=person.unit_id).exists():
            raise InvalidInput(_("A representative must be of this agency; add others as guests."))
        if meeting.participants.filter(person=person).exists():
            raise InvalidInput(_("%(name)s is on the list already.") % {"name": person.name})
        participant = _ensure_participant(meeting, person, Participant.Source.NAMED)
        if role != participant.role:
            participant.role = role
            participant.save(update_fields=["role", "updated_at"])
    else:
        if not guest_name.strip() or not guest_body.strip():
            raise InvalidInput(
                details=[{"field": "guest_name", "message": _("A guest needs a name and a body.")}]
            )
        participant = Participant.objects.create(
            meeting=meeting,
            guest_name=guest_name.strip()[:64],
            guest_body=guest_body.strip()[:128],
            guest_title=guest_title.strip()[:128],
            source=Participant.Source.GUEST,
            role=role,
            sort_key=f"~guest|{guest_body.strip()[:60]}|{guest_name.strip()}",
            invited_at=timezone.now() if meeting.state != ST.PLANNING else None,
        )
    audit.record(
        "meetings.participant_add", actor=actor, obj=participant, after=audit.snapshot(participant)
    )
    return participant


@transaction.atomic
def participant_remove(*, actor: Any, participant: Participant) -> None:
    _organized(actor, participant.meeting, ST.PLANNING, ST.NOTIFIED)
    if participant.signed_in_at is not None:
        raise InvalidInput(_("A participant who signed in stays on the list."))
    audit.record(
        "meetings.participant_remove",
        actor=actor,
        obj=participant,
        before=audit.snapshot(participant),
    )
    participant.delete()


@transaction.atomic
def presidium_set(*, actor: Any, meeting: Meeting, person_ids: Sequence[int]) -> list[Participant]:
    """Who sits on the presidium, in protocol order (No. 1 first); everyone else sits in the
    hall. Each must be on the list."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED, ST.IN_SESSION)
    if len(set(person_ids)) != len(person_ids):
        raise InvalidInput(_("A person is named twice for the presidium."))
    by_person = {
        p.person_id: p for p in meeting.participants.filter(person_id__in=list(person_ids))
    }
    missing = [pid for pid in person_ids if pid not in by_person]
    if missing:
        raise InvalidInput(_("Everyone on the presidium must be on the list of participants."))
    meeting.participants.filter(presidium=True).update(presidium=False, protocol_order=None)
    chosen = []
    for order, pid in enumerate(person_ids, start=1):
        p = by_person[pid]
        p.presidium, p.protocol_order = True, order
        p.save(update_fields=["presidium", "protocol_order", "updated_at"])
        chosen.append(p)
    audit.record(
        "meetings.seating_arrange", actor=actor, obj=meeting, after={"presidium": list(person_ids)}
    )
    return chosen


def presidium_proposal(meeting: Meeting) -> list[Person]:
    """The agency's own leaders on the list, by post then rank: the office's starting point."""
    people = [
        p.person
        for p in meeting.participants.filter(
            person__isnull=False,
            unit__kind=OrgUnit.Kind.AGENCY,
            person__post__is_leadership=True,
        ).select_related("person__post", "person__rank")
        if p.person is not None
    ]
    return sorted(
        people,
        key=lambda x: (
            x.post.sort_order if x.post else 9999,
            x.rank.sort_order if x.rank else 9999,
            x.pk,
        ),
    )


@transaction.atomic
def reply(
    *, actor: Any, participant: Participant, answer: str, leave_reason: str = ""
) -> Participant:
    """The participant (or the office for them) replies: will attend, or asks for leave with a
    reason."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=participant.pk)
    )
    meeting = participant.meeting
    own = participant.person_id is not None and participant.person_id == getattr(
        actor, "person_id", None
    )
    perms.require(own or perms.is_organizer(actor, meeting.agency))
    _require_state(meeting, ST.NOTIFIED, ST.IN_SESSION)
    if answer not in (Participant.Reply.ACCEPTED, Participant.Reply.LEAVE):
        raise InvalidInput(_("Reply that you attend or ask for leave."))
    if answer == Participant.Reply.LEAVE and not leave_reason.strip():
        raise InvalidInput(
            details=[{"field": "leave_reason", "message": _("Give the reason for leave.")}]
        )
    if participant.signed_in_at is not None and answer == Participant.Reply.LEAVE:
        raise InvalidInput(_("A participant who signed in cannot take leave."))
    before = {"reply": participant.reply, "leave_reason": participant.leave_reason}
    participant.reply = answer
    participant.leave_reason = (
        leave_reason.strip()[:300] if answer == Participant.Reply.LEAVE else ""
    )
    save_versioned(participant, ["reply", "leave_reason"])
    audit.record(
        "meetings.reply",
        actor=actor,
        obj=participant,
        before=before,
        after={"reply": answer, "leave_reason": participant.leave_reason},
    )
    return participant


@transaction.atomic
def substitute_name(*, actor: Any, participant: Participant, person: Person) -> Participant:
    """Someone on leave is replaced by a colleague, who takes their seat."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=participant.pk)
    )
    meeting = participant.meeting
    perms.require(perms.is_organizer(actor, meeting.agency))
    _require_state(meeting, ST.NOTIFIED, ST.IN_SESSION)
    if participant.reply != Participant.Reply.LEAVE:
        raise InvalidInput(_("Only someone on leave is replaced by a substitute."))
    if hasattr(participant, "substitute"):
        raise InvalidInput(_("A substitute is named already."))
    if meeting.participants.filter(person=person).exists():
        raise InvalidInput(_("%(name)s is on the list already.") % {"name": person.name})
    if not agency_units(meeting.agency).filter(pk=person.unit_id).exists():
        raise InvalidInput(_("A substitute must be of this agency."))
    sub = _ensure_participant(meeting, person, Participant.Source.SUBSTITUTE)
    sub.substitute_for = participant
    sub.role = participant.role
    sub.save(update_fields=["substitute_for", "role", "updated_at"])
    seat = Seat.objects.filter(participant=participant).first()
    if seat is not None:
        seat.participant = sub
        seat.save(update_fields=["participant"])
    audit.record(
        "meetings.substitute",
        actor=actor,
        obj=sub,
        after={"substitute_for": participant.pk, "person": person.pk},
    )
    return sub


# --- sign-in ---------------------------------------------------------------------------------


def current_token(meeting: Meeting, *, now: float | None = None) -> str:
    minute = rules.minute_of(time.time() if now is None else now)
    return rules.sign_in_token(meeting.pk, minute, meeting.sign_in_secret)


def _token_error(problem: str) -> InvalidInput:
    messages = {
        "malformed": _("This is not a sign-in code of a meeting."),
        "forged": _("This sign-in code is not genuine."),
        "other_meeting": _("This sign-in code is for another meeting."),
        "expired": _("This sign-in code has expired: scan the code at the door again."),
        "future": _("This sign-in code is not valid yet."),
    }
    return InvalidInput(messages[problem], code=f"sign_in_{problem}")


def _open_for_sign_in(meeting: Meeting) -> None:
    if meeting.state not in (ST.NOTIFIED, ST.IN_SESSION):
        raise InvalidInput(_("Sign-in is open on the meeting day, once the notice is out."))


def _sign(participant: Participant, method: str, now: dt.datetime) -> Participant:
    if participant.signed_in_at is not None:
        raise InvalidInput(
            _("%(name)s signed in already at %(at)s.")
            % {
                "name": participant.name,
                "at": timezone.localtime(participant.signed_in_at).strftime("%H:%M"),
            },
            code="sign_in_reused",
        )
    updated = Participant.objects.filter(pk=participant.pk, signed_in_at__isnull=True).update(
        signed_in_at=now, sign_in_method=method, guest_code_digest=""
    )
    if updated != 1:  # another request signed them in first
        raise InvalidInput(_("Signed in already."), code="sign_in_reused")
    participant.signed_in_at, participant.sign_in_method = now, method
    return participant


@transaction.atomic
def sign_in_with_token(
    *, actor: Any, meeting: Meeting, token: str, now: float | None = None
) -> Participant:
    """A participant signs in with the door's code scanned on their phone (logged in)."""
    meeting = Meeting.objects.select_related("agency").get(pk=meeting.pk)
    stamp = time.time() if now is None else now
    problem = rules.token_problem(
        token,
        meeting_id=meeting.pk,
        meeting_secret=meeting.sign_in_secret,
        now_minute=rules.minute_of(stamp),
        accepted=rules.policy().token_minutes_accepted,
    )
    if problem:
        raise _token_error(problem)
    _open_for_sign_in(meeting)
    participant = perms.own_participant(actor, meeting)
    if participant is None:
        raise InvalidInput(_("You are not on the list of this meeting."), code="sign_in_not_listed")
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=participant.pk)
    )
    if participant.reply == Participant.Reply.LEAVE:
        raise InvalidInput(_("You are on leave for this meeting; the desk can sign you in."))
    at = dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
    _sign(participant, Participant.Method.QR, at)
    audit.record("meetings.sign_in", actor=actor, obj=participant, after={"method": "qr"})
    return participant


@transaction.atomic
def guest_code_issue(*, actor: Any, participant: Participant) -> str:
    """A one-time sign-in code for a guest (shown once, kept only as a digest)."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=participant.pk)
    )
    perms.require(perms.is_organizer(actor, participant.meeting.agency))
    if participant.signed_in_at is not None:
        raise InvalidInput(_("%(name)s signed in already.") % {"name": participant.name})
    length = rules.policy().guest_code_length
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _i in range(length))
    participant.guest_code_digest = rules.guest_code_digest(code)
    participant.save(update_fields=["guest_code_digest", "updated_at"])
    audit.record("meetings.guest_code", actor=actor, obj=participant)
    return code


@transaction.atomic
def sign_in_with_code(
    *, meeting: Meeting, token: str, code: str, now: float | None = None
) -> Participant:
    """A guest without an account signs in with the door's code and their one-time code."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    stamp = time.time() if now is None else now
    problem = rules.token_problem(
        token,
        meeting_id=meeting.pk,
        meeting_secret=meeting.sign_in_secret,
        now_minute=rules.minute_of(stamp),
        accepted=rules.policy().token_minutes_accepted,
    )
    if problem:
        raise _token_error(problem)
    _open_for_sign_in(meeting)
    digest = rules.guest_code_digest(code) if code.strip() else ""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, guest_code_digest=digest)
        .exclude(guest_code_digest="")
        .first()
        if digest
        else None
    )
    if participant is None:
        raise InvalidInput(
            _("This guest code is not valid (each code signs in once)."), code="sign_in_code"
        )
    _sign(participant, Participant.Method.CODE, dt.datetime.fromtimestamp(stamp, tz=dt.UTC))
    audit.record("meetings.sign_in", obj=participant, after={"method": "code"})
    return participant


@transaction.atomic
def sign_in_at_desk(
    *, actor: Any, participant: Participant, at: dt.datetime | None = None
) -> Participant:
    """The staff desk signs someone in by hand (at `at` when the desk records it afterwards
    from its paper list; never in the future)."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting__agency", "person")
        .get(pk=participant.pk)
    )
    perms.require(perms.is_organizer(actor, participant.meeting.agency))
    _open_for_sign_in(participant.meeting)
    now = timezone.now()
    if at is not None and at > now:
        raise InvalidInput(_("A sign-in time cannot be in the future."))
    _sign(participant, Participant.Method.DESK, at or now)
    audit.record("meetings.sign_in", actor=actor, obj=participant, after={"method": "desk"})
    return participant


# --- seats -----------------------------------------------------------------------------------


def _seat_for_update(meeting: Meeting, seat_id: int) -> Seat:
    seat = Seat.objects.select_for_update(of=("self",)).filter(meeting=meeting, pk=seat_id).first()
    if seat is None:
        raise NotFound()
    return seat


@transaction.atomic
def seat_move(*, actor: Any, meeting: Meeting, seat_id: int, to_seat_id: int) -> tuple[Seat, Seat]:
    """Move the occupant of one seat to another (swapping with whoever sits there). A locked
    seat does not change."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED, ST.IN_SESSION)
    a = _seat_for_update(meeting, seat_id)
    b = _seat_for_update(meeting, to_seat_id)
    if a.pk == b.pk:
        return a, b
    if a.locked or b.locked:
        raise InvalidInput(
            _("A locked seat keeps its occupant: unlock it first."), code="seat_locked"
        )
    if a.area != b.area:
        raise InvalidInput(
            _("The presidium is arranged by protocol order, not moved into the hall.")
        )
    pa, pb = a.participant_id, b.participant_id
    Seat.objects.filter(pk__in=[a.pk, b.pk]).update(participant=None)
    Seat.objects.filter(pk=a.pk).update(participant_id=pb)
    Seat.objects.filter(pk=b.pk).update(participant_id=pa)
    a.participant_id, b.participant_id = pb, pa
    audit.record(
        "meetings.seat_move",
        actor=actor,
        obj=meeting,
        after={"from": [a.row, a.position], "to": [b.row, b.position], "area": a.area},
    )
    return a, b


@transaction.atomic
def seat_lock(*, actor: Any, meeting: Meeting, seat_id: int, locked: bool) -> Seat:
    meeting = _organized(actor, meeting)
    seat = _seat_for_update(meeting, seat_id)
    seat.locked = locked
    seat.save(update_fields=["locked"])
    audit.record(
        "meetings.seat_lock",
        actor=actor,
        obj=meeting,
        after={"area": seat.area, "row": seat.row, "position": seat.position, "locked": locked},
    )
    return seat


# --- awarding --------------------------------------------------------------------------------


@transaction.atomic
def awarding_plan(*, actor: Any, meeting: Meeting, per_round: int = 10) -> list[AwardingRound]:
    """Rounds from the commendation decision: the honourees of each honour in the decision's
    order, `per_round` at a time; the presidium's members (in protocol order) present, and who
    presents to whom and where each stands follows the protocol (`seating.awarding_round`).
    Planned again, the rounds are replaced."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED, ST.IN_SESSION)
    if not 1 <= per_round <= 50:
        raise InvalidInput(_("Give 1 to 50 honourees per round."))
    honours = honourees(meeting)
    if not honours:
        raise InvalidInput(_("The meeting's commendation decision has no honours to present."))
    presenters = [
        p.person_id
        for p in meeting.participants.filter(presidium=True, person__isnull=False).order_by(
            "protocol_order"
        )
        if p.person_id is not None
    ]
    if not presenters:
        raise InvalidInput(_("Set the presidium first: its members present the awards."))
    side: seating.HonourSide = "right" if meeting.honour_side == "right" else "left"
    groups: list[list[Honour]] = []
    for honour in honours:
        if groups and groups[-1][0].title == honour.title and len(groups[-1]) < per_round:
            groups[-1].append(honour)
        else:
            groups.append([honour])
    meeting.awarding_rounds.all().delete()
    rounds = []
    for number, group in enumerate(groups, start=1):
        rnd = AwardingRound.objects.create(meeting=meeting, number=number, title=group[0].title)
        slots = seating.awarding_round(presenters, [h.pk for h in group], side)
        AwardingEntry.objects.bulk_create(
            [
                AwardingEntry(
                    round=rnd,
                    honour_id=slot.recipient,
                    order=slot.order,
                    presenter_id=slot.presenter,
                    recipient_spot=slot.recipient_spot,
                    presenter_spot=slot.presenter_spot,
                )
                for slot in slots
            ]
        )
        rounds.append(rnd)
    audit.record(
        "meetings.awarding_plan",
        actor=actor,
        obj=meeting,
        after={"rounds": len(rounds), "honours": len(honours)},
    )
    return rounds


# --- minutes ---------------------------------------------------------------------------------


@transaction.atomic
def decisions_set(
    *, actor: Any, meeting: Meeting, text: str, version: int | None = None
) -> Meeting:
    meeting = _organized(actor, meeting)
    check_version(meeting, version)
    _require_state(meeting, ST.IN_SESSION, ST.CLOSED)
    before = meeting.decisions
    meeting.decisions = text.strip()
    save_versioned(meeting, ["decisions"])
    audit.record(
        "meetings.decisions_set",
        actor=actor,
        obj=meeting,
        before={"decisions": before},
        after={"decisions": meeting.decisions},
    )
    return meeting


def _store_compilation(
    *, actor: Any, meeting: Meeting, content: bytes, contents: list[dict[str, Any]]
) -> Compilation:
    version = (meeting.compilations.aggregate(top=Max("version"))["top"] or 0) + 1
    compilation = Compilation.objects.create(
        meeting=meeting,
        version=version,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        contents=contents,
        frozen_at=timezone.now(),
        frozen_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        "meetings.compilation_freeze",
        actor=actor,
        obj=meeting,
        after={"version": version, "sha256": compilation.sha256, "entries": len(contents)},
    )
    return compilation


# --- the leader's requirements ---------------------------------------------------------------


@transaction.atomic
def requirement_add(
    *, actor: Any, meeting: Meeting, text: str, passage: str = "", number: int | None = None
) -> Requirement:
    meeting = _organized(actor, meeting, ST.IN_SESSION, ST.CLOSED, ST.MINUTES_PUBLISHED)
    if not text.strip():
        raise InvalidInput(details=[{"field": "text", "message": _("Write the requirement.")}])
    if number is None:
        number = (meeting.requirements.aggregate(top=Max("number"))["top"] or 0) + 1
    if not 1 <= number <= 99:
        raise InvalidInput(_("Number the requirements 1 to 99."))
    try:
        with transaction.atomic():
            requirement = Requirement.objects.create(
                meeting=meeting, number=number, text=text.strip()[:500], passage=passage.strip()
            )
    except IntegrityError:
        raise InvalidInput(_("Requirement %(n)d is recorded already.") % {"n": number}) from None
    audit.record(
        "meetings.requirement_add", actor=actor, obj=requirement, after=audit.snapshot(requirement)
    )
    return requirement


DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (to 99)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def next_year_plan(meeting: Meeting) -> WorkPlan | None:
    return WorkPlan.objects.filter(agency=meeting.agency, year=meeting.year + 1).first()


@transaction.atomic
def requirement_to_key_point(*, actor: Any, requirement: Requirement) -> KeyPoint:
    """The requirement becomes a key point (一、…) of next year's work plan of the agency."""
    requirement = (
        Requirement.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=requirement.pk)
    )
    meeting = requirement.meeting
    _organizer(actor, meeting)
    perms.require(plan_perms.can_manage_plans(actor))
    if requirement.key_point_id is not None:
        raise InvalidInput(_("This requirement is a key point already."))
    plan = next_year_plan(meeting)
    if plan is None:
        raise InvalidInput(
            _("There is no work plan for %(year)d yet: create it first.")
            % {"year": meeting.year + 1}
        )
    top = plan.key_points.filter(level=1).aggregate(n=Max("number"), s=Max("sort_order"))
    number = (top["n"] or 0) + 1
    point = key_point_create(
        actor=actor,
        plan=plan,
        title=requirement.text[:500],
        level=1,
        number=number,
        label=f"{chinese_ordinal(number)}、",
        sort_order=(top["s"] or 0) + 10,
    )
    requirement.key_point = point
    save_versioned(requirement, ["key_point"])
    audit.record(
        "meetings.requirement_key_point",
        actor=actor,
        obj=requirement,
        after={"key_point": point.pk, "plan": plan.pk},
    )
    return point


@transaction.atomic
def requirement_link_key_point(
    *, actor: Any, requirement: Requirement, key_point: KeyPoint
) -> Requirement:
    """The requirement is carried by a key point already in next year's plan (drafted before the
    meeting): the two are linked both ways, nothing is created."""
    requirement = (
        Requirement.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=requirement.pk)
    )
    meeting = requirement.meeting
    _organizer(actor, meeting)
    perms.require(plan_perms.can_manage_plans(actor))
    if requirement.key_point_id is not None:
        raise InvalidInput(_("This requirement is a key point already."))
    plan = next_year_plan(meeting)
    if plan is None or key_point.plan_id != plan.pk:
        raise InvalidInput(_("Choose a key point of next year's work plan of this agency."))
    requirement.key_point = key_point
    save_versioned(requirement, ["key_point"])
    audit.record(
        "meetings.requirement_key_point",
        actor=actor,
        obj=requirement,
        after={"key_point": key_point.pk, "plan": plan.pk, "linked": True},
    )
    return requirement


@transaction.atomic
def requirement_to_supervision(
    *,
    actor: Any,
    requirement: Requirement,
    lead_unit: OrgUnit,
    deadline: dt.date,
    today: dt.date | None = None,
) -> SupervisionItem:
    """The requirement becomes a supervision item (督办, with its own number) from this meeting."""
    requirement = (
        Requirement.objects.select_for_update(of=("self",))
        .select_related("meeting__agency")
        .get(pk=requirement.pk)
    )
    meeting = requirement.meeting
    _organizer(actor, meeting)
    perms.require(supervision_perms.can_register(actor))
    if requirement.supervision_item_id is not None:
        raise InvalidInput(_("This requirement is a supervision item already."))
    if not agency_units(meeting.agency).filter(pk=lead_unit.pk).exists():
        raise InvalidInput(_("The lead unit is not of this agency."))
    item = supervision_services.item_register(
        actor=actor,
        data=supervision_services.ItemIn(
            title=requirement.text[:200],
            source=SupervisionItem.Source.MEETING,
            lead_unit=lead_unit,
            content=requirement.passage,
            meeting=meeting.title,
            meeting_item=_("Requirement %(n)d") % {"n": requirement.number},
            deadline=deadline,
        ),
        today=today,
        agency=meeting.agency,
    )
    requirement.supervision_item = item
    save_versioned(requirement, ["supervision_item"])
    audit.record(
        "meetings.requirement_supervision",
        actor=actor,
        obj=requirement,
        after={"supervision_item": item.pk, "number": item.number},
    )
    return item


# --- proposals -------------------------------------------------------------------------------


def exchange_candidates(meeting: Meeting) -> list[Person]:
    """The year's staff graded Excellent (优秀) in the annual appraisal: who may give an
    exchange speech, and the list a vice-chair reads."""
    ids = YearResult.objects.filter(
        year=meeting.year,
        grade=appraisal_rules.EXCELLENT,
        person__unit__in=agency_units(meeting.agency),
    ).values("person_id")
    return list(
        Person.objects.filter(pk__in=ids)
        .select_related("unit", "post")
        .order_by("unit__path", "pk")
    )


def report_candidates(meeting: Meeting) -> list[OrgUnit]:
    """The agency's departments and affiliated units, in their order: who may report (those
    with an accepted summary of the year first — the summary is their material)."""
    units = list(
        agency_units(meeting.agency)
        .filter(kind__in=[OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.AFFILIATED], is_active=True)
        .select_related("head")
        .order_by("path")
    )
    summarised = summaries_by_unit(meeting)
    for unit in units:
        unit.accepted_summary = summarised.get(unit.pk)
    return sorted(units, key=lambda u: u.pk not in summarised)


def summaries_by_unit(meeting: Meeting) -> dict[int, UnitSummary]:
    """The accepted unit summaries of the meeting's year, by unit (luoshi.summaries)."""
    return {s.unit_id: s for s in accepted_summaries(meeting.agency, meeting.year)}


@transaction.atomic
def report_speakers_propose(*, actor: Any, meeting: Meeting, limit: int = 5) -> list[AgendaItem]:
    """Report items for the units whose summary of the year is accepted (up to `limit`, in the
    units' order), each presented by the unit's head; units already reporting are skipped."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED)
    reporting = set(
        meeting.agenda.filter(kind=AgendaItem.Kind.REPORT).values_list("unit_id", flat=True)
    )
    added: list[AgendaItem] = []
    for unit in report_candidates(meeting):
        if len(added) >= limit or getattr(unit, "accepted_summary", None) is None:
            continue
        if unit.pk in reporting:
            continue
        added.append(
            agenda_add(
                actor=actor,
                meeting=meeting,
                kind=AgendaItem.Kind.REPORT,
                title=_("%(unit)s: the year's work") % {"unit": unit.name},
                presenter=unit.head,
                unit=unit,
            )
        )
    if not added:
        raise InvalidInput(_("No unit with an accepted summary is left to report."))
    return added


# --- arranging the seats (the protocol is luoshi.meetings.seating's) ------------------------

HALL_BLOCKS = (6, 10, 6)  # [practice] seats per block, left to right as seen from the hall


def hall_layout(count: int) -> seating.HallLayout:
    """A hall with room for `count` people in three blocks and a spare row (arranging adds rows
    where the units, each starting a row, need more)."""
    per_row = sum(HALL_BLOCKS)
    return seating.HallLayout(rows=max(1, -(-count // per_row) + 1), blocks=HALL_BLOCKS)


@transaction.atomic
def seating_arrange(*, actor: Any, meeting: Meeting) -> dict[str, int]:
    """Seat the presidium by protocol order and the side of honour, and the hall by zones: the
    honourees on the aisle seats of the front rows (they go up for the awarding), then the
    units in their order (people in rank order), guests last. Locked hall seats keep their
    occupants. Returns how many sat where, and how many found no seat."""
    meeting = _organized(actor, meeting, ST.PLANNING, ST.NOTIFIED, ST.IN_SESSION)
    side: seating.HonourSide = "right" if meeting.honour_side == "right" else "left"
    people = list(meeting.participants.select_related("unit", "person").order_by("sort_key", "id"))
    presidium = sorted(
        (p for p in people if p.presidium), key=lambda p: (p.protocol_order or 999, p.pk)
    )
    Seat.objects.filter(meeting=meeting, area=Seat.Area.PRESIDIUM).delete()
    if presidium:
        placed = seating.seat_presidium([p.pk for p in presidium], side)
        Seat.objects.bulk_create(
            [
                Seat(
                    meeting=meeting,
                    area=Seat.Area.PRESIDIUM,
                    row=s.row,
                    position=s.position,
                    participant_id=s.key,
                )
                for s in placed
            ]
        )
    hall = [p for p in people if not p.presidium and p.reply != Participant.Reply.LEAVE]
    locked: dict[int, seating.Seat] = {
        s.participant_id: seating.Seat(s.row, s.position)
        for s in Seat.objects.filter(
            meeting=meeting, area=Seat.Area.HALL, locked=True, participant__isnull=False
        )
        if s.participant_id is not None
    }
    layout = hall_layout(len(hall))
    if locked:
        rows_needed = max(seat.row for seat in locked.values())
        if rows_needed > layout.rows:
            layout = seating.HallLayout(rows=rows_needed, blocks=HALL_BLOCKS)
    honoured = {h.person_id for h in honourees(meeting) if h.person_id is not None}
    front = max(1, -(-sum(1 for p in hall if p.person_id in honoured) // 6))
    zones = [
        seating.Zone("honourees", str(_("Honourees")), rows=(1, front), fill="aisle"),
        seating.Zone("units", str(_("Units")), fill="rows", new_row_per_group=True),
    ]
    occupants: list[seating.HallOccupant[int]] = [
        seating.HallOccupant(
            p.pk,
            "honourees" if p.person_id in honoured else "units",
            group=(p.unit.path if p.unit else "~guest"),
        )
        for p in hall
    ]
    plan = seating.arrange_hall(layout, zones, occupants, locked=locked)
    per_row = sum(HALL_BLOCKS)
    for _attempt in range(len(occupants)):
        if not plan.unseated:
            break
        # each unit starts a row of its own, so the hall needs more rows than its head count
        # fills: add what the unseated would fill, plus one for the groups they begin
        grow = -(-len(plan.unseated) // per_row) + 1
        layout = seating.HallLayout(rows=layout.rows + grow, blocks=HALL_BLOCKS)
        plan = seating.arrange_hall(layout, zones, occupants, locked=locked)
    label = {
        p.pk: (
            str(_("Honourees"))
            if p.person_id in honoured
            else (p.unit.name if p.unit else str(_("Guests")))
        )
        for p in hall
    }
    by_seat = {(s.row, s.number): key for key, s in plan.seats.items()}
    Seat.objects.filter(meeting=meeting, area=Seat.Area.HALL).delete()
    Seat.objects.bulk_create(
        [
            Seat(
                meeting=meeting,
                area=Seat.Area.HALL,
                row=s.row,
                position=s.number,
                participant_id=by_seat.get((s.row, s.number)),
                zone=label.get(by_seat.get((s.row, s.number), 0), ""),
                locked=by_seat.get((s.row, s.number)) in locked,
            )
            for s in layout.seats()
        ]
    )
    result = {"presidium": len(presidium), "hall": len(plan.seats), "unseated": len(plan.unseated)}
    audit.record("meetings.seating_arrange", actor=actor, obj=meeting, after=result)
    return result


# --- the materials compilation (the builder is luoshi.documents.compilation's) --------------


def _part_sections(
    meeting: Meeting, item: AgendaItem, summaries: dict[int, UnitSummary]
) -> tuple[Any, ...]:
    summary = (
        summaries.get(item.unit_id)
        if item.kind == AgendaItem.Kind.REPORT and item.unit_id is not None
        else None
    )
    if summary is not None:
        return tuple(CompilationSection(h, t) for h, t in summary.text_sections())
    if item.reads == AgendaItem.Reads.EXCELLENT:
        names = [f"{p.unit.name}　{p.name}" for p in exchange_candidates(meeting)]
        return (CompilationSection(str(_("The list of staff graded Excellent")), "\n".join(names)),)
    if item.reads == AgendaItem.Reads.DECISION or item.kind == AgendaItem.Kind.AWARDING:
        rows = [
            f"{h.title}：{h.person.name if h.person else h.unit.name}（{h.unit.name}）"
            for h in honourees(meeting)
        ]
        return (CompilationSection(str(_("The commendation decision")), "\n".join(rows)),)
    return ()


@transaction.atomic
def compilation_freeze(*, actor: Any, meeting: Meeting) -> Compilation:
    """The materials compilation (材料汇编) as it stands, frozen as the next version: the agenda's
    items in order, each with its material (the presenter's PDF) and, for the readings, the
    decision's honourees or the Excellent list."""
    meeting = _organized(actor, meeting)
    items = list(meeting.agenda.select_related("presenter", "unit").order_by("order"))
    if not items:
        raise InvalidInput(_("The agenda has no items."))
    version = (meeting.compilations.aggregate(top=Max("version"))["top"] or 0) + 1
    summaries = summaries_by_unit(meeting)
    with tempfile.TemporaryDirectory(prefix="luoshi-compilation-") as folder:

        def parts() -> Any:
            for item in items:
                attachments: tuple[Any, ...] = ()
                if item.has_material and item.material_content:
                    path = f"{folder}/{item.pk}.pdf"
                    with open(path, "wb") as handle:
                        handle.write(bytes(item.material_content))
                    attachments = (CompilationAttachment(item.material_name, path),)
                who = " ".join(
                    x
                    for x in (
                        item.unit.name if item.unit else "",
                        item.presenter.name if item.presenter else "",
                    )
                    if x
                )
                yield CompilationPart(
                    title=item.title,
                    subtitle=who,
                    sections=_part_sections(meeting, item, summaries),
                    attachments=attachments,
                )

        target = f"{folder}/compilation.pdf"
        result = write_compilation(
            CompilationBook(
                title=f"{meeting.title}材料汇编",
                subtitle=f"{meeting.agency.name}　{meeting.date.isoformat()}",
                version=f"v{version}",
            ),
            parts(),
            target,
        )
        with open(target, "rb") as handle:
            content = handle.read()
    contents = [{"level": e.level, "title": e.title, "page": e.page} for e in result.entries]
    return _store_compilation(actor=actor, meeting=meeting, content=content, contents=contents)
