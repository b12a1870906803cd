"""Who may see and do what with supervision items.

Items are visible through the viewer's data scope on their lead or cooperating units, and to
their responsible person, their leader in charge and the leader whose instruction opened them.
The office (supervisors whose scope covers the lead unit) registers, assigns, reviews and
decides extensions; the lead unit accepts, feeds back and asks for extensions; the leader in
charge approves the close-out. `items_visible` and `bulletins_visible` are what a viewer may see,
as querysets (luoshi.supervision.selectors builds its reads on them); `access_*` getters raise
NotFound for missing and forbidden alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import organization_of

from .models import Bulletin, Feedback, SupervisionItem

S = SupervisionItem.Status


def _person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None)


def _unit_id(user: Any) -> int | None:
    person = getattr(user, "person", None)
    return person.unit_id if person is not None else None


def can_register(user: Any) -> bool:
    """The office's supervisors register items and compile bulletins."""
    return has_role(user, Role.SUPERVISOR)


def is_office_for(user: Any, item: SupervisionItem) -> bool:
    return has_role(user, Role.SUPERVISOR) and scope_for(user).covers_unit(
        item.lead_unit_id, item.lead_unit.path
    )


def is_lead_member(user: Any, item: SupervisionItem) -> bool:
    """The user works in the item's lead unit or is its responsible person."""
    pid = _person_id(user)
    return _unit_id(user) == item.lead_unit_id or (
        pid is not None and pid == item.responsible_person_id
    )


def is_leader_in_charge(user: Any, item: SupervisionItem) -> bool:
    pid = _person_id(user)
    if item.leader_in_charge_id is not None:
        return pid is not None and pid == item.leader_in_charge_id
    # no leader in charge named: an agency leader whose scope covers the lead unit approves
    return has_role(user, Role.AGENCY_LEADER) and scope_for(user).covers_unit(
        item.lead_unit_id, item.lead_unit.path
    )


def can_edit(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.REGISTERED and is_office_for(user, item)


def can_assign(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.REGISTERED and is_office_for(user, item)


def can_accept(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.ASSIGNED and is_lead_member(user, item)


def can_feedback(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.ACCEPTED and is_lead_member(user, item)


def can_review(user: Any, item: SupervisionItem) -> bool:
    return item.status in (S.ACCEPTED, S.FINAL_SUBMITTED) and is_office_for(user, item)


def can_review_feedback(user: Any, feedback: Feedback) -> bool:
    return (
        feedback.review == Feedback.Review.PENDING
        and feedback.item.status in (S.ACCEPTED, S.FINAL_SUBMITTED)
        and is_office_for(user, feedback.item)
    )


def can_request_extension(user: Any, item: SupervisionItem, today: dt.date) -> bool:
    return (
        item.status in (S.ASSIGNED, S.ACCEPTED)
        and item.deadline is not None
        and today <= item.deadline
        and is_lead_member(user, item)
    )


def can_decide_extension(user: Any, item: SupervisionItem) -> bool:
    return is_office_for(user, item) or (
        item.leader_in_charge_id is not None and is_leader_in_charge(user, item)
    )


def can_close_out(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.REVIEWED and is_leader_in_charge(user, item)


def can_suspend(user: Any, item: SupervisionItem) -> bool:
    return item.status in SupervisionItem.OPEN_STATUSES and is_office_for(user, item)


def can_resume(user: Any, item: SupervisionItem) -> bool:
    return item.status == S.SUSPENDED and is_office_for(user, item)


def can_manage_bulletins(user: Any) -> bool:
    return has_role(user, Role.SUPERVISOR)


def uses_leader_view(user: Any) -> bool:
    """Who the leader's view is for: the leaders and the office that follows up for them. Anyone
    with a data scope may still open it; the navigation offers it to these (issue 15 finding
    12: staff were offered an empty 领导视图)."""
    return has_role(user, Role.AGENCY_LEADER, Role.LEADER_IN_CHARGE, Role.SUPERVISOR)


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def items_visible(user: Any) -> QuerySet[SupervisionItem]:
    """Items whose lead or a cooperating unit is in the viewer's scope, or that name the viewer
    as responsible person, leader in charge or the leader who gave the instruction."""
    scope = scope_for(user)
    qs = SupervisionItem.objects.select_related(
        "agency", "lead_unit", "leader_in_charge", "responsible_person", "instruction_by", "task"
    )
    if scope.everything:
        return qs
    if scope.is_empty:
        return qs.none()
    condition = scope.q(unit="lead_unit") or Q(pk__in=[])
    cooperating = SupervisionItem.cooperating_units.through.objects.filter(
        supervisionitem_id=OuterRef("pk")
    )
    coop_scope = scope.q(unit="orgunit")
    if coop_scope is not None:
        condition |= Q(Exists(cooperating.filter(coop_scope)))
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        condition |= (
            Q(responsible_person_id=person_id)
            | Q(leader_in_charge_id=person_id)
            | Q(instruction_by_id=person_id)
        )
    return qs.filter(condition)


def bulletins_visible(user: Any) -> QuerySet[Bulletin]:
    """Published bulletins of the viewer's own organization and of agencies their scope covers;
    drafts only for the office."""
    scope = scope_for(user)
    qs = Bulletin.objects.select_related("agency")
    person = getattr(user, "person", None)
    if not scope.everything:
        condition = Q(pk__in=[])
        if not scope.is_empty:
            condition |= scope.q(unit="agency") or Q()
        if person is not None:
            condition |= Q(agency=organization_of(person.unit))
        qs = qs.filter(condition)
    if not can_manage_bulletins(user):
        qs = qs.filter(status=Bulletin.Status.PUBLISHED)
    return qs


def access_item(user: Any, pk: Any) -> SupervisionItem:
    try:
        return items_visible(user).get(pk=int(pk))
    except (SupervisionItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_feedback(user: Any, item: SupervisionItem, pk: Any) -> Feedback:
    try:
        return item.feedback.select_related("item", "item__lead_unit").get(pk=int(pk))
    except (Feedback.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_bulletin(user: Any, pk: Any) -> Bulletin:
    """Published bulletins are for all staff of the agency (and those whose scope covers it);
    drafts only for the office."""
    try:
        return bulletins_visible(user).get(pk=int(pk))
    except (Bulletin.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
