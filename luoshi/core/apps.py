from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "luoshi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import audit, navigation

        audit.register_action_labels(
            {"audit.view": _("Viewed the audit log"), "audit.export": _("Exported the audit log")}
        )
        navigation.register(navigation.core_sections)
