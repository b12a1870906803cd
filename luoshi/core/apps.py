from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "luoshi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules use the models.
        from . import audit

        audit.register_action_labels(
            {
                "audit.view": _("Viewed the audit log"),
                "audit.export": _("Exported the audit log"),
                "calendar.year_add": _("Added a year to the working-day calendar"),
                "calendar.year_covered": _("Marked a calendar year complete or not"),
                "calendar.day_set": _("Changed a day of the working-day calendar"),
                "calendar.import": _("Imported working-day calendar days"),
            }
        )

        # Imported when called: apps.py is loaded before the app registry is ready.
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_renewed

        user_logged_in.connect(mark_session_renewed, dispatch_uid="luoshi-session-renewed")

        # Imported when called: apps.py is loaded before the app registry is ready.
        from django.db.models.signals import post_migrate

        from . import cache

        post_migrate.connect(cache.bump_all, sender=self, dispatch_uid="luoshi-cache-migrate")

        # Imported when called: apps.py is loaded before the app registry is ready. The audit
        # chain's head is copied outside the database by the tick (issue 20).
        from . import periodic

        periodic.register("core.audit_anchor", audit.anchor_write)

        # Imported when called: apps.py is loaded before the app registry is ready.
        from django.core.signals import request_finished, request_started

        request_started.connect(cache.request_started, dispatch_uid="luoshi-cache-request")
        request_finished.connect(cache.request_finished, dispatch_uid="luoshi-cache-request")

        # A database out of reach answers 503 (DatabaseUnavailableMiddleware).
        from django.core.signals import got_request_exception

        from .middleware import note_database_unavailable

        got_request_exception.connect(note_database_unavailable, dispatch_uid="luoshi-db-down")
