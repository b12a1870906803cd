"""Supervision (督查督办): items, their numbers, feedback, extensions, urging, bulletins.

An item (督办事项) comes from a leadership instruction, a meeting decision, a higher-level
assignment or a key task of the work plan; it is numbered when registered (督办〔2025〕12号),
assigned with a numbered assignment sheet (交办单), accepted by its lead unit, fed back, reviewed
and closed out after the leader in charge approves. Extensions move the deadline but on-time
statistics keep the original one. The urging ladder's steps are rows with one per (item, step).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core import lights
from luoshi.core.models import BaseModel
from luoshi.orgs.models import OrgUnit, Person
from luoshi.plans.models import ReportCadence

from .rules import stored_reason_text


class SupervisionSettings(BaseModel):
    """An agency's supervision rules (RULES.md §4 is practice, so every value is a setting)."""

    agency = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="supervision_settings"
    )
    number_prefix = models.CharField(_("item number prefix"), max_length=16, default="督办")
    urging_prefix = models.CharField(_("urging notice prefix"), max_length=16, default="催办")
    issuing_body = models.CharField(_("issuing body"), max_length=64, blank=True)
    reminder_working_days = models.PositiveSmallIntegerField(
        _("reminder before the deadline (working days)"), default=3
    )
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("escalate after the first overdue working day (working days)"), default=5
    )

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")

    def __str__(self) -> str:
        return str(self.agency)


class NumberKind(models.TextChoices):
    """The series supervision numbers from (luoshi.core.numbering): one per agency and year."""

    ITEM = "supervision.item", _("Supervision item")
    URGING = "supervision.urging", _("Urging notice")


