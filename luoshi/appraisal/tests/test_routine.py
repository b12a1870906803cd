"""Routine (quarterly) appraisal: pre-filled reports, the cap on Good, confirmation, own view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from luoshi.appraisal import services
from luoshi.appraisal.models import RoutineCycle
from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.orgs import services as org_services
from luoshi.orgs.models import StaffCategory

pytestmark = pytest.mark.django_db


def _office(org: Any, extra: int) -> None:
    cat = StaffCategory.objects.get(name="公务员")
    for i in range(extra):
        org_services.person_create(
            actor=None, name=f"办公室科员{i}", gender="F", unit=org.office, staff_category=cat
        )


def test_quarter_with_good_cap(org: Any, client_for: Any) -> None:
    _office(org, 2)  # office: 丁科员, 辛督查, 壬人事 + 2 = 5 people besides the head → cap 2
    head = org.users["head"]
    cycle = services.routine_open(actor=head, unit=org.office, year=2025, quarter=2)
    entries = list(cycle.entries.select_related("person").order_by("id"))
    assert len(entries) == 5
    assert org.people["head"].pk not in [e.person_id for e in entries]
    services.routine_propose(actor=head, entry=entries[0], grade="good", comments="")
    services.routine_propose(actor=head, entry=entries[1], grade="good", comments="")
    with pytest.raises(InvalidInput) as exc:
        services.routine_propose(actor=head, entry=entries[2], grade="good", comments="")
    assert exc.value.code == "quota_full" and "2" in str(exc.value.message)
    services.routine_propose(actor=head, entry=entries[0], grade="good", comments="再次")
    for e in entries[2:]:
        services.routine_propose(actor=head, entry=e, grade="fairly_good", comments="")
    with pytest.raises(Forbidden):
        services.routine_confirm(actor=head, cycle=cycle)  # the leader in charge confirms
    services.routine_confirm(actor=org.users["leader"], cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == RoutineCycle.Status.CONFIRMED
    with pytest.raises(InvalidInput):
        services.routine_propose(actor=head, entry=entries[3], grade="good", comments="")
    with pytest.raises(InvalidInput):
        services.routine_open(actor=head, unit=org.office, year=2025, quarter=2)


def test_leader_in_charge_confirms_and_staff_see_own(org: Any, client_for: Any) -> None:
    vice = org.users["vice"]  # in charge of the liaison department
    cycle = services.routine_open(actor=org.users["hr"], unit=org.liaison, year=2025, quarter=1)
    for e in cycle.entries.all():
        services.routine_propose(actor=vice, entry=e, grade="average", comments="一般")
    services.routine_confirm(actor=vice, cycle=cycle)
    page = client_for("committee").get("/appraisal/mine/")
    assert page.status_code == 200
    assert "一般" in page.content.decode()
    assert client_for("staff").get(f"/appraisal/routine/{cycle.pk}/").status_code == 404
    assert client_for("vice").get(f"/appraisal/routine/{cycle.pk}/").status_code == 200
    assert client_for("head").get(f"/appraisal/routine/{cycle.pk}/").status_code == 404


def test_quarter_report_prefilled_from_tasks(org: Any, plan: Any) -> None:
    from luoshi.plans.models import Task
    from luoshi.plans.services.plans import plan_approve, plan_issue

    with time_machine.travel(dt.datetime(2026, 2, 2, 2, tzinfo=dt.UTC), tick=False):
        plan = plan_approve(actor=org.users["leader"], plan=plan)
        plan_issue(actor=org.users["supervisor"], plan=plan)
        Task.objects.filter(code="2026-1-1-1").update(responsible_person=org.people["office_staff"])
        cycle = services.routine_open(
            actor=org.users["head"], unit=org.office, year=2026, quarter=1
        )
    entry = cycle.entries.get(person=org.people["office_staff"])
    assert "2026-1-1-1" in entry.report


def test_pages(org: Any, client_for: Any) -> None:
    c = client_for("head")
    resp = c.post("/appraisal/routine/", {"unit": org.office.pk, "year": 2025, "quarter": 3})
    assert resp.status_code == 302
    cycle = RoutineCycle.objects.get()
    entry = cycle.entries.first()
    assert entry is not None
    resp = c.post(
        f"/appraisal/routine/{cycle.pk}/",
        {"action": "grade", "entry": entry.pk, "grade": "good", "comments": "好"},
    )
    assert resp.status_code == 302
    entry.refresh_from_db()
    assert entry.grade == "good"
    assert c.get("/appraisal/routine/").status_code == 200
    assert c.get(f"/appraisal/routine/{cycle.pk}/").status_code == 200
