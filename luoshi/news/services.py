"""Every write of news releases: each in a transaction, each audited.

The workflow: draft → first review (editor) → second review (the author's department head)
→ final review (the leader in charge) → approved → published → withdrawn. A return at any
stage sends the item back to draft with the reviewer's comments, and the next submission
starts a new round. Publication runs the gate (`check`): any error refuses it with every
problem listed (code `publication_blocked`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import audit
from luoshi.core.errors import DomainError, InvalidInput, NotFound
from luoshi.core.versioning import check_version, save_versioned
from luoshi.orgs.models import Person, Post

from . import drafting, meeting_record, photos, rules
from . import permissions as perms
from .models import NewsItem, NewsPhoto, ReviewStep

ITEM_FIELDS = (
    "title",
    "lead_title",
    "subtitle",
    "source",
    "authors",
    "photographers",
    "editors",
    "digest",
    "event_date",
)
STAGES = (ReviewStep.Stage.FIRST, ReviewStep.Stage.SECOND, ReviewStep.Stage.FINAL)
STAGE_OF_STATUS = {
    NewsItem.Status.FIRST_REVIEW: ReviewStep.Stage.FIRST,
    NewsItem.Status.SECOND_REVIEW: ReviewStep.Stage.SECOND,
    NewsItem.Status.FINAL_REVIEW: ReviewStep.Stage.FINAL,
}
NEXT_STATUS = {
    ReviewStep.Stage.FIRST: NewsItem.Status.SECOND_REVIEW,
    ReviewStep.Stage.SECOND: NewsItem.Status.FINAL_REVIEW,
    ReviewStep.Stage.FINAL: NewsItem.Status.APPROVED,
}


class PublicationBlocked(DomainError):
    code = "publication_blocked"
    status = 422


class WrongStatus(DomainError):
    code = "wrong_status"
    status = 409


class BlocksInvalid(InvalidInput):
    code = "blocks_invalid"


def _blocks(raw: Any) -> list[dict[str, Any]]:
    try:
        return rules.normalize_blocks(raw)
    except rules.BlockError as exc:
        raise BlocksInvalid(_("The body has malformed blocks."), details=exc.problems) from None


def _clean(value: Any, limit: int) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise InvalidInput(
            _("A field is longer than %(n)d characters.") % {"n": limit},
            details=[{"field": "", "message": _("At most %(n)d characters.") % {"n": limit}}],
        )
    return text


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in ITEM_FIELDS:
            continue
        if name == "event_date":
            out[name] = value
        else:
            limit = getattr(NewsItem._meta.get_field(name), "max_length", None) or 200
            out[name] = _clean(value, limit)
    if "title" in out and not out["title"]:
        raise InvalidInput(
            _("A news item needs a title."),
            details=[{"field": "title", "message": _("A news item needs a title.")}],
        )
    return out


# --- writing ----------------------------------------------------------------------------------


@transaction.atomic
def item_create(*, actor: Any, title: str, blocks: Any = (), **values: Any) -> NewsItem:
    unit = perms.own_unit(actor)
    agency = perms.home_agency(actor)
    if unit is None or agency is None or not perms.may_write(actor):
        raise NotFound()
    data = _fields({"title": title, **values})
    if not data.get("source"):
        data["source"] = agency.short_name or agency.name
    item = NewsItem.objects.create(
        agency=agency, unit=unit, author=actor, blocks=_blocks(list(blocks)), **data
    )
    audit.record("news.create", actor=actor, obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def news_from_facts(
    *, actor: Any, facts: drafting.MeetingFacts, title: str = "", **values: Any
) -> NewsItem:
    """A draft pre-filled from a meeting's facts (editable paragraphs)."""
    item = item_create(
        actor=actor,
        title=(title or drafting.draft_title(facts))[:200],
        blocks=drafting.draft_blocks(facts),
        event_date=facts.date,
        **values,
    )
    audit.record("news.draft_from_facts", actor=actor, obj=item, after={"meeting": facts.title})
    return item


@transaction.atomic
def news_from_meeting(*, actor: Any, meeting: Any) -> NewsItem:
    """A draft of the news of a held meeting, pre-filled from its record; the roster check uses
    the meeting's date."""
    facts = meeting_record.facts_from_meeting(meeting)
    item = news_from_facts(actor=actor, facts=facts)
    audit.record("news.draft_from_meeting", actor=actor, obj=item, after={"meeting": meeting.pk})
    return item


