"""Every write to supervision items: keyword-only, atomic, audited, with the item's timeline.

Notifications go through luoshi.notify (delivered after commit); numbers come from
luoshi.core.numbering (a series row locked in the registering transaction); the urging ladder
inserts one row per (item, step) or skips the step when the row is already there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit, lights
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.core.numbering import next_number
from luoshi.core.text import search_key
from luoshi.core.versioning import check_version, lock_current, save_versioned
from luoshi.core.workdays import WorkCalendar
from luoshi.documents.official import document_number
from luoshi.notify.services import notify_each
from luoshi.orgs.models import OrgUnit, Person, User
from luoshi.orgs.selectors import leaders_in_charge, organization_of
from luoshi.plans.models import Task
from luoshi.plans.services.attachments import check_attachment
from luoshi.plans.services.lights import settings_basis, thresholds_reader

from . import rules
from .models import (
    ExtensionRequest,
    Feedback,
    FeedbackAttachment,
    ItemEvent,
    NumberKind,
    SupervisionItem,
    SupervisionSettings,
    UrgingStep,
)

S = SupervisionItem.Status
Kind = ItemEvent.Kind


# --- helpers ----------------------------------------------------------------------------------


def _event(
    item: SupervisionItem,
    kind: str,
    actor: Any,
    *,
    note: str = "",
    data: Any = None,
    day: dt.date | None = None,
) -> None:
    """A line of the item's timeline; a backfilled step (an earlier `today`) carries its day."""
    at = timezone.now()
    if day is not None and day != timezone.localdate():
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    ItemEvent.objects.create(
        item=item,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        data=audit._plain(data) if data is not None else None,
    )


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def settings_for(agency_id: int | None) -> SupervisionSettings:
    """The agency's supervision settings (defaults, unsaved, when it has none)."""
    row = SupervisionSettings.objects.filter(agency_id=agency_id).first() if agency_id else None
    return row or SupervisionSettings(agency_id=agency_id or 0)


def _item_search_text(item: SupervisionItem) -> str:
    return search_key(
        item.number,
        item.title,
        item.content,
        item.instruction_text,
        item.source_document,
        item.meeting,
        item.meeting_item,
    )


def item_link(item: SupervisionItem) -> str:
    from django.urls import reverse

    return reverse("supervision:item", args=[item.pk])


def _users_of(person_ids: Iterable[int | None]) -> list[int]:
    ids = [p for p in person_ids if p]
    if not ids:
        return []
    return list(User.objects.filter(person_id__in=ids, is_active=True).values_list("pk", flat=True))


def lead_unit_recipients(item: SupervisionItem) -> list[int]:
    """Who hears for the lead unit: the responsible person and the unit's head; when neither
    has an account, every active account of the unit."""
    head_id = OrgUnit.objects.filter(pk=item.lead_unit_id).values_list("head_id", flat=True).first()
    found = _users_of([item.responsible_person_id, head_id])
    if found:
        return found
    return list(
        User.objects.filter(person__unit_id=item.lead_unit_id, is_active=True).values_list(
            "pk", flat=True
        )
    )


def leader_recipients(item: SupervisionItem) -> list[int]:
    return _users_of([item.leader_in_charge_id])


def _notify(
    recipients: Sequence[int],
    event: str,
    render: Callable[[Any], tuple[str, str]],
    item: SupervisionItem,
    actor: Any = None,
) -> None:
    """Tell people through luoshi.notify (delivered after commit, in each reader's language)."""
    if not recipients:
        return
    notify_each(
        sorted(set(recipients)),
        event,
        render,
        link=item_link(item),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        org_unit_id=item.agency_id,
    )


# --- registering ------------------------------------------------------------------------------


