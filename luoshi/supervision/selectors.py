"""Reads of supervision items and bulletins, scoped to the viewer, related rows loaded up front."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from luoshi.core.text import fold_query
from luoshi.orgs.models import OrgUnit

from . import rules
from .models import SupervisionItem
from .permissions import items_visible

S = SupervisionItem.Status
CLOSED_OR_IDLE = [S.CLOSED, S.SUSPENDED]


@dataclass
class ItemFilter:
    q: str = ""
    lead_unit: int | None = None
    leader_in_charge: int | None = None
    light: str = ""
    status: str = ""
    kind: str = ""
    urgency: str = ""
    source: str = ""
    overdue: bool = False
    include_closed: bool = False


def item_ledger(
    user: Any, f: ItemFilter, today: dt.date | None = None
) -> QuerySet[SupervisionItem]:
    qs = items_visible(user)
    if f.q:
        qs = qs.filter(search_text__contains=fold_query(f.q))
    if f.lead_unit:
        unit = OrgUnit.objects.filter(pk=f.lead_unit).only("path").first()
        qs = qs.filter(lead_unit__path__startswith=unit.path) if unit else qs.none()
    if f.leader_in_charge:
        qs = qs.filter(leader_in_charge_id=f.leader_in_charge)
    if f.light:
        qs = qs.filter(light=f.light)
    if f.status:
        qs = qs.filter(status=f.status)
    elif not f.include_closed and not f.q:
        qs = qs.exclude(status=S.CLOSED)  # closed items leave the active ledger, stay searchable
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.overdue:
        qs = qs.filter(
            deadline__lt=today or timezone.localdate(), status__in=SupervisionItem.OPEN_STATUSES
        )
    return qs.order_by("-year", "-serial")


def my_items(user: Any) -> QuerySet[SupervisionItem]:
    """Open items of my unit or with me as responsible person."""
    person = getattr(user, "person", None)
    if person is None:
        return SupervisionItem.objects.none()
    return (
        items_visible(user)
        .filter(Q(lead_unit_id=person.unit_id) | Q(responsible_person_id=person.pk))
        .exclude(status__in=CLOSED_OR_IDLE)
        .order_by("deadline", "-serial")
    )


def leader_items(user: Any, person_id: int) -> dict[str, QuerySet[SupervisionItem]]:
    """A leader's view: the items in their charge and the items bearing their instructions."""
    visible = items_visible(user)
    return {
        "in_charge": visible.filter(leader_in_charge_id=person_id).order_by(
            "status", "deadline", "-serial"
        ),
        "instructed": visible.filter(instruction_by_id=person_id).order_by("-year", "-serial"),
    }


@dataclass
class UnitStats:
    unit_id: int
    unit_name: str
    assigned: int
    closed: int
    closed_on_time: int
    overdue: int
    open: int

    @property
    def completion_rate(self) -> float | None:
        return rules.rate(self.closed, self.assigned)

    @property
    def on_time_rate(self) -> float | None:
        return rules.rate(self.closed_on_time, self.closed)


def unit_statistics(
    items: QuerySet[SupervisionItem], today: dt.date | None = None
) -> list[UnitStats]:
    """Per lead unit (the lead unit counts): assigned, closed, closed on time (against the
    original deadline), overdue and open, in one query."""
    day = today or timezone.localdate()
    open_q = Q(status__in=SupervisionItem.OPEN_STATUSES)
    rows = (
        items.exclude(status=S.REGISTERED)
        .values("lead_unit_id", "lead_unit__name", "lead_unit__path")
        .annotate(
            assigned=Count("id"),
            closed=Count("id", filter=Q(status=S.CLOSED)),
            closed_on_time=Count("id", filter=Q(status=S.CLOSED, closed_on_time=True)),
            overdue=Count("id", filter=open_q & Q(deadline__lt=day)),
            open=Count("id", filter=open_q),
        )
        .order_by("lead_unit__path")
    )
    return [
        UnitStats(
            r["lead_unit_id"],
            r["lead_unit__name"],
            r["assigned"],
            r["closed"],
            r["closed_on_time"],
            r["overdue"],
            r["open"],
        )
        for r in rows
    ]