@transaction.atomic
def item_update(
    *, actor: Any, item: NewsItem, version: int | None, blocks: Any = None, **values: Any
) -> NewsItem:
    item = NewsItem.objects.select_for_update().select_related("agency", "unit").get(pk=item.pk)
    perms.require(perms.may_edit(actor, item))
    check_version(item, version)
    before = audit.snapshot(item)
    data = _fields(values)
    for name, value in data.items():
        setattr(item, name, value)
    fields = list(data)
    if blocks is not None:
        item.blocks = _blocks(blocks)
        fields.append("blocks")
    if not fields:
        return item
    save_versioned(item, fields)
    b, a = audit.diff(before, audit.snapshot(item))
    audit.record("news.edit", actor=actor, obj=item, before=b, after=a)
    return item


def paste(text: str) -> list[dict[str, Any]]:
    """Pasted text as blocks, its image references turned into problems to resolve."""
    return rules.paste_blocks(text)


# --- photos -----------------------------------------------------------------------------------


def photo_warnings(photo: NewsPhoto, pol: rules.Policy | None = None) -> list[str]:
    pol = pol or rules.policy()
    out = []
    if rules.low_resolution(photo.width, photo.height, pol):
        out.append(
            _("The photo is %(w)d×%(h)d, below %(mw)d×%(mh)d: it may look blurred in print.")
            % {"w": photo.width, "h": photo.height, "mw": pol.min_width, "mh": pol.min_height}
        )
    return out


@transaction.atomic
def photo_add(*, actor: Any, item: NewsItem, name: str, data: bytes) -> tuple[NewsPhoto, bool]:
    """Upload a photo to an item: (the photo, whether the same file was already uploaded to it).
    Orientation applied, metadata dropped, web rendition and thumbnail made."""
    perms.require(perms.may_edit(actor, item))
    digest = hashlib.sha256(data).hexdigest()
    existing = item.photos.filter(sha256=digest).first()
    if existing is not None:
        return existing, True
    done = photos.process(data)
    clean_name = _clean(name.replace("\\", "/").rsplit("/", 1)[-1], 255) or "photo"
    try:
        with transaction.atomic():
            photo = NewsPhoto.objects.create(
                item=item,
                sha256=done.sha256,
                key=secrets.token_hex(8),
                original_name=clean_name,
                content_type=done.content_type,
                width=done.width,
                height=done.height,
                image=done.image,
                web=done.web,
                thumb=done.thumb,
                uploaded_by=actor,
            )
    except IntegrityError:  # the same file uploaded at the same moment
        return item.photos.get(sha256=digest), True
    audit.record(
        "news.photo_add",
        actor=actor,
        obj=item,
        after={"photo": photo.pk, "file": clean_name, "sha256": digest, "size": len(data)},
    )
    return photo, False


def duplicates_elsewhere(photo: NewsPhoto) -> list[NewsItem]:
    """Other items of the agency holding the same file (a warning, not a refusal)."""
    return list(
        NewsItem.objects.filter(agency_id=photo.item.agency_id, photos__sha256=photo.sha256)
        .exclude(pk=photo.item_id)
        .distinct()[:10]
    )


