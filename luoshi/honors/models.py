"""Models of commendation: programs with their quotas, nominations with deeds, vetting opinions,
objections during publicity, the honours record and its numbered certificates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.models import BaseModel
from luoshi.core.publicity import ObjectionBase
from luoshi.orgs.models import OrgUnit, Person

from . import rules

VERDICT_CHOICES = [(v, rules.VERDICT_LABELS[v]) for v in rules.VERDICTS]


class Program(BaseModel):
    """A commendation program (评选表彰活动) of one agency for one year."""

    class Scope(models.TextChoices):
        INTERNAL = rules.INTERNAL, _("The agency's own departments and staff")
        SYSTEM = rules.SYSTEM, _("Across the federation system")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NOMINATION = "nomination", _("Open for nomination")
        VETTING = "vetting", _("Joint vetting")
        DECIDED = "decided", pgettext_lazy("program status", "Decided")
        PUBLICITY = "publicity", _("Publicity")
        FINAL = "final", _("Final")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    approval_reference = models.CharField(_("approval reference"), max_length=200, blank=True)
    nomination_deadline = models.DateField(_("nominations due"), null=True, blank=True)
    decision_body = models.CharField(_("deciding body"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_record = models.TextField(_("meeting record"), blank=True)
    decision_document_number = models.CharField(
        _("decision document number"), max_length=64, blank=True
    )
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("commendation program")
        verbose_name_plural = _("commendation programs")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["agency", "year"], name="hon_program_agency_year")]

    def __str__(self) -> str:
        return self.title


class ProgramQuota(models.Model):
    """The places of one award kind in a program (for one staff family where the kind is
    family-bound), computed from the staff count and the percent, or set by the program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="quotas")
    kind = models.CharField(_("award kind"), max_length=32, choices=rules.KIND_CHOICES)
    family = models.CharField(_("staff family"), max_length=32, blank=True)
    staff_count = models.PositiveIntegerField(_("staff counted"), default=0)
    percent = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    places = models.PositiveIntegerField(_("places"))

    class Meta:
        verbose_name = _("quota")
        constraints = [
            models.UniqueConstraint(fields=["program", "kind", "family"], name="hon_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.places}"


class UnitAllocation(models.Model):
    """A unit's share of a quota, by headcount; a changed share records its reason."""

    quota = models.ForeignKey(ProgramQuota, on_delete=models.CASCADE, related_name="allocations")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    places = models.PositiveIntegerField(_("places"))
    override_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quota", "unit"], name="hon_allocation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.places}"


class Nomination(BaseModel):
    """A nomination (推荐) of a person or a collective, with its deeds (主要事迹)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("nomination status", "Submitted")
        APPROVED = "approved", pgettext_lazy("request status", "Approved")
        REJECTED = "rejected", pgettext_lazy("nomination status", "Not approved")
        WITHDRAWN = "withdrawn", pgettext_lazy("nomination status", "Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="nominations")
    kind = models.CharField(_("award kind"), max_length=32, choices=rules.KIND_CHOICES)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )  # the collective nominated, or the nominating unit of a person
    family = models.CharField(_("staff family"), max_length=32, blank=True)
    is_leader = models.BooleanField(_("leader (county/division level and above)"), default=False)
    post_at_time = models.CharField(_("post at the time"), max_length=200, blank=True)
    deeds_brief = models.TextField(_("brief deeds"), blank=True)
    deeds = models.TextField(_("deeds"), blank=True)
    unit_opinion = models.TextField(_("unit opinion"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["program", "kind", "id"]
        constraints = [
            # A person is nominated at most once in a program (a withdrawn nomination frees it).
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=Q(person__isnull=False) & ~Q(status="withdrawn"),
                name="hon_nomination_person_once",
            ),
            models.UniqueConstraint(
                fields=["program", "kind", "unit"],
                condition=Q(person__isnull=True) & ~Q(status="withdrawn"),
                name="hon_nomination_collective_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}/{self.pk}"

    @property
    def collective(self) -> bool:
        return self.person_id is None


class VettingOpinion(models.Model):
    """One vetting body's signed opinion (联审意见) on a nomination."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="opinions")
    body = models.CharField(_("vetting body"), max_length=32)
    verdict = models.CharField(_("opinion"), max_length=16, choices=VERDICT_CHOICES)
    note = models.TextField(_("note"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("vetting opinion")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "body"], name="hon_opinion_once")
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.body} {self.verdict}"


class ProgramObjection(ObjectionBase):
    """An objection raised while the proposed honourees are published."""

    # No reverse accessor: ProgramObjection.objects (with its open()) is the one way in.
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    nomination = models.ForeignKey(
        Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class Honour(BaseModel):
    """One entry of the honours record of a person or a unit (奖励情况): from a program, from the
    annual appraisal, received from a higher body, or imported from earlier years."""

    class Source(models.TextChoices):
        PROGRAM = "program", _("Commendation program")
        APPRAISAL = "appraisal", _("Annual appraisal")
        EXTERNAL = "external", _("Received from a higher body")
        IMPORT = "import", _("Imported")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )  # the collective honoured, or the person's unit at the time
    kind = models.CharField(_("award kind"), max_length=32, choices=rules.KIND_CHOICES)
    title = models.CharField(_("honour"), max_length=200)
    gbt_code = models.CharField(_("GB/T 8563 code"), max_length=8, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    approving_body = models.CharField(_("approving body"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    awarded_on = models.DateField(_("date"))
    post_at_time = models.CharField(_("post at the time"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="honours"
    )
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="honour"
    )
    appraisal_cycle_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revocation_document = models.CharField(_("revocation document"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "-awarded_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal_cycle_id", "person"],
                condition=Q(appraisal_cycle_id__isnull=False),
                name="hon_honour_appraisal_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "year"], name="hon_honour_person_year"),
            models.Index(fields=["unit", "year"], name="hon_honour_unit_year"),
        ]

    def __str__(self) -> str:
        return self.title


class Certificate(models.Model):
    """The numbered certificate of an honour; its number is verified publicly."""

    honour = models.OneToOneField(Honour, on_delete=models.PROTECT, related_name="certificate")
    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("award kind"), max_length=32, choices=rules.KIND_CHOICES)
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("certificate number"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["year", "kind", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind", "serial"], name="hon_certificate_serial_once"
            )
        ]

    def __str__(self) -> str:
        return self.number


class NominationEvidence(BaseModel):
    """A file of evidence for a nomination (材料): allow-listed type, size limit, random stored
    name, downloaded only through a view that checks the nomination is visible (as plans')."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="honors/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["nomination", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name
