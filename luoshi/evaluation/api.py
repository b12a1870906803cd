"""The evaluation app's JSON API (mounted by luoshi.api.api at /api/v1/appraisal/, beside the
appraisal app's own router: the two share the prefix, their paths differ).

Campaigns: personnel officers create, change (while draft), publish, close and delete them;
officers, committee members and agency leaders in scope read them, their turnout and — once
closed and sealed — their results (every read of results is audited). Anyone else gets 404.
Closing answers at once with status "sealing": voting has stopped and the ballots are being
rewritten anonymously in the background; until the status is "closed" (`sealed_at` set) the
results answer 409 `results_sealing`.

Ballot modes (`ballot_mode`, chosen at creation, changeable while the draft has issued no
ballots): `identified` — each voter on the list votes by a link token that works only for their
own account (who voted is known, never how); `slips` — anonymous slips per rater category
(`categories`: name, weight in per cent, number of slips), assigned to nobody: the API never
lists a person beside a code, and turnout is given per category only.

Ballots: `POST /ballots/open` shows what a credential may vote on (and what the system knows of
it: `ballot_mode`, `notice`), `POST /ballots` casts. A slip's code needs no log-in; a link token
works only for its voter's own account.
`POST /ballots` casts with the printed code in the body (no log-in; the old
`POST /ballots/{code}` answers 410: a code in a URL stays in access logs). The answer to a
cast carries nothing that identifies the ballot. Guessing codes is limited per client address:
after too many wrong codes every code from that address is answered 429 (`too_many_attempts`)
for a while, whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.utils import check_csrf

from luoshi.core.apitypes import MAX_ID, error_responses
from luoshi.core.errors import CsrfFailed, DomainError, InvalidInput, NotAuthenticated, NotFound
from luoshi.orgs.models import OrgUnit, Person
from luoshi.orgs.services import api_token_user

from . import permissions as perms
from . import selectors, services
from .models import Campaign, Voter

router = Router(tags=["evaluation"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ----------------------------------------------------------------------------------


class GradeSchema(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    label: str = Field("", max_length=32)
    points: int | None = Field(None, ge=0, le=1000)


class GradeOut(GradeSchema):
    display_label: str


class CampaignOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    year: int
    title: str
    purpose: str
    family: str
    ballot_mode: str = Field(
        ...,
        description=(
            "identified (a link for each signed-in voter on the list) or slips (anonymous "
            "slips per rater category, assigned to nobody)"
        ),
    )
    min_ballots: int
    status: str = Field(
        ...,
        description=(
            "draft, published (open for voting), sealing (closed: no more votes, ballots "
            "being sealed, no results yet) or closed (sealed: results available)"
        ),
    )
    version: int
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    sealed_at: dt.datetime | None = Field(None, description="when the ballots were sealed")


class VoterOut(Schema):
    person: int
    name: str
    has_voted: bool


class CandidateOut(Schema):
    person: int
    name: str
    unit: str


class CategorySchema(Schema):
    name: str = Field(..., min_length=1, max_length=64)
    weight: int = Field(..., ge=1, le=100, description="per cent; a campaign's add up to 100")
    slips: int = Field(..., ge=1, le=2000)


class CategoryTurnoutOut(Schema):
    name: str
    weight: int
    used: int
    total: int


class CampaignDetailOut(CampaignOut):
    grades: list[GradeOut]
    candidates: list[CandidateOut]
    voters: list[VoterOut] = Field(
        ..., description="identified ballots only (slips have no voter list: always empty)"
    )
    categories: list[CategorySchema] = Field(..., description="anonymous slips only")


class CampaignIn(Schema):
    unit: int = Field(..., ge=1, le=MAX_ID)
    year: int = Field(..., ge=2000, le=2100)
    title: str = Field(..., min_length=1, max_length=200)
    purpose: str = Field("", max_length=64)
    ballot_mode: str = Field(
        ..., description="required, no default: identified or slips", max_length=16
    )
    family: str = Campaign.Family.CIVIL_SERVANT
    min_ballots: int | None = Field(None, ge=1, le=10000)


class CampaignPatch(Schema):
    version: int | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    year: int | None = Field(None, ge=2000, le=2100)
    purpose: str | None = Field(None, max_length=64)
    min_ballots: int | None = Field(None, ge=1, le=10000)
    ballot_mode: str | None = Field(
        None, max_length=16, description="only while the draft has issued no ballots"
    )
    grades: list[GradeSchema] | None = None
    categories: list[CategorySchema] | None = Field(None, max_length=50)
    candidates: list[int] | None = Field(None, max_length=5000)
    voters: list[int] | None = Field(None, max_length=5000)


class VersionIn(Schema):
    version: int | None = None


class TurnoutOut(Schema):
    voted: int
    total: int
    by_category: list[CategoryTurnoutOut] = Field(
        [], description="anonymous slips: slips used of each rater category (nothing else)"
    )


class ResultOut(Schema):
    person: int
    name: str
    unit: str
    counts: dict[str, int]
    ballots: int
    score: decimal.Decimal | None
    valid: bool


class ResultsOut(Schema):
    campaign: int
    min_ballots: int
    turnout: TurnoutOut
    results: list[ResultOut]


class CredentialIn(Schema):
    token: str | None = Field(None, max_length=128)
    code: str | None = Field(None, max_length=32)


class BallotIn(CredentialIn):
    choices: dict[str, str] = Field(..., description="candidate's person id → grade code")


class BallotOpenOut(Schema):
    campaign: str
    ballot_mode: str
    category: str | None = Field(None, description="a slip's rater category")
    notice: str = Field(..., description="what the system knows of this ballot")
    grades: list[GradeOut]
    candidates: list[CandidateOut]


class MarksIn(Schema):
    choices: dict[str, str] = Field(..., description="candidate's person id → grade code")


class CastOut(Schema):
    cast: bool


# --- campaigns --------------------------------------------------------------------------------


def _detail(campaign: Campaign) -> dict[str, Any]:
    data = CampaignOut.from_orm(campaign).model_dump(by_alias=True)
    data["grades"] = [
        {"code": g.code, "label": g.label, "points": g.points, "display_label": g.display_label}
        for g in campaign.grades.all()
    ]
    data["candidates"] = [
        {"person": c.person_id, "name": c.person.name, "unit": c.person.unit.name}
        for c in selectors.candidates_of(campaign)
    ]
    # identified ballots only: a slip is nobody's and never listed
    data["voters"] = (
        [
            {
                "person": v.person_id,
                "name": v.person.name if v.person else "",
                "has_voted": v.has_voted,
            }
            for v in campaign.voters.filter(person__isnull=False)
            .select_related("person")
            .order_by("id")
        ]
        if campaign.is_identified
        else []
    )
    data["categories"] = [
        {"name": c.name, "weight": c.weight, "slips": c.slips}
        for c in selectors.categories_of(campaign)
    ]
    return data


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest) -> Any:
    """Campaigns the caller may see (officers, committee members, agency leaders in scope)."""
    return list(selectors.campaigns_visible(_user(request)).order_by("-year", "-id"))


@router.post("/campaigns", response={201: CampaignDetailOut})
def create_campaign(request: HttpRequest, data: CampaignIn) -> Any:
    user = _user(request)
    if not perms.can_see_campaigns(user):
        raise NotFound()
    perms.require(perms.can_manage_campaigns(user))
    unit = OrgUnit.objects.filter(pk=data.unit).first()
    if unit is None or not perms.officer_scope(user).covers_unit(unit.pk, unit.path):
        raise InvalidInput(details=[{"field": "unit", "message": _("Not a unit you manage.")}])
    campaign = services.campaign_create(
        actor=user,
        unit=unit,
        year=data.year,
        title=data.title,
        purpose=data.purpose,
        ballot_mode=data.ballot_mode,
        family=data.family,
        min_ballots=data.min_ballots,
    )
    return Status(201, _detail(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignDetailOut)
def get_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    return _detail(perms.access_campaign(_user(request), campaign_id))


def _people(ids: list[int], field: str) -> list[Person]:
    found = Person.objects.select_related("unit").in_bulk(set(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            details=[{"field": field, "message": _("Unknown people: %(ids)s") % {"ids": missing}}]
        )
    return [found[i] for i in ids]


@router.patch("/campaigns/{campaign_id}", response=CampaignDetailOut)
def update_campaign(request: HttpRequest, campaign_id: Id, data: CampaignPatch) -> Any:
    """Change a draft: its fields, grade scale, candidates or voters (each optional)."""
    user = _user(request)
    campaign = perms.access_campaign_to_manage(user, campaign_id)
    if data.ballot_mode is not None:  # refused once ballots are issued (409 ballots_issued)
        campaign = services.ballot_mode_set(
            actor=user, campaign=campaign, ballot_mode=data.ballot_mode, version=data.version
        )
    if not campaign.is_draft:
        raise services.CampaignFrozen()
    fields = {"title", "year", "purpose", "min_ballots"} & data.model_fields_set
    if fields:
        services.campaign_update(
            actor=user,
            campaign=campaign,
            title=data.title if data.title is not None else campaign.title,
            year=data.year if data.year is not None else campaign.year,
            purpose=data.purpose if data.purpose is not None else campaign.purpose,
            min_ballots=data.min_ballots if data.min_ballots is not None else campaign.min_ballots,
            version=data.version if data.ballot_mode is None else None,
        )
    if data.grades is not None:
        services.grades_set(
            actor=user,
            campaign=campaign,
            grades=[services.GradeIn(g.code, g.label, g.points) for g in data.grades],
        )
    if data.candidates is not None:
        services.candidates_set(
            actor=user, campaign=campaign, people=_people(data.candidates, "candidates")
        )
    if data.categories is not None:
        services.categories_set(
            actor=user,
            campaign=campaign,
            categories=[services.CategoryIn(c.name, c.weight, c.slips) for c in data.categories],
        )
    if data.voters is not None:
        services.voters_set(actor=user, campaign=campaign, people=_people(data.voters, "voters"))
    campaign.refresh_from_db()
    return _detail(campaign)


@router.delete("/campaigns/{campaign_id}", response={204: None})
def delete_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    user = _user(request)
    services.campaign_delete(
        actor=user, campaign=perms.access_campaign_to_manage(user, campaign_id)
    )
    return Status(204, None)


@router.post("/campaigns/{campaign_id}/publish", response=CampaignOut)
def publish_campaign(request: HttpRequest, campaign_id: Id, data: VersionIn) -> Any:
    user = _user(request)
    campaign = perms.access_campaign_to_manage(user, campaign_id)
    return services.campaign_publish(actor=user, campaign=campaign, version=data.version)


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut)
def close_campaign(request: HttpRequest, campaign_id: Id, data: VersionIn) -> Any:
    user = _user(request)
    campaign = perms.access_campaign_to_manage(user, campaign_id)
    return services.campaign_close(actor=user, campaign=campaign, version=data.version)


@router.get("/campaigns/{campaign_id}/turnout", response=TurnoutOut)
def get_turnout(request: HttpRequest, campaign_id: Id) -> Any:
    """How many have voted; for anonymous slips also per rater category (slips used)."""
    campaign = perms.access_campaign(_user(request), campaign_id)
    return _turnout(campaign)


def _turnout(campaign: Campaign) -> dict[str, Any]:
    count = selectors.turnout(campaign)
    return {
        "voted": count.voted,
        "total": count.total,
        "by_category": [
            {"name": row.name, "weight": row.weight, "used": row.used, "total": row.total}
            for row in selectors.turnout_by_category(campaign)
        ],
    }


@router.get("/campaigns/{campaign_id}/results", response=ResultsOut)
def get_results(request: HttpRequest, campaign_id: Id) -> Any:
    """Per-candidate counts per grade and the score; only once closed and sealed (409
    `results_sealing` meanwhile); audited."""
    user = _user(request)
    campaign = perms.access_campaign(user, campaign_id)
    results = services.results_view(actor=user, campaign=campaign, purpose="api")
    rows = [
        {
            "person": c.person_id,
            "name": c.person.name,
            "unit": c.person.unit.name,
            "counts": results[c.person_id].counts,
            "ballots": results[c.person_id].ballots,
            "score": results[c.person_id].score,
            "valid": results[c.person_id].valid,
        }
        for c in selectors.candidates_of(campaign)
    ]
    return {
        "campaign": campaign.pk,
        "min_ballots": campaign.min_ballots,
        "turnout": _turnout(campaign),
        "results": rows,
    }


# --- ballots ----------------------------------------------------------------------------------


def _optional_user(request: HttpRequest) -> Any:
    """The caller, if any: a bearer token (a bad one is refused) or a session (CSRF-checked)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_user(header[7:].strip())
        if user is None:
            raise NotAuthenticated()
        return user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        if check_csrf(request) is not None:
            raise CsrfFailed()
        return user
    return None