class SupervisionItem(BaseModel):
    class Source(models.TextChoices):
        INSTRUCTION = "instruction", _("Leadership instruction")
        MEETING = "meeting", _("Meeting decision")
        HIGHER_LEVEL = "higher_level", _("Higher-level assignment")
        WORK_PLAN = "work_plan", _("Key task of the work plan")

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        SPECIAL = "special", _("Special")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")
        VERY_URGENT = "very_urgent", _("Very urgent")

    class DeadlineMode(models.TextChoices):
        DATE = "date", _("A date")
        WORKING_DAYS = "working_days", _("Working days from assignment")

    Cadence = ReportCadence

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", pgettext_lazy("item status", "Accepted")  # 已签收
        FINAL_SUBMITTED = "final_submitted", _("Final feedback submitted")
        REVIEWED = "reviewed", _("Reviewed, awaiting approval")
        CLOSED = "closed", _("Closed out")
        SUSPENDED = "suspended", _("Suspended")

    Light = lights.Light

    OPEN_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.FINAL_SUBMITTED, Status.REVIEWED)
    URGED_STATUSES = (Status.ASSIGNED, Status.ACCEPTED)

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # a leadership instruction (批示): who, when, the text, the document it was written on
    instruction_by = models.ForeignKey(
        Person,
        verbose_name=_("instruction by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_instructions",
    )
    instruction_on = models.DateField(_("instruction date"), null=True, blank=True)
    instruction_text = models.TextField(_("instruction text"), blank=True)
    source_document = models.CharField(_("source document"), max_length=300, blank=True)
    # a meeting decision: the meeting and the item of its minutes
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_item = models.CharField(_("meeting item"), max_length=300, blank=True)
    task = models.ForeignKey(
        "plans.Task",
        verbose_name=_("key task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_items",
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.ROUTINE)
    is_major = models.BooleanField(_("major item"), default=False)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    cooperating_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("cooperating units"), blank=True, related_name="+"
    )
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader_in_charge = models.ForeignKey(
        Person,
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_items_in_charge",
    )
    deadline_mode = models.CharField(
        _("deadline given as"),
        max_length=16,
        choices=DeadlineMode.choices,
        default=DeadlineMode.DATE,
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("working days"), null=True, blank=True
    )
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_warning = models.TextField(_("calendar warning"), blank=True)
    report_cadence = models.CharField(
        _("report cadence"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    suspended_from = models.CharField(max_length=16, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_on = models.DateField(_("registered on"))
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREY)
    light_code = models.CharField(_("reason for the light"), max_length=200, blank=True)
    light_checked_on = models.DateField(null=True, blank=True)
    # The first day on which the light would change by the date alone (None: never).
    light_next_change = models.DateField(null=True, blank=True, editable=False)
    remarks = models.TextField(_("remarks"), blank=True)
    search_text = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "serial"], name="supervision_item_serial"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="supervision_progress"),
        ]
        indexes = [
            models.Index(fields=["lead_unit", "status", "light"]),
            models.Index(fields=["status", "light"]),
            models.Index(fields=["leader_in_charge", "status"]),
            models.Index(fields=["instruction_by"]),
            models.Index(
                fields=["light_next_change", "id"],
                condition=Q(light_next_change__isnull=False),
                name="sv_item_light_next_change_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return bool(self.is_open and self.deadline and self.deadline < timezone.localdate())

    @property
    def extended(self) -> bool:
        return bool(self.original_deadline and self.deadline != self.original_deadline)

    @property
    def light_reason(self) -> str:
        """Why the light has its colour, in the current language."""
        return stored_reason_text(self.light_code)

    def due_date_for_statistics(self) -> dt.date | None:
        """On-time statistics measure against the original deadline (extensions do not count)."""
        return self.original_deadline or self.deadline


class Feedback(BaseModel):
    """A unit's reply on an item (反馈): periodic or final, reviewed by the office."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Periodic")
        FINAL = "final", pgettext_lazy("feedback kind", "Final")  # 办结反馈

    class Review(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", pgettext_lazy("feedback status", "Accepted")  # 已通过
        RETURNED = "returned", _("Returned")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    text = models.TextField(_("feedback"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"))
    review = models.CharField(
        _("review"), max_length=16, choices=Review.choices, default=Review.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["item", "-submitted_on", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.item} · {self.get_kind_display()} {self.submitted_on}"


class FeedbackAttachment(BaseModel):
    """A file sent with feedback: allow-listed type, size limit, random stored name, downloaded
    only through a view that checks the item is visible (as plans' evidence)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="supervision/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["feedback", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(BaseModel):
    """延期申请: asked before the deadline; approval moves the deadline, not the statistics."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", pgettext_lazy("request status", "Approved")  # 已批准
        REJECTED = "rejected", _("Rejected")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    reason = models.TextField(_("reason"))
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("new deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["item", "-id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.item} → {self.new_deadline}"


class UrgingStep(models.Model):
    """One step of the urging ladder taken for an item. The unique constraint on (item, step) is
    what makes each step happen exactly once, however often and however concurrently `luoshi
    tick` runs: a run inserts the row or, finding it there, skips the step."""

    class Step(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        URGING = "urging", _("Urging notice")
        ESCALATION = "escalation", _("Escalated to the leader in charge")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="urgings")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    on = models.DateField(_("date"))
    deadline = models.DateField(_("deadline"))
    number = models.CharField(_("number"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "on", "id"]
        verbose_name = _("urging step")
        verbose_name_plural = _("urging steps")
        constraints = [
            models.UniqueConstraint(fields=["item", "step"], name="supervision_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_step_display()} {self.on}"


class ItemEvent(models.Model):
    """The timeline shown on an item: every change, with who and why."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CHANGED = "changed", _("Changed")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", _("Accepted by the lead unit")
        FEEDBACK = "feedback", _("Feedback")
        FEEDBACK_ACCEPTED = "feedback_accepted", _("Feedback accepted")
        FEEDBACK_RETURNED = "feedback_returned", _("Feedback returned")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REJECTED = "extension_rejected", _("Extension rejected")
        REMINDER = "reminder", _("Reminder sent")
        URGED = "urged", _("Urging notice issued")
        ESCALATED = "escalated", _("Escalated to the leader in charge")
        CLOSED = "closed", _("Closed out")
        CLOSE_REFUSED = "close_refused", _("Close-out refused")
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["item", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_kind_display()}"


class Bulletin(BaseModel):
    """The monthly supervision bulletin (督查通报): compiled, edited by the office, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month reported on
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    closing = models.TextField(_("closing remarks"), blank=True)
    data = models.JSONField(default=dict)  # the compiled statistics and lists
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    compiled_at = models.DateTimeField(_("compiled at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="supervision_bulletin_month")
        ]

    def __str__(self) -> str:
        return self.title
