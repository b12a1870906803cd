from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "luoshi.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from luoshi.core import audit, navigation, periodic

        from . import delivery
        from .navigation import nav_sections

        periodic.register("notify_deliveries", delivery.run_due)
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