@dataclass
class ItemIn:
    """What an item is made of when registered (from a form, the API or the demo)."""

    title: str
    source: str
    lead_unit: OrgUnit
    content: str = ""
    kind: str = SupervisionItem.Kind.ROUTINE
    is_major: bool = False
    urgency: str = SupervisionItem.Urgency.NORMAL
    cooperating_units: Sequence[OrgUnit] = ()
    responsible_person: Person | None = None
    leader_in_charge: Person | None = None
    deadline: dt.date | None = None
    deadline_working_days: int | None = None
    report_cadence: str = SupervisionItem.Cadence.MONTHLY
    instruction_by: Person | None = None
    instruction_on: dt.date | None = None
    instruction_text: str = ""
    source_document: str = ""
    meeting: str = ""
    meeting_item: str = ""
    task: Task | None = None
    remarks: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _validate(data: ItemIn, today: dt.date) -> None:
    problems: list[dict[str, Any]] = []

    def bad(name: str, message: str) -> None:
        problems.append({"field": name, "message": message})

    if not data.title.strip():
        bad("title", _("The title is required."))
    if data.source not in SupervisionItem.Source.values:
        bad("source", _("Choose a source."))
    if data.source == SupervisionItem.Source.INSTRUCTION:
        if data.instruction_by is None:
            bad("instruction_by", _("Name the leader who gave the instruction."))
        if not data.instruction_text.strip():
            bad("instruction_text", _("Paste the text of the instruction."))
        if data.instruction_on is None:
            bad("instruction_on", _("Give the date of the instruction."))
        elif data.instruction_on > today:
            bad("instruction_on", _("The instruction date cannot be in the future."))
    if data.source == SupervisionItem.Source.MEETING and not data.meeting.strip():
        bad("meeting", _("Name the meeting."))
    if data.source == SupervisionItem.Source.HIGHER_LEVEL and not data.source_document.strip():
        bad("source_document", _("Name the document of the assignment."))
    if data.source == SupervisionItem.Source.WORK_PLAN and data.task is None:
        bad("task", _("Choose the key task of the work plan."))
    if data.lead_unit in data.cooperating_units:
        bad("cooperating_units", _("The lead unit cannot also be a cooperating unit."))
    if (data.deadline is None) == (data.deadline_working_days is None):
        bad("deadline", _("Give the deadline either as a date or as a number of working days."))
    if data.deadline_working_days is not None and not 1 <= data.deadline_working_days <= 400:
        bad("deadline_working_days", _("Give between 1 and 400 working days."))
    if problem := rules.deadline_problem(data.deadline, not_before=today):
        bad("deadline", problem)
    if data.kind not in SupervisionItem.Kind.values:
        bad("kind", _("Choose a type."))
    if data.urgency not in SupervisionItem.Urgency.values:
        bad("urgency", _("Choose an urgency."))
    if data.report_cadence not in SupervisionItem.Cadence.values:
        bad("report_cadence", _("Choose a report cadence."))
    if problems:
        raise InvalidInput(details=problems)


def _agency_of(actor: Any, lead_unit: OrgUnit) -> OrgUnit:
    person = getattr(actor, "person", None) if actor is not None else None
    return organization_of(person.unit if person is not None else lead_unit)


@transaction.atomic
def item_register(
    *, actor: Any, data: ItemIn, today: dt.date | None = None, agency: OrgUnit | None = None
) -> SupervisionItem:
    """Register (立项) an item and give it its number: 督办〔2025〕12号."""
    day = _today(today)
    _validate(data, day)
    agency = agency or _agency_of(actor, data.lead_unit)
    conf = settings_for(agency.pk)
    serial = next_number(agency_id=agency.pk, year=day.year, kind=NumberKind.ITEM)
    leader = data.leader_in_charge or leaders_in_charge(data.lead_unit, on=day).first()
    item = SupervisionItem(
        agency=agency,
        year=day.year,
        serial=serial,
        number=document_number(conf.number_prefix, day.year, serial),
        title=data.title.strip(),
        content=data.content.strip(),
        source=data.source,
        instruction_by=data.instruction_by,
        instruction_on=data.instruction_on,
        instruction_text=data.instruction_text.strip(),
        source_document=data.source_document.strip(),
        meeting=data.meeting.strip(),
        meeting_item=data.meeting_item.strip(),
        task=data.task,
        kind=data.kind,
        is_major=data.is_major,
        urgency=data.urgency,
        lead_unit=data.lead_unit,
        responsible_person=data.responsible_person,
        leader_in_charge=leader,
        deadline_mode=(
            SupervisionItem.DeadlineMode.WORKING_DAYS
            if data.deadline_working_days is not None
            else SupervisionItem.DeadlineMode.DATE
        ),
        deadline_working_days=data.deadline_working_days,
        deadline=data.deadline,
        report_cadence=data.report_cadence,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        registered_on=day,
        remarks=data.remarks.strip(),
    )
    if data.task is not None:
        item.progress = data.task.progress
    item.search_text = _item_search_text(item)
    item.save()
    item.cooperating_units.set(data.cooperating_units)
    _event(item, Kind.REGISTERED, actor, data={"number": item.number}, day=day)
    audit.record(
        "supervision.register",
        actor=actor,
        obj=item,
        after={
            **audit.snapshot(item),
            "cooperating_units": [u.pk for u in data.cooperating_units],
        },
    )
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return item


