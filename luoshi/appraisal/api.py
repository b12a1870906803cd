"""The appraisal app's JSON API (mounted by luoshi.api.api at /api/v1/appraisal/): the same
permissions, selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator

from luoshi.core import importflow
from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.core.errors import NotFound
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role
from luoshi.orgs.roles import Role

from . import imports, rules, selectors, services
from . import permissions as perms
from .models import AnnualCycle, Appeal, Objection, Participant, RoutineCycle, RoutineEntry

router = Router(tags=["appraisal"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
YearPath = Annotated[int, Path(ge=2000, le=2100)]


def _clean_text(value: str) -> str:
    """Text the database can store: NUL characters dropped, broken Unicode replaced."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


Text = Annotated[str, AfterValidator(_clean_text)]
Grade = Annotated[str, Field(pattern=r"^(|excellent|competent|basic|incompetent)$")]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ----------------------------------------------------------------------------------


class AppraisalCycleOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    year: int
    as_of: dt.date
    status: str
    quota_percent: Decimal
    quota_approved_by: str
    quota_approval_document: str
    meeting_date: dt.date | None
    members_present: str
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    version: int


class AppraisalCycleIn(Schema):
    agency: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    as_of: dt.date | None = None  # default: 31 December of the year
    notice_issuer: Text = Field("", max_length=200)


class AppraisalQuotaOut(Schema):
    graded: int
    percent: Decimal
    cap: int
    excellent: int
    proposed_excellent: int


class AppraisalParticipantOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    name: str
    unit: int = Field(..., alias="unit_id")
    family: str
    eligibility: str
    step: str
    final_grade: str | None
    ack: str
    version: int


class AppraisalParticipantDetailOut(AppraisalParticipantOut):
    duties: str
    self_summary: str
    leader_comments: str | None
    proposed_grade: str | None
    decided_grade: str | None
    decision_note: str | None


def _participant(p: Participant, *, confidential: bool, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": p.pk,
        "person_id": p.person_id,
        "name": p.person.name,
        "unit_id": p.unit_id,
        "family": p.family,
        "eligibility": p.eligibility,
        "step": p.step,
        "final_grade": p.final_grade if p.is_final else None,
        "ack": p.ack,
        "version": p.version,
    }
    if detail:
        data.update(
            {
                "duties": p.duties,
                "self_summary": p.self_summary,
                "leader_comments": p.leader_comments if confidential else None,
                "proposed_grade": p.proposed_grade if confidential else None,
                "decided_grade": p.decided_grade if confidential else None,
                "decision_note": p.decision_note if confidential else None,
            }
        )
    return data


# --- cycles -----------------------------------------------------------------------------------


@router.get("/cycles", response=list[AppraisalCycleOut])
def list_cycles(request: HttpRequest) -> Any:
    return list(selectors.cycles_visible(_user(request)).order_by("-year", "agency__path"))


@router.post(
    "/cycles",
    response={201: AppraisalCycleOut},
    openapi_extra=error_responses(
        {404: "The agency is not one where this account is the personnel officer."}
    ),
)
def open_cycle(request: HttpRequest, payload: AppraisalCycleIn) -> Any:
    user = _user(request)
    agency = perms.agencies_administered(user).filter(pk=payload.agency).first()
    if agency is None:
        raise NotFound()
    cycle = services.cycle_open(
        actor=user,
        agency=agency,
        year=payload.year,
        as_of=payload.as_of,
        notice_issuer=payload.notice_issuer,
    )
    return Status(201, cycle)


@router.get("/cycles/{cycle_id}", response=AppraisalCycleOut)
def get_cycle(request: HttpRequest, cycle_id: Id) -> Any:
    return perms.access_cycle(_user(request), cycle_id)


@router.get("/cycles/{cycle_id}/quota", response=AppraisalQuotaOut)
def get_quota(request: HttpRequest, cycle_id: Id) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if not perms.sees_all_confidential(user, cycle) and perms.leader_scope(user).is_empty:
        raise NotFound()
    return selectors.quota_state(cycle).__dict__


class AppraisalQuotaIn(Schema):
    percent: float = Field(..., ge=0, le=100)
    approved_by: Text = Field("", max_length=200)
    approval_document: Text = Field("", max_length=200)
    approved_on: dt.date | None = None


@router.post("/cycles/{cycle_id}/quota", response=AppraisalCycleOut)
def set_quota(request: HttpRequest, cycle_id: Id, payload: AppraisalQuotaIn) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    data = payload.dict()
    data["percent"] = Decimal(str(round(payload.percent, 2)))
    return services.quota_set(actor=user, cycle=cycle, **data)


