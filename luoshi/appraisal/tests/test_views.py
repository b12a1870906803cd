"""Pages: confidentiality (not-found for outsiders and other units' staff, audit of every
confidential view), the flows through the pages, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine

from luoshi.appraisal import services
from luoshi.appraisal.models import AnnualCycle, YearResult
from luoshi.core.models import AuditEntry

from .conftest import part

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(f"appraisal:{name}", args=args)


def test_cycle_pages_render_for_the_officer(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    c = client_for("hr")
    for name in ("cycle", "committee", "publicity", "appeals", "consequences", "history_import"):
        assert c.get(url(name, cycle.pk)).status_code == 200, name
    assert c.get(url("cycles")).status_code == 200
    assert c.get(url("cycle_open")).status_code == 200
    assert c.get(url("mine")).status_code == 200
    assert c.get(url("participant", part(cycle, org, "staff").pk)).status_code == 200
    assert c.get(url("units")).status_code == 200
    resp = c.get(url("units_xlsx"))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd")


def test_outsider_gets_not_found(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    c = client_for("outsider")
    assert c.get(url("cycle", cycle.pk)).status_code == 404
    assert c.get(url("publicity", cycle.pk)).status_code == 404
    assert c.get(url("participant", part(cycle, org, "staff").pk)).status_code == 404
    assert c.get(url("units")).status_code == 404
    assert cycle.pk not in [x.pk for x in c.get(url("cycles")).context["page_obj"]]


def test_staff_see_only_their_own_record(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    c = client_for("staff")
    own = part(cycle, org, "staff")
    other = part(cycle, org, "econ_colleague")  # same unit
    assert c.get(url("participant", own.pk)).status_code == 200
    assert c.get(url("participant", other.pk)).status_code == 404
    assert c.get(url("committee", cycle.pk)).status_code == 403
    dashboard = c.get(url("cycle", cycle.pk))
    assert dashboard.status_code == 200
    assert list(dashboard.context["page_obj"]) == []  # no one's confidential record
    assert c.get(url("appeals", cycle.pk)).status_code == 403


def test_leader_sees_own_units_and_views_are_audited(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    c = client_for("head")  # unit head of the office
    office = part(cycle, org, "office_staff")
    econ = part(cycle, org, "staff")
    before = AuditEntry.objects.filter(action="appraisal.view").count()
    assert c.get(url("participant", office.pk)).status_code == 200
    assert c.get(url("participant", econ.pk)).status_code == 404
    assert AuditEntry.objects.filter(action="appraisal.view").count() == before + 1
    names = {p.person.name for p in c.get(url("cycle", cycle.pk)).context["page_obj"]}
    assert org.people["office_staff"].name in names
    assert org.people["staff"].name not in names
    # the committee member sees all; every confidential view is audited
    cm = client_for("committee")
    assert cm.get(url("participant", econ.pk)).status_code == 200
    assert cm.get(url("committee", cycle.pk)).status_code == 200
    assert AuditEntry.objects.filter(action="appraisal.view").count() == before + 4


def test_flow_through_pages(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    staff = client_for("staff")
    p = part(cycle, org, "staff")
    resp = staff.post(
        url("participant", p.pk),
        {"action": "summary", "duties": "经济", "self_summary": "总结", "version": p.version},
    )
    assert resp.status_code == 302
    leader = client_for("leader")
    for q in cycle.participants.exclude(person=org.people["leader"]):
        grade = "excellent" if q.person_id == p.person_id else "competent"
        resp = leader.post(
            url("participant", q.pk), {"action": "propose", "grade": grade, "comments": "好"}
        )
        assert resp.status_code == 302, resp.content.decode()[:500]
    hr = client_for("hr")
    resp = hr.post(
        url("cycle", cycle.pk), {"action": "to_committee", "override_reason": "纸质总结"}
    )
    assert resp.status_code == 302
    cm = client_for("committee")
    resp = cm.post(
        url("committee", cycle.pk),
        {"action": "meeting", "meeting_date": "2025-12-01", "members_present": "甲、乙、丙"},
    )
    assert resp.status_code == 302
    lead = part(cycle, org, "leader")
    choices = {f"grade-{q.pk}": "proposed" for q in cycle.participants.exclude(pk=lead.pk)}
    resp = cm.post(
        url("committee", cycle.pk),
        {"action": "decide_all", **choices, f"grade-{lead.pk}": "competent"},
    )
    assert resp.status_code == 302
    with time_machine.travel("2025-12-01 10:00 +08:00", tick=False):  # published on the day
        resp = client_for("hr").post(
            url("committee", cycle.pk), {"action": "publicity", "start": "2025-12-01"}
        )
    assert resp.status_code == 302
    cycle.refresh_from_db()
    assert cycle.publicity_end == dt.date(2025, 12, 5)
    # the published list is visible to staff of another unit
    other = client_for("committee")
    listed = other.get(url("publicity", cycle.pk))
    assert org.people["staff"].name in listed.content.decode()
    services.finalize_cycle(cycle, dt.date(2025, 12, 8))
    assert hr.post(url("cycle", cycle.pk), {"action": "notices"}).status_code == 302
    resp = staff.post(url("participant", p.pk), {"action": "ack", "choice": "agree", "text": ""})
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.ack == "agree" and p.final_grade == "excellent"
    page = staff.get(url("participant", p.pk)).content.decode()
    assert 'id="final-grade"' in page


def test_dashboard_and_committee_query_counts(
    org: Any, cycle: AnnualCycle, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    c = client_for("hr")
    c.get(url("cycle", cycle.pk))
    with django_assert_max_num_queries(30):
        c.get(url("cycle", cycle.pk))
    with django_assert_max_num_queries(30):
        c.get(url("committee", cycle.pk))
    with django_assert_max_num_queries(30):
        c.get(url("publicity", cycle.pk))


def test_query_counts_do_not_grow_with_participants(org: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.orgs import services as org_services
    from luoshi.orgs.models import StaffCategory

    cat = StaffCategory.objects.get(name="公务员")
    c = client_for("hr")

    def count(year: int) -> int:
        cycle = services.cycle_open(
            actor=org.users["hr"], agency=org.agency, year=year, as_of=dt.date(year, 12, 31)
        )
        c.get(url("cycle", cycle.pk))
        with CaptureQueriesContext(connection) as ctx:
            c.get(url("cycle", cycle.pk))
            c.get(url("committee", cycle.pk))
        return len(ctx)

    small = count(2024)
    for i in range(15):
        org_services.person_create(
            actor=None, name=f"新人{i}", gender="M", unit=org.econ, staff_category=cat
        )
    assert count(2025) == small


def test_history_import_preview_then_commit(org: Any, cycle: AnnualCycle, client_for: Any) -> None:
    from openpyxl import Workbook

    def book(rows: list[list[Any]]) -> io.BytesIO:
        wb = Workbook()
        ws = wb.active
        ws.append(["年度", "姓名", "单位", "等次"])
        for r in rows:
            ws.append(r)
        out = io.BytesIO()
        wb.save(out)
        out.seek(0)
        out.name = "history.xlsx"
        return out

    c = client_for("hr")
    bad = book(
        [[2023, "戊科员", "", "优秀"], [2024, "无此人", "", "称职"], [2099, "戊科员", "", "好"]]
    )
    resp = c.post(url("history_import", cycle.pk), {"file": bad})
    problems = resp.context["plan"].problems
    assert [p.row for p in problems] == [3, 4]
    assert c.post(url("history_import", cycle.pk), {"action": "commit"}).status_code == 200
    assert not YearResult.objects.exists()  # all or nothing
    good = book(
        [
            [2023, "戊科员", "经济科技部", "优秀"],
            ["2024年", "戊科员", "", "优秀"],
            [2024, "丙主任", "", ""],
        ]
    )
    resp = c.post(url("history_import", cycle.pk), {"file": good})
    assert resp.context["plan"].problems == []
    resp = c.post(url("history_import", cycle.pk), {"action": "commit"})
    assert resp.status_code == 302
    assert YearResult.objects.filter(person=org.people["staff"], grade="excellent").count() == 2
    assert YearResult.objects.get(person=org.people["head"]).grade == ""
    assert client_for("staff").get(url("history_import", cycle.pk)).status_code == 403


def test_unit_performance_and_leadership_score(org: Any, plan: Any, client_for: Any) -> None:
    from luoshi.plans.services.plans import plan_approve, plan_issue

    plan = plan_approve(actor=org.users["leader"], plan=plan)
    # issued in January: a plan is not issued after its tasks' deadlines (issue 15 finding 4)
    plan_issue(actor=org.users["supervisor"], plan=plan, today=dt.date(2026, 1, 5))
    c = client_for("hr")
    resp = c.post(
        url("units") + f"?year=2026&agency={org.agency.pk}", {"unit": org.office.pk, "score": "92"}
    )
    assert resp.status_code == 302
    resp = c.get(url("units") + "?year=2026")
    rows = resp.context["rows"]
    office = next(r for r in rows if r.unit == org.office)
    assert office.leadership == 92
    assert office.figures.tasks >= 1
    assert rows[0].rank == 1
    resp = c.post(url("units") + "?year=2026", {"unit": org.office.pk, "score": "120"})
    assert resp.status_code == 200
    assert client_for("staff").get(url("units")).status_code == 404


def test_participant_page_actions_eligibility_and_refusals(
    org: Any, cycle: AnnualCycle, client_for: Any
) -> None:
    from luoshi.appraisal import rules

    hr, staff = client_for("hr"), client_for("staff")
    p = part(cycle, org, "staff")
    page = url("participant", p.pk)
    resp = hr.post(
        page,
        {
            "action": "eligibility",
            "leave_days": "0",
            "penalty": rules.WARNING,
            "reason": "受警告处分",
        },
    )
    assert resp.status_code == 302, resp.content
    change = p.eligibility_changes.get()
    assert change.reason == "受警告处分"
    # a refusal by the service shows on the form (the reason is required by the service too)
    resp = hr.post(page, {"action": "eligibility", "leave_days": "0", "reason": " "})
    assert resp.status_code == 422 and p.eligibility_changes.count() == 1
    # the service decides who may act, as in the API: the participant may not change their own
    # eligibility (forbidden, nothing changed); no such action: not found
    resp = staff.post(page, {"action": "eligibility", "leave_days": "0", "reason": "x"})
    assert resp.status_code == 403 and p.eligibility_changes.count() == 1
    assert hr.post(page, {"action": "nonsense"}).status_code == 404
