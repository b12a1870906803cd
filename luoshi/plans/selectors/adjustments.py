"""Reads of adjustments: those waiting for the user's decision."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import covers_every_unit

from ..models import (
    AdjustmentRequest,
)
from ..permissions import _lead_in_scope


def adjustments_to_decide(user: Any) -> QuerySet[AdjustmentRequest]:
    """Pending adjustment requests the user may decide (permissions.can_decide_adjustment, as a
    query): on tasks they are leader in charge of, or — for a supervisor — whose lead unit their
    scope covers."""
    scope = scope_for(user)
    person_id = getattr(user, "person_id", None)
    condition = Q(task__leader_in_charge_id=person_id) if person_id is not None else Q(pk__in=[])
    if not scope.is_empty and has_role(user, Role.SUPERVISOR):
        if covers_every_unit(scope):
            condition = Q()  # every task (an empty Q would vanish from an OR)
        else:
            condition |= _lead_in_scope(scope, via="task__")
    return (
        AdjustmentRequest.objects.filter(condition, status=AdjustmentRequest.Status.PENDING)
        .select_related("task", "task__lead_unit", "requested_by")
        .order_by("-id")
    )
