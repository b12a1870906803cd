"""The commendation API (mounted by luoshi.api.api at /api/v1/honors/, and a person's honours at
/api/v1/people/{id}/honors): the same permissions and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator

from luoshi.core import importflow
from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.paging import api_page
from luoshi.documents.exporters import export_response
from luoshi.documents.official import DOCX_CONTENT_TYPE
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.permissions import access_person, access_unit, scope_for

from . import exports, rules, selectors, services
from . import permissions as perms
from .models import Certificate, Honour, Nomination, Program, ProgramObjection

router = Router(tags=["honors"])
people_router = Router(tags=["honors"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    """Text the database can store: NUL characters dropped, broken Unicode replaced."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


Text = Annotated[str, AfterValidator(_clean_text)]
KindCode = Annotated[str, Field(pattern="^(" + "|".join(rules.KINDS) + ")$")]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ---------------------------------------------------------------------------------


class HonorsAllocationOut(Schema):
    unit: int = Field(..., alias="unit_id")
    headcount: int
    places: int
    override_reason: str


class HonorsQuotaOut(Schema):
    id: int
    kind: str
    family: str
    staff_count: int
    percent: Decimal | None
    places: int
    allocations: list[HonorsAllocationOut]


class HonorsProgramOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    year: int
    title: str
    scope: str
    status: str
    approval_reference: str
    nomination_deadline: dt.date | None
    decision_date: dt.date | None
    decision_document_number: str
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    version: int


class HonorsProgramDetailOut(HonorsProgramOut):
    needs_approval: bool
    quotas: list[HonorsQuotaOut]


class HonorsProgramIn(Schema):
    agency: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    title: Text = Field(..., min_length=1, max_length=200)
    scope: str = Field(..., pattern="^(internal|system)$")
    approval_reference: Text = Field("", max_length=200)
    nomination_deadline: dt.date | None = None


class HonorsQuotaIn(Schema):
    kind: KindCode
    family: str = Field("", pattern="^(|civil_servant|public_institution)$")
    percent: float | None = Field(None, gt=0, le=100)
    places: int | None = Field(None, ge=0, le=100000)


class HonorsApprovalIn(Schema):
    reference: Text = Field(..., min_length=1, max_length=200)


class HonorsNominationOut(Schema):
    id: int
    program: int = Field(..., alias="program_id")
    kind: str
    person: int | None = Field(None, alias="person_id")
    unit: int = Field(..., alias="unit_id")
    name: str
    status: str
    post_at_time: str
    deeds_brief: str
    deeds: str
    unit_opinion: str
    version: int


class HonorsNominationIn(Schema):
    kind: KindCode
    person: int | None = Field(None, ge=1, le=MAX_ID)
    unit: int | None = Field(None, ge=1, le=MAX_ID)
    deeds_brief: Text = Field("", max_length=5000)
    deeds: Text = Field("", max_length=20000)
    unit_opinion: Text = Field("", max_length=5000)


class HonorsReasonIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=500)


class HonorsVetIn(Schema):
    body: str = Field(..., max_length=32)
    verdict: str = Field(..., pattern="^(pass|fail|conditional)$")
    note: Text = Field("", max_length=2000)


class HonorsOpinionOut(Schema):
    body: str
    verdict: str
    note: str
    signed_at: dt.datetime


class HonorsDecisionIn(Schema):
    approved: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., max_length=10000)
    decision_body: Text = Field(..., min_length=1, max_length=100)
    decision_date: dt.date
    record: Text = Field(..., min_length=1, max_length=20000)


class HonorsPublicityIn(Schema):
    start: dt.date | None = None


class HonorsObjectionIn(Schema):
    text: Text = Field(..., min_length=1, max_length=2000)
    nomination: int | None = Field(None, ge=1, le=MAX_ID)


class HonorsObjectionOut(Schema):
    id: int
    nomination: int | None = Field(None, alias="nomination_id")
    text: str
    raised_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class HonorsAnswerIn(Schema):
    answer: Text = Field(..., min_length=1, max_length=2000)
    withdraw: bool = False


class HonorsCertificateOut(Schema):
    id: int
    number: str
    honour: int = Field(..., alias="honour_id")
    person: int | None
    unit: int
    kind: str
    year: int
    revoked: bool


class HonorsCertificateQuery(Schema):
    program: int | None = Field(None, ge=1, le=MAX_ID)


