"""The news API (mounted by luoshi.api.api at /api/v1/news): the same permissions and services
as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import model_validator

from luoshi.core.apitypes import MAX_ID, Count, Day, Text, error_responses
from luoshi.core.errors import InvalidInput, NotFound
from luoshi.core.paging import FastPaginator, api_page
from luoshi.documents.exporters import export_record, export_response
from luoshi.meetings import permissions as meeting_perms

from . import drafting, exports, selectors, services
from . import permissions as perms
from .models import NewsItem, NewsPhoto

router = Router(tags=["news"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- schemas ---------------------------------------------------------------------------------


class NewsBlockIn(Schema):
    """One block: `paragraph` {text}, `quote` {text, source}, `photos` {photos: [{photo,
    caption, alt, decorative}], caption}, or `missing_photo` {reference}."""

    type: str = Field(..., pattern="^(paragraph|photos|quote|missing_photo)$")
    text: Text = Field("", max_length=20000)
    source: Text = Field("", max_length=200)
    reference: Text = Field("", max_length=1000)
    caption: Text = Field("", max_length=500)
    photos: list[dict[str, Any]] = Field(default_factory=list, max_length=12)


class NewsItemIn(Schema):
    title: Text = Field(..., min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's Schema reads attributes of any object: a JSON string body would give its
        # str.title() as the title. Only a JSON object is a news item.
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("a JSON object is expected")
        return data

    lead_title: Text = Field("", max_length=200)
    subtitle: Text = Field("", max_length=200)
    source: Text = Field("", max_length=100)
    authors: Text = Field("", max_length=200)
    photographers: Text = Field("", max_length=200)
    editors: Text = Field("", max_length=200)
    digest: Text = Field("", max_length=500)
    event_date: Day | None = None
    blocks: list[NewsBlockIn] = Field(default_factory=list, max_length=300)


class NewsItemPatch(Schema):
    version: int = Field(..., ge=1)
    title: Text | None = Field(None, min_length=1, max_length=200)
    lead_title: Text | None = Field(None, max_length=200)
    subtitle: Text | None = Field(None, max_length=200)
    source: Text | None = Field(None, max_length=100)
    authors: Text | None = Field(None, max_length=200)
    photographers: Text | None = Field(None, max_length=200)
    editors: Text | None = Field(None, max_length=200)
    digest: Text | None = Field(None, max_length=500)
    event_date: Day | None = None
    blocks: list[NewsBlockIn] | None = Field(None, max_length=300)


class NewsPasteIn(Schema):
    text: Text = Field(..., max_length=100000)


class NewsReviewOut(Schema):
    stage: str
    reviewer_name: str
    decision: str
    comments: str
    at: dt.datetime
    review_round: int


class NewsItemOut(Schema):
    id: int
    title: str
    lead_title: str
    subtitle: str
    source: str
    authors: str
    photographers: str
    editors: str
    digest: str
    event_date: dt.date | None
    status: str
    unit: int
    author: int
    blocks: list[dict[str, Any]]
    version: int
    published_at: dt.datetime | None
    public_url: str | None
    reviews: list[NewsReviewOut]


class NewsListOut(Schema):
    id: int
    title: str
    status: str
    unit: int
    published_at: dt.datetime | None
    public_url: str | None


class NewsProblemOut(Schema):
    code: str
    severity: str
    block: int | None
    block_type: str | None
    text: str
    message: str


class NewsCheckOut(Schema):
    publishable: bool
    problems: list[NewsProblemOut]


class NewsPhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    original_name: str
    width: int
    height: int
    sha256: str
    duplicate: bool
    warnings: list[str]
    people: list[int]


class NewsTagIn(Schema):
    people: list[int] = Field(..., max_length=100)


class NewsReviewIn(Schema):
    decision: str = Field(..., pattern="^(approve|return)$")
    comments: Text = Field("", max_length=2000)
    accept_warnings: bool = False


class NewsWithdrawIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=500)


class NewsSpeakerIn(Schema):
    name: Text = Field(..., min_length=1, max_length=64)
    title: Text = Field("", max_length=64)
    did: Text = Field(..., min_length=1, max_length=500)


class NewsAwardIn(Schema):
    what: Text = Field(..., min_length=1, max_length=200)
    to: Text = Field(..., min_length=1, max_length=500)


class NewsFactsIn(Schema):
    """The facts of a meeting a draft starts from (until the meetings app supplies them)."""

    date: Day
    title: Text = Field(..., min_length=1, max_length=200)
    organization: Text = Field("", max_length=64)
    venue: Text = Field("", max_length=200)
    presiding_name: Text = Field("", max_length=64)
    presiding_title: Text = Field("", max_length=64)
    speakers: list[NewsSpeakerIn] = Field(default_factory=list, max_length=50)
    reporting_units: Count = Field(0, ge=0, le=1000)
    exchange_speeches: Count = Field(0, ge=0, le=1000)
    awards: list[NewsAwardIn] = Field(default_factory=list, max_length=50)
    attendance: Text = Field("", max_length=300)
    news_title: Text = Field("", max_length=200)


# --- helpers ---------------------------------------------------------------------------------


def _public_url(request: HttpRequest, item: NewsItem) -> str | None:
    if item.status != NewsItem.Status.PUBLISHED or not item.slug:
        return None
    return request.build_absolute_uri(reverse("news:public", args=[item.slug]))


def public_url_maker(request: HttpRequest) -> Any:
    """A published item's public address from its status and slug (None otherwise), from one
    reverse() and one absolute address per list instead of one per item."""
    prefix, suffix = request.build_absolute_uri(reverse("news:public", args=[_SLUG_MARK])).split(
        _SLUG_MARK
    )

    def public(status: str, slug: str) -> str | None:
        if status != NewsItem.Status.PUBLISHED or not slug:
            return None
        return f"{prefix}{quote(slug)}{suffix}"

    return public


_SLUG_MARK = "slug-mark-0"


def _item(request: HttpRequest, item: NewsItem) -> dict[str, Any]:
    data = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    data.update(
        id=item.pk,
        status=item.status,
        unit=item.unit_id,
        author=item.author_id,
        blocks=item.blocks,
        version=item.version,
        published_at=item.published_at,
        public_url=_public_url(request, item),
        reviews=list(item.reviews.order_by("id")),
    )
    return data


def _photo(request: HttpRequest, photo: NewsPhoto, duplicate: bool = False) -> dict[str, Any]:
    def url(rendition: str) -> str:
        return request.build_absolute_uri(
            reverse("news:photo", args=[photo.item_id, photo.pk, rendition])
        )

    return {
        "id": photo.pk,
        "url": url("web"),
        "thumbnail_url": url("thumb"),
        "original_name": photo.original_name,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
        "duplicate": duplicate,
        "warnings": services.photo_warnings(photo)
        + [f"duplicate_of_item:{other.pk}" for other in services.duplicates_elsewhere(photo)],
        "people": list(photo.people.values_list("pk", flat=True)),
    }


def _blocks(blocks: list[NewsBlockIn]) -> list[dict[str, Any]]:
    return [b.dict() for b in blocks]


# --- items -----------------------------------------------------------------------------------


class NewsListPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[NewsListOut]


class NewsListQuery(Schema):
    q: str = Field("", max_length=100, description="Title, subtitle or authors (part of them)")
    status: str = Field("", pattern="^(" + "|".join(["", *NewsItem.Status.values]) + ")$")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=200)


@router.get("", response=NewsListPage)
def list_news(request: HttpRequest, filters: Query[NewsListQuery]) -> Any:
    """The items the caller sees, last updated first, a page at a time, by title, subtitle or
    authors and status (the same filters as the desk's list)."""
    qs = selectors.filter_items(
        perms.items_visible(_user(request)).select_related(None),
        q=filters.q,
        status=filters.status,
    ).order_by("-updated_at", "-id")
    paginator = FastPaginator(
        qs, filters.page_size, values=("id", "title", "status", "unit_id", "published_at", "slug")
    )
    public = public_url_maker(request)

    def row(i: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": i["id"],
            "title": i["title"],
            "status": i["status"],
            "unit": i["unit_id"],
            "published_at": i["published_at"],
            "public_url": public(i["status"], i["slug"]),
        }

    return api_page(paginator, filters.page, row)


@router.post(
    "",
    response={201: NewsItemOut},
    openapi_extra=error_responses({404: "The account belongs to no agency's unit."}),
)
def create_news(request: HttpRequest, payload: NewsItemIn) -> Any:
    data = payload.dict()
    blocks = data.pop("blocks")
    item = services.item_create(actor=_user(request), blocks=blocks, **data)
    return Status(201, _item(request, item))


@router.post("/drafts", response={201: NewsItemOut})
def draft_news(request: HttpRequest, payload: NewsFactsIn) -> Any:
    """A draft pre-filled from a meeting's facts: editable paragraphs in the agency's style."""
    facts = drafting.MeetingFacts(
        date=payload.date,
        title=payload.title,
        organization=payload.organization,
        venue=payload.venue,
        presiding_name=payload.presiding_name,
        presiding_title=payload.presiding_title,
        speakers=tuple(drafting.Speaker(s.name, s.title, s.did) for s in payload.speakers),
        reporting_units=payload.reporting_units,
        exchange_speeches=payload.exchange_speeches,
        awards=tuple(drafting.Award(a.what, a.to) for a in payload.awards),
        attendance=payload.attendance,
    )
    item = services.news_from_facts(actor=_user(request), facts=facts, title=payload.news_title)
    return Status(201, _item(request, item))


@router.post("/from-meeting/{meeting_id}", response={201: NewsItemOut})
def draft_news_from_meeting(request: HttpRequest, meeting_id: Id) -> Any:
    """A draft of a meeting's news, pre-filled from its record (agenda, decision, sign-ins)."""
    user = _user(request)
    meeting = meeting_perms.access_meeting(user, meeting_id)
    if not perms.may_write(user):
        raise NotFound()
    return Status(201, _item(request, services.news_from_meeting(actor=user, meeting=meeting)))


@router.post("/paste", response=list[dict[str, Any]])
def paste_news(request: HttpRequest, payload: NewsPasteIn) -> Any:
    """Pasted text as blocks: image references become `missing_photo` blocks, never text."""
    if not perms.may_write(_user(request)):
        raise NotFound()
    return services.paste(payload.text)


@router.get("/{news_id}", response=NewsItemOut)
def get_news(request: HttpRequest, news_id: Id) -> Any:
    return _item(request, perms.access_item(_user(request), news_id))


@router.patch("/{news_id}", response=NewsItemOut)
def edit_news(request: HttpRequest, news_id: Id, payload: NewsItemPatch) -> Any:
    """Edit the fields and/or the blocks of a draft (send the `version` you read: 409 when
    someone changed it meanwhile)."""
    user = _user(request)
    item = perms.access_item(user, news_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    blocks = data.pop("blocks", None)
    data = {k: v for k, v in data.items() if v is not None or k == "event_date"}
    item = services.item_update(actor=user, item=item, version=version, blocks=blocks, **data)
    return _item(request, item)


@router.get("/{news_id}/check", response=NewsCheckOut)
def check_news(request: HttpRequest, news_id: Id) -> Any:
    """The publishing gate's problems at any stage, each with its block and offending text;
    `severity` error blocks publication, warning is accepted at the final review."""
    item = perms.access_item(_user(request), news_id)
    problems = services.check(item)
    return {
        "publishable": not any(p.severity == "error" for p in problems),
        "problems": services.problem_details(item, problems),
    }


# --- photos ----------------------------------------------------------------------------------


@router.post(
    "/{news_id}/photos",
    response={201: NewsPhotoOut, 200: NewsPhotoOut},
    openapi_extra=error_responses({422: "Not a readable JPEG or PNG, or too large."}),
)
def upload_photo(
    request: HttpRequest, news_id: Id, file: Annotated[UploadedFile | None, File()] = None
) -> Any:
    """Upload a photo as the multipart field `file` (JPEG or PNG): orientation applied, EXIF
    location and device data removed, web rendition and thumbnail made. The same file again
    answers 200 with the existing photo (`duplicate` true)."""
    user = _user(request)
    item = perms.access_item(user, news_id)
    if file is None:
        raise InvalidInput(_msg_file())
    photo, duplicate = services.photo_add(
        actor=user, item=item, name=file.name or "", data=file.read()
    )
    return Status(200 if duplicate else 201, _photo(request, photo, duplicate))


def _msg_file() -> str:
    from django.utils.translation import gettext as _

    return _("Send the photo as the multipart field “file”.")


@router.get("/{news_id}/photos", response=list[NewsPhotoOut])
def list_photos(request: HttpRequest, news_id: Id) -> Any:
    item = perms.access_item(_user(request), news_id)
    return [_photo(request, p) for p in item.photos.order_by("id")]


@router.put("/{news_id}/photos/{photo_id}/people", response=NewsPhotoOut)
def tag_photo(request: HttpRequest, news_id: Id, photo_id: Id, payload: NewsTagIn) -> Any:
    """Tag the people shown, from the agency's roster (person ids)."""
    user = _user(request)
    item = perms.access_item(user, news_id)
    photo = perms.access_photo(user, item, photo_id)
    services.photo_tag(actor=user, photo=photo, people=payload.people)
    return _photo(request, photo)


# --- review and publication ---------------------------------------------------------------------


@router.post("/{news_id}/submit", response=NewsItemOut)
def submit_news(request: HttpRequest, news_id: Id) -> Any:
    user = _user(request)
    item = services.submit(actor=user, item=perms.access_item(user, news_id))
    return _item(request, item)


@router.post("/{news_id}/review", response=NewsItemOut)
def review_news(request: HttpRequest, news_id: Id, payload: NewsReviewIn) -> Any:
    """The current stage's decision (三审): first by an editor, second by the author's
    department head, final by the leader in charge; the final reviewer accepts the roster's
    warnings with `accept_warnings`."""
    user = _user(request)
    item = services.review(
        actor=user,
        item=perms.access_item(user, news_id),
        decision=payload.decision,
        comments=payload.comments,
        accept_warnings=payload.accept_warnings,
    )
    return _item(request, item)


@router.post(
    "/{news_id}/publish",
    response=NewsItemOut,
    openapi_extra=error_responses(
        {
            422: (
                "The gate refuses (code `publication_blocked`): `details` lists each problem "
                "as {code, severity, block, block_type, text, message}."
            )
        }
    ),
)
def publish_news(request: HttpRequest, news_id: Id) -> Any:
    user = _user(request)
    item = services.publish(actor=user, item=perms.access_item(user, news_id))
    return _item(request, item)


@router.post("/{news_id}/withdraw", response=NewsItemOut)
def withdraw_news(request: HttpRequest, news_id: Id, payload: NewsWithdrawIn) -> Any:
    user = _user(request)
    item = services.withdraw(
        actor=user, item=perms.access_item(user, news_id), reason=payload.reason
    )
    return _item(request, item)


# --- exports ---------------------------------------------------------------------------------

EXPORT_KINDS: dict[str, type[exports.NewsExporter]] = {
    "wechat": exports.WechatZip,
    "pdf": exports.ArchivePdf,
    "approval-form": exports.ApprovalForm,
}


def _export(request: HttpRequest, news_id: int, kind: str) -> HttpResponse:
    user = _user(request)
    item = perms.access_item(user, news_id)
    export = EXPORT_KINDS[kind](user, item).render()
    export_record(actor=user, export=export)

    return export_response(export)  # type: ignore[return-value]


@router.get("/{news_id}/exports/wechat", response={200: None})
def export_wechat(request: HttpRequest, news_id: Id) -> HttpResponse:
    """The WeChat-ready zip (article.html with inline styles, images/…, meta.json); 422 with
    code `wechat_limits` when the title is over 64 characters or the digest over 120."""
    return _export(request, news_id, "wechat")


@router.get("/{news_id}/exports/pdf", response={200: None})
def export_pdf(request: HttpRequest, news_id: Id) -> HttpResponse:
    """The archive copy (PDF, with its photos)."""
    return _export(request, news_id, "pdf")


@router.get("/{news_id}/exports/approval-form", response={200: None})
def export_approval_form(request: HttpRequest, news_id: Id) -> HttpResponse:
    """The approval form (信息发布审批表, docx) kept at the final approval."""
    return _export(request, news_id, "approval-form")
