from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BaseModel(models.Model):
    """Timestamps and a version counter for detecting concurrent edits."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """An append-only, hash-chained record of one write.

    The database refuses UPDATE and DELETE on this table (triggers in migration 0002); the model
    refuses them too. `hash` covers every field and the previous entry's hash, so a row changed
    behind the application's back breaks the chain at that row (`luoshi verify-audit`).
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def,unused-ignore]
        if not self._state.adding:  # a new entry comes with its id (audit.record: gap-free)
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def,unused-ignore]
        raise RuntimeError("Audit entries are append-only.")


class StoredUpload(models.Model):
    """A file a user uploaded and a later request uses (e.g. an import's preview, then commit).

    Kept in the database, not on one host's disk, so that any app process can serve the next
    step. Reached only through `luoshi.core.uploads` by its owner, its purpose and its random
    token; `luoshi tick` removes the ones older than a day.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=32)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stored upload")
        verbose_name_plural = _("stored uploads")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.name}"


# --- the working-day calendar (RULES.md §6; read through luoshi.core.workdays) ------------------


class CalendarDay(models.Model):
    """One day of a year the calendar holds: every day of such a year has a row.

    A whole year is stored (not only its exceptions), so the table reads as the calendar itself
    and other apps can count working days in SQL. `is_working_day` follows from `kind` (a check
    constraint keeps the two in step); it is stored so that queries filter on it directly.
    """

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("Working day")
        WEEKEND = "weekend", _("Weekend")
        HOLIDAY = "holiday", _("Holiday")
        MAKEUP = "makeup", _("Make-up working day")

    class Source(models.TextChoices):
        SEEDED = "seeded", _("Seeded")
        EDITED = "edited", _("Edited")
        IMPORTED = "imported", _("Imported")

    WORKING_KINDS = (Kind.WORKDAY, Kind.MAKEUP)

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.SEEDED
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["workday", "makeup"], is_working_day=True)
                    | models.Q(kind__in=["weekend", "holiday"], is_working_day=False)
                ),
                name="core_calendarday_kind_matches_working",
            ),
        ]

    def __str__(self) -> str:
        name = f" {self.name}" if self.name else ""
        return f"{self.date.isoformat()} {self.get_kind_display()}{name}"


class CalendarYear(models.Model):
    """A year the calendar holds, and whether its official arrangement is complete.

    A year is `covered` once its holidays and make-up working days are known (seeded from the
    package, or confirmed by an administrator after entering them). Computations that touch a
    year that is missing or not covered carry a warning.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    covered = models.BooleanField(_("covered"), default=False)
    seeded_from = models.CharField(_("seeded from"), max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


# --- numbered series (read and advanced only through luoshi.core.numbering) -------------------


class NumberSeries(models.Model):
    """The last number given in one series: per agency, year and kind of number.

    `agency_id` is the organisation unit's id as a plain integer (core lies below orgs and holds
    no foreign key to it). `kind` names the series as "<app>.<kind>" (e.g. "supervision.item"),
    so apps never share a series by accident. `luoshi.core.numbering.next_number` advances `last`
    with the row locked in the caller's transaction.
    """

    agency_id = models.BigIntegerField(_("agency"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=32)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("numbered series")
        verbose_name_plural = _("numbered series")
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "year", "kind"], name="core_one_number_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.kind} {self.year}: {self.last}"


class ExportJob(models.Model):
    """A large export made in the background (luoshi.documents.background): who asked for which
    exporter with which parameters, its progress, and the file once it is ready. Only the person
    who asked sees it; it is deleted with its file when it expires (a day by default)."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("export job", "Waiting")  # 排队中
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    identifier = models.CharField(_("export"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="core_export_user"),
            models.Index(fields=["expires_at"], name="core_export_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return max(0, min(99, self.rows_done * 100 // self.rows_total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)


# --- the light engine's record of its runs (luoshi.core.lights.refresh_due) -------------------


class LightRun(models.Model):
    """When the lights of one kind of row (tasks, supervision items, …) were last refreshed by
    the tick, and on what basis (a digest of the calendar and the thresholds the stored
    next-change dates were computed with): one row per kind, not a date on every row."""

    name = models.CharField(max_length=64, unique=True)
    ran_on = models.DateField()
    basis = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("light refresh run")
        verbose_name_plural = _("light refresh runs")

    def __str__(self) -> str:
        return f"{self.name} {self.ran_on.isoformat()}"
