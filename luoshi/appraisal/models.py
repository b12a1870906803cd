"""Models of the appraisal app: routine quarters, the annual cycle and its participants,
committee, publicity and objections, review and appeal, results history, unit scores."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.models import BaseModel
from luoshi.core.publicity import ObjectionBase
from luoshi.orgs.models import OrgUnit, Person

from . import rules

GRADE_CHOICES = [
    (rules.EXCELLENT, _("Excellent")),
    (rules.COMPETENT, _("Competent / qualified")),
    (rules.BASIC, _("Basically competent / qualified")),
    (rules.INCOMPETENT, _("Incompetent / unqualified")),
]
ROUTINE_CHOICES = [(g, rules.ROUTINE_LABELS[g]) for g in rules.ROUTINE_GRADES]
FAMILY_CHOICES = [
    (rules.CIVIL_SERVANT, _("Civil servants and staff managed like them")),
    (rules.PUBLIC_INSTITUTION, _("Public institution staff")),
]
ELIGIBILITY_CHOICES = [(k, rules.ELIGIBILITY_LABELS[k]) for k in rules.ELIGIBILITY]


# --- routine appraisal ------------------------------------------------------------------------


class RoutineCycle(BaseModel):
    """A quarter's routine appraisal (平时考核) of one unit."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("appraisal cycle status", "Open")  # 进行中
        CONFIRMED = "confirmed", _("Confirmed")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("routine appraisal")
        verbose_name_plural = _("routine appraisals")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="appr_routine_unique"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="appr_routine_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year} Q{self.quarter}"


