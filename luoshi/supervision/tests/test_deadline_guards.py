"""Issue 15 finding 4 (deadlines not before assignment): a supervision item's deadline is never
before the step it follows — registered, edited or assigned (交办) — in the service that page
and API share."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.core.errors import InvalidInput
from luoshi.supervision import rules, services
from luoshi.supervision.models import SupervisionItem

from .conftest import ASSIGNED_ON, D

pytestmark = pytest.mark.django_db


def test_issue_15_finding_4_an_edited_deadline_before_registration_is_refused(
    org: Any, item: SupervisionItem
) -> None:
    assert item.registered_on == ASSIGNED_ON
    with pytest.raises(InvalidInput) as refused:
        services.item_update(
            actor=org.users["supervisor"],
            item=item,
            changes={"deadline": D(2025, 9, 1), "deadline_working_days": None},
            version=item.version,
            today=D(2025, 9, 29),
        )
    assert refused.value.details[0]["field"] == "deadline"
    item.refresh_from_db()
    assert item.deadline is None and item.deadline_working_days == 5
    # a deadline after the day it is set is taken, and the assignment keeps it
    services.item_update(
        actor=org.users["supervisor"],
        item=item,
        changes={"deadline": D(2025, 10, 31), "deadline_working_days": None},
        version=item.version,
        today=D(2025, 9, 29),
    )
    item.refresh_from_db()
    assigned = services.item_assign(
        actor=org.users["supervisor"], item=item, version=item.version, today=D(2025, 9, 30)
    )
    assert assigned.deadline == D(2025, 10, 31) and assigned.assigned_on == D(2025, 9, 30)


def test_issue_15_finding_4_an_item_is_not_assigned_after_its_deadline(
    org: Any, item: SupervisionItem
) -> None:
    services.item_update(
        actor=org.users["supervisor"],
        item=item,
        changes={"deadline": D(2025, 10, 10), "deadline_working_days": None},
        version=item.version,
        today=D(2025, 9, 29),
    )
    item.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        services.item_assign(
            actor=org.users["supervisor"], item=item, version=item.version, today=D(2025, 10, 13)
        )
    assert refused.value.details[0]["field"] == "deadline"
    item.refresh_from_db()
    assert item.status == SupervisionItem.Status.REGISTERED and item.assigned_on is None


def test_issue_15_finding_4_the_deadline_rule() -> None:
    assert rules.deadline_problem(D(2025, 9, 1), not_before=D(2025, 9, 26))
    assert rules.deadline_problem(D(2025, 9, 26), not_before=D(2025, 9, 26)) == ""
    assert rules.deadline_problem(None, not_before=D(2025, 9, 26)) == ""