EDITABLE = {
    "title",
    "content",
    "kind",
    "is_major",
    "urgency",
    "lead_unit",
    "responsible_person",
    "leader_in_charge",
    "deadline",
    "deadline_working_days",
    "report_cadence",
    "remarks",
    "instruction_text",
    "source_document",
    "meeting",
    "meeting_item",
}


@transaction.atomic
def item_update(
    *,
    actor: Any,
    item: SupervisionItem,
    changes: dict[str, Any],
    version: int | None,
    today: dt.date | None = None,
) -> SupervisionItem:
    """Edit a registered item before it is assigned (afterwards: extensions and feedback); a
    deadline date set here is not in the past (rules.deadline_problem), as at registration."""
    check_version(item, version)
    if item.status != S.REGISTERED:
        raise InvalidInput(_("Only an item not yet assigned can be edited."))
    unknown = set(changes) - EDITABLE - {"cooperating_units"}
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)})
    before = audit.snapshot(item)
    coop = changes.pop("cooperating_units", None)
    for name, value in changes.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if "deadline" in changes or "deadline_working_days" in changes:
        if (item.deadline is None) == (item.deadline_working_days is None):
            raise InvalidInput(
                _("Give the deadline either as a date or as a number of working days."),
                details=[{"field": "deadline", "message": _("Date or working days.")}],
            )
        if problem := rules.deadline_problem(
            changes.get("deadline"), not_before=max(_today(today), item.registered_on)
        ):
            raise InvalidInput(problem, details=[{"field": "deadline", "message": problem}])
        item.deadline_mode = (
            SupervisionItem.DeadlineMode.WORKING_DAYS
            if item.deadline_working_days is not None
            else SupervisionItem.DeadlineMode.DATE
        )
    if not item.title:
        raise InvalidInput(details=[{"field": "title", "message": _("The title is required.")}])
    item.search_text = _item_search_text(item)
    save_versioned(item, [*changes, "deadline_mode", "search_text"])
    if coop is not None:
        if item.lead_unit in coop:
            raise InvalidInput(_("The lead unit cannot also be a cooperating unit."))
        item.cooperating_units.set(coop)
    old, new = audit.diff(before, audit.snapshot(item))
    if coop is not None:
        new["cooperating_units"] = [u.pk for u in coop]
    _event(item, Kind.CHANGED, actor, data=new)
    audit.record("supervision.update", actor=actor, obj=item, before=old, after=new)
    return item


# --- the lifecycle ----------------------------------------------------------------------------


@transaction.atomic
def item_assign(
    *,
    actor: Any,
    item: SupervisionItem,
    version: int | None = None,
    today: dt.date | None = None,
) -> SupervisionItem:
    """Assign (交办) the item to its units: the deadline is fixed (N working days from today by
    the working-day calendar, with its coverage warning) and the lead unit is told."""
    check_version(item, version)
    if item.status != S.REGISTERED:
        raise InvalidInput(_("Only a registered item can be assigned."))
    day = _today(today)
    warning = ""
    if item.deadline_working_days is not None:
        answer = WorkCalendar().add_working_days(day, item.deadline_working_days)
        item.deadline, warning = answer.value, answer.warning
    if item.deadline is None:
        raise InvalidInput(_("The deadline cannot be in the past."))
    if problem := rules.deadline_problem(item.deadline, not_before=day):  # not before 交办
        raise InvalidInput(problem, details=[{"field": "deadline", "message": problem}])
    item.original_deadline = item.deadline
    item.deadline_warning = warning
    item.status, item.assigned_on = S.ASSIGNED, day
    save_versioned(
        item, ["deadline", "original_deadline", "deadline_warning", "status", "assigned_on"]
    )
    _event(
        item,
        Kind.ASSIGNED,
        actor,
        note=warning,
        data={"deadline": item.deadline, "working_days": item.deadline_working_days},
        day=day,
    )
    audit.record(
        "supervision.assign",
        actor=actor,
        obj=item,
        after={"status": item.status, "deadline": item.deadline, "warning": warning},
    )

    def render(_user: Any) -> tuple[str, str]:
        return (
            _("Supervision item assigned: %(number)s") % {"number": item.number},
            _("%(title)s — lead unit %(unit)s, deadline %(deadline)s.")
            % {
                "title": item.title,
                "unit": item.lead_unit.name,
                "deadline": item.deadline.isoformat() if item.deadline else "",
            },
        )

    _notify(lead_unit_recipients(item), "supervision.assigned", render, item, actor)
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return item


