"""Reads of the notify app, scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.core.cache import remember

from .models import Delivery, Notice, WebhookEndpoint


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notice]:
    """The user's own notices, newest first."""
    qs = Notice.objects.filter(recipient=user).select_related("actor__person").order_by("-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_generation(user_id: int) -> str:
    """The cache generation of one user's unread count (luoshi.core.cache): bumped by every
    write to their notices (services `_send`, `notice_mark_read`, `notice_mark_all_read`)."""
    return f"notices:{user_id}"


def unread_count(user: Any) -> int:
    """The user's unread notices, shown on every page: kept in the shared cache until their
    notices change (computed on every request without one: the badge must be exact)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return remember(
        f"unread:{user.pk}",
        (unread_generation(user.pk),),
        lambda: Notice.objects.filter(recipient=user, read_at__isnull=True).count(),
        shared_only=True,
    )


def webhooks() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("org_unit").order_by("name", "id")


def deliveries(
    *, status: str = "", channel: str = "", endpoint_id: int | None = None
) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("endpoint").order_by("-id")
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    if channel in Delivery.Channel.values:
        qs = qs.filter(channel=channel)
    if endpoint_id:
        qs = qs.filter(endpoint_id=endpoint_id)
    return qs
