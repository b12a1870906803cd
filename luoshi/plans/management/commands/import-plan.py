"""`luoshi import-plan FILE --org CODE --year YEAR [--dry-run] [--json]`.

Reads a work plan written as a numbered outline (docx), resolves its units against the agency
with that code, and writes it into the agency's plan for the year (created as a draft when
missing). Prints {"key_points": n, "tasks": n, "unresolved": [...]}; exits 1 when the plan
cannot be imported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.core.errors import DomainError
from luoshi.documents.outline import parse_docx
from luoshi.orgs.models import OrgUnit
from luoshi.plans.models import WorkPlan
from luoshi.plans.services.imports import (
    ImportResult,
    find_or_create_plan,
    import_outline,
    unit_resolver,
)


class Command(BaseCommand):
    help = "Import a work plan's outline from a Word (.docx) file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="The agency's code")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = OrgUnit.objects.filter(code=options["org"]).first()
        if agency is None:
            raise CommandError(f"No unit has the code {options['org']!r}.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from None
        year = options["year"]
        try:
            parsed = parse_docx(data, resolve=unit_resolver(agency), year=year)
            plan = WorkPlan.objects.filter(agency=agency, year=year).first()
            if options["dry_run"]:
                result = ImportResult(
                    len(parsed.key_points),
                    parsed.task_count,
                    [u.as_dict() for u in parsed.unresolved()],
                )
            else:
                plan = plan or find_or_create_plan(
                    actor=None,
                    agency=agency,
                    year=year,
                    title=parsed.title or f"{agency.name}{year}年工作要点",
                )
                result = import_outline(actor=None, plan=plan, parsed=parsed)
        except DomainError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(exc.as_dict(), ensure_ascii=False))
            raise CommandError(str(exc.message)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"{result.key_points} key points, {result.tasks} tasks"
                + (" (dry run, nothing written)" if options["dry_run"] else " imported")
            )
            for item in result.unresolved:
                self.stdout.write(f"  {item['code']} {item['field']}: {item['message']}")
