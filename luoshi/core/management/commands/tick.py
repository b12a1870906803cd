"""`luoshi tick`: the periodic command, safe to run every minute and twice at once.

It ends expired sessions, purges stored uploads abandoned for more than a day, and runs every
step the apps registered in luoshi.core.periodic (status lights, reminders, publicity deadlines);
each step is idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from luoshi.core import periodic, uploads


class Command(BaseCommand):
    help = "Periodic work (idempotent; run from cron or a systemd timer every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Compute as of this date (YYYY-MM-DD), for catching up or tests.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("today") or timezone.localdate()
        expired, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        removed = uploads.purge_older_than(uploads.MAX_AGE)
        self.stdout.write(
            f"tick: {expired} expired sessions ended, {removed} stale uploads removed"
        )
        for step in periodic.steps():
            self.stdout.write(f"tick: {step.name}: {step.run(today)}")