class HonorsHonourOut(Schema):
    id: int
    person: int | None = Field(None, alias="person_id")
    unit: int = Field(..., alias="unit_id")
    kind: str
    title: str
    gbt_code: str
    year: int
    approving_body: str
    document_number: str
    awarded_on: dt.date
    post_at_time: str
    source: str
    revoked: bool
    revoked_on: dt.date | None
    revoked_reason: str
    certificate: str | None


class HonorsRevokeIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=2000)
    document_number: Text = Field(..., min_length=1, max_length=64)


class HonorsVerifyOut(Schema):
    number: str
    holder: str
    honour: str
    program: str
    issuing_body: str
    date: dt.date
    valid: bool
    revoked_on: dt.date | None


PROGRAM_FIELDS = (
    "id",
    "agency_id",
    "year",
    "title",
    "scope",
    "status",
    "approval_reference",
    "nomination_deadline",
    "decision_date",
    "decision_document_number",
    "publicity_start",
    "publicity_end",
    "version",
)


def _program_detail(program: Program) -> dict[str, Any]:
    data = {name: getattr(program, name) for name in PROGRAM_FIELDS}
    data["needs_approval"] = rules.needs_approval(program.title, program.scope, rules.policy())
    data["quotas"] = [
        {
            "id": q.pk,
            "kind": q.kind,
            "family": q.family,
            "staff_count": q.staff_count,
            "percent": q.percent,
            "places": q.places,
            "allocations": list(q.allocations.order_by("unit__path")),
        }
        for q in program.quotas.prefetch_related("allocations").order_by("kind", "family")
    ]
    return data


def _nomination(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.pk,
        "program_id": n.program_id,
        "kind": n.kind,
        "person_id": n.person_id,
        "unit_id": n.unit_id,
        "name": n.person.name if n.person is not None else n.unit.name,
        "status": n.status,
        "post_at_time": n.post_at_time,
        "deeds_brief": n.deeds_brief,
        "deeds": n.deeds,
        "unit_opinion": n.unit_opinion,
        "version": n.version,
    }


def _honour(h: Honour) -> dict[str, Any]:
    cert = getattr(h, "certificate", None)
    return {
        "id": h.pk,
        "person_id": h.person_id,
        "unit_id": h.unit_id,
        "kind": h.kind,
        "title": h.title,
        "gbt_code": h.gbt_code,
        "year": h.year,
        "approving_body": h.approving_body,
        "document_number": h.document_number,
        "awarded_on": h.awarded_on,
        "post_at_time": h.post_at_time,
        "source": h.source,
        "revoked": h.revoked,
        "revoked_on": h.revoked_on,
        "revoked_reason": h.revoked_reason,
        "certificate": cert.number if cert is not None else None,
    }


def _officer_program(user: Any, program_id: int) -> Program:
    """A program the user may see; acting on it is the services' decision (403 when visible)."""
    return perms.access_program(user, program_id)


# --- programs --------------------------------------------------------------------------------


@router.get("/programs", response=list[HonorsProgramOut])
def list_programs(request: HttpRequest) -> Any:
    return list(perms.programs_visible(_user(request)).order_by("-year", "-id")[:500])


@router.post(
    "/programs",
    response={201: HonorsProgramOut},
    openapi_extra=error_responses(
        {404: "The agency is not one where this account is the personnel officer."}
    ),
)
def create_program(request: HttpRequest, payload: HonorsProgramIn) -> Any:
    user = _user(request)
    agency = OrgUnit.objects.filter(pk=payload.agency).first()
    if agency is None or not perms.is_officer(user, agency):
        raise NotFound()
    program = services.program_create(
        actor=user,
        agency=agency,
        year=payload.year,
        title=payload.title,
        scope=payload.scope,
        approval_reference=payload.approval_reference,
        nomination_deadline=payload.nomination_deadline,
    )
    return Status(201, program)


@router.get("/programs/{program_id}", response=HonorsProgramDetailOut)
def get_program(request: HttpRequest, program_id: Id) -> Any:
    return _program_detail(perms.access_program(_user(request), program_id))


@router.post("/programs/{program_id}/quotas", response=HonorsProgramDetailOut)
def set_quota(request: HttpRequest, program_id: Id, payload: HonorsQuotaIn) -> Any:
    user = _user(request)
    program = _officer_program(user, program_id)
    services.quota_set(
        actor=user,
        program=program,
        kind=payload.kind,
        family=payload.family,
        percent=Decimal(str(payload.percent)) if payload.percent is not None else None,
        places=payload.places,
    )
    return _program_detail(perms.access_program(user, program_id))


