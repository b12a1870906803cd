"""`luoshi rollup --check | --rebuild`: the dashboards' roll-up tables against the tasks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.plans import rollup


class Command(BaseCommand):
    help = "Check the dashboards' roll-up tables against the tasks (--check) or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--check", action="store_true", help="report drift; exit 1 if any")
        group.add_argument("--rebuild", action="store_true", help="recompute both tables")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            rows = rollup.rebuild()
            self.stdout.write(f"rebuilt: {rows} rows")
            return
        lines = rollup.drift()
        for line in lines:
            self.stdout.write(line)
        if lines:
            raise CommandError(f"{len(lines)} roll-up rows differ from the tasks")
        self.stdout.write("roll-ups match the tasks")
