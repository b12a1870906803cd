"""`luoshi tick`: the periodic housekeeping command, safe to run every minute and twice at once.

Today it ends expired sessions and purges stored uploads (import files waiting between preview
and commit) abandoned for more than a day. Later modules add their time-driven work here (lights,
reminders, publicity deadlines); each step must stay idempotent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.utils import timezone

from luoshi.core import uploads


class Command(BaseCommand):
    help = "Periodic housekeeping (idempotent; run from cron or a systemd timer every few minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        removed = uploads.purge_older_than(uploads.MAX_AGE)
        self.stdout.write(
            f"tick: {expired} expired sessions ended, {removed} stale uploads removed"
        )
