"""Reads of the close-out: the tasks waiting for the user's verification."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import covers_every_unit

from ..models import (
    Task,
)
from ..permissions import _lead_in_scope
from .ledger import LEDGER_ORDER


def tasks_to_verify(user: Any) -> QuerySet[Task]:
    """The tasks whose lead unit asked for close-out and the user may verify — a supervisor
    whose scope covers the lead unit (permissions.can_verify, as a query) — in plan order."""
    scope = scope_for(user)
    if scope.is_empty or not has_role(user, Role.SUPERVISOR):
        return Task.objects.none()
    qs = Task.objects.filter(status=Task.Status.COMPLETION_REQUESTED)
    if not covers_every_unit(scope):
        qs = qs.filter(_lead_in_scope(scope))
    return qs.select_related("lead_unit").order_by(*LEDGER_ORDER)
