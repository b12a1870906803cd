"""Core's writes: the audit log records its own readings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import audit
from .models import AuditEntry


@transaction.atomic
def audit_log_viewed(
    *,
    actor: Any,
    filters: dict[str, Any],
    exported: bool = False,
    rows: int | None = None,
    page: int | None = None,
    via: str = "",
) -> AuditEntry:
    """Record that `actor` read the audit log ("audit.view") or exported it ("audit.export"),
    with the filters in effect and, where known, the page shown, the rows written and the
    surface used ("api"; the pages leave it out)."""
    after: dict[str, Any] = {"filters": filters}
    if page is not None:
        after["page"] = page
    if rows is not None:
        after["rows"] = rows
    if via:
        after["via"] = via
    return audit.record(
        "audit.export" if exported else "audit.view",
        actor=actor,
        object_type=AuditEntry._meta.label_lower,
        after=after,
    )
