"""Models of the work meeting: the meeting and its agenda, who attends (by rule, named, guests),
sign-in, seats, awarding rounds, the frozen materials compilation, the minutes and the leader's
requirements with what became of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.models import BaseModel
from luoshi.honors.models import Honour, Program
from luoshi.orgs.models import OrgUnit, Person, Post, Rank
from luoshi.plans.models import KeyPoint
from luoshi.supervision.models import SupervisionItem

from . import rules


class Meeting(BaseModel):
    """A meeting of an agency: the annual work meeting (机关工作会议) or another kind."""

    class Kind(models.TextChoices):
        WORK = "work", _("Agency work meeting")
        PLENARY = "plenary", _("Plenary session")
        PARTY_GROUP = "party_group", _("Party group meeting")
        OTHER = "other", pgettext_lazy("meeting kind", "Other meeting")

    class State(models.TextChoices):
        PLANNING = rules.PLANNING, _("Planning")
        NOTIFIED = rules.NOTIFIED, _("Notified")
        IN_SESSION = rules.IN_SESSION, _("In session")
        CLOSED = rules.CLOSED, pgettext_lazy("meeting state", "Closed")
        MINUTES_PUBLISHED = rules.MINUTES_PUBLISHED, _("Minutes published")

    class HonourSide(models.TextChoices):
        LEFT = "left", _("Left (as the presidium faces the hall)")
        RIGHT = "right", _("Right (as the presidium faces the hall)")

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year summed up"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.WORK)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    presiding = models.ForeignKey(
        Person,
        verbose_name=_("presiding leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    honour_side = models.CharField(
        _("side of honour"), max_length=8, choices=HonourSide.choices, default=HonourSide.LEFT
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNING
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("commendation decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sign_in_secret = models.CharField(max_length=64, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_serial = models.PositiveIntegerField(null=True, blank=True)
    minutes_number = models.CharField(_("minutes number"), max_length=64, blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["agency", "date"], name="mtg_meeting_agency_date")]

    def __str__(self) -> str:
        return self.title


class AgendaItem(BaseModel):
    """One item of the agenda, in order, with its presenter, time and material."""

    class Kind(models.TextChoices):
        SPEECH = "speech", _("Speech")
        REPORT = "report", _("Work report")
        READING = "reading", _("Reading of a decision or list")
        AWARDING = "awarding", _("Awarding")
        EXCHANGE = "exchange", _("Exchange speech")

    class Reads(models.TextChoices):
        NONE = "", _("Nothing")
        DECISION = "decision", _("The commendation decision")
        EXCELLENT = "excellent", _("The list of staff graded Excellent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        Person,
        verbose_name=_("presenter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("reporting unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=10)
    reads = models.CharField(
        _("reads"), max_length=16, choices=Reads.choices, default=Reads.NONE, blank=True
    )
    material_due = models.DateField(_("material due"), null=True, blank=True)
    material_name = models.CharField(_("material"), max_length=255, blank=True)
    material_content = models.BinaryField(null=True, blank=True, editable=False)
    material_sha256 = models.CharField(max_length=64, blank=True)
    material_uploaded_at = models.DateTimeField(null=True, blank=True)
    material_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="mtg_agenda_order_once")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_material(self) -> bool:
        return bool(self.material_sha256)


class ParticipantRule(models.Model):
    """Who attends by rank: the people of units of one kind at or above a rank or a post."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rules")
    unit_kind = models.CharField(_("unit type"), max_length=16, choices=OrgUnit.Kind.choices)
    rank = models.ForeignKey(
        Rank,
        verbose_name=_("rank at or above"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("post at or above"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participant rule")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit_kind"], name="mtg_rule_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.unit_kind}: {self.rank or '—'} / {self.post or '—'}"


class Participant(BaseModel):
    """One person (or guest from outside) on the list, with the invitation, the reply and the
    sign-in."""

    class Source(models.TextChoices):
        RULE = "rule", _("By rank")
        NAMED = "named", _("Named representative")
        HONOUREE = "honouree", _("Honouree of the year")
        PRESENTER = "presenter", _("Presenter")
        GUEST = "guest", _("Guest from outside")
        SUBSTITUTE = "substitute", _("Substitute")

    class Role(models.TextChoices):
        ATTEND = "attend", pgettext_lazy("meeting role", "Attending")  # 出席
        OBSERVE = "observe", _("Attending as observer")  # 列席

    class Reply(models.TextChoices):
        PENDING = "pending", _("No reply yet")
        ACCEPTED = "accepted", _("Will attend")
        LEAVE = "leave", _("On leave")

    class Method(models.TextChoices):
        QR = "qr", _("QR code at the door")
        CODE = "code", _("Guest code")
        DESK = "desk", _("At the sign-in desk")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_name = models.CharField(_("name"), max_length=64, blank=True)
    guest_body = models.CharField(_("body"), max_length=128, blank=True)
    guest_title = models.CharField(_("title"), max_length=128, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ATTEND)
    presidium = models.BooleanField(_("on the presidium"), default=False)
    protocol_order = models.PositiveSmallIntegerField(_("protocol order"), null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(
        _("reply"), max_length=16, choices=Reply.choices, default=Reply.PENDING
    )
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    substitute_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="substitute"
    )
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    sign_in_method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    guest_code_digest = models.CharField(max_length=64, blank=True, db_index=True)
    sort_key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="mtg_participant_once",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(guest_name=""),
                name="mtg_participant_person_or_guest",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "unit"], name="mtg_participant_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.person.name if self.person_id and self.person else self.guest_name

    @property
    def is_guest(self) -> bool:
        return self.person_id is None


class Seat(models.Model):
    """A seat of the presidium (主席台) or the hall, with its position counted from the left AS
    SEEN FROM THE HALL; a locked seat keeps its occupant when the hall is arranged again."""

    class Area(models.TextChoices):
        PRESIDIUM = "presidium", _("Presidium")
        HALL = "hall", _("Hall")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    zone = models.CharField(_("zone"), max_length=64, blank=True)
    row = models.PositiveSmallIntegerField(_("row"))
    position = models.PositiveSmallIntegerField(_("position"))
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["meeting", "area", "row", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "area", "row", "position"], name="mtg_seat_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(participant__isnull=False),
                name="mtg_seat_one_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.row}-{self.position}"


class AwardingRound(models.Model):
    """One round of the awarding: a leader presents to a group of honourees, in order."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="awarding_rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("awarding round")
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="mtg_round_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.number}"


class AwardingEntry(models.Model):
    """An honour presented in a round, in standing order (from the presidium's side of honour)."""

    round = models.ForeignKey(AwardingRound, on_delete=models.CASCADE, related_name="entries")
    honour = models.ForeignKey(Honour, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("standing order"))
    presenter = models.ForeignKey(
        Person, verbose_name=_("presented by"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_spot = models.PositiveSmallIntegerField(_("recipient's spot"))
    presenter_spot = models.PositiveSmallIntegerField(_("presenter's spot"))

    class Meta:
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "honour"], name="mtg_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.order}"


class Compilation(models.Model):
    """The materials compilation (材料汇编) frozen at a version: the PDF as it was built."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="compilations")
    version = models.PositiveSmallIntegerField(_("version"))
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    contents = models.JSONField(default=list)
    frozen_at = models.DateTimeField(_("frozen at"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("materials compilation")
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="mtg_compilation_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} v{self.version}"


class Requirement(BaseModel):
    """One of the leader's requirements in the speech (一是…二是…), and what became of it: a key
    point of next year's plan and/or a supervision item, each created from it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="requirements")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("requirement"), max_length=500)
    passage = models.TextField(_("passage of the speech"), blank=True)
    key_point = models.ForeignKey(
        KeyPoint,
        verbose_name=_("key point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_requirements",
    )
    supervision_item = models.ForeignKey(
        SupervisionItem,
        verbose_name=_("supervision item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_requirements",
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="mtg_requirement_once")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"