@transaction.atomic
def photo_tag(*, actor: Any, photo: NewsPhoto, people: Sequence[int]) -> NewsPhoto:
    """Tag the people shown, from the agency's roster."""
    item = photo.item
    perms.require(perms.may_edit(actor, item))
    ids = sorted({int(p) for p in people})
    found = list(
        Person.objects.filter(pk__in=ids, unit__path__startswith=item.agency.path).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(ids):
        raise InvalidInput(
            _("Only people of the agency's roster can be tagged."),
            details=[{"field": "people", "message": _("Unknown person.")}],
        )
    before = sorted(photo.people.values_list("pk", flat=True))
    photo.people.set(found)
    audit.record(
        "news.photo_tag", actor=actor, obj=item, before={"people": before}, after={"people": found}
    )
    return photo


@transaction.atomic
def photo_delete(*, actor: Any, photo: NewsPhoto) -> None:
    item = photo.item
    perms.require(perms.may_edit(actor, item))
    if photo.pk in rules.photo_ids(item.blocks):
        raise InvalidInput(_("The photo is used in a block: take it out of the block first."))
    audit.record("news.photo_delete", actor=actor, obj=item, before={"photo": photo.pk})
    photo.delete()


# --- the gate ---------------------------------------------------------------------------------


def _own_hosts() -> set[str]:
    hosts = {h.lower() for h in settings.ALLOWED_HOSTS if h and h != "*"}
    site = settings.LUOSHI_NOTIFY_SITE_URL
    if site:
        hosts.add((urlsplit(site).hostname or "").lower())
    return hosts


def link_resolves(link: str) -> bool:
    """Whether a link leads to a page of this site: a site path, or an address on one of the
    site's own host names, that the URL configuration knows (a public news page: published)."""
    if link.lower().startswith("www."):
        link = "http://" + link
    parts = urlsplit(link)
    if (parts.scheme or parts.netloc) and (
        parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _own_hosts()
    ):
        return False
    path = parts.path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.view_name in ("news:public", "news:public_photo"):
        return NewsItem.objects.filter(
            slug=match.kwargs.get("slug"), status=NewsItem.Status.PUBLISHED
        ).exists()
    return True


def roster(item: NewsItem) -> list[rules.RosterEntry]:
    people = Person.objects.filter(
        unit__path__startswith=item.agency.path, is_active=True
    ).select_related("post")
    return [rules.RosterEntry(p.name, p.post.name if p.post else "", p.post_since) for p in people]


def check(item: NewsItem) -> list[rules.Problem]:
    """The gate's problems of the item as it stands (at any stage)."""
    on = item.event_date or timezone.localdate()
    return rules.check(
        rules.GateInput(
            blocks=item.blocks,
            own_photos=frozenset(item.photos.values_list("pk", flat=True)),
            link_resolves=link_resolves,
            roster=roster(item),
            posts=list(Post.objects.values_list("name", flat=True)),
            on=on,
            title=item.title,
        )
    )


def problem_details(item: NewsItem, problems: Sequence[rules.Problem]) -> list[dict[str, Any]]:
    return [p.as_dict(item.blocks) for p in problems]


# --- review (三审) ----------------------------------------------------------------------------


@transaction.atomic
def submit(*, actor: Any, item: NewsItem) -> NewsItem:
    item = NewsItem.objects.select_for_update().select_related("agency", "unit").get(pk=item.pk)
    perms.require(item.author_id == actor.pk or perms.is_editor(actor, item.agency))
    if item.status != NewsItem.Status.DRAFT:
        raise WrongStatus(_("Only a draft can be submitted for review."))
    if not item.blocks:
        raise InvalidInput(_("The body is empty."))
    item.status = NewsItem.Status.FIRST_REVIEW
    item.accepted_warnings = []
    save_versioned(item, ["status", "accepted_warnings"])
    audit.record("news.submit", actor=actor, obj=item, after={"round": item.review_round})
    return item


def _current_reviewers(item: NewsItem) -> dict[str, int]:
    return {
        r.stage: r.reviewer_id
        for r in item.reviews.filter(
            review_round=item.review_round, decision=ReviewStep.Decision.APPROVE
        )
    }


def may_review(user: Any, item: NewsItem) -> bool:
    stage = STAGE_OF_STATUS.get(item.status)  # type: ignore[call-overload]
    if stage is None or user.pk == item.author_id:
        return False
    if user.pk in _current_reviewers(item).values():
        return False
    return perms.holds_stage(user, item, stage)


@transaction.atomic
def review(
    *,
    actor: Any,
    item: NewsItem,
    decision: str,
    comments: str = "",
    accept_warnings: bool = False,
) -> NewsItem:
    """One stage's decision: approve (the next stage, or approved after the final one) or
    return with comments (back to draft; a new round begins at the next submission)."""
    item = NewsItem.objects.select_for_update().select_related("agency", "unit").get(pk=item.pk)
    stage = STAGE_OF_STATUS.get(item.status)  # type: ignore[call-overload]
    if stage is None:
        raise WrongStatus(_("The item is not waiting for a review."))
    if actor.pk == item.author_id:
        raise InvalidInput(_("The author may not review their own item."), code="review_separation")
    if actor.pk in _current_reviewers(item).values():
        raise InvalidInput(
            _("One person may not hold two review stages of the same item."),
            code="review_separation",
        )
    perms.require(perms.holds_stage(actor, item, stage))
    if decision not in ReviewStep.Decision.values:
        raise InvalidInput(_("Approve or return."))
    comments = _clean(comments, 2000)
    if decision == ReviewStep.Decision.RETURN and not comments:
        raise InvalidInput(
            _("Say what is to be changed when returning an item."),
            details=[{"field": "comments", "message": _("Say what is to be changed.")}],
        )
    fields = ["status"]
    if decision == ReviewStep.Decision.APPROVE and stage == ReviewStep.Stage.FINAL:
        warned = rules.warnings(check(item))
        if warned and not accept_warnings:
            raise InvalidInput(
                _("The final reviewer must accept the roster's warnings before approving."),
                code="warnings_not_accepted",
                details=problem_details(item, warned),
            )
        item.accepted_warnings = problem_details(item, warned)
        fields.append("accepted_warnings")
    person = getattr(actor, "person", None)
    step = ReviewStep.objects.create(
        item=item,
        review_round=item.review_round,
        stage=stage,
        reviewer=actor,
        reviewer_name=(person.name if person else actor.get_username())[:64],
        decision=decision,
        comments=comments,
        at=timezone.now(),
    )
    if decision == ReviewStep.Decision.RETURN:
        item.status = NewsItem.Status.DRAFT
        item.review_round += 1
        fields.append("review_round")
    else:
        item.status = NEXT_STATUS[stage]
    if item.status == NewsItem.Status.APPROVED:
        # Imported when called: exports builds on these services (the form is built from the
        # steps just written).
        from . import exports

        form = exports.approval_form_docx(item)
        item.approval_form = form
        item.approval_form_sha256 = hashlib.sha256(form).hexdigest()
        fields += ["approval_form", "approval_form_sha256"]
    save_versioned(item, fields)
    audit.record(
        "news.review",
        actor=actor,
        obj=item,
        after={"stage": stage, "decision": decision, "comments": comments, "step": step.pk},
    )
    return item


# --- publication ------------------------------------------------------------------------------


@transaction.atomic
def publish(*, actor: Any, item: NewsItem) -> NewsItem:
    item = NewsItem.objects.select_for_update().select_related("agency", "unit").get(pk=item.pk)
    perms.require(perms.may_publish(actor, item))
    problems = rules.blocking(check(item))
    if problems:
        raise PublicationBlocked(
            _("Publication is refused: %(n)d problem(s) in the body.") % {"n": len(problems)},
            details=problem_details(item, problems),
        )
    if item.status != NewsItem.Status.APPROVED:
        raise WrongStatus(_("Only an item approved by all three reviews can be published."))
    now = timezone.now()
    item.status = NewsItem.Status.PUBLISHED
    item.published_at = now
    if not item.slug:
        item.slug = f"{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(4)}"
    save_versioned(item, ["status", "published_at", "slug"])
    audit.record("news.publish", actor=actor, obj=item, after={"slug": item.slug})
    return item


@transaction.atomic
def withdraw(*, actor: Any, item: NewsItem, reason: str) -> NewsItem:
    item = NewsItem.objects.select_for_update().select_related("agency", "unit").get(pk=item.pk)
    perms.require(perms.may_publish(actor, item))
    if item.status != NewsItem.Status.PUBLISHED:
        raise WrongStatus(_("Only a published item can be withdrawn."))
    reason = _clean(reason, 500)
    if not reason:
        raise InvalidInput(
            _("Give the reason for the withdrawal."),
            details=[{"field": "reason", "message": _("Give the reason for the withdrawal.")}],
        )
    item.status = NewsItem.Status.WITHDRAWN
    item.withdrawn_at = timezone.now()
    item.withdrawal_reason = reason
    save_versioned(item, ["status", "withdrawn_at", "withdrawal_reason"])
    audit.record("news.withdraw", actor=actor, obj=item, after={"reason": reason})
    return item


def published_items() -> Any:
    return NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED).order_by("-published_at")


def public_item(slug: str) -> NewsItem:
    """A published or withdrawn item by its public address; NotFound for anything else."""
    item = (
        NewsItem.objects.filter(
            slug=slug, status__in=(NewsItem.Status.PUBLISHED, NewsItem.Status.WITHDRAWN)
        )
        .select_related("agency")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def today() -> dt.date:
    return timezone.localdate()