class AppraisalReadinessItemOut(Schema):
    key: str
    label: str
    message: str
    missing: int
    total: int
    overridable: bool
    names: list[str]


class AppraisalReadinessOut(Schema):
    ready: bool
    needs_override: bool
    refused: bool
    items: list[AppraisalReadinessItemOut]


@router.get(
    "/cycles/{cycle_id}/readiness",
    response=AppraisalReadinessOut,
    openapi_extra=error_responses({404: "No such cycle, or not one this account manages."}),
)
def get_readiness(request: HttpRequest, cycle_id: Id) -> Any:
    """The readiness check before the committee: each problem by name, with how many of how
    many are missing; `overridable` items may be overridden with `override_reason` when sending
    the cycle to the committee, the others are refused until fixed."""
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if not perms.sees_all_confidential(user, cycle):
        raise NotFound()
    items = services.committee_readiness(cycle)
    return {
        "ready": not items,
        "needs_override": bool(items) and all(i.overridable for i in items),
        "refused": any(not i.overridable for i in items),
        "items": [
            {
                "key": i.key,
                "label": i.label,
                "message": i.message,
                "missing": i.missing,
                "total": i.total,
                "overridable": i.overridable,
                "names": list(i.names),
            }
            for i in items
        ],
    }


class AppraisalToCommitteeIn(Schema):
    override_reason: Text = Field(
        "",
        max_length=2000,
        description=(
            "Why the cycle goes to the committee although self-summaries or proposals are "
            "missing (see /readiness); kept in the audit log. Not needed when it is ready."
        ),
    )


@router.post(
    "/cycles/{cycle_id}/to-committee",
    response=AppraisalCycleOut,
    openapi_extra=error_responses(
        {
            422: (
                "Not ready (code `not_ready`: the democratic evaluation is open or the quota "
                "breaks the rules) or items missing without `override_reason` (code "
                "`override_required`); `details` lists each readiness item."
            )
        }
    ),
)
def to_committee(
    request: HttpRequest, cycle_id: Id, payload: AppraisalToCommitteeIn | None = None
) -> Any:
    user = _user(request)
    return services.cycle_to_committee(
        actor=user,
        cycle=perms.access_cycle(user, cycle_id),
        override_reason=payload.override_reason if payload is not None else "",
    )


@router.get("/cycles/{cycle_id}/participants", response=list[AppraisalParticipantOut])
def list_participants(request: HttpRequest, cycle_id: Id) -> Any:
    """Participants whose records the caller may see (for staff: none but their own)."""
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    qs = list(selectors.participants_confidential(user, cycle))
    if perms.sees_all_confidential(user, cycle) or qs:
        services.record_view(actor=user, obj=cycle, what="api.participants")
    own = [p for p in selectors.own_participation(user) if p.cycle_id == cycle.pk]
    seen = {p.pk for p in qs}
    rows = qs + [p for p in own if p.pk not in seen]
    return [_participant(p, confidential=True) for p in rows]


@router.get("/participants/{participant_id}", response=AppraisalParticipantDetailOut)
def get_participant(request: HttpRequest, participant_id: Id) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    confidential = perms.can_see_confidential(user, p)
    if confidential:
        services.record_view(actor=user, obj=p, what="api.participant")
    return _participant(p, confidential=confidential, detail=True)


