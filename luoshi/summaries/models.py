"""Models of the annual summary: a round per agency and year, each unit's summary in three
sections, the figures it cites (each with its source and as-of date), and the items of next
year's draft plan made from the accepted summaries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.models import BaseModel
from luoshi.orgs.models import OrgUnit
from luoshi.plans.models import Task, WorkPlan

from . import rules


class SummaryRound(BaseModel):
    """The year's summary round (年度工作总结) of one agency."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for writing")
        COMPILED = "compiled", pgettext_lazy("summary round status", "Compiled")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    total_max = models.PositiveIntegerField(_("at most (characters)"))
    highlights_min = models.PositiveIntegerField(_("main work and results at least (characters)"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    compiled_at = models.DateTimeField(_("compiled at"), null=True, blank=True)
    # The draft of next year's plan made from the accepted summaries (made once).
    next_plan = models.OneToOneField(
        WorkPlan,
        verbose_name=_("next year's plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="summary_round",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("summary round")
        verbose_name_plural = _("summary rounds")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="sum_round_agency_year")
        ]

    def __str__(self) -> str:
        return self.title


class UnitSummary(BaseModel):
    """One unit's summary of the year, drafted from the year's data and edited by the unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("summary status", "Awaiting the unit head")
        HEAD_APPROVED = (
            "head_approved",
            pgettext_lazy("summary status", "Awaiting the leader in charge"),
        )
        LEADER_APPROVED = "leader_approved", pgettext_lazy("summary status", "Awaiting the office")
        ACCEPTED = "accepted", pgettext_lazy("summary status", "Accepted")
        RETURNED = "returned", _("Returned")

    round = models.ForeignKey(SummaryRound, on_delete=models.CASCADE, related_name="summaries")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    achievements = models.TextField(_("main work and results"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_year = models.TextField(_("plans for next year"), blank=True)
    drafted_at = models.DateTimeField(_("drafted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_path = models.CharField(max_length=900, default="", editable=False)  # the unit order

    class Meta:
        verbose_name = _("unit summary")
        verbose_name_plural = _("unit summaries")
        ordering = ["round_id", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="sum_summary_round_unit")
        ]
        indexes = [models.Index(fields=["round", "status"], name="sum_summary_round_status")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.round.year}"

    def citation_texts(self) -> dict[int, str]:
        """Citation number → its text (uses prefetched citations when they are loaded)."""
        return {c.number: c.text for c in self.citations.all()}

    def expanded(self) -> dict[str, str]:
        """The three sections with the citations written out."""
        texts = self.citation_texts()
        return {s: rules.expand(getattr(self, s), texts) for s in rules.SECTIONS}

    def text_sections(self) -> list[tuple[str, str]]:
        """[(heading, text), ...] in the order 主要工作和成效 / 存在问题 / 明年工作打算, with
        the figures written out (a stable interface: the meetings app prints these)."""
        expanded = self.expanded()
        return [(rules.SECTION_HEADINGS[s], expanded[s]) for s in rules.SECTIONS]

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Citation(models.Model):
    """A figure cited in a summary: where it comes from (model, id, field and any parameters
    of its computation), the value it had, its text in the prose and the day it was taken."""

    summary = models.ForeignKey(UnitSummary, on_delete=models.CASCADE, related_name="citations")
    number = models.PositiveIntegerField(_("number"))
    source_model = models.CharField(_("source"), max_length=64)  # e.g. "plans.task"
    source_id = models.PositiveBigIntegerField(_("source id"))
    source_field = models.CharField(_("field"), max_length=64)
    params = models.JSONField(default=dict, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    text = models.CharField(_("text"), max_length=500)
    as_of = models.DateField(_("as of"))
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["summary_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "number"], name="sum_citation_number")
        ]

    def __str__(self) -> str:
        return f"[{self.number}] {self.text}"


class PlanDraftItem(models.Model):
    """A task of next year's draft plan and the summary line it was made from."""

    round = models.ForeignKey(SummaryRound, on_delete=models.CASCADE, related_name="plan_items")
    summary = models.ForeignKey(UnitSummary, on_delete=models.CASCADE, related_name="plan_items")
    task = models.OneToOneField(
        Task, null=True, on_delete=models.SET_NULL, related_name="summary_item"
    )
    line = models.PositiveIntegerField()
    key_point = models.CharField(max_length=500)
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["round_id", "id"]

    def __str__(self) -> str:
        return self.text
