"""The news pages: the desk (list, writing, editing with blocks and photos, review) behind a
login, and the public pages (index, item, Atom feed, photos) without one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.core.errors import DomainError, NotFound
from luoshi.core.forms import submit_form
from luoshi.core.paging import fast_paginate, paginate
from luoshi.documents.exporters import export_record, export_response
from luoshi.meetings import permissions as meeting_perms
from luoshi.orgs.models import Person

from . import drafting, exports, forms, meeting_record, rules, selectors, services
from . import permissions as perms
from .models import NewsItem, NewsPhoto
from .photos import rendition_type

EXPORTS: dict[str, type[exports.NewsExporter]] = {
    "wechat.zip": exports.WechatZip,
    "archive.pdf": exports.ArchivePdf,
    "approval.docx": exports.ApprovalForm,
}
RENDITIONS = ("thumb", "web", "image")


def render_blocks(
    item: NewsItem, photo_url: Callable[[NewsPhoto, str], str]
) -> list[dict[str, Any]]:
    """The blocks ready for a template: emphasis as spans, photos with their URLs."""
    photos = {p.pk: p for p in item.photos.all()}
    out = []
    for block in item.blocks:
        shown = dict(block)
        if block["type"] == "paragraph":
            shown["spans"] = rules.emphasis_spans(block["text"])
        elif block["type"] == "photos":
            slots = []
            for slot in block["photos"]:
                photo = photos.get(slot["photo"])
                slots.append(
                    {
                        **slot,
                        "url": photo_url(photo, "web") if photo else "",
                        "full": photo_url(photo, "image") if photo else "",
                        "width": photo.width if photo else 0,
                        "height": photo.height if photo else 0,
                    }
                )
            shown["slots"] = slots
            shown["collage"] = len(slots) > 1
        out.append(shown)
    return out


def _desk_url(item: NewsItem) -> Callable[[NewsPhoto, str], str]:
    return lambda photo, rendition: reverse("news:photo", args=[item.pk, photo.pk, rendition])


def _public_url(item: NewsItem) -> Callable[[NewsPhoto, str], str]:
    return lambda photo, rendition: reverse(
        "news:public_photo", args=[item.slug, f"{photo.key}-{rendition}.{photo.extension}"]
    )


# --- the desk ---------------------------------------------------------------------------------


DESK_COLUMNS = ("id", "title", "unit__name", "status", "updated_at")


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in NewsItem.Status.values:
        status = ""
    qs = selectors.filter_items(
        perms.items_visible(user).select_related(None), q=q, status=status
    ).order_by("-updated_at", "-id")
    return render(
        request,
        "news/list.html",
        {
            "page_obj": fast_paginate(request, qs, values=DESK_COLUMNS),
            "q": q,
            "status": status,
            "statuses": NewsItem.Status.choices,
            "can_write": perms.may_write(user),
        },
    )


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not perms.may_write(request.user):
        raise NotFound()
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST":
        ok, item = submit_form(
            request,
            form,
            lambda d: services.item_create(actor=request.user, **d),
            _("The news item is created: write its body."),
        )
        if ok:
            return redirect("news:edit", pk=item.pk)
    return render(request, "news/create.html", {"form": form})


@login_required
def from_facts(request: HttpRequest) -> HttpResponse:
    if not perms.may_write(request.user):
        raise NotFound()
    form = forms.FactsForm(request.POST or None)
    if request.method == "POST":
        ok, item = submit_form(
            request,
            form,
            lambda d: services.news_from_facts(actor=request.user, facts=form.facts()),
            _("The draft is written from the meeting's facts: edit it."),
        )
        if ok:
            return redirect("news:edit", pk=item.pk)
    return render(request, "news/from_facts.html", {"form": form})


@login_required
def from_meeting(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The news of a meeting, drafted from its record (linked from the meeting's page): the
    draft's paragraphs shown first, written as a news item on confirmation."""
    meeting = meeting_perms.access_meeting(request.user, meeting_pk)
    if not perms.may_write(request.user):
        raise NotFound()
    if request.method != "POST":
        facts = meeting_record.facts_from_meeting(meeting)
        context = {
            "meeting": meeting,
            "title": drafting.draft_title(facts),
            "paragraphs": [b["text"] for b in drafting.draft_blocks(facts)],
        }
        return render(request, "news/from_meeting.html", context)
    item = services.news_from_meeting(actor=request.user, meeting=meeting)
    messages.success(request, _("The draft is written from the meeting's record: edit it."))
    return redirect("news:edit", pk=item.pk)