class AppraisalSummaryIn(Schema):
    duties: Text = Field("", max_length=5000)
    self_summary: Text = Field(..., max_length=20000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post(
    "/participants/{participant_id}/summary",
    response=AppraisalParticipantDetailOut,
    openapi_extra=error_responses({409: "The record changed since you read it."}),
)
def submit_summary(request: HttpRequest, participant_id: Id, payload: AppraisalSummaryIn) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    p = services.summary_submit(actor=user, participant=p, **payload.dict())
    return _participant(p, confidential=perms.can_see_confidential(user, p), detail=True)


class AppraisalProposalIn(Schema):
    grade: Grade = ""
    comments: Text = Field(..., max_length=5000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post(
    "/participants/{participant_id}/proposal",
    response=AppraisalParticipantDetailOut,
    openapi_extra=error_responses(
        {403: "Only the supervising leader proposes.", 409: "The record changed since you read it."}
    ),
)
def propose(request: HttpRequest, participant_id: Id, payload: AppraisalProposalIn) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    p = services.propose(actor=user, participant=p, **payload.dict())
    return _participant(p, confidential=True, detail=True)


class AppraisalEligibilityIn(Schema):
    reason: Text = Field(..., max_length=2000)
    leave_days: int | None = Field(None, ge=0, le=366)
    under_investigation: bool | None = None
    penalties: list[dict[str, Any]] | None = None
    override: str | None = Field(None, pattern=r"^(graded|comments_only|ungraded|pending)$")


@router.post("/participants/{participant_id}/eligibility", response=AppraisalParticipantDetailOut)
def change_eligibility(
    request: HttpRequest, participant_id: Id, payload: AppraisalEligibilityIn
) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    p = services.eligibility_change(actor=user, participant=p, **payload.dict())
    return _participant(p, confidential=True, detail=True)


class AppraisalMeetingIn(Schema):
    meeting_date: dt.date
    members_present: Text = Field(..., max_length=2000)


@router.post("/cycles/{cycle_id}/committee", response=AppraisalCycleOut)
def record_meeting(request: HttpRequest, cycle_id: Id, payload: AppraisalMeetingIn) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    return services.committee_record(actor=user, cycle=cycle, **payload.dict())


class AppraisalDecisionIn(Schema):
    grade: Grade = ""
    note: Text = Field("", max_length=5000)


@router.post(
    "/participants/{participant_id}/decision",
    response=AppraisalParticipantDetailOut,
    openapi_extra=error_responses(
        {422: "Not possible for this person, or the excellent quota is full (code quota_full)."}
    ),
)
def decide(request: HttpRequest, participant_id: Id, payload: AppraisalDecisionIn) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    p = services.decide(actor=user, participant=p, **payload.dict())
    return _participant(p, confidential=True, detail=True)


class AppraisalBulkDecisionRowIn(Schema):
    participant: int = Field(..., ge=1, le=MAX_ID)
    grade: Annotated[
        str,
        Field(
            pattern=r"^(|excellent|competent|basic|incompetent|proposed)$",
            description='A grade, "" for no grade (those not graded), or "proposed".',
        ),
    ]


class AppraisalBulkDecisionIn(Schema):
    decisions: list[AppraisalBulkDecisionRowIn] = Field(..., min_length=1, max_length=2000)


class AppraisalBulkDecisionOut(Schema):
    decided: int
    quota: AppraisalQuotaOut


@router.post(
    "/cycles/{cycle_id}/decisions",
    response=AppraisalBulkDecisionOut,
    openapi_extra=error_responses(
        {
            422: (
                "Nothing written: a row is not possible (each named in `details` as "
                "{field: grade-<participant>, message}), the excellent quota or a unit's places "
                "would be exceeded (code `quota_full`), or the democratic evaluation is open "
                "(code `evaluation_open`)."
            )
        }
    ),
)
def decide_list(request: HttpRequest, cycle_id: Id, payload: AppraisalBulkDecisionIn) -> Any:
    """The committee's decisions for many people in one transaction (the committee page's one
    submit): all are written, each audited, or none. A person's committee opinion (written with
    the single decision) is kept; only changed decisions are written."""
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    perms.require(perms.can_decide(user, cycle))
    visible = set(selectors.participants_confidential(user, cycle).values_list("pk", flat=True))
    if any(row.participant not in visible for row in payload.decisions):
        raise NotFound()
    n = services.decide_bulk(
        actor=user,
        cycle=cycle,
        decisions=[(row.participant, row.grade, None) for row in payload.decisions],
    )
    return {"decided": n, "quota": selectors.quota_state(cycle).__dict__}


class AppraisalPublicityIn(Schema):
    start: dt.date | None = None


class AppraisalPublicityOut(Schema):
    start: dt.date | None
    end: dt.date | None
    status: str
    listed: list[dict[str, Any]]


def _publicity(cycle: AnnualCycle) -> dict[str, Any]:
    return {
        "start": cycle.publicity_start,
        "end": cycle.publicity_end,
        "status": cycle.status,
        "listed": [
            {"participant": p.pk, "name": p.person.name, "unit": p.unit.name}
            for p in selectors.publicity_list(cycle)
        ],
    }


@router.post("/cycles/{cycle_id}/publicity", response=AppraisalPublicityOut)
def start_publicity(request: HttpRequest, cycle_id: Id, payload: AppraisalPublicityIn) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    return _publicity(services.publicity_start(actor=user, cycle=cycle, start=payload.start))


@router.get("/cycles/{cycle_id}/publicity", response=AppraisalPublicityOut)
def get_publicity(request: HttpRequest, cycle_id: Id) -> Any:
    return _publicity(perms.access_cycle(_user(request), cycle_id))


class AppraisalObjectionIn(Schema):
    text: Text = Field(..., max_length=5000)
    participant: int | None = Field(None, ge=1, le=MAX_ID)


class AppraisalObjectionOut(Schema):
    id: int
    participant: int | None = Field(None, alias="participant_id")
    text: str
    answer: str
    answered_at: dt.datetime | None


@router.post("/cycles/{cycle_id}/objections", response={201: AppraisalObjectionOut})
def raise_objection(request: HttpRequest, cycle_id: Id, payload: AppraisalObjectionIn) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    target = None
    if payload.participant is not None:
        target = next(
            (p for p in selectors.publicity_list(cycle) if p.pk == payload.participant), None
        )
        if target is None:
            raise NotFound()
    return Status(
        201,
        services.objection_raise(actor=user, cycle=cycle, text=payload.text, participant=target),
    )


@router.get("/cycles/{cycle_id}/objections", response=list[AppraisalObjectionOut])
def list_objections(request: HttpRequest, cycle_id: Id) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if not perms.can_see_objections(user, cycle):
        raise NotFound()  # as for a missing cycle (issue 15 finding 13)
    return list(cycle.objections.all())


class AppraisalAnswerIn(Schema):
    answer: Text = Field(..., max_length=5000)


@router.post("/objections/{objection_id}/answer", response=AppraisalObjectionOut)
def answer_objection(request: HttpRequest, objection_id: Id, payload: AppraisalAnswerIn) -> Any:

    user = _user(request)
    obj = Objection.objects.select_related("cycle", "cycle__agency").filter(pk=objection_id).first()
    if obj is None or obj.cycle_id not in perms.cycles_visible_ids(user):
        raise NotFound()
    return services.objection_answer(actor=user, objection=obj, answer=payload.answer)


@router.post("/cycles/{cycle_id}/notices")
def send_notices(request: HttpRequest, cycle_id: Id) -> dict[str, int]:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    return {"sent": services.notices_send(actor=user, cycle=cycle)}


class AppraisalAckIn(Schema):
    choice: str = Field(..., pattern=r"^(agree|disagree)$")
    text: Text = Field("", max_length=5000)


@router.post(
    "/participants/{participant_id}/acknowledgement", response=AppraisalParticipantDetailOut
)
def acknowledge(request: HttpRequest, participant_id: Id, payload: AppraisalAckIn) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    p = services.acknowledge(actor=user, participant=p, **payload.dict())
    return _participant(p, confidential=perms.can_see_confidential(user, p), detail=True)


class AppraisalAppealIn(Schema):
    kind: str = Field(..., pattern=r"^(review|appeal)$")
    reason: Text = Field(..., max_length=5000)
    learned_on: dt.date | None = None


class AppraisalAppealOut(Schema):
    id: int
    participant: int = Field(..., alias="participant_id")
    kind: str
    learned_on: dt.date
    filed_on: dt.date
    file_by: dt.date
    decide_by: dt.date | None
    decide_by_extended: dt.date | None
    in_time: bool
    status: str
    decision: str
    decided_on: dt.date | None
    new_grade: str


@router.post("/participants/{participant_id}/appeals", response={201: AppraisalAppealOut})
def file_appeal(request: HttpRequest, participant_id: Id, payload: AppraisalAppealIn) -> Any:
    user = _user(request)
    p = perms.access_participant(user, participant_id)
    return Status(201, services.appeal_file(actor=user, participant=p, **payload.dict()))


@router.get("/cycles/{cycle_id}/appeals", response=list[AppraisalAppealOut])
def list_appeals(request: HttpRequest, cycle_id: Id) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if perms.can_manage_cycle(user, cycle):
        return list(Appeal.objects.filter(participant__cycle=cycle).order_by("filed_on", "id"))
    pid = perms.person_id(user) or 0
    return list(Appeal.objects.filter(participant__cycle=cycle, participant__person_id=pid))


class AppraisalAppealDecisionIn(Schema):
    decision: Text = Field(..., max_length=5000)
    new_grade: Grade | None = None


@router.post(
    "/appeals/{appeal_id}/decision",
    response=AppraisalAppealOut,
    openapi_extra=error_responses({409: "The request has already been decided."}),
)
def decide_appeal(request: HttpRequest, appeal_id: Id, payload: AppraisalAppealDecisionIn) -> Any:
    user = _user(request)
    appeal = perms.access_appeal(user, appeal_id)
    return services.appeal_decide(
        actor=user, appeal=appeal, decision=payload.decision, new_grade=payload.new_grade or None
    )


class AppraisalConsequenceOut(Schema):
    kind: str
    person: int
    name: str
    unit: str
    grade: str


@router.get("/cycles/{cycle_id}/consequences", response=list[AppraisalConsequenceOut])
def list_consequences(request: HttpRequest, cycle_id: Id) -> Any:
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if not perms.can_see_consequences(user, cycle):
        raise NotFound()  # as for a missing cycle (issue 15 finding 13)
    services.record_view(actor=user, obj=cycle, what="api.consequences")
    out = []
    for kind, rows in selectors.consequences(cycle).items():
        for r in rows:
            out.append(
                {
                    "kind": kind,
                    "person": r.person_id,
                    "name": r.name,
                    "unit": r.unit,
                    "grade": r.grade,
                }
            )
    return out


# --- earlier years' results (xlsx import) ------------------------------------------------------


class AppraisalHistoryRowOut(Schema):
    row: int
    person: int
    name: str
    unit: str
    year: int
    grade: str
    family: str
    note: str


class AppraisalHistoryImportOut(Schema):
    dry_run: bool
    committed: bool
    count: int
    rows: list[AppraisalHistoryRowOut]


@router.post(
    "/cycles/{cycle_id}/history-import",
    response={201: AppraisalHistoryImportOut},
    summary="Import earlier years' annual results from an xlsx workbook",
    openapi_extra=error_responses(
        {
            404: "No such cycle, or the account is not its personnel officer.",
            422: (
                "The file cannot be read or has problems, and nothing was written (code "
                "`import_invalid`); `details` lists each as {row, field, message}, row being "
                "the Excel row number."
            ),
        }
    ),
)
def import_history(
    request: HttpRequest,
    cycle_id: Id,
    file: Annotated[UploadedFile | None, File()] = None,
    dry_run: Form[bool] = False,
) -> Status[dict[str, Any]]:
    """The import page's upload → preview → commit over the API, all or nothing.

    Send the workbook as the multipart field `file`: one sheet with the columns 年度 · 姓名 ·
    单位 (optional, tells namesakes apart) · 等次 (empty for 不定等次) · 备注 (optional). With
    `dry_run` the file is only checked and `rows` previews what would be written
    (`committed` false); without it the rows are written (`committed` true). Any problem
    answers `422` listing every problem by row, and nothing is written. Only the cycle's
    personnel officers may import; to anyone else the cycle does not exist.
    """
    user = _user(request)
    cycle = perms.access_cycle(user, cycle_id)
    if not perms.can_manage_cycle(user, cycle):
        raise NotFound()
    if file is None:
        raise importflow.ImportInvalid(
            [importflow.RowProblem(None, "file", _("Choose an .xlsx file to upload."))]
        )
    name = importflow.clean_file_name(file.name or "", "")
    data = importflow.read_upload(file)
    source = {"file": name, "sha256": hashlib.sha256(data).hexdigest()}
    plan = imports.plan_from_bytes(data, agency=cycle.agency)
    if plan.problems:
        raise importflow.ImportInvalid(plan.problems)
    rows = plan.rows
    if dry_run:  # the preview shows confidential results: the view is audited
        services.record_view(actor=user, obj=cycle, what="api.history_import_preview")
    else:
        services.history_import(actor=user, agency=cycle.agency, rows=rows, source=source)
    return Status(
        201,
        {
            "dry_run": dry_run,
            "committed": not dry_run,
            "count": len(rows),
            "rows": [
                {
                    "row": r.row,
                    "person": r.person_id,
                    "name": r.name,
                    "unit": r.unit,
                    "year": r.year,
                    "grade": r.grade,
                    "family": r.family,
                    "note": r.note,
                }
                for r in rows
            ],
        },
    )


__all__ = ["router", "rules"]


# --- routine appraisal ------------------------------------------------------------------------


class AppraisalRoutineCycleOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    year: int
    quarter: int
    status: str


class AppraisalRoutineEntryOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    report: str
    grade: str
    comments: str


class AppraisalRoutineIn(Schema):
    unit: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    quarter: int = Field(..., ge=1, le=4)


@router.post(
    "/routine",
    response={201: AppraisalRoutineCycleOut},
    openapi_extra=error_responses({404: "The unit is not one this account appraises."}),
)
def open_routine(request: HttpRequest, payload: AppraisalRoutineIn) -> Any:
    user = _user(request)
    unit = OrgUnit.objects.filter(pk=payload.unit).first()
    if unit is None or not perms.can_open_routine(user, unit):
        raise NotFound()
    cycle = services.routine_open(actor=user, unit=unit, year=payload.year, quarter=payload.quarter)
    return Status(201, cycle)


@router.get("/routine/{routine_id}/entries", response=list[AppraisalRoutineEntryOut])
def routine_entries(request: HttpRequest, routine_id: Id) -> Any:
    cycle = perms.access_routine(_user(request), routine_id)
    return list(cycle.entries.order_by("person__name", "id"))


class AppraisalRoutineGradeIn(Schema):
    grade: str = Field(..., pattern=r"^(good|fairly_good|average|poor)$")
    comments: Text = Field("", max_length=2000)


@router.post(
    "/routine-entries/{entry_id}/grade",
    response=AppraisalRoutineEntryOut,
    openapi_extra=error_responses({422: "Good is capped per unit (code quota_full)."}),
)
def grade_routine(request: HttpRequest, entry_id: Id, payload: AppraisalRoutineGradeIn) -> Any:
    user = _user(request)
    entry = perms.access_routine_entry(user, entry_id)
    return services.routine_propose(actor=user, entry=entry, **payload.dict())


@router.post("/routine/{routine_id}/confirm", response=AppraisalRoutineCycleOut)
def confirm_routine(request: HttpRequest, routine_id: Id) -> Any:
    user = _user(request)
    return services.routine_confirm(actor=user, cycle=perms.access_routine(user, routine_id))


@router.get("/my-routine", response=list[AppraisalRoutineEntryOut])
def my_routine(request: HttpRequest) -> Any:
    """The caller's own confirmed routine results."""

    pid = perms.person_id(_user(request)) or 0
    return list(
        RoutineEntry.objects.filter(
            person_id=pid, cycle__status=RoutineCycle.Status.CONFIRMED
        ).order_by("-cycle__year", "-cycle__quarter")
    )


# --- unit performance -------------------------------------------------------------------------


class AppraisalUnitScoreOut(Schema):
    unit: int
    name: str
    rank: int
    score: Decimal
    metrics: dict[str, Decimal | None]
    weights_used: dict[str, Decimal]


class AppraisalUnitScoresOut(Schema):
    agency: int
    year: int
    supervision_available: bool
    units: list[AppraisalUnitScoreOut]


def _agency_for_scores(user: Any, agency_id: int) -> OrgUnit:
    agency = OrgUnit.objects.filter(pk=agency_id, kind=OrgUnit.Kind.AGENCY).first()
    if agency is None:
        raise NotFound()

    if not (
        perms.is_officer(user, agency)
        or (has_role(user, Role.AGENCY_LEADER) and perms.is_leader_for(user, agency))
    ):
        raise NotFound()
    return agency


@router.get("/unit-scores/{agency_id}/{year}", response=AppraisalUnitScoresOut)
def unit_scores(request: HttpRequest, agency_id: Id, year: YearPath) -> Any:
    agency = _agency_for_scores(_user(request), agency_id)
    rows, supervision = selectors.unit_performance(agency, year)
    return {
        "agency": agency.pk,
        "year": year,
        "supervision_available": supervision,
        "units": [
            {
                "unit": r.unit.pk,
                "name": r.unit.name,
                "rank": r.rank,
                "score": r.score,
                "metrics": r.metrics,
                "weights_used": r.weights_used,
            }
            for r in rows
        ],
    }


class AppraisalLeadershipIn(Schema):
    unit: int = Field(..., ge=1, le=MAX_ID)
    score: float = Field(..., ge=0, le=100)


@router.post("/unit-scores/{agency_id}/{year}/leadership")
def set_leadership(
    request: HttpRequest, agency_id: Id, year: YearPath, payload: AppraisalLeadershipIn
) -> dict[str, Any]:
    user = _user(request)
    agency = _agency_for_scores(user, agency_id)
    unit = OrgUnit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise NotFound()
    row = services.leadership_score_set(
        actor=user, agency=agency, unit=unit, year=year, score=Decimal(str(round(payload.score, 2)))
    )
    return {"unit": unit.pk, "year": year, "score": str(row.score)}
