"""News releases (新闻稿): the item with its typed blocks, its photos and its review steps.

The body is a JSON list of typed blocks (paragraph, photos, quote, missing_photo), validated
by `rules.normalize_blocks` on every write — never HTML. Photos are kept in the database (the
sanitised image, its web rendition and its thumbnail), so any app process serves them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.core.models import BaseModel
from luoshi.orgs.models import OrgUnit, Person


class NewsItem(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FIRST_REVIEW = "first_review", _("Waiting for first review")
        SECOND_REVIEW = "second_review", _("Waiting for second review")
        FINAL_REVIEW = "final_review", _("Waiting for final review")
        APPROVED = "approved", _("Final approval given")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    lead_title = models.CharField(_("lead title"), max_length=200, blank=True)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    authors = models.CharField(_("authors"), max_length=200, blank=True)
    photographers = models.CharField(_("photographers"), max_length=200, blank=True)
    editors = models.CharField(_("responsible editors"), max_length=200, blank=True)
    digest = models.CharField(_("digest"), max_length=500, blank=True)
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    blocks = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_round = models.PositiveIntegerField(default=1)
    accepted_warnings = models.JSONField(default=list, blank=True)
    slug = models.CharField(max_length=32, unique=True, null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    approval_form = models.BinaryField(null=True, blank=True)
    approval_form_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["status", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class NewsPhoto(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="photos")
    sha256 = models.CharField(max_length=64)  # of the uploaded file
    key = models.CharField(max_length=20, unique=True)  # the photo's name in public URLs
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    image = models.BinaryField()  # orientation applied, no metadata
    web = models.BinaryField()
    thumb = models.BinaryField()
    people = models.ManyToManyField(Person, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "sha256"], name="news_photo_once_per_item")
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"


class ReviewStep(models.Model):
    class Stage(models.TextChoices):
        FIRST = "first", _("First review (editor)")
        SECOND = "second", _("Second review (department head)")
        FINAL = "final", _("Final review (leader in charge)")

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve")
        RETURN = "return", _("Return with comments")

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="reviews")
    review_round = models.PositiveIntegerField()
    stage = models.CharField(max_length=8, choices=Stage.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=64)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comments = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.stage} {self.decision}"