def _voter(request: HttpRequest, data: CredentialIn) -> tuple[Voter, str]:
    if bool(data.token) == bool(data.code):
        # exactly one credential opens a ballot; anything else matches none
        raise services.BadCredential(
            details=[{"field": "code", "message": _("Send either a code or a token.")}],
        )
    if data.code:
        return services.voter_for_code(data.code), "code"
    user = _optional_user(request)
    if user is None:
        raise NotAuthenticated()
    return services.voter_for_token(data.token or "", user), "link"


@router.post(
    "/ballots/open",
    response=BallotOpenOut,
    auth=None,
    openapi_extra=error_responses(
        {
            401: "A link token sent without the voter's log-in.",
            404: "No open ballot for this code or token.",
            429: "Too many wrong codes from this client address; try again later.",
            409: "This credential has already voted.",
        }
    ),
)
def open_ballot(request: HttpRequest, data: CredentialIn) -> Any:
    """What this credential votes on (the voter's own candidacy is left out)."""
    voter = _voter(request, data)[0]
    if voter.has_voted:
        raise services.AlreadyVoted()
    slip = voter.person_id is None
    return {
        "campaign": voter.campaign.title,
        "ballot_mode": voter.campaign.ballot_mode,
        "category": voter.category.name if slip and voter.category else None,
        "notice": str(services.SLIP_NOTICE if slip else services.IDENTIFIED_NOTICE),
        "grades": [
            {"code": g.code, "label": g.label, "points": g.points, "display_label": g.display_label}
            for g in voter.campaign.grades.all()
        ],
        "candidates": [
            {"person": c.person_id, "name": c.person.name, "unit": c.person.unit.name}
            for c in services.ballot_candidates(voter)
        ],
    }


