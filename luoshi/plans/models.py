"""Work plans, their outline of key points, tasks with owners, roadmap and indicators, progress.

"有目标、有任务、有措施、可落地、可量化、可考核" and "责任人、路线图、时间表" for every task.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core import lights
from luoshi.core.models import BaseModel
from luoshi.orgs.models import OrgUnit, Person

from .rules import stored_reason_text


class WorkPlan(BaseModel):
    """The year's work key points (年度工作要点) of one agency."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        ISSUED = "issued", _("Issued")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="work_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    preamble = models.TextField(_("preamble"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # A past year's plan (rules.is_past_year when it was created, imported or issued): a record
    # of what was done, with no lights and no reports owed, left out of the current views.
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["-year", "agency__path"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_plan_per_agency_year")
        ]

    def __str__(self) -> str:
        return self.title


class KeyPoint(BaseModel):
    """A node of the plan's outline: a key point (一、) or a section under it (（一）)."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="key_points")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"))  # 1 = 一、, 2 = （一）
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("numbering"), max_length=16)  # as written: "一、", "（二）"
    title = models.CharField(_("title"), max_length=500)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "sort_order"]
        verbose_name = _("key point")
        verbose_name_plural = _("key points")

    def __str__(self) -> str:
        return f"{self.label}{self.title}"


class Category(BaseModel):
    """A category (tag) of tasks, from the list its agency keeps (national, provincial and city
    federations each keep their own). An inactive one is no longer offered for new use but stays
    on the tasks that have it, in the ledger's filter and in exports."""

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="task_categories"
    )
    name = models.CharField(_("name"), max_length=64)
    sort_order = models.IntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            # One name per agency, whatever the case (as the services check it).
            models.UniqueConstraint(
                models.F("agency"), Lower("name"), name="category_name_per_agency"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportCadence(models.TextChoices):
    """How often a report is due (tasks and supervision items)."""

    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    BY_STAGE = "by_stage", _("By stage")


class Task(BaseModel):
    """A unit of work with goal, measures, indicators, owners, roadmap and deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
        COMPLETED = "completed", _("Completed")
        ADJUSTMENT_REQUESTED = "adjustment_requested", _("Adjustment requested")
        CANCELLED = "cancelled", _("Cancelled")

    Light = lights.Light

    class Source(models.TextChoices):
        WORK_PLAN = "work_plan", _("Work plan")
        INSTRUCTION = "instruction", _("Leadership instruction")
        MEETING = "meeting", _("Meeting decision")
        HIGHER_LEVEL = "higher_level", _("Higher-level assignment")

    Cadence = ReportCadence

    plan = models.ForeignKey(
        WorkPlan,
        verbose_name=_("work plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    key_point = models.ForeignKey(
        KeyPoint,
        verbose_name=_("key point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    code = models.CharField(_("code"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    goal = models.TextField(_("goal"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    cooperating_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_tasks"
    )
    leader_in_charge = models.ForeignKey(
        Person,
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks_in_charge",
    )
    responsible_person = models.ForeignKey(
        Person,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks_responsible",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    ongoing = models.BooleanField(_("ongoing (no fixed deadline)"), default=False)
    is_key = models.BooleanField(_("key task"), default=False)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WORK_PLAN
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREY)
    # The light's reason as a code and its values (JSON), shown in the reader's language.
    light_code = models.CharField(_("reason for the light"), max_length=200, blank=True)
    light_checked_on = models.DateField(null=True, blank=True)
    # The first day on which the light would change by the date alone (None: never), kept by
    # the light engine; the tick recomputes only the tasks whose day has come.
    light_next_change = models.DateField(null=True, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report_cadence = models.CharField(
        _("report cadence"), max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    report_due_day = models.PositiveSmallIntegerField(_("reports due by day"), default=5)
    completion_note = models.TextField(_("completion note"), blank=True)
    completion_requested_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    search_text = models.TextField(default="", editable=False)
    # Copies kept by save() (and by the org tree's move hook) so that the ledger filters, sorts
    # and pages on this one table: the lead unit's materialised path and the plan's year.
    lead_unit_path = models.CharField(max_length=900, default="", editable=False)
    plan_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["plan", "sort_order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["lead_unit", "status", "light"]),
            models.Index(fields=["plan", "sort_order"]),
            models.Index(fields=["status", "light"]),
            models.Index(fields=["leader_in_charge", "status"]),
            # The ledger: status/light filters, a subtree prefix, then its order (keyset pages).
            models.Index(
                fields=["status", "light", "lead_unit_path", "plan_year", "sort_order", "id"],
                opclasses=["", "", "varchar_pattern_ops", "", "", ""],
                name="task_ledger_idx",
            ),
            models.Index(
                fields=["lead_unit_path", "plan_year", "sort_order", "id"],
                opclasses=["varchar_pattern_ops", "", "", ""],
                name="task_ledger_path_idx",
            ),
            models.Index(fields=["plan_year", "sort_order", "id"], name="task_ledger_order_idx"),
            # The ledger in plan order under a light, a status or the default "open tasks" view:
            # read in order and stop after the page (last year's tasks, closed and grey, come
            # first in plan order, and a plain order scan walked all of them: 0.8 s for "every
            # yellow task" at national scale). The included columns let the unit's path and
            # the other filter be checked in the index (PostgreSQL; SQLite builds them without).
            models.Index(
                fields=["light", "plan_year", "sort_order", "id"],
                include=["status", "lead_unit_path"],
                name="task_ledger_light_idx",
            ),
            models.Index(
                fields=["status", "plan_year", "sort_order", "id"],
                include=["light", "lead_unit_path"],
                name="task_ledger_status_idx",
            ),
            models.Index(
                fields=["plan_year", "sort_order", "id"],
                include=["lead_unit_path", "light"],
                condition=~Q(status__in=["completed", "cancelled"]),
                name="task_ledger_open_idx",
            ),
            models.Index(fields=["light", "deadline", "id"], name="task_light_deadline_idx"),
            # The tick: the tasks whose light changes by date today (partial: most never do).
            models.Index(
                fields=["light_next_change", "id"],
                condition=Q(light_next_change__isnull=False),
                name="task_light_next_change_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"], condition=Q(plan__isnull=False), name="task_code_per_plan"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the copies of the lead unit's path and the plan's year (no workflow here)."""
        path = self.lead_unit.path if self.lead_unit_id else ""
        year = self.plan.year if self.plan is not None else None
        update_fields = kwargs.get("update_fields")
        changed = []
        if path != self.lead_unit_path:
            self.lead_unit_path = path
            changed.append("lead_unit_path")
        if year != self.plan_year:
            self.plan_year = year
            changed.append("plan_year")
        if update_fields is not None and changed:
            kwargs["update_fields"] = {*update_fields, *changed}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.COMPLETED, self.Status.CANCELLED}

    @property
    def light_reason(self) -> str:
        """Why the light has its colour, in the current language."""
        return stored_reason_text(self.light_code)


