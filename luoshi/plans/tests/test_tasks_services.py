"""Plans and tasks through their services: lifecycle, reports, close-out, adjustments, lights."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

from luoshi.core.errors import Conflict, Forbidden, InvalidInput
from luoshi.core.models import AuditEntry
from luoshi.core.tests.samples import pdf_bytes
from luoshi.plans.models import AdjustmentRequest, Task, TaskEvent, WorkPlan
from luoshi.plans.selectors.ledger import TaskFilter, task_ledger
from luoshi.plans.services.adjustments import adjustment_decide, adjustment_request
from luoshi.plans.services.attachments import attachment_add
from luoshi.plans.services.carryover import task_carry_over
from luoshi.plans.services.closeout import completion_request, completion_verify
from luoshi.plans.services.lights import refresh_lights
from luoshi.plans.services.plans import plan_create, plan_issue
from luoshi.plans.services.reports import ReportIn, report_period_due, report_submit
from luoshi.plans.services.tasks import MilestoneIn, TaskIn, task_create, task_update

from .conftest import issue

pytestmark = pytest.mark.django_db
D = dt.date


def task(code: str) -> Task:
    return Task.objects.get(code=code)


def test_leader_in_charge_defaults_from_the_matrix(org, plan) -> None:
    assert task("2026-2-0-1").leader_in_charge == org.people["vice"]  # 组织联络部 in charge
    assert task("2026-1-1-1").leader_in_charge is None


def test_plan_lifecycle_starts_tasks_and_lights_them(org, plan) -> None:
    assert set(Task.objects.values_list("status", flat=True)) == {"draft"}
    assert set(Task.objects.values_list("light", flat=True)) == {"grey"}
    with pytest.raises(InvalidInput):
        plan_issue(actor=org.users["supervisor"], plan=plan)  # not approved yet
    issue(org, plan)
    plan.refresh_from_db()
    assert plan.status == WorkPlan.Status.ISSUED
    assert set(Task.objects.values_list("status", flat=True)) == {"in_progress"}
    assert set(Task.objects.values_list("light", flat=True)) == {"green"}
    assert AuditEntry.objects.filter(action="plan.issue").count() == 1


def test_one_plan_per_agency_and_year(org, plan) -> None:
    with pytest.raises(InvalidInput):
        plan_create(actor=None, agency=org.agency, year=2026, title="again")


def test_task_validation_names_the_fields(org, plan) -> None:
    with pytest.raises(InvalidInput) as info:
        task_create(
            actor=None,
            data=TaskIn(
                plan=plan,
                code="",
                title="",
                lead_unit=org.econ,
                cooperating_units=[org.econ],
                deadline=D(2026, 3, 1),
                milestones=[MilestoneIn("late", D(2026, 4, 1))],
            ),
        )
    assert {d["field"] for d in info.value.details} == {
        "title",
        "code",
        "cooperating_units",
        "milestones[0].due_date",
    }


def test_lights_follow_deadlines_and_milestones(org, plan) -> None:
    issue(org, plan)
    # 2026-03-27 (Fri): the milestone of 2026-1-1-1 on 03-31 (Tue) is 2 working days away.
    refresh_lights(Task.objects.all(), today=D(2026, 3, 27))
    assert task("2026-1-1-1").light == "yellow"
    refresh_lights(Task.objects.all(), today=D(2026, 4, 1))
    assert task("2026-1-1-1").light == "red"
    assert "印发计划" in task("2026-1-1-1").light_reason
    # Past its deadline, the third task is red.
    refresh_lights(Task.objects.all(), today=D(2026, 7, 1))
    assert task("2026-2-0-2").light == "red"


def test_refresh_is_idempotent(org, plan) -> None:
    issue(org, plan)
    # On 04-01 one milestone is overdue (red) and two tasks lag the time elapsed (yellow).
    assert refresh_lights(Task.objects.all(), today=D(2026, 4, 1)) == 3
    assert sorted(Task.objects.values_list("light", flat=True)) == ["red", "yellow", "yellow"]
    assert refresh_lights(Task.objects.all(), today=D(2026, 4, 1)) == 0


def test_report_updates_progress_indicators_and_milestones(org, plan) -> None:
    issue(org, plan, today=D(2026, 3, 2))  # started in March: its first report is March's
    t = task("2026-1-1-1")
    indicator = t.indicators.get()
    milestone = t.milestones.get()
    report = report_submit(
        actor=org.users["head"],
        task=t,
        unit=org.office,
        today=D(2026, 3, 20),
        data=ReportIn(
            text="已印发学习计划，开展集体学习3次",
            percent=25,
            indicator_values={indicator.pk: decimal.Decimal(3)},
            milestones_done={milestone.pk: (D(2026, 3, 18), "机关党委〔2026〕2号")},
        ),
    )
    assert report.period == D(2026, 3, 1) and report.due_on == D(2026, 4, 5)
    t.refresh_from_db()
    indicator.refresh_from_db()
    milestone.refresh_from_db()
    assert (t.progress, indicator.actual, milestone.done_on) == (25, 3, D(2026, 3, 18))
    # A cooperating unit adds its part without moving the lead's progress.
    report_submit(
        actor=org.users["staff"],
        task=t,
        unit=org.econ,
        today=D(2026, 3, 21),
        data=ReportIn(text="配合提供学习材料", percent=90),
    )
    t.refresh_from_db()
    assert t.progress == 25
    assert t.reports.count() == 2
    # Reporting again in the same period corrects the report instead of adding one.
    report_submit(
        actor=org.users["head"],
        task=t,
        unit=org.office,
        today=D(2026, 3, 25),
        data=ReportIn(text="更正", percent=30),
    )
    assert t.reports.count() == 2


def test_a_first_report_early_in_the_month_is_for_that_month_when_the_task_started_in_it(
    org, plan
) -> None:
    issue(org, plan, today=D(2026, 1, 2))
    t = task("2026-1-1-1")
    assert t.start_date == D(2026, 1, 2)
    report = report_submit(
        actor=org.users["head"],
        task=t,
        unit=org.office,
        today=D(2026, 1, 3),
        data=ReportIn(text="已部署", percent=5),
    )
    assert report.period == D(2026, 1, 1)  # not December 2025, before the task existed
    # entered for a past day, the report and its entry in the history carry that day
    event = t.events.get(kind="reported")
    assert event.at == report.submitted_at and report.submitted_at.date() == D(2026, 1, 3)
    # January's is in: a report on 3 February is February's
    report = report_submit(
        actor=org.users["head"],
        task=t,
        unit=org.office,
        today=D(2026, 2, 3),
        data=ReportIn(text="二月进展", percent=10),
    )
    assert report.period == D(2026, 2, 1)


def test_a_report_after_the_due_day_is_the_missing_period_s_late_report(org, plan) -> None:
    issue(org, plan, today=D(2026, 1, 5))
    t = task("2026-1-1-1")

    def submit(day: dt.date, text: str) -> Any:
        return report_submit(
            actor=org.users["head"],
            task=t,
            unit=org.office,
            today=day,
            data=ReportIn(text=text, percent=20),
        )

    # March was not reported by 5 April: the report on 8 April is March's, late (迟报)
    assert report_period_due(t, org.office, D(2026, 4, 8)) == (
        D(2026, 3, 1),
        D(2026, 4, 5),
    )
    late = submit(D(2026, 4, 8), "三月进展（迟报）")
    assert (late.period, late.due_on, late.is_late) == (D(2026, 3, 1), D(2026, 4, 5), True)
    # with March in, the next report that month is April's, on time
    april = submit(D(2026, 4, 20), "四月进展")
    assert (april.period, april.is_late) == (D(2026, 4, 1), False)


def test_bad_reports_write_nothing(org, plan) -> None:
    issue(org, plan)
    t = task("2026-1-1-1")
    other = task("2026-2-0-1").milestones.create(title="x", due_date=D(2026, 5, 1))
    for data in [
        ReportIn(text=""),
        ReportIn(text="x", percent=101),
        ReportIn(text="x", milestones_done={other.pk: (D(2026, 3, 1), "")}),
    ]:
        with pytest.raises(InvalidInput):
            report_submit(
                actor=org.users["head"], task=t, unit=org.office, today=D(2026, 3, 20), data=data
            )
    assert not t.reports.exists()


@pytest.mark.django_db(transaction=True)
def test_a_report_refused_half_way_leaves_nothing_behind(org, plan) -> None:
    """A milestone "done" in the future is found after the report and its indicator values were
    written: the whole report is rolled back (report_submit is one transaction)."""
    issue(org, plan)
    t = task("2026-1-1-1")
    indicator, milestone = t.indicators.get(), t.milestones.get()
    with pytest.raises(InvalidInput):
        report_submit(
            actor=org.users["head"],
            task=t,
            unit=org.office,
            today=D(2026, 3, 20),
            data=ReportIn(
                text="进展",
                percent=30,
                indicator_values={indicator.pk: decimal.Decimal(5)},
                milestones_done={milestone.pk: (D(2026, 3, 25), "future")},
            ),
        )
    t.refresh_from_db()
    indicator.refresh_from_db()
    assert not t.reports.exists() and indicator.actual is None and t.progress == 0
    assert not t.events.filter(kind="reported").exists()


def test_close_out_needs_verification(org, plan) -> None:
    issue(org, plan)
    t = task("2026-2-0-2")
    completion_request(actor=org.users["staff"], task=t, note="智库已组建，入库专家52名")
    completion_verify(
        actor=org.users["supervisor"],
        task=task("2026-2-0-2"),
        accept=False,
        reason="请补充入库名单",
    )
    assert task("2026-2-0-2").status == "in_progress"
    with pytest.raises(InvalidInput):
        completion_verify(actor=org.users["supervisor"], task=task("2026-2-0-2"), accept=True)
    completion_request(actor=org.users["staff"], task=task("2026-2-0-2"), note="附名单")
    completion_verify(
        actor=org.users["supervisor"], task=task("2026-2-0-2"), accept=True, today=D(2026, 6, 20)
    )
    t = task("2026-2-0-2")
    assert (t.status, t.completed_on, t.light, t.progress) == (
        "completed",
        D(2026, 6, 20),
        "grey",
        100,
    )
    kinds = list(t.events.values_list("kind", flat=True))
    assert (
        TaskEvent.Kind.COMPLETION_RETURNED in kinds and TaskEvent.Kind.COMPLETION_ACCEPTED in kinds
    )
    # Closed tasks leave the active ledger but stay searchable.
    ledger = task_ledger(org.users["leader"], TaskFilter())
    assert t not in ledger
    assert t in task_ledger(org.users["leader"], TaskFilter(q="智库"))


def test_after_issue_owners_change_only_by_adjustment(org, plan) -> None:
    issue(org, plan)
    t = task("2026-2-0-1")
    with pytest.raises(Forbidden):
        task_update(
            actor=org.users["supervisor"],
            task=t,
            version=t.version,
            changes={"deadline": D(2026, 12, 31)},
        )
    request = adjustment_request(
        actor=org.users["head"], task=t, reason="活动延期", changes={"deadline": D(2026, 12, 31)}
    )
    assert task("2026-2-0-1").status == "adjustment_requested"
    adjustment_decide(actor=org.users["vice"], adjustment=request, approve=True)
    t = task("2026-2-0-1")
    assert (t.status, t.deadline) == ("in_progress", D(2026, 12, 31))
    event = t.events.filter(kind=TaskEvent.Kind.ADJUSTMENT_APPROVED).get()
    assert event.before is not None and event.after is not None
    assert (event.before["deadline"], event.after["deadline"]) == ("2026-11-30", "2026-12-31")
    rejected = adjustment_request(
        actor=org.users["head"], task=t, reason="再延", changes={"deadline": D(2027, 1, 31)}
    )
    with pytest.raises(InvalidInput):
        adjustment_decide(actor=org.users["vice"], adjustment=rejected, approve=False)
    adjustment_decide(actor=org.users["vice"], adjustment=rejected, approve=False, note="不同意")
    assert task("2026-2-0-1").deadline == D(2026, 12, 31)
    assert AdjustmentRequest.objects.filter(status="rejected").count() == 1


def test_concurrent_edits_are_refused(org, plan) -> None:
    first, second = task("2026-1-1-1"), task("2026-1-1-1")
    task_update(actor=None, task=first, version=first.version, changes={"title": "甲"})
    with pytest.raises(Conflict):
        task_update(actor=None, task=second, version=second.version, changes={"title": "乙"})
    assert task("2026-1-1-1").title == "甲"


def test_tick_refreshes_lights_once(org, plan) -> None:
    from io import StringIO

    from django.core.management import call_command

    issue(org, plan)
    out = StringIO()
    call_command("tick", "--today", "2026-07-01", stdout=out)
    call_command("tick", "--today", "2026-07-01", stdout=out)
    assert task("2026-2-0-2").light == "red"
    lines = [line for line in out.getvalue().splitlines() if "plans.lights" in line]
    assert lines[0].endswith("3 lights changed") and lines[1].endswith("0 lights changed")


def test_evidence_attachments_are_checked_and_kept(org, plan, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    issue(org, plan)
    t = task("2026-1-1-1")
    pdf = pdf_bytes()
    a = attachment_add(actor=org.users["head"], task=t, name="..\\..\\证明.pdf", content=pdf)
    assert a.name == "证明.pdf" and a.size == len(pdf)
    assert a.file.read() == pdf and str(tmp_path) in a.file.path
    for name, content in [("x.exe", b"MZ"), ("fake.pdf", b"MZ not a pdf"), ("e.pdf", b"")]:
        with pytest.raises(InvalidInput):
            attachment_add(actor=org.users["head"], task=t, name=name, content=content)
    settings.LUOSHI_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(InvalidInput):
        attachment_add(actor=org.users["head"], task=t, name="big.pdf", content=pdf_bytes())
    assert t.attachments.count() == 1


def test_evidence_downloads_only_for_who_sees_the_task(
    org, plan, client_for, settings, tmp_path
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    issue(org, plan)
    t = task("2026-1-1-1")
    a = attachment_add(actor=org.users["head"], task=t, name="证明.pdf", content=pdf_bytes())
    ok = client_for("head").get(f"/tasks/{t.pk}/attachments/{a.pk}/")
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == pdf_bytes()
    assert client_for("outsider").get(f"/tasks/{t.pk}/attachments/{a.pk}/").status_code == 404
    other = task("2026-2-0-1")
    assert client_for("head").get(f"/tasks/{other.pk}/attachments/{a.pk}/").status_code == 404


def test_carry_over_links_the_new_task(org, plan) -> None:
    issue(org, plan)
    next_plan = plan_create(actor=None, agency=org.agency, year=2027, title="2027")
    t = task("2026-2-0-1")
    new = task_carry_over(
        actor=org.users["supervisor"], task=t, to_plan=next_plan, deadline=D(2027, 6, 30)
    )
    assert new.carried_from == t and new.plan == next_plan and new.status == "draft"
    assert t.events.filter(kind=TaskEvent.Kind.CARRIED_OVER).exists()
    with pytest.raises(InvalidInput):
        task_carry_over(actor=None, task=t, to_plan=next_plan)
