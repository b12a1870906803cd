"""`luoshi workdays`: working days from the calendar table, for people and scripts.

    luoshi workdays add DATE N [--json]      the date N working days after DATE (N < 0: before)
    luoshi workdays between A B [--json]     the number of working days in (A, B]
    luoshi workdays seed                     add the years chinesecalendar knows and the table lacks

A computation that reaches a year the calendar does not cover still answers (Monday to Friday
there) and prints the warning on stderr; with --json the warning is in the JSON object
("covered": false, "warning": "..."). Exit status 0 either way; a malformed argument exits 1.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.core import calendar, workdays
from luoshi.core.errors import DomainError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"not a whole number: {text!r}") from None


class Command(BaseCommand):
    help = "Working days from the calendar: add N working days to a date, count between dates."
    requires_system_checks: list[str] = []  # a quick answer for scripts; it needs no URL or check

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,between,seed}")
        add = sub.add_parser("add", help="The date N working days after DATE (N may be negative).")
        add.add_argument("date", help="YYYY-MM-DD")
        add.add_argument("n", help="working days; 0 answers DATE, negative counts back")
        add.add_argument("--json", action="store_true", help="Print one JSON object.")
        between = sub.add_parser("between", help="The number of working days in (A, B].")
        between.add_argument("start", help="YYYY-MM-DD (not counted)")
        between.add_argument("end", help="YYYY-MM-DD (counted)")
        between.add_argument("--json", action="store_true", help="Print one JSON object.")
        sub.add_parser("seed", help="Add the years chinesecalendar knows and the table lacks.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seed":
            # The operator of the server acts as the system; each year added is audited.
            added = calendar.calendar_seed_from_package(actor=None, can_edit=True)
            self.stdout.write(
                "added: " + ", ".join(str(y) for y in added) if added else "nothing to add"
            )
            return
        try:
            if action == "add":
                start, n = _date(options["date"]), _int(options["n"])
                answer: workdays.Answer[Any] = workdays.add_working_days(start, n)
                text = answer.value.isoformat()
                extra: dict[str, Any] = {"start": start.isoformat(), "n": n, "date": text}
            else:
                start, end = _date(options["start"]), _date(options["end"])
                answer = workdays.working_days_between(start, end)
                extra = {"start": start.isoformat(), "end": end.isoformat(), "count": answer.value}
                text = str(answer.value)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        if options["json"]:
            self.stdout.write(json.dumps({**extra, **answer.as_dict()}, ensure_ascii=False))
            return
        self.stdout.write(text)
        if answer.warning:
            self.stderr.write(answer.warning)
