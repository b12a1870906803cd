"""Recording exports: every file of plans or tasks that leaves the system is in the audit log,
with who took it, what was asked for (plan, month, ledger filters) and how many tasks it holds."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from luoshi.core import audit
from luoshi.core.models import AuditEntry

from .exports import ExportFile


@transaction.atomic
def export_record(*, actor: Any, export: ExportFile) -> AuditEntry:
    """Record that `actor` took `export`: a plan's export on the plan (action plan.export),
    the ledger as task_ledger.export."""
    after = {
        "export": export.identifier,
        "file": export.file_name,
        "rows": export.rows,
        **export.params,
    }
    if export.plan is not None:
        return audit.record("plan.export", actor=actor, obj=export.plan, after=after)
    return audit.record(
        "task_ledger.export",
        actor=actor,
        object_type="plans.task_ledger",
        object_repr=export.file_name,
        after=after,
    )
