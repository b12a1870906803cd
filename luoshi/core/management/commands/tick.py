"""`luoshi tick`: the periodic housekeeping command, safe to run every minute and twice at once.

Today it ends expired sessions and removes import uploads abandoned for more than a day. Later
modules add their time-driven work here (lights, reminders, publicity deadlines); each step must
stay idempotent.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.utils import timezone

UPLOAD_MAX_AGE_SECONDS = 24 * 3600


class Command(BaseCommand):
    help = "Periodic housekeeping (idempotent; run from cron or a systemd timer every few minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        removed = 0
        uploads = settings.VAR_DIR / "uploads"
        if uploads.is_dir():
            cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
            for path in uploads.iterdir():
                try:
                    if path.is_file() and path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:  # another tick got there first
                    continue
        self.stdout.write(
            f"tick: {expired} expired sessions ended, {removed} stale uploads removed"
        )