@transaction.atomic
def item_accept(
    *, actor: Any, item: SupervisionItem, version: int | None = None, today: dt.date | None = None
) -> SupervisionItem:
    """The lead unit takes the item on (签收)."""
    check_version(item, version)
    if item.status != S.ASSIGNED:
        raise InvalidInput(_("Only an assigned item can be accepted."))
    day = _today(today)
    item.status, item.accepted_on = S.ACCEPTED, day
    save_versioned(item, ["status", "accepted_on"])
    _event(item, Kind.ACCEPTED, actor, day=day)
    audit.record("supervision.accept", actor=actor, obj=item, after={"status": item.status})
    return item


@transaction.atomic
def feedback_submit(
    *,
    actor: Any,
    item: SupervisionItem,
    kind: str,
    text: str,
    percent: int | None = None,
    files: Sequence[tuple[str, bytes]] = (),
    version: int | None = None,
    today: dt.date | None = None,
) -> Feedback:
    """The lead unit's feedback: periodic (progress) or final (done; the office reviews it)."""
    check_version(item, version)
    if item.status != S.ACCEPTED:
        raise InvalidInput(_("Feedback is given on an accepted item."))
    if kind not in Feedback.Kind.values:
        raise InvalidInput(details=[{"field": "kind", "message": _("Choose a kind.")}])
    if not text.strip():
        raise InvalidInput(details=[{"field": "text", "message": _("Write the feedback.")}])
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInput(details=[{"field": "percent", "message": _("0 to 100.")}])
    day = _today(today)
    checked = [(*check_attachment(name, content), content) for name, content in files]
    if kind == Feedback.Kind.FINAL:
        percent = 100
    feedback = Feedback.objects.create(
        item=item,
        kind=kind,
        unit=item.lead_unit,
        text=text.strip(),
        percent=percent,
        submitted_by=actor,
        submitted_on=day,
    )
    for clean, suffix, content in checked:
        attachment = FeedbackAttachment(
            feedback=feedback,
            name=clean,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(secrets.token_hex(16) + suffix, ContentFile(content), save=False)
        attachment.save()
    fields = []
    if percent is not None:
        item.progress = percent
        fields.append("progress")
    if kind == Feedback.Kind.FINAL:
        item.status, item.completed_on = S.FINAL_SUBMITTED, day
        fields += ["status", "completed_on"]
    save_versioned(item, fields)
    _event(
        item,
        Kind.FEEDBACK,
        actor,
        note=feedback.text[:500],
        data={"kind": kind, "percent": percent, "files": [c[0] for c in checked]},
        day=day,
    )
    audit.record(
        "supervision.feedback",
        actor=actor,
        obj=item,
        after={
            "feedback": feedback.pk,
            "kind": kind,
            "percent": percent,
            "files": [{"name": c[0], "size": len(c[2])} for c in checked],
        },
    )
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return feedback


@transaction.atomic
def feedback_review(
    *,
    actor: Any,
    feedback: Feedback,
    accept: bool,
    reason: str = "",
    today: dt.date | None = None,
) -> Feedback:
    """The office reviews feedback: accepted, or returned with a reason. Accepting the final
    feedback sends the item to its leader in charge for close-out; returning it reopens it.

    The item, then the feedback, are re-read and locked: a review never fails on a version
    the reviewer did not send (docs/security.md, "Concurrent writes")."""
    item = feedback.item
    lock_current(item)
    lock_current(feedback)
    if feedback.review != Feedback.Review.PENDING:
        raise InvalidInput(_("This feedback was already reviewed."))
    if not accept and not reason.strip():
        raise InvalidInput(
            details=[{"field": "reason", "message": _("Give the reason for returning it.")}]
        )
    day = _today(today)
    feedback.review = Feedback.Review.ACCEPTED if accept else Feedback.Review.RETURNED
    feedback.reviewed_by, feedback.reviewed_on = actor, day
    feedback.review_note = reason.strip()
    save_versioned(feedback, ["review", "reviewed_by", "reviewed_on", "review_note"])
    fields = ["reviewed_by"]
    item.reviewed_by = actor
    if feedback.kind == Feedback.Kind.FINAL and item.status == S.FINAL_SUBMITTED:
        if accept:
            item.status = S.REVIEWED
        else:
            item.status, item.completed_on, item.returned_on = S.ACCEPTED, None, day
            fields += ["completed_on", "returned_on"]
        fields.append("status")
    elif not accept:
        item.returned_on = day
        fields.append("returned_on")
    save_versioned(item, fields)
    _event(
        item,
        Kind.FEEDBACK_ACCEPTED if accept else Kind.FEEDBACK_RETURNED,
        actor,
        note=reason.strip(),
        data={"feedback": feedback.pk, "kind": feedback.kind},
        day=day,
    )
    audit.record(
        "supervision.review",
        actor=actor,
        obj=item,
        after={"feedback": feedback.pk, "accepted": accept, "reason": reason.strip()},
    )
    if feedback.kind == Feedback.Kind.FINAL and accept:

        def render_leader(_user: Any) -> tuple[str, str]:
            return (
                _("Close-out awaits your approval: %(number)s") % {"number": item.number},
                item.title,
            )

        _notify(leader_recipients(item), "supervision.reviewed", render_leader, item, actor)
    elif not accept:

        def render_return(_user: Any) -> tuple[str, str]:
            return (
                _("Feedback returned: %(number)s") % {"number": item.number},
                reason.strip(),
            )

        _notify(lead_unit_recipients(item), "supervision.returned", render_return, item, actor)
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return feedback


@transaction.atomic
def item_close_out(
    *,
    actor: Any,
    item: SupervisionItem,
    approve: bool,
    note: str = "",
    version: int | None = None,
    today: dt.date | None = None,
) -> SupervisionItem:
    """The leader in charge approves the close-out (销号); on-time is measured against the
    original deadline. Refusing sends the item back to the lead unit with the reason."""
    check_version(item, version)
    if item.status != S.REVIEWED:
        raise InvalidInput(_("Only a reviewed item can be closed out."))
    if not approve and not note.strip():
        raise InvalidInput(
            details=[{"field": "note", "message": _("Give the reason for refusing.")}]
        )
    day = _today(today)
    if approve:
        item.status, item.closed_on = S.CLOSED, day
        item.closed_on_time = rules.on_time(item.completed_on, item.original_deadline)
        item.progress = 100
        save_versioned(item, ["status", "closed_on", "closed_on_time", "progress"])
        _event(item, Kind.CLOSED, actor, note=note.strip(), day=day)
    else:
        item.status, item.completed_on, item.returned_on = S.ACCEPTED, None, day
        save_versioned(item, ["status", "completed_on", "returned_on"])
        _event(item, Kind.CLOSE_REFUSED, actor, note=note.strip(), day=day)
    audit.record(
        "supervision.close_out",
        actor=actor,
        obj=item,
        after={
            "approved": approve,
            "note": note.strip(),
            "status": item.status,
            "closed_on_time": item.closed_on_time,
        },
    )

    def render(_user: Any) -> tuple[str, str]:
        if approve:
            return _("Supervision item closed out: %(number)s") % {"number": item.number}, (
                item.title
            )
        return _("Close-out refused: %(number)s") % {"number": item.number}, note.strip()

    _notify(lead_unit_recipients(item), "supervision.closed", render, item, actor)
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return item


@transaction.atomic
def item_suspend(
    *,
    actor: Any,
    item: SupervisionItem,
    reason: str,
    version: int | None = None,
    today: dt.date | None = None,
) -> SupervisionItem:
    check_version(item, version)
    if item.status not in SupervisionItem.OPEN_STATUSES:
        raise InvalidInput(_("Only an open item can be suspended."))
    if not reason.strip():
        raise InvalidInput(details=[{"field": "reason", "message": _("Give the reason.")}])
    item.suspended_from, item.status = item.status, S.SUSPENDED
    save_versioned(item, ["status", "suspended_from"])
    _event(item, Kind.SUSPENDED, actor, note=reason.strip())
    audit.record("supervision.suspend", actor=actor, obj=item, after={"reason": reason.strip()})
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=_today(today))
    return item


