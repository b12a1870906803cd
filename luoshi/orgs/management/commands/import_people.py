"""`luoshi import_people FILE [--dry-run] [--json]`: import units and people from an xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luoshi.orgs import imports, workbook


class Command(BaseCommand):
    help = (
        "Import units (sheet 单位) and people (sheet 人员) from an xlsx workbook in the layout of "
        "org-people.xlsx, all or nothing. Exits with status 1 and lists every problem when the "
        "file has any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the .xlsx workbook")
        parser.add_argument(
            "--dry-run", action="store_true", help="only check the file; write nothing"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        as_json = options["json"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            result = imports.import_org_people(
                path, actor=None, dry_run=options["dry_run"], file_name=path.name
            )
        except workbook.ImportInvalid as exc:
            if as_json:
                failure: dict[str, Any] = {
                    "code": exc.code,
                    "message": str(exc.message),
                    "details": exc.details,
                }
                self.stdout.write(json.dumps(failure, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(str(exc.message))
                for problem in exc.problems:
                    where = " ".join(
                        part
                        for part in (
                            problem.sheet,
                            str(problem.row) if problem.row is not None else "",
                            problem.column,
                        )
                        if part
                    )
                    self.stdout.write(f"  {where}: {problem.message}" if where else problem.message)
            raise CommandError(str(exc.message), returncode=1) from None
        if as_json:
            payload: dict[str, Any] = {
                "dry_run": result.dry_run,
                "units": result.units,
                "people": result.people,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        elif result.dry_run:
            self.stdout.write(
                f"The file is fine: importing it would create {result.units} units and "
                f"{result.people} people (dry run, nothing written)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Created {result.units} units and {result.people} people.")
            )
