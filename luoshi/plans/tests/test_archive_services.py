"""Issue 15 finding 4: a past year's plan pollutes today.

A 2024 outline headed with another province's name was imported into this agency's 2024 plan
without a warning; once issued, its 24 tasks turned red at once, topped the default ledger and
filled "to report this period"; a task due 2024-11-30 asked for a "2026-12" report. Now: the
heading is checked against the plan (refused unless confirmed, audited); a past year's plan is
an archive (no lights, no reports owed, out of the current views); no period before a task's
start or after its deadline is owed; and a deadline is not before the steps it follows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from luoshi.core.errors import InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.orgs import services as org_services
from luoshi.orgs.models import User
from luoshi.plans import rules
from luoshi.plans.models import Milestone, Task, WorkPlan
from luoshi.plans.selectors.dashboard import default_plan
from luoshi.plans.selectors.ledger import TaskFilter, ledger_count, task_ledger
from luoshi.plans.selectors.reports import (
    OverviewFilter,
    missing_for_unit,
    report_overview,
    tasks_to_report,
)
from luoshi.plans.services.adjustments import adjustment_request
from luoshi.plans.services.imports import commit_import, prepare_import
from luoshi.plans.services.plans import plan_approve, plan_create, plan_issue
from luoshi.plans.services.reports import next_report
from luoshi.plans.services.tasks import task_update

from .conftest import issue
from .test_imports_pages import DOCX, Demo, make_demo, nothing_written, session_token, upload, word

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: Any) -> Demo:
    return make_demo()  # the demo agency 江岚省归国华侨联合会机关 and its empty 2024 plan


def imported(demo: Demo) -> WorkPlan:
    """The shared 2024 outline (headed 滨海省…) imported with the mismatch confirmed."""
    prepared = prepare_import(demo.plan, DOCX.read_bytes(), "work-points-2024.docx")
    commit_import(actor=demo.supervisor, plan=demo.plan, prepared=prepared, confirm_mismatch=True)
    demo.plan.refresh_from_db()
    return demo.plan


def issued(demo: Demo) -> WorkPlan:
    plan = imported(demo)
    plan_approve(actor=User.objects.get(username="demo_leader"), plan=plan)
    return plan_issue(actor=demo.supervisor, plan=plan)


# --- the heading fits the plan ------------------------------------------------------------------


def test_issue_15_finding_4_another_agencys_outline_is_refused_until_confirmed(demo: Demo) -> None:
    prepared = prepare_import(demo.plan, DOCX.read_bytes(), "work-points-2024.docx")
    assert [m["field"] for m in prepared.mismatches] == ["agency"]
    assert "滨海省归国华侨联合会机关" in prepared.mismatches[0]["message"]
    with nothing_written(), pytest.raises(InvalidInput) as refused:
        commit_import(actor=demo.supervisor, plan=demo.plan, prepared=prepared)
    assert refused.value.code == "outline_mismatch"
    assert [d["field"] for d in refused.value.details] == ["agency"]
    outcome = commit_import(
        actor=demo.supervisor, plan=demo.plan, prepared=prepared, confirm_mismatch=True
    )
    assert outcome.result.committed and Task.objects.filter(plan=demo.plan).count() == 24
    (entry,) = AuditEntry.objects.filter(action="plan.import_mismatch_confirmed")
    assert entry.actor_id == demo.supervisor.pk
    assert entry.after is not None and entry.after["mismatches"][0]["field"] == "agency"


def test_issue_15_finding_4_another_years_outline_is_refused_until_confirmed(demo: Demo) -> None:
    plan = plan_create(actor=demo.supervisor, agency=demo.agency, year=2025, title="2025")
    data = word(
        "江岚省侨联2024年工作要点", "一、学习", "1.学习（牵头部门：办公室；完成时限：6月底前）"
    )
    prepared = prepare_import(plan, data, "a.docx")
    assert [m["field"] for m in prepared.mismatches] == ["year"]  # 江岚省侨联 is the agency
    with nothing_written(), pytest.raises(InvalidInput) as refused:
        commit_import(actor=demo.supervisor, plan=plan, prepared=prepared)
    assert refused.value.code == "outline_mismatch"
    # the agency's own heading for the plan's year imports without a question
    fits = prepare_import(
        plan, word("江岚省归国华侨联合会2025年工作要点", "一、学习", "1.学习（牵头部门：办公室）")
    )
    assert fits.mismatches == []


def test_issue_15_finding_4_the_heading_rules() -> None:
    names = ["江岚省归国华侨联合会机关", "江岚侨联"]
    for title, fits in [
        ("滨海省归国华侨联合会机关2024年工作要点", False),
        ("江岚省归国华侨联合会机关2024年工作要点", True),
        ("江岚省侨联2024年工作要点", True),
        ("中共江岚侨联党组二〇二四年工作要点", True),
        ("2024年工作要点", True),
    ]:
        assert rules.agency_fits(rules.heading_agency(title), names) is fits, title
    assert rules.heading_year("中共江岚侨联党组二〇二四年工作要点") == 2024
    assert rules.heading_year("工作要点") is None


def test_issue_15_finding_4_the_api_lists_the_mismatch_and_needs_confirm_mismatch(
    demo: Demo,
) -> None:
    user = User.objects.get(username="demo_supervisor")
    _token, raw = org_services.api_token_create(actor=None, user=user, name="test")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    url = f"/api/v1/plans/{demo.plan.pk}/import"

    def post(**fields: Any) -> Any:
        body = {"file": SimpleUploadedFile("p.docx", DOCX.read_bytes()), **fields}
        return Client().post(url, body, **headers)

    dry = post(dry_run="true")
    assert dry.status_code == 201 and [m["field"] for m in dry.json()["mismatches"]] == ["agency"]
    refused = post()
    assert refused.status_code == 422 and refused.json()["code"] == "outline_mismatch"
    assert not Task.objects.filter(plan=demo.plan).exists()
    done = post(confirm_mismatch="true")
    assert done.status_code == 201 and done.json()["committed"] is True
    assert done.json()["archived"] is True  # 2024 is a past year
    assert AuditEntry.objects.filter(action="plan.import_mismatch_confirmed").count() == 1


def test_issue_15_finding_4_the_preview_shows_the_mismatch_and_asks_for_confirmation(
    demo: Demo,
) -> None:
    client = demo.client()
    upload(client, demo.url, DOCX.read_bytes(), "work-points-2024.docx")
    html = client.get(demo.url + "?step=preview").content.decode()
    assert 'id="plan-import-mismatch"' in html and "滨海省归国华侨联合会机关" in html
    assert 'name="confirm_mismatch"' in html
    assert 'id="plan-import-archive"' in html  # a past year: imported as an archive
    token = session_token(client, demo.plan)
    with nothing_written():
        refused = client.post(demo.url, {"action": "commit", "token": token})
    assert refused.status_code == 422 and "does not fit this plan" in refused.content.decode()
    done = client.post(demo.url, {"action": "commit", "token": token, "confirm_mismatch": "1"})
    assert done.status_code == 302 and done["Location"].endswith("?step=done")
    assert Task.objects.filter(plan=demo.plan).count() == 24


# --- a past year's plan is an archive ------------------------------------------------------------


def test_issue_15_finding_4_a_past_years_plan_issues_as_an_archive(demo: Demo) -> None:
    plan = issued(demo)
    assert plan.archived and rules.is_past_year(plan.year, timezone.localdate())
    tasks = Task.objects.filter(plan=plan)
    assert tasks.count() == 24
    # no lights: grey for the archive's reason, never red
    assert set(tasks.values_list("light", flat=True)) == {Task.Light.GREY}
    assert {t.light_reason for t in tasks} == {str(rules.REASONS[rules.ARCHIVED])}
    assert not tasks.filter(start_date__isnull=False).exists()  # no start is made up
    (entry,) = AuditEntry.objects.filter(action="plan.issue")
    assert entry.after is not None and entry.after["archived"] is True


def test_issue_15_finding_4_an_archive_stays_out_of_the_current_views(demo: Demo) -> None:
    plan = issued(demo)
    leader = User.objects.get(username="demo_leader")
    staff = User.objects.get(username="demo_staff")  # 经济科技部 leads 2024-4-1-1 and 2024-4-1-2
    # the default ledger leaves the archive out (it topped every page in plan order) …
    assert not task_ledger(leader, TaskFilter()).filter(plan=plan).exists()
    assert ledger_count(leader, TaskFilter()) == task_ledger(leader, TaskFilter()).count()
    # … and shows it when the plan is chosen or searched
    assert task_ledger(leader, TaskFilter(plan=plan.pk)).count() == 24
    assert ledger_count(leader, TaskFilter(plan=plan.pk)) == 24
    # no report owed: to report this period, missing reports, the overview
    today = timezone.localdate()
    assert tasks_to_report(staff, today) == []
    assert staff.person is not None
    assert missing_for_unit(staff, staff.person.unit_id, today=today) == []
    overview = report_overview(
        leader, OverviewFilter(plan=plan, periods=[dt.date(2024, 11, 1)]), today=today
    )
    assert overview.rows == []
    # the dashboards do not choose it by default
    assert default_plan(leader) != plan
    page = demo.client("demo_staff").get("/my-work/").content.decode()
    assert "2024-4-1-1" not in page
    detail = demo.client().get(f"/plans/{plan.pk}/").content.decode()
    assert 'id="plan-archived"' in detail


# --- no period before the start or after the deadline -------------------------------------------


def test_issue_15_finding_4_a_task_due_in_november_2024_never_asks_for_december_2026(
    demo: Demo,
) -> None:
    plan = issued(demo)
    task = Task.objects.get(plan=plan, code="2024-2-1-1")
    assert task.deadline == dt.date(2024, 11, 30)
    asked = next_report(task, task.lead_unit, dt.date(2026, 12, 7))
    assert asked.period == dt.date(2024, 11, 1)
    assert rules.period_label("monthly", asked.period) == "2024-11"


def test_issue_15_finding_4_period_rules_stop_at_the_start_and_the_deadline() -> None:
    start, deadline = dt.date(2026, 3, 10), dt.date(2026, 6, 30)
    assert rules.period_to_report(
        "monthly", dt.date(2026, 12, 7), False, started_on=start, ends_on=deadline
    ) == dt.date(2026, 6, 1)
    assert rules.period_to_report(
        "quarterly", dt.date(2027, 2, 1), True, started_on=start, ends_on=deadline
    ) == dt.date(2026, 4, 1)
    assert rules.period_to_report("monthly", dt.date(2026, 1, 20), False, started_on=start) == (
        dt.date(2026, 3, 1)
    )
    assert rules.period_owed("monthly", dt.date(2026, 6, 1), start, deadline)
    assert not rules.period_owed("monthly", dt.date(2026, 7, 1), start, deadline)
    assert not rules.period_owed("monthly", dt.date(2026, 2, 1), start, deadline)
    assert rules.period_owed("monthly", dt.date(2030, 1, 1), start, None)  # ongoing


def test_issue_15_finding_4_no_report_owed_after_the_deadline(org: Any, plan: WorkPlan) -> None:
    """A task of this year due 30 June is not "to report" in July, nor missing for July."""
    issue(org, plan)  # on 5 January 2026
    staff = org.users["staff"]
    july = dt.date(2026, 7, 10)
    due_june = Task.objects.get(code="2026-2-0-2")
    assert due_june.deadline == dt.date(2026, 6, 30) and due_june.lead_unit == org.econ
    assert due_june not in tasks_to_report(staff, july)
    assert due_june in tasks_to_report(staff, dt.date(2026, 6, 10))
    august = dt.date(2026, 8, 20)
    assert due_june not in [m.task for m in missing_for_unit(staff, org.econ.pk, today=august)]
    assert due_june in [m.task for m in missing_for_unit(staff, org.econ.pk, today=july)]
    overview = report_overview(
        org.users["leader"], OverviewFilter(periods=[dt.date(2026, 7, 1)]), today=august
    )
    assert all(row.unit_id != org.econ.pk for row in overview.rows)


# --- a deadline is not before the steps it follows ----------------------------------------------


def test_issue_15_finding_4_a_deadline_before_a_milestone_is_refused(
    org: Any, plan: WorkPlan
) -> None:
    task = Task.objects.get(code="2026-1-1-1")  # milestone 印发计划 due 31 March
    with pytest.raises(InvalidInput) as refused:
        task_update(
            actor=org.users["supervisor"],
            task=task,
            version=task.version,
            changes={"deadline": dt.date(2026, 2, 28)},
        )
    assert refused.value.code == "deadline_before_earlier_steps"
    assert "印发计划" in str(refused.value.details[0]["message"])
    task.refresh_from_db()
    assert task.deadline == dt.date(2026, 12, 31)


def test_issue_15_finding_4_a_deadline_before_the_tasks_start_is_refused(
    org: Any, plan: WorkPlan
) -> None:
    issue(org, plan, today=dt.date(2026, 3, 2))
    task = Task.objects.get(code="2026-2-0-2")
    assert task.start_date == dt.date(2026, 3, 2)
    with pytest.raises(InvalidInput) as refused:
        adjustment_request(
            actor=org.users["staff"],
            task=task,
            reason="提前",
            changes={"deadline": dt.date(2026, 2, 1)},
        )
    assert refused.value.code == "deadline_before_earlier_steps"
    task.refresh_from_db()
    assert task.status == Task.Status.IN_PROGRESS and not task.adjustments.exists()


def test_issue_15_finding_4_a_plan_is_not_issued_with_tasks_due_before_it(
    org: Any, plan: WorkPlan
) -> None:
    plan_approve(actor=org.users["leader"], plan=plan)
    with pytest.raises(InvalidInput) as refused:
        plan_issue(actor=org.users["supervisor"], plan=plan, today=dt.date(2026, 7, 1))
    assert refused.value.code == "deadline_before_start"
    assert {d["code"] for d in refused.value.details} == {"2026-2-0-2"}  # due 30 June
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.APPROVED
    assert not Task.objects.filter(plan=plan, start_date__isnull=False).exists()
    assert Milestone.objects.filter(task__plan=plan).count() == 1
