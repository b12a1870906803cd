"""Supervision's part of the home page: the user's open items (a card) and what waits for them
(rows of core.home's "waiting for you"). Registered from SupervisionConfig.ready()."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from luoshi.core.home import HomeCard, Todo
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role

from .models import ExtensionRequest, Feedback, SupervisionItem
from .permissions import items_visible
from .selectors import CLOSED_OR_IDLE, my_items

S = SupervisionItem.Status
LEADER_ROLES = (Role.AGENCY_LEADER, Role.LEADER_IN_CHARGE)


_CARD = ("total", "red", "yellow")


def _card_counts(person: Any) -> dict[str, Count]:
    """The card's figures as aggregates over the visible items (selectors.my_items)."""
    mine = (Q(lead_unit_id=person.unit_id) | Q(responsible_person_id=person.pk)) & ~Q(
        status__in=CLOSED_OR_IDLE
    )
    return {
        "total": Count("id", filter=mine),
        "red": Count("id", filter=mine & Q(light=SupervisionItem.Light.RED)),
        "yellow": Count("id", filter=mine & Q(light=SupervisionItem.Light.YELLOW)),
    }


def home_card(user: Any) -> HomeCard | None:
    """The open items of the user's unit or with the user responsible, and how many of them are
    red or yellow (no query when home_todos counted them for this request, else one); none for
    those who have none."""
    counts = getattr(user, "_luoshi_supervision_card", None)
    if counts is None:
        counts = (
            my_items(user)
            .order_by()
            .aggregate(
                total=Count("id"),
                red=Count("id", filter=Q(light=SupervisionItem.Light.RED)),
                yellow=Count("id", filter=Q(light=SupervisionItem.Light.YELLOW)),
            )
        )
    if not counts["total"]:
        return None
    return HomeCard("supervision/home_card.html", counts, order=20)


def _office_q(user: Any, via: str = "") -> Q | None:
    """Items whose lead unit the user's office scope covers (permissions.is_office_for, as a
    filter); None for a user who is not of the office."""
    if not has_role(user, Role.SUPERVISOR):
        return None
    return scope_for(user).q(unit=f"{via}lead_unit") or Q()


def _approver_q(user: Any) -> Q:
    """Items whose close-out the user approves (permissions.is_leader_in_charge, as a filter)."""
    person_id = getattr(user, "person_id", None)
    condition = Q(leader_in_charge_id=person_id) if person_id is not None else Q(pk__in=[])
    if has_role(user, Role.AGENCY_LEADER):
        covered = scope_for(user).q(unit="lead_unit") or Q()
        condition |= Q(leader_in_charge__isnull=True) & covered
    return condition


def home_todos(user: Any) -> list[Todo]:
    """What the supervision items hold for the user to do now, each asked only of those whose
    role makes it theirs: close-outs to approve and red items in their charge (leaders), items
    to assign and feedback to review (the office), extension requests to decide (the office and
    the leaders in charge), items to accept (the lead unit). At most three statements: the
    counts of items in one aggregate, the feedback and the extension requests."""
    if scope_for(user).is_empty:
        return []
    visible = items_visible(user).select_related(None).order_by()
    mine = reverse("supervision:my_items")
    person = getattr(user, "person", None)
    leader = has_role(user, *LEADER_ROLES)
    office = _office_q(user)
    counts: dict[str, Any] = {}
    if leader:
        counts["approve"] = Count("pk", filter=_approver_q(user) & Q(status=S.REVIEWED))
        counts["red"] = Count(
            "pk",
            filter=Q(status__in=SupervisionItem.OPEN_STATUSES, light=SupervisionItem.Light.RED),
        )
    if office is not None:
        counts["assign"] = Count("pk", filter=office & Q(status=S.REGISTERED))
    if person is not None:
        counts["accept"] = Count(
            "pk",
            filter=(Q(lead_unit_id=person.unit_id) | Q(responsible_person_id=person.pk))
            & Q(status=S.ASSIGNED),
        )
    if person is not None:  # the card's figures in the same statement (home_card reads them)
        counts.update({f"card_{k}": v for k, v in _card_counts(person).items()})
    n = visible.aggregate(**counts) if counts else {}
    if person is not None:
        user._luoshi_supervision_card = {k: n[f"card_{k}"] for k in _CARD}
    rows: list[Todo] = []
    if leader:
        rows.append(
            Todo(
                "supervision.approve",
                _("Supervision close-outs awaiting your approval"),
                n["approve"],
                mine,
                15,
            )
        )
        ledger = reverse("supervision:ledger") + "?" + urlencode({"light": "red"})
        label = _("Red supervision items in your charge")
        rows.append(Todo("supervision.red", label, n["red"], ledger, 45, urgent=True))
    if office is not None:
        rows.append(
            Todo("supervision.assign", _("Supervision items to assign"), n["assign"], mine, 25)
        )
        pending = visible.filter(
            office,
            status__in=[S.ACCEPTED, S.FINAL_SUBMITTED],
            feedback__review=Feedback.Review.PENDING,
        )
        rows.append(
            Todo(
                "supervision.review",
                _("Supervision feedback to review"),
                pending.values("pk").distinct().count(),
                mine,
                26,
            )
        )
    if leader or office is not None:
        decides = Q(item__leader_in_charge_id=getattr(user, "person_id", None) or 0)
        if office is not None:
            decides |= _office_q(user, via="item__") or Q()
        extensions = ExtensionRequest.objects.filter(
            decides, status=ExtensionRequest.Status.PENDING, item__in=visible.values("pk")
        ).count()
        rows.append(
            Todo("supervision.extend", _("Extension requests to decide"), extensions, mine, 27)
        )
    if person is not None:
        label = _("Supervision items to accept")
        rows.append(Todo("supervision.accept", label, n["accept"], mine, 35))
    return rows