def _detail_context(request: HttpRequest, item: NewsItem) -> dict[str, Any]:
    user = request.user
    problems = services.check(item)
    return {
        "item": item,
        "blocks": render_blocks(item, _desk_url(item)),
        "problems": services.problem_details(item, problems),
        "blocking": rules.blocking(problems),
        "warnings": services.problem_details(item, rules.warnings(problems)),
        "reviews": list(item.reviews.select_related("reviewer").order_by("id")),
        "may_edit": perms.may_edit(user, item),
        "may_submit": item.status == NewsItem.Status.DRAFT
        and (item.author_id == user.pk or perms.is_editor(user, item.agency)),
        "may_review": services.may_review(user, item),
        "is_final": item.status == NewsItem.Status.FINAL_REVIEW,
        "may_publish": perms.may_publish(user, item) and item.status == NewsItem.Status.APPROVED,
        "may_withdraw": perms.may_publish(user, item) and item.status == NewsItem.Status.PUBLISHED,
        "review_form": forms.ReviewForm(),
        "withdraw_form": forms.WithdrawForm(),
        "public_url": reverse("news:public", args=[item.slug]) if item.slug else "",
    }


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    return render(request, "news/detail.html", _detail_context(request, item))


def _photo_rows(item: NewsItem) -> list[dict[str, Any]]:
    rows = []
    for photo in item.photos.prefetch_related("people").order_by("id"):
        rows.append(
            {
                "photo": photo,
                "thumb": reverse("news:photo", args=[item.pk, photo.pk, "thumb"]),
                "warnings": services.photo_warnings(photo),
                "people": list(photo.people.all()),
            }
        )
    return rows


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    if not perms.may_edit(request.user, item):
        messages.error(request, _("Only a draft can be edited, by its author or an editor."))
        return redirect("news:item", pk=item.pk)
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
    initial.update(version=item.version, blocks=json.dumps(item.blocks, ensure_ascii=False))
    form = forms.EditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        ok, _item = submit_form(
            request,
            form,
            lambda d: services.item_update(
                actor=request.user,
                item=item,
                version=d.pop("version"),
                blocks=d.pop("blocks"),
                **d,
            ),
            _("Saved."),
        )
        if ok:
            target = "news:item" if request.POST.get("then") == "check" else "news:edit"
            return redirect(target, pk=item.pk)
    roster = Person.objects.filter(
        unit__path__startswith=item.agency.path, is_active=True
    ).order_by("unit__path", "name")
    photos = _photo_rows(item)
    photo_choices = [
        {"id": r["photo"].pk, "name": r["photo"].original_name, "thumb": r["thumb"]} for r in photos
    ]
    return render(
        request,
        "news/edit.html",
        {
            "item": item,
            "form": form,
            "photos": photos,
            "photo_form": forms.PhotoForm(),
            "roster": roster,
            "photo_choices": photo_choices,
        },
    )


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a photo to upload."))
        return redirect("news:edit", pk=item.pk)
    try:
        photo, duplicate = services.photo_add(
            actor=request.user, item=item, name=upload.name or "", data=upload.read()
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("news:edit", pk=item.pk)
    if duplicate:
        messages.warning(
            request, _("This photo was uploaded already: %(name)s") % {"name": photo.original_name}
        )
    else:
        messages.success(request, _("Uploaded: %(name)s") % {"name": photo.original_name})
    for warning in services.photo_warnings(photo):
        messages.warning(request, warning)
    for other in services.duplicates_elsewhere(photo):
        messages.warning(
            request, _("The same photo is also in “%(title)s”.") % {"title": other.title}
        )
    return redirect("news:edit", pk=item.pk)


@login_required
@require_POST
def photo_tag(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    photo = perms.access_photo(request.user, item, photo_id)
    try:
        ids = [int(x) for x in request.POST.getlist("people") if x]
        services.photo_tag(actor=request.user, photo=photo, people=ids)
        messages.success(request, _("The people shown are tagged."))
    except (DomainError, ValueError) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect("news:edit", pk=item.pk)


@login_required
def photo_file(request: HttpRequest, pk: int, photo_id: int, rendition: str) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    photo = perms.access_photo(request.user, item, photo_id)
    if rendition not in RENDITIONS:
        raise NotFound()
    return _image_response(photo, rendition, private=True)


def _image_response(photo: NewsPhoto, rendition: str, *, private: bool) -> HttpResponse:
    data = bytes(getattr(photo, rendition))

    response = HttpResponse(data, content_type=rendition_type(data))
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _act(
    request: HttpRequest, item: NewsItem, run: Callable[[], Any], success: str
) -> HttpResponse:
    try:
        run()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        for detail in exc.details:
            text = detail.get("text")
            where = detail.get("block")
            label = f"#{where + 1} " if isinstance(where, int) else ""
            messages.error(request, f"{label}{detail.get('message', '')} {text or ''}".strip())
        return redirect("news:item", pk=item.pk)
    messages.success(request, success)
    return redirect("news:item", pk=item.pk)


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    return _act(
        request,
        item,
        lambda: services.submit(actor=request.user, item=item),
        _("Submitted for review."),
    )


@login_required
@require_POST
def item_review(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or return, with comments when returning."))
        return redirect("news:item", pk=item.pk)
    d = form.cleaned_data
    return _act(
        request,
        item,
        lambda: services.review(
            actor=request.user,
            item=item,
            decision=d["decision"],
            comments=d["comments"],
            accept_warnings=d["accept_warnings"],
        ),
        _("Your review is recorded."),
    )


@login_required
@require_POST
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    return _act(
        request, item, lambda: services.publish(actor=request.user, item=item), _("Published.")
    )


@login_required
@require_POST
def item_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = perms.access_item(request.user, pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        item,
        lambda: services.withdraw(actor=request.user, item=item, reason=reason),
        _("Withdrawn: its address now answers “withdrawn”."),
    )


@login_required
def item_export(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    item = perms.access_item(request.user, pk)
    exporter = EXPORTS.get(kind)
    if exporter is None:
        raise NotFound()
    try:
        export = exporter(request.user, item).render()
    except DomainError as exc:
        if exc.status >= 500:
            raise
        messages.error(request, str(exc.message))
        return redirect("news:item", pk=item.pk)
    export_record(actor=request.user, export=export)
    return export_response(export)


# --- public pages -----------------------------------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    """No login: the published items, newest first."""
    return render(
        request,
        "news/public_index.html",
        {"page_obj": paginate(request, services.published_items())},
    )


def public_item(request: HttpRequest, slug: str) -> HttpResponse:
    """No login: a published item; a withdrawn one answers 410; nothing else exists here."""
    try:
        item = services.public_item(slug)
    except NotFound:
        raise Http404() from None
    if item.status == NewsItem.Status.WITHDRAWN:
        return render(request, "news/public_withdrawn.html", {"item": item}, status=410)
    return render(
        request,
        "news/public_item.html",
        {"item": item, "blocks": render_blocks(item, _public_url(item))},
    )


def public_photo(request: HttpRequest, slug: str, file: str) -> HttpResponse:
    """No login: a photo shown in a published item (the item's other uploads stay private)."""
    try:
        item = services.public_item(slug)
    except NotFound:
        raise Http404() from None
    if item.status != NewsItem.Status.PUBLISHED:
        raise Http404()
    name = file.rsplit(".", 1)[0]
    key, _sep, rendition = name.rpartition("-")
    if rendition not in RENDITIONS:
        raise Http404()
    photo = item.photos.filter(key=key, pk__in=rules.photo_ids(item.blocks)).first()
    if photo is None:
        raise Http404()
    return _image_response(photo, rendition, private=False)


def public_feed(request: HttpRequest) -> HttpResponse:
    """No login: the Atom feed of the published items."""
    feed = feedgenerator.Atom1Feed(
        title=_("News"),
        link=request.build_absolute_uri(reverse("news:public_index")),
        description="",
        language="zh-cn",
        feed_url=request.build_absolute_uri(reverse("news:feed")),
    )
    pol = rules.policy()
    for item in services.published_items()[:50]:
        link = request.build_absolute_uri(reverse("news:public", args=[item.slug]))
        feed.add_item(
            title=item.title,
            link=link,
            description=rules.digest_of(item.digest, item.blocks, pol),
            unique_id=link,
            pubdate=item.published_at,
            updateddate=item.updated_at,
            author_name=item.source or item.authors,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response
