"""`luoshi import-plan FILE --org CODE --year YEAR [--dry-run] [--json] [--confirm-mismatch]`.

Reads a work plan written as a numbered outline (docx), resolves its units against the agency
with that code, and writes it into the agency's plan for the year (created as a draft when
missing). Prints {"key_points": n, "tasks": n, "unresolved": [...]}; exits 1 when the plan
cannot be imported — also when the document's heading names another agency or year, unless
--confirm-mismatch is given. A plan for a past year is imported as an archive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from luoshi.core import audit
from luoshi.core.errors import DomainError
from luoshi.documents.outline import parse_docx
from luoshi.orgs.models import OrgUnit
from luoshi.plans.models import WorkPlan
from luoshi.plans.services.imports import (
    ImportResult,
    check_fit,
    find_or_create_plan,
    fit_problems,
    import_outline,
    unit_resolver,
)
from luoshi.plans.services.plans import mark_archive


class Command(BaseCommand):
    help = "Import a work plan's outline from a Word (.docx) file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="The agency's code")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON")
        parser.add_argument(
            "--confirm-mismatch",
            action="store_true",
            help="Import even though the heading names another agency or year",
        )

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
            mismatches = fit_problems(plan or WorkPlan(agency=agency, year=year), parsed.title)
            for mismatch in mismatches:
                self.stderr.write(mismatch["message"])
            if options["dry_run"]:
                result = ImportResult(
                    len(parsed.key_points),
                    parsed.task_count,
                    [u.as_dict() for u in parsed.unresolved()],
                )
            else:
                check_fit(mismatches, confirmed=options["confirm_mismatch"])
                with transaction.atomic():
                    plan = plan or find_or_create_plan(
                        actor=None,
                        agency=agency,
                        year=year,
                        title=parsed.title or f"{agency.name}{year}年工作要点",
                    )
                    result = import_outline(actor=None, plan=plan, parsed=parsed)
                    mark_archive(plan, timezone.localdate())
                    if mismatches:
                        audit.record(
                            "plan.import_mismatch_confirmed",
                            actor=None,
                            obj=plan,
                            after={"mismatches": mismatches, "file": str(options["file"])},
                        )
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