@transaction.atomic
def item_resume(
    *,
    actor: Any,
    item: SupervisionItem,
    version: int | None = None,
    today: dt.date | None = None,
) -> SupervisionItem:
    check_version(item, version)
    if item.status != S.SUSPENDED:
        raise InvalidInput(_("Only a suspended item can be resumed."))
    item.status, item.suspended_from = item.suspended_from or S.ACCEPTED, ""
    save_versioned(item, ["status", "suspended_from"])
    _event(item, Kind.RESUMED, actor)
    audit.record("supervision.resume", actor=actor, obj=item, after={"status": item.status})
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=_today(today))
    return item


# --- extensions -------------------------------------------------------------------------------


@transaction.atomic
def extension_request(
    *,
    actor: Any,
    item: SupervisionItem,
    new_deadline: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> ExtensionRequest:
    """Ask for more time (延期申请): only before the deadline has passed (on the deadline day at
    the latest), for a later date, one request pending at a time."""
    day = _today(today)
    if item.status not in (S.ASSIGNED, S.ACCEPTED) or item.deadline is None:
        raise InvalidInput(_("Only an item in progress can be extended."))
    if day > item.deadline:
        raise InvalidInput(
            _("An extension must be requested before the deadline (%(date)s).")
            % {"date": item.deadline.isoformat()},
            code="extension_too_late",
        )
    if new_deadline <= item.deadline:
        raise InvalidInput(
            details=[{"field": "new_deadline", "message": _("The new deadline must be later.")}]
        )
    if not reason.strip():
        raise InvalidInput(details=[{"field": "reason", "message": _("Give the reason.")}])
    if item.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise InvalidInput(_("An extension request is already pending."))
    request = ExtensionRequest.objects.create(
        item=item,
        requested_by=actor,
        requested_on=day,
        reason=reason.strip(),
        old_deadline=item.deadline,
        new_deadline=new_deadline,
    )
    _event(
        item,
        Kind.EXTENSION_REQUESTED,
        actor,
        note=reason.strip(),
        data={"from": item.deadline, "to": new_deadline},
        day=day,
    )
    audit.record(
        "supervision.extension_request",
        actor=actor,
        obj=item,
        after={"request": request.pk, "from": item.deadline, "to": new_deadline},
    )
    return request


@transaction.atomic
def extension_decide(
    *,
    actor: Any,
    request: ExtensionRequest,
    approve: bool,
    note: str = "",
    today: dt.date | None = None,
) -> ExtensionRequest:
    """Approving moves the deadline (the original one stays for the statistics)."""
    lock_current(request.item)
    lock_current(request)
    if request.status != ExtensionRequest.Status.PENDING:
        raise InvalidInput(_("This request was already decided."))
    day = _today(today)
    item = request.item
    if approve and item.status not in (S.ASSIGNED, S.ACCEPTED):
        raise InvalidInput(_("Only an item in progress can be extended."))
    request.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    )
    request.decided_by, request.decided_on, request.decision_note = actor, day, note.strip()
    save_versioned(request, ["status", "decided_by", "decided_on", "decision_note"])
    if approve:
        item.deadline = request.new_deadline
        save_versioned(item, ["deadline"])
    _event(
        item,
        Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_REJECTED,
        actor,
        note=note.strip(),
        data={"to": request.new_deadline},
        day=day,
    )
    audit.record(
        "supervision.extension_decide",
        actor=actor,
        obj=item,
        after={"request": request.pk, "approved": approve, "deadline": item.deadline},
    )

    def render(_user: Any) -> tuple[str, str]:
        if approve:
            return (
                _("Extension approved: %(number)s") % {"number": item.number},
                _("New deadline: %(date)s") % {"date": request.new_deadline.isoformat()},
            )
        return _("Extension rejected: %(number)s") % {"number": item.number}, note.strip()

    recipients = _users_of([request.requested_by.person_id]) or lead_unit_recipients(item)
    _notify(recipients, "supervision.extension", render, item, actor)
    refresh_lights(SupervisionItem.objects.filter(pk=item.pk), today=day)
    return request


