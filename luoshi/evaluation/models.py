"""Democratic evaluation (民主测评): campaigns, their grade scale, candidates, voters and ballots.

Anonymity is a property of the schema, not of good behaviour:
- `Ballot` and `BallotMark` hold no reference to a voter, no timestamp and no sequential id
  (random UUID keys); they are rewritten in random order once the campaign closes ("sealing",
  a background task started by the close), so that not even the physical row order or the
  inserting transaction of a ballot survives (services.campaign_close, sealing.campaign_seal).
- `Voter` records only *whether* the person has voted: no time, no link to a ballot, and no
  `updated_at` (a modification time would give the order of voting).
- Credentials (the link token and the printed code) are stored only as keyed hashes.
- A campaign's ballot mode is chosen when it is created: *identified ballots* (a link for each
  voter on the list, who signs in: the system knows who voted, not how) or *anonymous slips*
  (codes assigned to nobody, counted per rater category, printed as slips drawn at random at the
  meeting: the system does not know who holds a code). A slip is a `Voter` row with no person,
  only its rater category; no page, file or entry ever puts a name beside a code.
- Failed attempts at printed codes (`CodeFailure`, for the limit on guessing) keep only a keyed
  hash of the client's address and the time: no code, no campaign, no voter, no ballot.

A campaign stands alone (the annual appraisal links to it, not the other way round).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.core.models import BaseModel
from luoshi.orgs.models import OrgUnit, Person

from .rules import builtin_grade_label


class Campaign(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Open for voting")
        # voting has stopped; the ballots are being rewritten anonymously (sealing.campaign_seal)
        SEALING = "sealing", _("Closed, sealing the ballots")
        CLOSED = "closed", _("Closed")

    class BallotMode(models.TextChoices):
        IDENTIFIED = "identified", _("Identified ballots (a link for each signed-in voter)")
        SLIPS = "slips", _("Anonymous slips (codes drawn at random at the meeting)")

    class Family(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("Civil servants and staff managed like them")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution staff")

    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="evaluation_campaigns",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=64, blank=True)
    family = models.CharField(
        _("grade scale"), max_length=32, choices=Family.choices, default=Family.CIVIL_SERVANT
    )
    min_ballots = models.PositiveSmallIntegerField(_("minimum number of ballots"))
    # Chosen explicitly when a campaign is created (the form preselects nothing and the service
    # and the API require it). The column's default is the safer mode: a row written without a
    # choice (a fixture, a shell) gets slips, which never put a name beside a credential.
    ballot_mode = models.CharField(
        _("ballot mode"), max_length=16, choices=BallotMode.choices, default=BallotMode.SLIPS
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sealed_at = models.DateTimeField(_("ballots sealed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        indexes = [models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def uses_slips(self) -> bool:
        return self.ballot_mode == self.BallotMode.SLIPS

    @property
    def is_identified(self) -> bool:
        return self.ballot_mode == self.BallotMode.IDENTIFIED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_sealing(self) -> bool:
        """Closed (nobody can vote) but the ballots not yet rewritten: no results yet."""
        return self.status == self.Status.SEALING

    @property
    def is_closed(self) -> bool:
        """Closed and sealed: the results can be read."""
        return self.status == self.Status.CLOSED


class GradeOption(models.Model):
    """One grade of a campaign's scale, with the points it counts for (None: not counted)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="grades")
    code = models.CharField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=32, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("grade option")
        verbose_name_plural = _("grade options")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="evaluation_grade_code")
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def counted(self) -> bool:
        return self.points is not None

    @property
    def display_label(self) -> str:

        return self.label or builtin_grade_label(self.code)


class Candidate(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="evaluation_candidate_once")
        ]

    def __str__(self) -> str:
        return str(self.person)