@router.post("/programs/{program_id}/approval", response=HonorsProgramOut)
def record_approval(request: HttpRequest, program_id: Id, payload: HonorsApprovalIn) -> Any:
    user = _user(request)
    program = _officer_program(user, program_id)
    return services.approval_record(actor=user, program=program, reference=payload.reference)


@router.post("/programs/{program_id}/open", response=HonorsProgramOut)
def open_program(request: HttpRequest, program_id: Id) -> Any:
    user = _user(request)
    return services.program_open(actor=user, program=_officer_program(user, program_id))


@router.post("/programs/{program_id}/close-nominations", response=HonorsProgramOut)
def close_nominations(request: HttpRequest, program_id: Id) -> Any:
    user = _user(request)
    return services.nominations_close(actor=user, program=_officer_program(user, program_id))


@router.post("/programs/{program_id}/decision", response=HonorsProgramOut)
def decide(request: HttpRequest, program_id: Id, payload: HonorsDecisionIn) -> Any:
    user = _user(request)
    return services.decide(
        actor=user,
        program=_officer_program(user, program_id),
        approved=payload.approved,
        decision_body=payload.decision_body,
        decision_date=payload.decision_date,
        record=payload.record,
    )


@router.post("/programs/{program_id}/publicity", response=HonorsProgramOut)
def start_publicity(request: HttpRequest, program_id: Id, payload: HonorsPublicityIn) -> Any:
    user = _user(request)
    return services.publicity_start(
        actor=user, program=_officer_program(user, program_id), start=payload.start
    )


@router.get("/programs/{program_id}/objections", response=list[HonorsObjectionOut])
def list_objections(request: HttpRequest, program_id: Id) -> Any:
    user = _user(request)
    program = perms.access_program(user, program_id)
    if not perms.sees_confidential(user, program):
        raise NotFound()
    return list(ProgramObjection.objects.filter(program=program))


@router.post("/programs/{program_id}/objections", response={201: HonorsObjectionOut})
def raise_objection(request: HttpRequest, program_id: Id, payload: HonorsObjectionIn) -> Any:
    user = _user(request)
    program = perms.access_program(user, program_id)
    nomination = None
    if payload.nomination is not None:
        nomination = perms.access_nomination(user, payload.nomination)
    objection = services.objection_raise(
        actor=user, program=program, text=payload.text, nomination=nomination
    )
    return Status(201, objection)


@router.post("/objections/{program_objection_id}/answer", response=HonorsObjectionOut)
def answer_objection(
    request: HttpRequest, program_objection_id: Id, payload: HonorsAnswerIn
) -> Any:
    user = _user(request)
    objection = (
        ProgramObjection.objects.select_related("program__agency")
        .filter(pk=program_objection_id)
        .first()
    )
    if objection is None or not perms.sees_confidential(user, objection.program):
        raise NotFound()
    return services.objection_answer(
        actor=user, objection=objection, answer=payload.answer, withdraw=payload.withdraw
    )


# --- nominations -----------------------------------------------------------------------------


class HonorsNominationPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[HonorsNominationOut]


class HonorsNominationQuery(Schema):
    q: Text = Field("", max_length=100, description="The nominee's name (a person or a unit)")
    kind: KindCode | None = None
    status: str | None = Field(None, pattern="^(" + "|".join(Nomination.Status.values) + ")$")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The nominating unit")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("/programs/{program_id}/nominations", response=HonorsNominationPage)
def list_nominations(
    request: HttpRequest, program_id: Id, filters: Query[HonorsNominationQuery]
) -> Any:
    """The program's nominations the caller may see, a page at a time (award kind, then the
    units' order), by name, award kind, status or unit."""
    user = _user(request)
    program = perms.access_program(user, program_id)
    rows = selectors.filter_nominations(
        perms.nominations_visible(user, program)
        .select_related(None)
        .select_related("person", "unit"),
        q=filters.q,
        kind=filters.kind or "",
        status=filters.status or "",
        unit=filters.unit,
    ).order_by("kind", "unit__path", "id")
    return api_page(Paginator(rows, filters.page_size), filters.page, _nomination)