# --- lights -----------------------------------------------------------------------------------


def refresh_lights(
    items: QuerySet[SupervisionItem],
    *,
    today: dt.date | None = None,
    batch: int = 2000,
    due_only: bool = False,
) -> int:
    """Recompute the stored lights of these items; write only rows that changed. Idempotent and
    safe to run concurrently (see luoshi.core.lights.refresh). An item linked to a work-plan
    task takes the task's progress. With `due_only` (the tick): only the items whose light can
    change by date today, and those linked to a task (whose progress a task's own write moves
    without touching the item). Returns the number of lights that changed."""
    thresholds = thresholds_reader()

    def light_of(
        item: SupervisionItem, day: dt.date, until: lights.WorkingDaysUntil
    ) -> tuple[lights.LightResult, dt.date | None]:
        inputs: dict[str, Any] = dict(
            status=item.status,
            today=day,
            deadline=item.deadline,
            start=item.assigned_on,
            progress=item.task.progress if item.task is not None else item.progress,
            completed_on=item.completed_on,
            working_days_until=until,
            thresholds=thresholds(item.agency_id),
        )
        return rules.compute_light(**inputs), rules.next_change(**inputs)

    shaped = items.select_related("task").only(
        "pk",
        "agency_id",
        "status",
        "deadline",
        "assigned_on",
        "progress",
        "completed_on",
        "light",
        "light_code",
        "light_next_change",
        "task__progress",
    )
    if due_only:
        return lights.refresh_due(
            shaped,
            name="supervision.items",
            light_of=light_of,
            today=_today(today),
            basis=settings_basis(),
            also=Q(task__isnull=False),
            batch=batch,
        )
    return lights.refresh(shaped, light_of=light_of, today=_today(today), batch=batch)


