"""Models of the notify app: in-app notices, each person's channel choices, webhook receivers and
the delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.core.models import BaseModel

from .events import event_label


class Notice(models.Model):
    """One message in one person's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    event = models.CharField(_("event"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notify_notice_inbox"),
            models.Index(
                fields=["recipient"],
                name="notify_notice_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def family(self) -> str:
        return event_family(self.event)


def event_family(event: str) -> str:
    """`supervision.assigned` → `supervision`."""
    return event.split(".", 1)[0]


class Preference(BaseModel):
    """Which channels one account wants besides the inbox (the inbox is always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    email = models.BooleanField(_("e-mail"), default=True)
    # event families (the part of the event code before the first dot) with e-mail turned off
    email_muted = models.JSONField(_("e-mail turned off for"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, event: str) -> bool:
        return self.email and event_family(event) not in set(self.email_muted or [])


class WebhookEndpoint(BaseModel):
    """A receiver of JSON POSTs: a WeCom or DingTalk group robot, or any generic URL."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")
        GENERIC = "generic", _("Generic JSON")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GENERIC)
    # event codes or families ("supervision" or "supervision.assigned"); empty: every event
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # DingTalk's 加签 secret ("SEC…"): each POST then carries timestamp and sign in its query
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only messages about this unit and the units below it; empty: all."),
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def url_display(self) -> str:
        """The address without its query (robots carry their secret key there)."""
        base, _sep, query = self.url.partition("?")
        return f"{base}?…" if query else base

    def accepts(self, event: str) -> bool:
        wanted = [e for e in (self.events or []) if e]
        return not wanted or event in wanted or event_family(event) in wanted


class Delivery(models.Model):
    """One message to one outside channel (an e-mail for a notice, or a POST to a webhook), with
    its attempts. Rows are claimed by the worker or by `luoshi tick` by moving next_attempt_at."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")  # 待发送
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # what is sent, fixed when the message is created: e-mail address or URL, and the content
    target = models.CharField(_("to"), max_length=500)
    event = models.CharField(_("event"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # when the next attempt is due; null once sent or given up
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notify_delivery_due",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
            models.Index(fields=["-id", "status"], name="notify_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.target}"

    @property
    def event_label(self) -> str:
        return event_label(self.event)

    @property
    def gave_up(self) -> bool:
        return self.status == self.Status.FAILED and self.next_attempt_at is None