@router.post(
    "/ballots",
    response={201: CastOut},
    auth=None,
    openapi_extra=error_responses(
        {
            401: "A link token sent without the voter's log-in.",
            404: "No open ballot for this code or token.",
            429: "Too many wrong codes from this client address; try again later.",
            409: "This credential has already voted, or the vote is closed.",
            422: "The ballot is incomplete, rates the voter, or names an unknown grade.",
        }
    ),
)
def cast_ballot(request: HttpRequest, data: BallotIn) -> Any:
    """Cast a ballot with a printed code (no log-in) or a link token (the voter's account)."""
    voter, channel = _voter(request, data)
    services.ballot_cast(voter=voter, choices=_choices(data.choices), channel=channel)
    return Status(201, {"cast": True})


def _choices(raw: dict[str, str]) -> dict[int, str]:
    choices: dict[int, str] = {}
    for key, grade in raw.items():
        if not key.isdigit() or int(key) > MAX_ID:
            message = _("Not a candidate of this ballot.")
            raise InvalidInput(details=[{"field": f"choices.{key[:20]}", "message": message}])
        choices[int(key)] = grade
    return choices


class CodeInBody(DomainError):
    code = "code_in_body"
    status = 410


@router.post(
    "/ballots/{code}",
    response={201: CastOut},
    auth=None,
    include_in_schema=False,  # gone: old clients are told where the code goes
    openapi_extra=error_responses(
        {
            410: "Gone: send the code in the body, `POST /ballots` with `{code, choices}` "
            "(code `code_in_body`). The code in the path is not read.",
        }
    ),
)
def cast_ballot_with_code(request: HttpRequest, code: Annotated[str, Path(max_length=32)]) -> Any:
    """Gone (issue 20, finding 12): a printed code in the URL ends up in every proxy's access
    log. The code in the path is neither looked up nor counted; the answer says where to send
    it: `POST /ballots` with `{"code": …, "choices": …}` in the body."""
    raise CodeInBody(
        _(
            "Send the ballot code in the request body, not in the address: "
            'POST /api/v1/appraisal/ballots with {"code": …, "choices": …}.'
        )
    )