# --- the urging ladder ------------------------------------------------------------------------


def _working_days(calendar: WorkCalendar) -> rules.WorkingDays:
    return rules.WorkingDays(
        between=lambda a, b: calendar.working_days_between(a, b).value,
        add=lambda d, n: calendar.add_working_days(d, n).value,
    )


def ladder_settings(conf: SupervisionSettings) -> rules.LadderSettings:
    return rules.LadderSettings(conf.reminder_working_days, conf.escalate_after_working_days)


def run_ladder(today: dt.date | None = None) -> dict[str, int]:
    """Take every urging step that is due today for every item in progress. Each step happens
    exactly once per item, however often this runs and even when two runs overlap: the step is
    a row unique on (item, step), inserted in the step's own transaction or skipped when it is
    there already (a concurrent run waits for the first to commit, then skips)."""
    day = _today(today)
    calendar = WorkCalendar()
    days = _working_days(calendar)
    confs: dict[int, SupervisionSettings] = {}
    taken_counts = {step: 0 for step in rules.LADDER}
    items = (
        SupervisionItem.objects.filter(status__in=SupervisionItem.URGED_STATUSES)
        .exclude(deadline=None)
        .only("pk", "agency_id", "deadline")
        .prefetch_related("urgings")
        .order_by("pk")
    )
    for item in items.iterator(chunk_size=500):
        if item.agency_id not in confs:
            confs[item.agency_id] = settings_for(item.agency_id)
        conf = confs[item.agency_id]
        assert item.deadline is not None
        taken = {u.step for u in item.urgings.all()}
        for step in rules.due_steps(
            today=day,
            deadline=item.deadline,
            taken=taken,
            days=days,
            settings=ladder_settings(conf),
        ):
            if _take_step(item_id=item.pk, step=step, today=day, conf=conf, calendar=calendar):
                taken_counts[step] += 1
    return taken_counts


