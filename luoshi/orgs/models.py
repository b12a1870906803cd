from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.core import secretbox
from luoshi.core.models import BaseModel

from . import listnames
from .roles import Role, ScopeKind


class ListItem(BaseModel):
    """An entry of an editable list (posts, ranks, staff categories, political statuses)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    sort_order = models.IntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        """The name in the viewer's language and script (the stored `name` stays Simplified)."""
        return listnames.display(self.name)


class Post(ListItem):
    is_leadership = models.BooleanField(_("leadership post"), default=False)

    class Meta(ListItem.Meta):
        verbose_name = _("post")
        verbose_name_plural = _("posts")


class Rank(ListItem):
    class Meta(ListItem.Meta):
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")


class StaffCategory(ListItem):
    class Family(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("Civil servants and staff managed like them")
        PUBLIC_INSTITUTION = "public_institution", _("Public institution staff")
        OTHER = "other", _("Other")

    appraisal_family = models.CharField(
        _("appraisal rules"), max_length=32, choices=Family.choices, default=Family.OTHER
    )

    class Meta(ListItem.Meta):
        verbose_name = _("staff category")
        verbose_name_plural = _("staff categories")


class PoliticalStatus(ListItem):
    class Meta(ListItem.Meta):
        verbose_name = _("political status")
        verbose_name_plural = _("political statuses")


class OrgUnit(BaseModel):
    """A node of the organization tree, kept with a materialised path for subtree queries."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        DEPARTMENT = "department", _("Department")
        AFFILIATED = "affiliated", _("Affiliated unit")
        LOCAL = "local", _("Local federation")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        MUNICIPAL = "municipal", _("Municipal")
        COUNTY = "county", _("County")

    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("unit type"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    sort_order = models.IntegerField(_("display order"), default=0)
    path = models.CharField(max_length=900, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=400, default="", editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        indexes = [
            models.Index(fields=["parent", "sort_order"]),
            models.Index(fields=["depth", "sort_order", "id"], name="orgunit_top_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class OrgUnitChange(models.Model):
    """History of renames and moves, shown on the unit's page."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Renamed")
        MOVE = "move", _("Moved")

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old_value = models.CharField(max_length=255)
    new_value = models.CharField(max_length=255)
    effective_date = models.DateField(_("effective date"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("org unit change")
        verbose_name_plural = _("org unit changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.old_value} → {self.new_value}"


class Person(BaseModel):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_month = models.DateField(_("birth month"), null=True, blank=True)
    political_status = models.ForeignKey(
        PoliticalStatus,
        verbose_name=_("political status"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.PROTECT
    )
    rank = models.ForeignKey(
        Rank, verbose_name=_("rank"), null=True, blank=True, on_delete=models.PROTECT
    )
    staff_category = models.ForeignKey(
        StaffCategory,
        verbose_name=_("staff category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    work_start = models.DateField(_("work start"), null=True, blank=True)
    post_since = models.DateField(_("current post since"), null=True, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=255, default="", editable=False)
    # The people list's order (unit path, then the post's display order) in one column, kept
    # up to date by the write paths (luoshi.orgs.services: person writes, unit moves, post
    # order changes), so that an index serves the order and the page without a join.
    sort_key = models.CharField(max_length=912, default="", editable=False)

    class Meta:
        ordering = ["unit__path", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["sort_key", "id"], name="person_sort_key_idx"),
            # the count of the active people (the list's default) by an index-only scan
            models.Index(fields=["id"], condition=Q(is_active=True), name="person_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class LeaderAssignment(BaseModel):
    """One row of the leader-in-charge matrix: a leader is in charge of a unit for a period."""

    leader = models.ForeignKey(
        Person,
        verbose_name=_("leader in charge"),
        on_delete=models.PROTECT,
        related_name="charge_assignments",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="leader_assignments"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["unit__path", "start_date"]
        verbose_name = _("leader-in-charge assignment")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="leader_assignment_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class User(AbstractUser):
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.person.name if self.person_id and self.person else self.username


class RoleAssignment(BaseModel):
    """A role held by an account, with the data scope it grants.

    `anchor` is the unit the scope is measured from (own unit or subtree); when empty it is the
    person's own unit.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope = models.CharField(_("data scope"), max_length=16, choices=ScopeKind.choices)
    anchor = models.ForeignKey(
        OrgUnit, verbose_name=_("scope unit"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("role assignment")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def token_default_expiry() -> Any:
    """When a token made now ends by default (settings.LUOSHI_TOKEN_DAYS, 90 days)."""
    return timezone.now() + dt.timedelta(days=settings.LUOSHI_TOKEN_DAYS)


class ApiToken(models.Model):
    """A personal access token; only its SHA-256 is stored.

    Every token ends: at `expires_at` (90 days by default, at most a year), when it is revoked,
    and when its account's password changes or is reset — `password_fingerprint` is a keyed
    digest of the password hash the account had when the token was made (as Django binds a
    session to it), so a token made under another password no longer matches.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=token_default_expiry)
    password_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """Failed log-ins under a name that matches no account.

    Unknown names are locked out exactly like real accounts, so the answers to a guesser do not
    tell which names exist. Only a digest of the name is kept.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")

    def __str__(self) -> str:
        return f"{self.key[:8]}… ({self.failures})"


class AddressThrottle(models.Model):
    """Failed log-ins from one client address, across every name (services.account_authenticate).

    Only a keyed digest of the address is kept. Above the threshold within the window, each
    further failure makes the address wait a little longer (doubling, capped at a short maximum):
    the address is slowed, never locked out, so that an office behind one NAT address can still
    sign in while somebody there guesses. The administrator sees the slowing in the audit log
    (`auth.address_throttled`).
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    delayed_until = models.DateTimeField(null=True, blank=True)
    # what the administrator is shown: the address as the audit log keeps it
    address = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("address throttle")
        verbose_name_plural = _("address throttles")

    def __str__(self) -> str:
        return f"{self.address or self.key[:8]} ({self.failures})"


class TwoFactorDevice(models.Model):
    """An account's authenticator app: a TOTP secret (RFC 6238, luoshi.orgs.twofactor).

    Made unconfirmed when the owner starts enrolment and confirmed by a first code from the app;
    only a confirmed device asks for a code at sign-in. `last_counter` is the time step of the
    last code accepted: a code of that step or an earlier one is refused, so a code seen over a
    shoulder or in a proxy log cannot be used again within its window. The secret is kept as
    TOTP needs it (the server computes the expected codes), but encrypted (`sealed_secret`,
    AES-256-GCM under settings.LUOSHI_TWO_FACTOR_KEY, bound to the account: luoshi.core.
    secretbox), so that a copy of the database alone yields no code; `secret` reads and writes
    it in clear. It alone does not sign anyone in.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    sealed_secret = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'pending'})"

    @property
    def secret(self) -> str:
        """The TOTP secret (base32) in clear; secretbox.Unreadable when it does not open."""
        return secretbox.unseal(
            self.sealed_secret, key=settings.LUOSHI_TWO_FACTOR_KEY, **_totp_box(self.user_id)
        ).decode()

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = secretbox.seal(
            value.encode(), key=settings.LUOSHI_TWO_FACTOR_KEY, **_totp_box(self.user_id)
        )


def _totp_box(user_id: int) -> dict[str, Any]:
    # the secret is bound to its account: copied onto another account's device it does not open
    return {"purpose": "luoshi-totp", "associated": f"luoshi-totp:{user_id}".encode()}


class RecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator app (shown once, kept as a keyed
    digest only; `used_at` set when it is used)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"
