"""`luoshi verify-audit`: walk the audit log's keyed hash chain and name the first broken entry.

Besides each entry's hash and link it checks that ids run on without gaps and that the chain
still holds the head the latest anchor recorded (`luoshi tick` writes anchors outside the
database): deleted last entries ("truncated") and rewrites are reported (luoshi.core.audit).

Exit status 0 and "OK: N entries" when every entry holds; exit status 1 and the id of the first
entry that does not, with the reason, otherwise. `--json` prints one JSON object instead, for
monitoring. The walk streams the log in batches: constant memory whatever its size.

(The file name has a hyphen so that the command is literally `verify-audit`; Django finds
commands by file name and imports them with importlib, which accepts it.)
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luoshi.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; name the first broken entry (exit status 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Entries read per query (default 1000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(batch_size=max(1, options["batch_size"]))
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "first_broken_id": report.first_broken_id,
                        "reason": report.reason or None,
                        "previous_id": report.previous_id,
                        "last_hash": report.last_hash,
                        "legacy": report.legacy,
                        "anchor_id": report.anchor_id,
                        "anchor_at": report.anchor_at or None,
                        "message": report.describe(),
                    }
                )
            )
        elif report.ok:
            self.stdout.write(report.describe())
        else:
            self.stderr.write(report.describe())
        if not report.ok:
            raise SystemExit(1)
