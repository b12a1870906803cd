from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents: builders of the files that leave the system, the exporter registry and the
    background exports. No models of its own (a background export is a core.ExportJob)."""

    name = "luoshi.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # Imported when called: apps.py is loaded before the app registry is ready.
        from luoshi.core import audit, periodic

        from . import background

        periodic.register("exports.purge", background.purge_expired)
        audit.register_action_labels(
            {
                "export.queue": _("Asked for a large export"),
            }
        )
