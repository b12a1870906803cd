"""Who may see and do what with plans and tasks.

Tasks are visible through the viewer's data scope on their lead or cooperating units, and to
their responsible person and leader in charge. Plans are visible to the people of the agency
they belong to and to everyone whose scope covers that agency. `access_*` getters raise
NotFound for missing and forbidden alike.

The page and the API decide alike: both refuse a caller with the same named check here, before
any state is looked at, and leave the state to the service. The `can_*` checks that include the
task's state say what the task page offers; the surfaces refuse with the checks of who may act
(`is_lead_member`, `is_verifier`, `report_unit`), so a permitted caller whose task is in the
wrong state gets the service's 422 and message on both.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.core.errors import Forbidden, NotFound
from luoshi.orgs.models import OrgUnit
from luoshi.orgs.permissions import has_role, scope_for
from luoshi.orgs.roles import Role
from luoshi.orgs.selectors import covers_every_unit, organization_of

from .models import Task, WorkPlan


def can_manage_plans(user: Any) -> bool:
    """The general office (supervisors) drafts, imports, breaks down and issues plans."""
    return has_role(user, Role.SUPERVISOR)


def can_approve_plans(user: Any) -> bool:
    return has_role(user, Role.AGENCY_LEADER)


def can_manage_categories(user: Any) -> bool:
    """The categories tasks are tagged with: kept by those who draft the plans (the office)."""
    return can_manage_plans(user)


def can_view_report_overview(user: Any) -> bool:
    """The office (supervisors) and agency leaders follow up missing and late reports."""
    return can_manage_plans(user) or can_approve_plans(user)


def leads(user: Any) -> bool:
    """The agency's leaders and the leaders in charge: red tasks in their scope are theirs to
    follow up (the home page's "waiting for you")."""
    return has_role(user, Role.AGENCY_LEADER, Role.LEADER_IN_CHARGE)


def uses_dashboard(user: Any) -> bool:
    """Who the leadership dashboard is for: the leaders, the unit heads and the office. Anyone
    with a data scope may still open it; the navigation offers it to these (issue 15 finding
    12: staff were offered an empty 领导驾驶舱)."""
    return leads(user) or has_role(user, Role.UNIT_HEAD, Role.SUPERVISOR)


def _own_person_id(user: Any) -> int | None:
    return getattr(user, "person_id", None)


def _own_unit_id(user: Any) -> int | None:
    person = getattr(user, "person", None)
    return person.unit_id if person is not None else None


def is_lead_member(user: Any, task: Task) -> bool:
    """The user works in the task's lead unit (or is its responsible person)."""
    return _own_unit_id(user) == task.lead_unit_id or (
        _own_person_id(user) is not None and _own_person_id(user) == task.responsible_person_id
    )


def report_unit(user: Any, task: Task, cooperating_ids: set[int] | None = None) -> OrgUnit | None:
    """The unit whose report the user writes on this task: the lead unit for its staff and the
    responsible person, else the user's own unit when it cooperates on the task; None when the
    user does not report on it. The one place that decides which unit a report belongs to."""
    if is_lead_member(user, task):
        return task.lead_unit
    person = getattr(user, "person", None)
    if person is None:
        return None
    if cooperating_ids is None:
        cooperating_ids = set(task.cooperating_units.values_list("pk", flat=True))
    return person.unit if person.unit_id in cooperating_ids else None


def can_report(user: Any, task: Task, cooperating_ids: set[int] | None = None) -> bool:
    """Lead unit staff, the responsible person and cooperating units' staff report progress on
    an open task that is issued (not a draft)."""
    if not task.is_open or task.status == Task.Status.DRAFT:
        return False
    return report_unit(user, task, cooperating_ids) is not None


def can_request_completion(user: Any, task: Task) -> bool:
    """What the task page offers: the lead unit's completion request on a task in progress
    (the surfaces refuse with is_lead_member; the service checks the state)."""
    return task.status == Task.Status.IN_PROGRESS and is_lead_member(user, task)


def is_verifier(user: Any, task: Task) -> bool:
    """A supervisor whose scope covers the lead unit verifies the task's completion."""
    return has_role(user, Role.SUPERVISOR) and scope_for(user).covers_unit(
        task.lead_unit_id, task.lead_unit.path
    )


def can_verify(user: Any, task: Task) -> bool:
    """What the task page offers: accept or return a requested completion (the surfaces refuse
    with is_verifier; the service checks the state)."""
    return task.status == Task.Status.COMPLETION_REQUESTED and is_verifier(user, task)


def can_request_adjustment(user: Any, task: Task) -> bool:
    """The lead unit proposes adjustments of a task in progress."""
    return task.status == Task.Status.IN_PROGRESS and is_lead_member(user, task)


def can_decide_adjustment(user: Any, task: Task) -> bool:
    """The office (a supervisor in scope) or the task's leader in charge."""
    if _own_person_id(user) is not None and _own_person_id(user) == task.leader_in_charge_id:
        return True
    return is_verifier(user, task)


def can_edit_task(user: Any, task: Task) -> bool:
    """Direct edits: by the office while the plan is not yet issued (afterwards: adjustments)."""
    plan_issued = task.plan is not None and task.plan.status == WorkPlan.Status.ISSUED
    return can_manage_plans(user) and not plan_issued and task.is_open


# --- what a user sees: the querysets the access_* getters and the selectors read --------------


def tasks_visible(user: Any) -> QuerySet[Task]:
    """Tasks whose lead or a cooperating unit is in the viewer's scope, or that name the viewer
    as responsible person or leader in charge."""
    scope = scope_for(user)
    qs = Task.objects.select_related(
        "plan", "key_point", "lead_unit", "leader_in_charge", "responsible_person"
    )
    if covers_every_unit(scope):  # every task is led by a unit in scope
        return qs
    condition = _lead_in_scope(scope)
    cooperating = Task.cooperating_units.through.objects.filter(task_id=OuterRef("pk"))
    coop_scope = scope.q(unit="orgunit")
    if coop_scope is not None and not scope.is_empty:
        condition |= Q(Exists(cooperating.filter(coop_scope)))
    person_id = getattr(user, "person_id", None)
    if person_id is not None and not scope.is_empty:
        condition |= Q(responsible_person_id=person_id) | Q(leader_in_charge_id=person_id)
    return qs.filter(condition)


def visible_task_ids(
    user: Any, condition: Q, *, order: tuple[str, ...] = (), limit: int | None = None
) -> QuerySet[Task, Any] | None:
    """The ids of the tasks visible to the user (tasks_visible) that meet `condition`, as a UNION
    of one statement per way a task is visible — its lead unit in scope, a cooperating unit in
    scope, the user named responsible person or leader in charge — each of which an index
    serves with `condition` applied inside it; None when every task is visible (filter the
    tasks directly). tasks_visible's OR of the four, with its EXISTS, can only be checked task
    by task: a small scope walked every red task of the country to find its twenty.

    With `order` and `limit` (the caller's own, for the first `limit` tasks in that order),
    each way stops at its first `limit` in that order, where the database allows it in a UNION
    (PostgreSQL): the union then holds at most four times `limit` ids however many tasks the
    scope holds (a province's 8,557 red tasks were all read and sorted for the twenty of "my
    work": 200 ms at national scale, measured)."""
    scope = scope_for(user)
    if covers_every_unit(scope):
        return None
    base = Task.objects.filter(condition).order_by()
    branches = [base.filter(lead_unit_path__startswith=p) for p in sorted(scope.subtree_paths)]
    if scope.unit_ids:
        branches.append(base.filter(lead_unit_id__in=sorted(scope.unit_ids)))
    coop_scope = scope.q(unit="orgunit")
    if coop_scope is not None and not scope.is_empty:
        cooperating = Task.cooperating_units.through.objects.filter(coop_scope)
        branches.append(base.filter(pk__in=cooperating.values("task_id")))
    person_id = getattr(user, "person_id", None)
    if person_id is not None and not scope.is_empty:
        branches.append(base.filter(responsible_person_id=person_id))
        branches.append(base.filter(leader_in_charge_id=person_id))
    if not branches:
        return Task.objects.none().values("pk")
    ids = [b.values("pk") for b in branches]
    if (
        limit is not None
        and order
        and (connections[base.db].features.supports_slicing_ordering_in_compound)
    ):
        ids = [b.order_by(*order)[:limit] for b in ids]
    first, *rest = ids
    return first.union(*rest) if rest else first


def _lead_in_scope(scope: Any, via: str = "") -> Q:
    """Tasks whose lead unit is in scope, on the task's own columns (no join); `via`: the path
    to the task from another model ("task__")."""
    condition = Q(pk__in=[])
    for prefix in sorted(scope.subtree_paths):
        condition |= Q(**{f"{via}lead_unit_path__startswith": prefix})
    if scope.unit_ids:
        condition |= Q(**{f"{via}lead_unit_id__in": sorted(scope.unit_ids)})
    return condition


def plans_visible(user: Any) -> QuerySet[WorkPlan]:
    """Plans of the viewer's own organization and of agencies their scope covers; drafts only to
    those who draft or approve them."""
    scope = scope_for(user)
    qs = WorkPlan.objects.select_related("agency")
    if scope.is_empty:
        return qs.none()
    if not scope.everything:
        condition = scope.q(unit="agency") or Q(pk__in=[])
        person = getattr(user, "person", None)
        if person is not None:
            condition |= Q(agency=organization_of(person.unit))
        qs = qs.filter(condition)
    if not (can_manage_plans(user) or can_approve_plans(user)):
        qs = qs.exclude(status=WorkPlan.Status.DRAFT)
    return qs


def require(check: bool) -> None:
    if not check:
        raise Forbidden()


def access_task(user: Any, pk: Any) -> Task:
    try:
        return tasks_visible(user).get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def access_plan(user: Any, pk: Any) -> WorkPlan:
    try:
        return plans_visible(user).get(pk=int(pk))
    except (WorkPlan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
