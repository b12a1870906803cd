from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.core import demodata
from luoshi.orgs.demo import ACCOUNTS, build_demo
from luoshi.orgs.models import User

APP_ACCOUNTS = [
    ("demo_inspector", "纪检干部（表彰联审）"),
    ("demo_editor", "新闻编辑（信息发布初审）"),
    ("demo_secretary", "秘书长（分管办公室，审核总结）"),
]


class Command(BaseCommand):
    help = "Load the fictional demo agency (once; running it again changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off. Set LUOSHI_DEBUG=1, or pass --force "
                "if this really is a throw-away database."
            )
        result = build_demo()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo agency loaded: {result.units} units, {result.people} people."
                )
            )
        else:
            self.stdout.write("Demo agency already present; nothing changed.")
        for name, run in demodata.steps():
            self.stdout.write(f"{name}: {run()}")
        self.stdout.write("\nDemo accounts (password: %s):" % settings.LUOSHI_DEMO_PASSWORD)
        for username, _role, label in ACCOUNTS:
            self.stdout.write(f"  {username:<16} {label}")
        # accounts the other apps' demo steps add (when those apps are installed)
        present = set(
            User.objects.filter(username__in=[u for u, _l in APP_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        for username, label in APP_ACCOUNTS:
            if username in present:
                self.stdout.write(f"  {username:<16} {label}")