@router.post(
    "/programs/{program_id}/nominations",
    response={201: HonorsNominationOut},
    openapi_extra=error_responses(
        {422: "Ineligible nominee (each reason named), deeds over the limits, or no places."}
    ),
)
def create_nomination(request: HttpRequest, program_id: Id, payload: HonorsNominationIn) -> Any:
    user = _user(request)
    program = perms.access_program(user, program_id)
    person = unit = None
    if payload.person is not None:
        person = Person.objects.filter(pk=payload.person).first()
        if person is None:
            raise NotFound()
    if payload.unit is not None:
        unit = OrgUnit.objects.filter(pk=payload.unit).first()
        if unit is None:
            raise NotFound()
    nomination = services.nominate(
        actor=user,
        program=program,
        kind=payload.kind,
        person=person,
        unit=unit,
        deeds_brief=payload.deeds_brief,
        deeds=payload.deeds,
        unit_opinion=payload.unit_opinion,
    )
    return Status(201, _nomination(nomination))


@router.get("/nominations/{nomination_id}", response=HonorsNominationOut)
def get_nomination(request: HttpRequest, nomination_id: Id) -> Any:
    return _nomination(perms.access_nomination(_user(request), nomination_id))


@router.post("/nominations/{nomination_id}/submit", response=HonorsNominationOut)
def submit_nomination(request: HttpRequest, nomination_id: Id) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    return _nomination(services.nomination_submit(actor=user, nomination=nomination))


@router.post("/nominations/{nomination_id}/withdraw", response=HonorsNominationOut)
def withdraw_nomination(request: HttpRequest, nomination_id: Id, payload: HonorsReasonIn) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    return _nomination(
        services.nomination_withdraw(actor=user, nomination=nomination, reason=payload.reason)
    )


@router.post("/nominations/{nomination_id}/vet", response={201: HonorsOpinionOut})
def vet_nomination(request: HttpRequest, nomination_id: Id, payload: HonorsVetIn) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    opinion = services.vet(
        actor=user,
        nomination=nomination,
        body=payload.body,
        verdict=payload.verdict,
        note=payload.note,
    )
    return Status(201, opinion)


@router.get("/nominations/{nomination_id}/opinions", response=list[HonorsOpinionOut])
def list_opinions(request: HttpRequest, nomination_id: Id) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    if not perms.sees_confidential(user, nomination.program):
        raise NotFound()
    return list(nomination.opinions.order_by("signed_at"))


# --- honours, certificates, verification -----------------------------------------------------


@router.post("/programs/{program_id}/certificates", response={201: list[HonorsCertificateOut]})
def issue_certificates(request: HttpRequest, program_id: Id) -> Any:
    """Number a certificate for each honour of the program that has none (gap-free)."""
    user = _user(request)
    program = perms.access_program(user, program_id)
    honours = program.honours.select_related("person", "unit").order_by("kind", "unit__path", "id")
    services.certificates_issue(actor=user, honours=honours)
    return Status(201, _certificates(Certificate.objects.filter(honour__program=program)))


def _certificates(qs: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "number": c.number,
            "honour_id": c.honour_id,
            "person": c.honour.person_id,
            "unit": c.honour.unit_id,
            "kind": c.kind,
            "year": c.year,
            "revoked": c.honour.revoked,
        }
        for c in qs.select_related("honour").order_by("year", "kind", "serial")[:5000]
    ]


@router.get("/certificates", response=list[HonorsCertificateOut])
def list_certificates(request: HttpRequest, filters: Query[HonorsCertificateQuery]) -> Any:
    user = _user(request)
    qs = Certificate.objects.filter(honour__in=perms.honours_visible(user))
    if filters.program is not None:
        qs = qs.filter(honour__program_id=filters.program)
    return _certificates(qs)


@router.post("/honours/{honour_id}/revoke", response=HonorsHonourOut)
def revoke_honour(request: HttpRequest, honour_id: Id, payload: HonorsRevokeIn) -> Any:
    user = _user(request)
    honour = perms.access_honour(user, honour_id)
    services.revoke(
        actor=user, honour=honour, reason=payload.reason, document_number=payload.document_number
    )
    return _honour(perms.access_honour(user, honour_id))


