"""The annual summaries API (mounted by luoshi.api.api at /api/v1/summaries): the same
permissions and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from pydantic import AfterValidator

from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.core.errors import NotFound
from luoshi.orgs.models import OrgUnit

from . import permissions as perms
from . import selectors, services
from .models import SummaryRound, UnitSummary

router = Router(tags=["summaries"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


Text = Annotated[str, AfterValidator(_clean_text)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ---------------------------------------------------------------------------------


class SummaryListOut(Schema):
    id: int
    round: int = Field(..., alias="round_id")
    year: int
    agency: int
    unit: int = Field(..., alias="unit_id")
    unit_name: str
    status: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_year(obj: UnitSummary) -> int:
        return obj.round.year

    @staticmethod
    def resolve_agency(obj: UnitSummary) -> int:
        return obj.round.agency_id

    @staticmethod
    def resolve_unit_name(obj: UnitSummary) -> str:
        return obj.unit.name


class CitationOut(Schema):
    number: int
    source_model: str
    source_id: int
    source_field: str
    value: str
    text: str
    as_of: dt.date
    stale: bool
    current_text: str


class SectionOut(Schema):
    heading: str
    text: str


class SummaryDetailOut(SummaryListOut):
    achievements: str
    problems: str
    next_year: str
    return_reason: str
    sections: list[SectionOut]
    citations: list[CitationOut]
    limit_errors: list[dict[str, Any]]
    review_step: str

    @staticmethod
    def resolve_sections(obj: UnitSummary) -> Any:
        return obj._api_sections  # type: ignore[attr-defined]

    @staticmethod
    def resolve_citations(obj: UnitSummary) -> Any:
        return obj._api_citations  # type: ignore[attr-defined]

    @staticmethod
    def resolve_limit_errors(obj: UnitSummary) -> Any:
        return obj._api_limit_errors  # type: ignore[attr-defined]

    @staticmethod
    def resolve_review_step(obj: UnitSummary) -> Any:
        return obj._api_review_step  # type: ignore[attr-defined]


class SummaryEditIn(Schema):
    achievements: Text = Field("", max_length=services.MAX_SECTION)
    problems: Text = Field("", max_length=services.MAX_SECTION)
    next_year: Text = Field("", max_length=services.MAX_SECTION)
    version: int | None = Field(None, ge=1)


class SummaryVersionIn(Schema):
    version: int | None = Field(None, ge=1)


class SummaryReviewIn(Schema):
    decision: str = Field(..., pattern="^(approve|return)$")
    reason: Text = Field("", max_length=2000)
    version: int | None = Field(None, ge=1)


class SummaryRefreshIn(Schema):
    numbers: list[Annotated[int, Field(ge=1, le=100000)]] | None = Field(None, max_length=10000)
    version: int | None = Field(None, ge=1)


class RefreshOut(Schema):
    refreshed: list[int]
    summary: SummaryDetailOut


class RoundOut(Schema):
    id: int
    agency: int = Field(..., alias="agency_id")
    year: int
    title: str
    due_date: dt.date
    total_max: int
    highlights_min: int
    status: str
    next_plan: int | None = Field(None, alias="next_plan_id")
    version: int


class RoundDetailOut(RoundOut):
    summaries: list[SummaryListOut]

    @staticmethod
    def resolve_summaries(obj: SummaryRound) -> Any:
        return obj._api_summaries  # type: ignore[attr-defined]


class RoundIn(Schema):
    agency: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    title: Text = Field("", max_length=200)
    due_date: dt.date | None = None
    total_max: int | None = Field(None, ge=1, le=100000)
    highlights_min: int | None = Field(None, ge=0, le=100000)


class CompileOut(Schema):
    round: RoundOut
    plan: int
    tasks: int


def _detail(user: Any, summary: UnitSummary) -> UnitSummary:
    """The summary with what its detail answer shows (its figures checked against the data)."""
    summary = (
        UnitSummary.objects.select_related("unit", "round__agency")
        .prefetch_related("citations")
        .get(pk=summary.pk)
    )
    fresh = services.fresh_figures(summary)
    summary._api_sections = [  # type: ignore[attr-defined]
        {"heading": h, "text": t} for h, t in summary.text_sections()
    ]
    summary._api_citations = [  # type: ignore[attr-defined]
        {
            "number": c.number,
            "source_model": c.source_model,
            "source_id": c.source_id,
            "source_field": c.source_field,
            "value": c.value,
            "text": c.text,
            "as_of": c.as_of,
            "stale": fresh[c.number].value != c.value,
            "current_text": fresh[c.number].text,
        }
        for c in summary.citations.all()
    ]
    summary._api_limit_errors = services.limit_errors(summary)  # type: ignore[attr-defined]
    summary._api_review_step = perms.reviewer_step(user, summary)  # type: ignore[attr-defined]
    return summary


# --- summaries ----------------------------------------------------------------------------------


@router.get("", response=list[SummaryListOut])
def list_summaries(request: HttpRequest) -> Any:
    """The unit summaries the caller may see (their unit's, those in their scope, and every one of
    the rounds their office runs), newest round first, in unit order."""
    return list(selectors.summaries_for(_user(request))[:1000])


@router.get("/rounds", response=list[RoundOut])
def list_rounds(request: HttpRequest) -> Any:
    return list(selectors.rounds_for(_user(request))[:500])


@router.post(
    "/rounds",
    response={201: RoundOut},
    openapi_extra=error_responses({404: "The agency is not one whose office this account is."}),
)
def create_round(request: HttpRequest, payload: RoundIn) -> Any:
    user = _user(request)
    agency = OrgUnit.objects.filter(pk=payload.agency).first()
    if agency is None or not perms.is_office(user, agency):
        raise NotFound()
    round_ = services.round_create(
        actor=user,
        agency=agency,
        year=payload.year,
        title=payload.title,
        due_date=payload.due_date,
        total_max=payload.total_max,
        highlights_min=payload.highlights_min,
    )
    return Status(201, round_)


@router.get("/rounds/{round_id}", response=RoundDetailOut)
def get_round(request: HttpRequest, round_id: Id) -> Any:
    user = _user(request)
    round_ = perms.access_round(user, round_id)
    round_._api_summaries = list(selectors.summaries_for(user, round_id=round_.pk))  # type: ignore[attr-defined]
    return round_


@router.post("/rounds/{round_id}/compile", response=CompileOut)
def compile_round(request: HttpRequest, round_id: Id) -> Any:
    user = _user(request)
    round_ = perms.access_round(user, round_id)
    plan = services.round_compile(actor=user, round_=round_)
    round_ = SummaryRound.objects.get(pk=round_.pk)
    return {"round": round_, "plan": plan.pk, "tasks": round_.plan_items.count()}


@router.get("/{summary_id}", response=SummaryDetailOut)
def get_summary(request: HttpRequest, summary_id: Id) -> Any:
    user = _user(request)
    return _detail(user, perms.access_summary(user, summary_id))


@router.put("/{summary_id}", response=SummaryDetailOut)
def edit_summary(request: HttpRequest, summary_id: Id, payload: SummaryEditIn) -> Any:
    user = _user(request)
    summary = services.summary_edit(
        actor=user,
        summary=perms.access_summary(user, summary_id),
        achievements=payload.achievements,
        problems=payload.problems,
        next_year=payload.next_year,
        version=payload.version,
    )
    return _detail(user, summary)


@router.post("/{summary_id}/submit", response=SummaryDetailOut)
def submit_summary(request: HttpRequest, summary_id: Id, payload: SummaryVersionIn) -> Any:
    user = _user(request)
    summary = services.summary_submit(
        actor=user, summary=perms.access_summary(user, summary_id), version=payload.version
    )
    return _detail(user, summary)


@router.post("/{summary_id}/review", response=SummaryDetailOut)
def review_summary(request: HttpRequest, summary_id: Id, payload: SummaryReviewIn) -> Any:
    """The review step waiting on the caller: the unit head's, then the leader in charge's, then
    the office's (whose approval accepts). `return` needs a reason."""
    user = _user(request)
    summary = services.summary_review(
        actor=user,
        summary=perms.access_summary(user, summary_id),
        approve=payload.decision == "approve",
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(user, summary)


@router.post("/{summary_id}/accept", response=SummaryDetailOut)
def accept_summary(request: HttpRequest, summary_id: Id, payload: SummaryVersionIn) -> Any:
    user = _user(request)
    summary = services.summary_accept(
        actor=user, summary=perms.access_summary(user, summary_id), version=payload.version
    )
    return _detail(user, summary)


@router.post("/{summary_id}/refresh", response=RefreshOut)
def refresh_citations(request: HttpRequest, summary_id: Id, payload: SummaryRefreshIn) -> Any:
    """Take the stale figures afresh (those numbered, or all): the prose is kept."""
    user = _user(request)
    summary = perms.access_summary(user, summary_id)
    changed = services.citations_refresh(
        actor=user, summary=summary, numbers=payload.numbers, version=payload.version
    )
    return {"refreshed": changed, "summary": _detail(user, summary)}
