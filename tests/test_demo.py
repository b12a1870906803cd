"""The demo: built once, fictional, one account per role, and each account sees its scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from luoshi.orgs.demo import ACCOUNTS, AGENCY_CODE, build_demo
from luoshi.orgs.models import OrgUnit, Person, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    """The demo agency and its accounts (the work plan step is tested once, below)."""
    settings.LUOSHI_DEMO_PASSWORD = "luoshi-demo"
    build_demo()


def token(username: str) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": "luoshi-demo"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def api(username: str, path: str) -> tuple[int, object]:
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token(username)}")
    return response.status_code, response.json()


def test_demo_is_built_once(settings) -> None:
    settings.DEBUG = True
    first = StringIO()
    call_command("demo", stdout=first)
    assert "Demo work plan: 17 tasks" in first.getvalue()
    agency = OrgUnit.objects.get(code=AGENCY_CODE)
    units = OrgUnit.objects.filter(path__startswith=agency.path)
    assert units.count() == 17
    assert units.filter(kind=OrgUnit.Kind.LOCAL).count() == 3
    assert Person.objects.filter(unit__path__startswith=agency.path).count() >= 150
    out = StringIO()
    call_command("demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert units.count() == 17
    assert {a[0] for a in ACCOUNTS} <= set(User.objects.values_list("username", flat=True))


def test_demo_refuses_without_debug(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert not OrgUnit.objects.filter(code=AGENCY_CODE).exists()


def test_demo_has_the_sample_agency_departments(demo) -> None:
    names = set(OrgUnit.objects.filter(parent__code=AGENCY_CODE).values_list("name", flat=True))
    for name in [
        "办公室",
        "组织联络部",
        "经济科技部",
        "人事部",
        "机关党委",
        "研究室",
        "侨联信息中心",
        "华侨文化交流中心",
        "侨界权益服务中心",
    ]:
        assert name in names


@pytest.mark.parametrize(("username", "role"), [(a[0], a[1]) for a in ACCOUNTS])
def test_every_demo_account_answers_me(demo, username: str, role: str) -> None:
    status, body = api(username, "/api/v1/me")
    assert status == 200
    assert role in {r["role"] for r in body["roles"]}  # type: ignore[index]


def test_demo_outsider_sees_nothing_of_the_agency(demo) -> None:
    agency = OrgUnit.objects.get(code=AGENCY_CODE)
    status, body = api("demo_outsider", "/api/v1/people?page_size=200")
    assert status == 200
    units = {p["unit_name"] for p in body["results"]}  # type: ignore[index]
    assert len(units) == 1 and units.pop().endswith("市归国华侨联合会")
    assert api("demo_outsider", f"/api/v1/orgs/{agency.pk}")[0] == 404
    assert api("demo_outsider", "/api/v1/audit")[0] == 404


def test_demo_leader_sees_the_agency_and_auditor_only_the_log(demo) -> None:
    status, body = api("demo_leader", "/api/v1/people?page_size=1")
    assert status == 200 and body["count"] >= 150  # type: ignore[index]
    assert api("demo_auditor", "/api/v1/people")[1]["count"] == 0  # type: ignore[index]
    assert api("demo_auditor", "/api/v1/audit")[0] == 200
    assert api("demo_admin", "/api/v1/audit")[0] == 404


def test_demo_plan_has_a_realistic_mix_of_lights(db) -> None:
    import datetime as dt
    import json

    from django.db.models import F
    from django.utils import timezone

    from luoshi.plans.demo import build_demo_plan
    from luoshi.plans.models import (
        Indicator,
        Milestone,
        ProgressReport,
        Task,
        TaskEvent,
        WorkPlan,
    )

    build_demo()
    summary = build_demo_plan(today=dt.date(2026, 11, 26))
    plan = WorkPlan.objects.get(year=2026)
    assert plan.status == "issued" and summary.startswith("17 tasks")
    lights = set(Task.objects.filter(plan=plan).values_list("light", flat=True))
    assert lights == {"red", "yellow", "green", "grey"}
    assert Task.objects.filter(plan=plan, status="completed").exists()
    assert Task.objects.filter(plan=plan, reports__isnull=False).distinct().count() == 17
    # every task has a roadmap; the tasks on pace have done their past milestones with
    # evidence, and some of the tasks far behind are red for a milestone passed undone
    milestones = Milestone.objects.filter(task__plan=plan)
    assert not Task.objects.filter(plan=plan, milestones__isnull=True).exists()
    done = milestones.filter(done_on__isnull=False)
    assert done.exists() and not done.filter(evidence="").exists()
    assert not done.filter(done_on__gt=dt.date(2026, 11, 26)).exists()
    red = Task.objects.filter(plan=plan, light="red", status="in_progress")
    assert any(json.loads(t.light_code)[0] == "milestone_overdue" for t in red)
    assert milestones.filter(
        done_on__isnull=True, due_date__lt=dt.date(2026, 11, 26), task__status="in_progress"
    ).exists()
    # the lead units report their indicators' actual values (whole for whole targets)
    assert Indicator.objects.filter(task__plan=plan, actual__gt=0).exists()
    for indicator in Indicator.objects.filter(task__plan=plan, actual__isnull=False):
        if indicator.target == indicator.target.to_integral_value():
            assert indicator.actual == indicator.actual.to_integral_value(), indicator
    # every task has a responsible person of its lead unit
    assert not Task.objects.filter(plan=plan, responsible_person__isnull=True).exists()
    assert (
        not Task.objects.filter(plan=plan).exclude(responsible_person__unit=F("lead_unit")).exists()
    )
    # the history follows the story: set up on the issue day, reports on their days,
    # close-outs on the day they were verified; nothing dated after today
    events = TaskEvent.objects.filter(task__plan=plan)
    assert not events.filter(at__date__gt=dt.date(2026, 11, 26)).exists()
    assert not events.filter(kind="created", at__date__gt=dt.date(2026, 1, 5)).exists()
    for event in events.filter(kind="completion_accepted").select_related("task"):
        assert timezone.localtime(event.at).date() == event.task.completed_on
    # most reports come in by their due day, some late (迟报)
    assert any(r.is_late for r in ProgressReport.objects.filter(task__plan=plan))
    assert sum(not r.is_late for r in ProgressReport.objects.filter(task__plan=plan)) > 100
    # no report is dated before its task started, nor for a period before the year
    reports = ProgressReport.objects.filter(task__plan=plan)
    assert not reports.filter(period__lt=dt.date(2026, 1, 1)).exists()
    assert not reports.filter(submitted_at__date__lt=F("task__start_date")).exists()
    # the agency keeps its own list of task categories, and every task carries one or two
    names = set(plan.agency.task_categories.values_list("name", flat=True))
    assert names == {"为侨服务", "联谊联络", "参政议政", "自身建设"}
    assert not Task.objects.filter(plan=plan, categories__isnull=True).exists()
    assert build_demo_plan(today=dt.date(2026, 11, 26)).startswith("already present")