@router.get(
    "/verify/{number}",
    response=HonorsVerifyOut,
    auth=None,
    openapi_extra=error_responses({404: "No certificate has this number."}),
)
def verify_certificate(request: HttpRequest, number: Annotated[str, Path(max_length=64)]) -> Any:
    """Public: whether a certificate number is real and valid, with the holder, the honour, the
    program, the issuing body and the date — nothing else."""
    return services.verify(number)


@people_router.get("/people/{person_id}/honors", response=list[HonorsHonourOut])
def person_honours(request: HttpRequest, person_id: Id) -> Any:
    user = _user(request)
    person = access_person(user, person_id)
    rows = perms.honours_visible(user).filter(person=person).order_by("-year", "-awarded_on")
    return [_honour(h) for h in rows]


# --- nomination edits and evidence -----------------------------------------------------------


class HonorsNominationEditIn(Schema):
    version: int = Field(..., ge=0, le=MAX_ID)
    deeds_brief: Text = Field("", max_length=5000)
    deeds: Text = Field("", max_length=20000)
    unit_opinion: Text = Field("", max_length=5000)


class HonorsEvidenceOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    created_at: dt.datetime


@router.patch(
    "/nominations/{nomination_id}",
    response=HonorsNominationOut,
    openapi_extra=error_responses(
        {
            409: "The nomination was changed since `version` was read.",
            422: "Not a draft, the program no longer takes nominations, or deeds over the limits.",
        }
    ),
)
def edit_nomination(
    request: HttpRequest, nomination_id: Id, payload: HonorsNominationEditIn
) -> Any:
    """Change a draft's deeds and unit opinion; `version` is the one read (409 when changed)."""
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    return _nomination(
        services.nomination_edit(
            actor=user,
            nomination=nomination,
            deeds_brief=payload.deeds_brief,
            deeds=payload.deeds,
            unit_opinion=payload.unit_opinion,
            version=payload.version,
        )
    )


@router.get("/nominations/{nomination_id}/evidence", response=list[HonorsEvidenceOut])
def list_evidence(request: HttpRequest, nomination_id: Id) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    if not perms.sees_evidence(user, nomination):
        raise NotFound()
    return list(nomination.evidence.all())


