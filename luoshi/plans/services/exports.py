"""Recording exports: every file of plans or tasks that leaves the system is in the audit log,
with who took it, what was asked for (plan, month, ledger filters) and how many tasks it holds."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from luoshi.core import audit
from luoshi.core.models import AuditEntry

from ..exports.registry import ExportFile
from ..selectors.reports import OverviewFilter


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


@transaction.atomic
def overview_export_record(*, actor: Any, f: OverviewFilter, rows: int) -> Any:
    """Record that `actor` took the report overview as a file (the audit log lists every export)."""
    return audit.record(
        "report_overview.export",
        actor=actor,
        object_type="plans.report_overview",
        object_repr=str(f.plan or "")[:255],
        after={
            "cadence": f.cadence,
            "plan": f.plan.pk if f.plan else None,
            "unit": f.unit.pk if f.unit else None,
            "periods": [p.isoformat() for p in f.periods],
            "rows": rows,
        },
    )