class RoutineEntry(BaseModel):
    cycle = models.ForeignKey(RoutineCycle, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.TextField(_("quarter report"), blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=ROUTINE_CHOICES, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("routine appraisal entry")
        verbose_name_plural = _("routine appraisal entries")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="appr_routine_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person.name}"


# --- annual appraisal -------------------------------------------------------------------------


class AnnualCycle(BaseModel):
    """The annual appraisal (年度考核) of one agency for one year."""

    class Status(models.TextChoices):
        OPEN = "open", _("Self-summaries and proposals")
        COMMITTEE = "committee", _("Committee")
        PUBLICITY = "publicity", _("Publicity")
        FINAL = "final", _("Final")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("participants as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    quota_percent = models.DecimalField(
        _("excellent quota (%)"), max_digits=5, decimal_places=2, default=Decimal("20")
    )
    quota_approved_by = models.CharField(_("raise approved by"), max_length=200, blank=True)
    quota_approval_document = models.CharField(_("approval document"), max_length=200, blank=True)
    quota_approved_on = models.DateField(_("approved on"), null=True, blank=True)
    meeting_date = models.DateField(_("committee meeting date"), null=True, blank=True)
    members_present = models.TextField(_("members present"), blank=True)
    committee_decided_at = models.DateTimeField(null=True, blank=True)
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    notice_issuer = models.CharField(_("issuing body"), max_length=200, blank=True)
    evaluation_campaign = models.ForeignKey(
        "evaluation.Campaign",
        verbose_name=_("democratic evaluation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("annual appraisal")
        verbose_name_plural = _("annual appraisals")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="appr_cycle_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.year}"


class UnitQuota(models.Model):
    """A per-unit allocation of the cycle's excellent places."""

    cycle = models.ForeignKey(AnnualCycle, on_delete=models.CASCADE, related_name="unit_quotas")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    places = models.PositiveSmallIntegerField(_("excellent places"))

    class Meta:
        verbose_name = _("unit quota")
        verbose_name_plural = _("unit quotas")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="appr_unit_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.cycle}: {self.places}"


class Participant(BaseModel):
    """One person in one annual cycle: eligibility, self-summary, proposal, decision, result."""

    class Ack(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")

    cycle = models.ForeignKey(AnnualCycle, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    family = models.CharField(_("rules"), max_length=32, choices=FAMILY_CHOICES)
    # eligibility facts (RULES.md §1) and the resulting status
    hire_date = models.DateField(_("hired on"), null=True, blank=True)
    leave_days = models.PositiveSmallIntegerField(_("days of sick or personal leave"), default=0)
    under_investigation = models.BooleanField(_("under investigation"), default=False)
    penalties = models.JSONField(_("penalties"), default=list, blank=True)  # [{"kind", "year"}]
    eligibility = models.CharField(
        _("eligibility"), max_length=16, choices=ELIGIBILITY_CHOICES, default=rules.GRADED
    )
    eligibility_reason = models.CharField(max_length=32, blank=True)
    may_be_excellent = models.BooleanField(default=True)
    forced_grade = models.CharField(max_length=16, blank=True)
    # self-summary (registration form fields)
    duties = models.TextField(_("work done or in charge of"), blank=True)
    self_summary = models.TextField(_("self-summary"), blank=True)
    summary_submitted_at = models.DateTimeField(null=True, blank=True)
    # supervising leader
    leader_comments = models.TextField(_("comments"), blank=True)
    proposed_grade = models.CharField(
        _("proposed grade"), max_length=16, choices=GRADE_CHOICES, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    # committee
    decided_grade = models.CharField(
        _("decided grade"), max_length=16, choices=GRADE_CHOICES, blank=True
    )
    decision_note = models.TextField(_("committee opinion"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # result
    final_grade = models.CharField(
        _("final grade"), max_length=16, choices=GRADE_CHOICES, blank=True
    )
    is_final = models.BooleanField(_("final"), default=False)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    ack = models.CharField(_("acknowledgement"), max_length=16, choices=Ack.choices, blank=True)
    ack_text = models.TextField(_("opinion"), blank=True)
    ack_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="appr_participant_unique")
        ]
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.person.name}"

    @property
    def grade_label(self) -> str:
        return rules.grade_label(self.family, self.final_grade)

    @property
    def proposed_label(self) -> str:
        return rules.grade_label(self.family, self.proposed_grade)

    @property
    def decided_label(self) -> str:
        return rules.grade_label(self.family, self.decided_grade)

    @property
    def step(self) -> str:
        """Where this participant stands (for the cycle dashboard)."""
        if self.ack:
            return "acknowledged"
        if self.notified_at:
            return "notified"
        if self.is_final:
            return "final"
        if self.decided_at:
            return "decided"
        if self.proposed_at:
            return "proposed"
        if self.summary_submitted_at:
            return "summary"
        return "drawn"


STEP_LABELS = {
    "drawn": _("Drawn"),
    "summary": _("Self-summary submitted"),
    "proposed": _("Proposed"),
    "decided": _("Decided by the committee"),
    "final": _("Final"),
    "notified": _("Notified"),
    "acknowledged": _("Acknowledged"),
}


class EligibilityChange(models.Model):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="eligibility_changes"
    )
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("eligibility change")
        verbose_name_plural = _("eligibility changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.participant} · {self.at:%Y-%m-%d}"


class GradeChange(models.Model):
    """History of a participant's final grade (committee, pending grade filled in, appeals)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="grade_changes"
    )
    old_grade = models.CharField(max_length=16, blank=True)
    new_grade = models.CharField(max_length=16, blank=True)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        labels = dict(GRADE_CHOICES)
        old, new = (labels.get(g, g) or "—" for g in (self.old_grade, self.new_grade))
        return f"{self.participant}: {old} → {new}"


class Objection(ObjectionBase):
    """An objection raised during publicity, and its answer (fields: luoshi.core.publicity)."""

    cycle = models.ForeignKey(AnnualCycle, on_delete=models.CASCADE, related_name="objections")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="objections"
    )

    class Meta(ObjectionBase.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")


class Appeal(BaseModel):
    """A review (复核) or appeal (申诉) request against a result, tracked to a decision."""

    class Kind(models.TextChoices):
        REVIEW = rules.REVIEW, _("Review")
        APPEAL = rules.APPEAL, _("Appeal")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        UPHELD = "upheld", _("Result upheld")
        CHANGED = "changed", _("Result changed")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="appeals")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    learned_on = models.DateField(_("learned of the result on"))
    filed_on = models.DateField(_("filed on"))
    file_by = models.DateField(_("file by"))
    decide_by = models.DateField(_("decide by"), null=True, blank=True)
    decide_by_extended = models.DateField(_("decide by (extended)"), null=True, blank=True)
    in_time = models.BooleanField(_("filed in time"), default=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FILED
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    new_grade = models.CharField(_("new grade"), max_length=16, choices=GRADE_CHOICES, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("review or appeal")
        verbose_name_plural = _("reviews and appeals")
        ordering = ["filed_on", "id"]


class YearResult(models.Model):
    """A person's final annual grade for a year: from a finalized cycle or imported history."""

    class Source(models.TextChoices):
        CYCLE = "cycle", _("Annual appraisal")
        IMPORT = "import", _("Imported")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=16, choices=GRADE_CHOICES, blank=True)
    family = models.CharField(_("rules"), max_length=32, choices=FAMILY_CHOICES)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("annual result")
        verbose_name_plural = _("annual results")
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="appr_year_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year}: {self.get_grade_display() or '—'}"


class LeadershipScore(models.Model):
    """The leadership evaluation score of a unit for a year, entered by the personnel officer."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    score = models.DecimalField(_("leadership evaluation score"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("leadership evaluation score")
        verbose_name_plural = _("leadership evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="appr_leadership_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="appr_leadership_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.score}"
