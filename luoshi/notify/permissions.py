"""Who may do what in the notify app."""

from __future__ import annotations

from typing import Any

from luoshi.core.errors import NotFound
from luoshi.orgs.permissions import has_role
from luoshi.orgs.roles import Role

from .models import Delivery, Notice, WebhookEndpoint


def can_manage_webhooks(user: Any) -> bool:
    """Webhook receivers and the delivery log: the system administrator and supervisors."""
    return has_role(user, Role.SYSTEM_ADMIN, Role.SUPERVISOR)


def access_notice(user: Any, pk: Any) -> Notice:
    """One of the user's own notices; anyone else's answers like a missing one."""
    try:
        return Notice.objects.get(pk=int(pk), recipient_id=user.pk)
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def access_webhook(user: Any, pk: Any) -> WebhookEndpoint:
    if not can_manage_webhooks(user):
        raise NotFound()
    try:
        return WebhookEndpoint.objects.get(pk=int(pk))
    except (WebhookEndpoint.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def access_delivery(user: Any, pk: Any) -> Delivery:
    if not can_manage_webhooks(user):
        raise NotFound()
    try:
        return Delivery.objects.select_related("endpoint").get(pk=int(pk))
    except (Delivery.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
