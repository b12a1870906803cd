from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _notice_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Imported when called: apps.py is loaded before the app registry is ready.
    from luoshi.core import cache

    from .selectors import unread_generation

    cache.bump(unread_generation(instance.recipient_id))


class NotifyConfig(AppConfig):
    name = "luoshi.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, navigation, periodic

        from . import delivery
        from .navigation import nav_sections

        periodic.register("notify_deliveries", delivery.run_due)
        # Imported when called: apps.py is loaded before the app registry is ready.
        from .events import register_events

        register_events({"notify.test": _("Test message")})

        # Imported when called: apps.py is loaded before the app registry is ready.
        from django.db.models.signals import post_delete, post_save

        from .models import Notice

        # The services bump the unread counts they change; a notice saved or deleted any other
        # way (the demo, the admin of a future version) does too.
        post_save.connect(_notice_changed, sender=Notice, dispatch_uid="luoshi-notice-saved")
        post_delete.connect(_notice_changed, sender=Notice, dispatch_uid="luoshi-notice-deleted")
        navigation.register(nav_sections)
        audit.register_action_labels(
            {
                "notify.preference_update": _("Notification preferences changed"),
                "notify.webhook_create": _("Webhook added"),
                "notify.webhook_update": _("Webhook changed"),
                "notify.webhook_delete": _("Webhook deleted"),
                "notify.delivery_retry": _("Delivery retried"),
                "notify.webhook_test": _("Webhook test sent"),
            }
        )