class Milestone(BaseModel):
    """A step of the roadmap (路线图)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        # By the task's id, not "task": that would follow Task's own ordering and join the
        # task, its plan and the plan's agency into every read of one task's rows.
        ordering = ["task_id", "due_date", "sort_order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class Indicator(BaseModel):
    """A quantified indicator (量化指标): actual values come from progress reports."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=32, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Counts and amounts are never below zero; an indicator that can be (a balance, a change
    # from last year) declares it. The roadmap validator checks targets, the report service
    # actual values.
    allows_negative = models.BooleanField(_("may be negative"), default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["task_id", "sort_order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class ProgressReport(BaseModel):
    """One unit's report on a task for one period (the lead unit's or a cooperating part)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    period = models.DateField(_("period"))  # the first day of the reported month / week / quarter
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # Why the lead unit's progress is lower than it reported before (required for a drop).
    progress_drop_reason = models.TextField(_("reason for the lower progress"), blank=True)

    class Meta:
        ordering = ["task_id", "-period", "unit__path"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="one_report_per_period")
        ]
        indexes = [models.Index(fields=["period", "unit"])]

    def __str__(self) -> str:
        return f"{self.task.code} {self.period:%Y-%m}"

    @property
    def is_late(self) -> bool:
        return bool(self.due_on and self.submitted_at.date() > self.due_on)


class IndicatorValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_report")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class Attachment(BaseModel):
    """Evidence for a report or a milestone, kept in the default storage (never under the web
    root) and downloaded only through a view that checks the task is visible."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["task_id", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class TaskEvent(models.Model):
    """The history shown on a task: every change, request and decision, with who and why."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("task history", "Created")
        CHANGED = "changed", _("Changed")
        STATUS = "status", _("Status changed")
        ADJUSTMENT_REQUESTED = "adjustment_requested", _("Adjustment requested")
        ADJUSTMENT_APPROVED = "adjustment_approved", _("Adjustment approved")
        ADJUSTMENT_REJECTED = "adjustment_rejected", _("Adjustment rejected")
        REPORTED = "reported", _("Progress reported")
        COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
        COMPLETION_ACCEPTED = "completion_accepted", _("Closed out")
        COMPLETION_RETURNED = "completion_returned", _("Returned")
        CARRIED_OVER = "carried_over", _("Carried over")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["task_id", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} · {self.get_kind_display()}"


class AdjustmentRequest(BaseModel):
    """After a plan is issued, owners, deadline, milestones and indicators change only through an
    adjustment approved by a supervisor or the leader in charge."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", pgettext_lazy("request status", "Approved")  # 已批准
        REJECTED = "rejected", _("Rejected")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="adjustments")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("proposed changes"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("adjustment request")
        verbose_name_plural = _("adjustment requests")

    def __str__(self) -> str:
        return f"{self.task} · {self.get_status_display()}"


class LightSettings(BaseModel):
    """An agency's thresholds for the status lights (RULES.md §4: no national standard)."""

    agency = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="light_settings")
    warn_working_days = models.PositiveSmallIntegerField(
        _("yellow when due within (working days)"), default=3
    )
    behind_tolerance = models.PositiveSmallIntegerField(
        _("yellow when progress lags the elapsed time by more than (percentage points)"),
        default=15,
    )

    class Meta:
        verbose_name = _("light settings")

    def __str__(self) -> str:
        return str(self.agency)


class TaskCount(models.Model):
    """The dashboards' roll-up: counted tasks (every status but draft and cancelled) by plan,
    lead unit, leader in charge and top key point, with their completion and lights.

    Kept exact in the same transaction as every write that changes a task (see rollup.py); the
    dashboards read it instead of grouping a million tasks. Scope filters join the lead unit
    (a few thousand rows), so moving a unit in the tree needs no update here.
    """

    plan = models.ForeignKey(WorkPlan, null=True, on_delete=models.CASCADE, related_name="+")
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    leader_in_charge = models.ForeignKey(
        Person, null=True, on_delete=models.CASCADE, related_name="+"
    )
    key_point = models.ForeignKey(KeyPoint, null=True, on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    grey = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("task count")
        verbose_name_plural = _("task counts")
        indexes = [models.Index(fields=["plan", "lead_unit"])]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.lead_unit_id}/{self.leader_in_charge_id}: {self.total}"


class TaskMonthCount(models.Model):
    """The monthly trend's roll-up: counted tasks due and completed per month, by plan and lead
    unit. Kept exact together with TaskCount."""

    plan = models.ForeignKey(WorkPlan, null=True, on_delete=models.CASCADE, related_name="+")
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    due = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("task month count")
        verbose_name_plural = _("task month counts")
        indexes = [
            models.Index(fields=["plan", "lead_unit"]),
            models.Index(fields=["month"]),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.lead_unit_id} {self.month:%Y-%m}: {self.due}/{self.completed}"


class TaskStatusCount(models.Model):
    """The ledger's count roll-up: counted tasks (every status but draft and cancelled) by plan,
    lead unit (with its path, as the tasks copy it), leader in charge, status and light.

    Kept exact together with TaskCount (rollup.refresh). The ledger counts a filter on these
    columns (an explicit status) by summing a few rows per unit of the subtree instead of
    walking every matching task in the index (selectors.ledger_count).
    """

    plan = models.ForeignKey(WorkPlan, null=True, on_delete=models.CASCADE, related_name="+")
    lead_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    lead_unit_path = models.CharField(max_length=900, default="")
    leader_in_charge = models.ForeignKey(
        Person, null=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=24)
    light = models.CharField(max_length=8)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("task status count")
        verbose_name_plural = _("task status counts")
        indexes = [
            models.Index(fields=["plan", "lead_unit"]),
            models.Index(
                fields=["status", "light", "lead_unit_path"],
                opclasses=["", "", "varchar_pattern_ops"],
                name="task_status_count_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_unit_id} {self.status}/{self.light}: {self.n}"