class RaterCategory(models.Model):
    """A group of raters of an anonymous-slips campaign (e.g. 班子成员, 中层干部, 一般干部): how
    many slips it gets and the weight of its ballots in a candidate's score (per cent; the
    categories of a campaign add up to 100)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="rater_categories"
    )
    name = models.CharField(_("rater category"), max_length=64)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    slips = models.PositiveIntegerField(_("number of slips"))
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("rater category")
        verbose_name_plural = _("rater categories")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="evaluation_category_once")
        ]

    def __str__(self) -> str:
        return self.name


class Voter(models.Model):
    """A credential of the campaign. `has_voted` is all that is known of its vote.

    Identified ballots: one row per person on the voter list (`person` set, no category).
    Anonymous slips: one row per slip (`person` empty, `category` set): nobody's.
    The credential hashes are keyed (HMAC with the secret key) so that a copy of the database
    alone does not let anyone vote. No time is kept, and the row never points at a ballot.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="voters")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        RaterCategory,
        verbose_name=_("rater category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="slip_rows",
    )
    has_voted = models.BooleanField(_("has voted"), default=False)
    token_salt = models.CharField(max_length=32, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    code_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="evaluation_voter_once")
        ]

    def __str__(self) -> str:
        return str(self.person) if self.person_id else str(_("slip"))


class Ballot(models.Model):
    """One cast ballot: no voter, no time, a random key. A slip's ballot keeps the slip's rater
    category (for the weighted score) — what the slip said, which names nobody."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    category = models.ForeignKey(
        RaterCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return str(self.id)


class PendingBallot(models.Model):
    """A cast ballot waiting in the durable buffer (services.ballot_cast): its marks as
    [candidate id, grade id or null] pairs, encrypted (AES-256-GCM under settings.LUOSHI_BALLOT_KEY,
    a fresh nonce per ballot, the row's key, campaign and category authenticated with it:
    sealing.seal_marks), a random key, no voter and no time. Decrypted only when the shuffled
    batch moves it into `Ballot`; a row that does not decrypt (tampered with, or another key)
    is marked `refused` there, audited and kept for the administrator, never dropped.

    The voter's "has voted" and this row are written in separate transactions; rows are moved
    into `Ballot` in shuffled batches of settings.LUOSHI_BALLOT_BATCH (and all at sealing), in one
    transaction each, and deleted (then the table vacuumed on PostgreSQL), so that no ballot row
    shares an inserting transaction, a neighbour or an order with a voter's row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        RaterCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.TextField(default="", editable=False)
    refused = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("buffered ballot")
        verbose_name_plural = _("buffered ballots")

    def __str__(self) -> str:
        return str(self.id)


class BallotMark(models.Model):
    """The grade one ballot gives one candidate; no grade (null) is the "self — not rated" mark
    of a voter who is a candidate, so that every ballot of a campaign carries the same set of
    marks and the missing one does not tell whose ballot it is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # no index of its own: the unique (ballot, candidate) index serves lookups by ballot, and
    # closing, which rewrites every mark, has one index fewer to write
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="marks", db_index=False
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="marks")
    grade = models.ForeignKey(
        GradeOption, null=True, blank=True, on_delete=models.PROTECT, related_name="marks"
    )

    class Meta:
        verbose_name = _("ballot mark")
        verbose_name_plural = _("ballot marks")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "candidate"], name="evaluation_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.grade_id}"


class CodeFailure(models.Model):
    """One failed attempt at a printed ballot code, counted against the client's address.

    Only a keyed hash (HMAC with the secret key) of the address is kept, with the time: never the
    code, the campaign, a voter or a ballot, so a row links to nobody's vote. Written in its own
    transaction (see services.voter_for_code) so that it holds across processes and hosts;
    rows older than the window are purged by `luoshi tick`.
    """

    client = models.CharField(max_length=64, editable=False)
    at = models.DateTimeField(editable=False)

    class Meta:
        verbose_name = _("failed ballot code attempt")
        verbose_name_plural = _("failed ballot code attempts")
        indexes = [models.Index(fields=["client", "at"], name="evaluation_codefail_client")]

    def __str__(self) -> str:
        return f"{self.client[:8]}… {self.at:%Y-%m-%d %H:%M}"