@router.post(
    "/nominations/{nomination_id}/evidence",
    response={201: list[HonorsEvidenceOut]},
    openapi_extra=error_responses(
        {422: "A type not allowed, content not matching its type, an empty or too large file."}
    ),
)
def add_evidence(
    request: HttpRequest,
    nomination_id: Id,
    file: Annotated[UploadedFile | None, File()] = None,
) -> Any:
    """Attach an evidence file (multipart field `file`) to a draft nomination."""
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    if file is None:
        raise InvalidInput(_("Choose a file."))
    data = importflow.read_upload(file, max_bytes=int(settings.LUOSHI_ATTACHMENT_MAX_BYTES))
    added = services.evidence_add(
        actor=user, nomination=nomination, files=[(file.name or "", data)]
    )
    return Status(201, added)


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/nominations/{nomination_id}/evidence/{evidence_id}",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "The file.", "content": {"*/*": BINARY}}}},
)
def download_evidence(request: HttpRequest, nomination_id: Id, evidence_id: Id) -> Any:
    user = _user(request)
    nomination = perms.access_nomination(user, nomination_id)
    evidence = nomination.evidence.filter(pk=evidence_id).first()
    if evidence is None or not perms.sees_evidence(user, nomination):
        raise NotFound()
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


# --- the decision document, collective candidates, merit candidates --------------------------


@router.get(
    "/programs/{program_id}/decision-document",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The decision (表彰决定) as .docx in the official layout.",
                "content": {DOCX_CONTENT_TYPE: BINARY},
            },
            **error_responses({422: "The leadership has not decided yet."})["responses"],
        }
    },
)
def decision_document(request: HttpRequest, program_id: Id) -> Any:
    """The honourees by category (award kind) in unit order; the officer only (else 404)."""
    user = _user(request)
    program = perms.access_program(user, program_id)
    return export_response(exports.decision_export(user, program))


class HonorsCollectiveCandidateOut(Schema):
    unit: int
    name: str
    score: Decimal
    rank: int
    nominated: bool


@router.get(
    "/programs/{program_id}/collective-candidates",
    response=list[HonorsCollectiveCandidateOut],
)
def collective_candidates(request: HttpRequest, program_id: Id) -> Any:
    """Units ranked by the appraisal's unit performance score of the program's year, for a
    program with a collective honour; the officer only (else 404)."""
    user = _user(request)
    program = perms.access_program(user, program_id)
    if not perms.is_officer(user, program.agency):
        raise NotFound()
    if not selectors.has_collective_quota(program):
        return []
    return [
        {
            "unit": c["unit"].pk,
            "name": c["unit"].name,
            "score": c["score"],
            "rank": c["rank"],
            "nominated": c["nominated"],
        }
        for c in selectors.collective_candidates(program)
    ]


class HonorsMeritCandidateOut(Schema):
    person: int
    name: str
    unit: int
    kind: str
    years: list[int]
    confirmed: bool


class HonorsMeritConfirmIn(Schema):
    person: int = Field(..., ge=1, le=MAX_ID)
    document_number: Text = Field(..., min_length=1, max_length=64)


def _officer_agency(user: Any, agency_id: int) -> OrgUnit:
    agency = OrgUnit.objects.filter(pk=agency_id).first()
    if agency is None or not perms.is_officer(user, agency):
        raise NotFound()
    return agency


@router.get("/merit-candidates/{agency_id}/{year}", response=list[HonorsMeritCandidateOut])
def merit_candidates(
    request: HttpRequest, agency_id: Id, year: Annotated[int, Path(ge=2000, le=2100)]
) -> Any:
    """Three consecutive years Excellent → 记三等功 (参公) / 记功 (事业) candidates."""
    agency = _officer_agency(_user(request), agency_id)
    return [
        {
            "person": c["person"].pk,
            "name": c["person"].name,
            "unit": c["person"].unit_id,
            "kind": c["kind"],
            "years": c["years"],
            "confirmed": c["confirmed"],
        }
        for c in services.merit_candidates(agency, year)
    ]


@router.post("/merit-candidates/{agency_id}/{year}", response={201: HonorsHonourOut})
def confirm_merit(
    request: HttpRequest,
    agency_id: Id,
    year: Annotated[int, Path(ge=2000, le=2100)],
    payload: HonorsMeritConfirmIn,
) -> Any:
    user = _user(request)
    agency = _officer_agency(user, agency_id)
    person = Person.objects.filter(pk=payload.person).first()
    if person is None:
        raise NotFound()
    honour = services.merit_confirm(
        actor=user, agency=agency, person=person, year=year, document_number=payload.document_number
    )
    return Status(201, _honour(honour))


# --- a unit's honours -------------------------------------------------------------------------


@people_router.get("/units/{unit_id}/honors", response=list[HonorsHonourOut])
def unit_honours(request: HttpRequest, unit_id: Id) -> Any:
    """A unit's collective honours and those of its people while in it."""
    user = _user(request)
    unit = access_unit(user, unit_id)
    if not scope_for(user).covers_unit(unit.pk, unit.path):
        raise NotFound()
    return [_honour(h) for h in selectors.unit_honours(user, unit)]


class HonorsExternalIn(Schema):
    agency: int = Field(..., ge=1, le=MAX_ID)
    unit: int = Field(..., ge=1, le=MAX_ID)
    person: int | None = Field(None, ge=1, le=MAX_ID)
    kind: KindCode
    title: Text = Field(..., min_length=1, max_length=200)
    approving_body: Text = Field(..., min_length=1, max_length=200)
    document_number: Text = Field("", max_length=64)
    awarded_on: dt.date


@router.post(
    "/external-honours",
    response={201: HonorsHonourOut},
    openapi_extra=error_responses(
        {404: "The agency, unit or person is not one where this account is the officer."}
    ),
)
def record_external_honour(request: HttpRequest, payload: HonorsExternalIn) -> Any:
    """An honour received from a higher body (e.g. 创建模范机关先进单位), for a unit or a person."""
    user = _user(request)
    agency = _officer_agency(user, payload.agency)
    unit = OrgUnit.objects.filter(pk=payload.unit).first()
    person = Person.objects.filter(pk=payload.person).first() if payload.person else None
    if unit is None or (payload.person and (person is None or person.unit_id != unit.pk)):
        raise NotFound()
    honour = services.external_record(
        actor=user,
        agency=agency,
        unit=unit,
        person=person,
        kind=payload.kind,
        title=payload.title,
        approving_body=payload.approving_body,
        document_number=payload.document_number,
        awarded_on=payload.awarded_on,
    )
    return Status(201, _honour(honour))