@transaction.atomic
def _take_step(
    *, item_id: int, step: str, today: dt.date, conf: SupervisionSettings, calendar: WorkCalendar
) -> bool:
    """Insert the step's row, or skip (False) if this step was already taken for the item."""
    item = (
        SupervisionItem.objects.select_for_update()
        .filter(pk=item_id, status__in=SupervisionItem.URGED_STATUSES)
        .exclude(deadline=None)
        .first()
    )
    if item is None:
        return False
    assert item.deadline is not None
    try:
        with transaction.atomic():
            row = UrgingStep.objects.create(item=item, step=step, on=today, deadline=item.deadline)
    except IntegrityError:
        return False  # taken already (by an earlier run or one running now)
    item = SupervisionItem.objects.select_related("lead_unit").get(pk=item_id)
    assert item.deadline is not None
    overdue_days = calendar.working_days_between(item.deadline, today).value
    if step == rules.URGING:
        serial = next_number(agency_id=item.agency_id, year=today.year, kind=NumberKind.URGING)
        row.number = document_number(conf.urging_prefix, today.year, serial)
        row.save(update_fields=["number"])
    kind = {
        rules.REMINDER: Kind.REMINDER,
        rules.URGING: Kind.URGED,
        rules.ESCALATION: Kind.ESCALATED,
    }[step]
    _event(item, kind, None, data={"number": row.number, "deadline": item.deadline}, day=today)
    audit.record(
        f"supervision.{step}",
        obj=item,
        after={"step": step, "number": row.number, "deadline": item.deadline, "on": today},
    )
    deadline_text = item.deadline.isoformat()

    def render(_user: Any) -> tuple[str, str]:
        if step == rules.REMINDER:
            return (
                _("Reminder: %(number)s is due on %(date)s")
                % {"number": item.number, "date": deadline_text},
                item.title,
            )
        if step == rules.URGING:
            return (
                _("Urging notice %(notice)s: %(number)s is overdue")
                % {"notice": row.number, "number": item.number},
                _("%(title)s was due on %(date)s. Report on it without delay.")
                % {"title": item.title, "date": deadline_text},
            )
        return (
            _("Escalated: %(number)s is %(days)d working days overdue")
            % {"number": item.number, "days": overdue_days},
            _("%(title)s (lead unit %(unit)s) was due on %(date)s.")
            % {"title": item.title, "unit": item.lead_unit.name, "date": deadline_text},
        )

    recipients = leader_recipients(item) if step == rules.ESCALATION else lead_unit_recipients(item)
    _notify(recipients, f"supervision.{step}", render, item)
    return True


def tick(today: dt.date) -> str:
    """The `luoshi tick` step: lights of every item not closed, then the urging ladder."""
    changed = refresh_lights(
        SupervisionItem.objects.exclude(status=S.CLOSED), today=today, due_only=True
    )
    steps = run_ladder(today)
    return f"{changed} lights changed; " + ", ".join(f"{k} {v}" for k, v in steps.items())


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


SETTINGS_FIELDS = (
    "number_prefix",
    "urging_prefix",
    "issuing_body",
    "reminder_working_days",
    "escalate_after_working_days",
)


@transaction.atomic
def settings_update(
    *, actor: Any, agency: OrgUnit, values: dict[str, Any], version: int | None = None
) -> SupervisionSettings:
    """Change the agency's supervision settings (numbers, ladder); audited, optimistic lock."""
    conf = SupervisionSettings.objects.select_for_update().filter(agency=agency).first()
    if conf is None:
        conf = SupervisionSettings.objects.create(agency=agency)
    else:
        check_version(conf, version)
    problems = []
    for name in ("number_prefix", "urging_prefix"):
        if not str(values.get(name, getattr(conf, name))).strip():
            problems.append({"field": name, "message": _("A prefix is required.")})
    for name in ("reminder_working_days", "escalate_after_working_days"):
        if not 0 <= int(values.get(name, getattr(conf, name))) <= 60:
            problems.append({"field": name, "message": _("Give 0 to 60 working days.")})
    if problems:
        raise InvalidInput(details=problems)
    before = audit.snapshot(conf, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        if name in values:
            value = values[name]
            setattr(conf, name, value.strip() if isinstance(value, str) else value)
    save_versioned(conf, SETTINGS_FIELDS)
    old, new = audit.diff(before, audit.snapshot(conf, SETTINGS_FIELDS))
    audit.record("supervision.settings", actor=actor, obj=conf, before=old, after=new)
    return conf
