"""The import page of a draft plan: upload, preview with fixes, commit all or nothing; and the
services that complete an outlined plan from the task breakdown table."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from luoshi.core.errors import Forbidden, InvalidInput
from luoshi.core.models import AuditEntry, StoredUpload
from luoshi.orgs import services as org_services
from luoshi.orgs.demo import AGENCY_CODE, build_demo
from luoshi.orgs.models import OrgUnit, User
from luoshi.plans.models import Indicator, KeyPoint, Milestone, Task, TaskEvent, WorkPlan
from luoshi.plans.services.imports import import_outline, parse_for
from luoshi.plans.services.plans import plan_approve, plan_create, plan_issue
from luoshi.plans.services.roadmap import indicator_add, milestone_add
from luoshi.plans.services.tasks import TaskIn, task_create

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"
DOCX = SHARED / "work-points-2024.docx"
XLSX = SHARED / "task-breakdown-2024.xlsx"


@dataclass
class Demo:
    agency: OrgUnit
    supervisor: User
    plan: WorkPlan

    def client(self, username: str = "demo_supervisor") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(
            User.objects.get(username=username), backend="luoshi.orgs.auth.AccountBackend"
        )
        return client

    @property
    def url(self) -> str:
        return reverse("plans:plan_import", args=[self.plan.pk])


def make_demo() -> Demo:
    """The demo agency, its supervisor (a plan manager) and an empty draft plan for 2024."""
    build_demo()
    agency = OrgUnit.objects.get(code=AGENCY_CODE)
    supervisor = User.objects.get(username="demo_supervisor")
    plan = plan_create(actor=supervisor, agency=agency, year=2024, title="江岚省侨联2024年工作要点")
    return Demo(agency, supervisor, plan)


@pytest.fixture
def demo(db: Any) -> Demo:
    return make_demo()


def word(*lines: str) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def workbook(rows: list[list[Any]], title: str = "任务分解表") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CRAFTED = word(
    "江岚省侨联2024年工作要点",
    "一、加强理论学习",
    "1.开展专题学习（牵头部门：外星部；配合部门：办公室、火星部；完成时限：择机完成）",
    "2.编写学习材料3册（牵头部门：研究室；完成时限：6月底前）",
)


def upload(client: Client, url: str, data: bytes, name: str) -> Any:
    return client.post(url, {"action": "upload", "file": SimpleUploadedFile(name, data)})


def text_of(response: Any) -> str:
    return response.content.decode()


def count_in(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">(\d+)<', html)
    assert match, f"no #{element_id} in the page"
    return int(match.group(1))


def counts() -> tuple[int, ...]:
    return (
        KeyPoint.objects.count(),
        Task.objects.count(),
        Milestone.objects.count(),
        Indicator.objects.count(),
        AuditEntry.objects.count(),
    )


@contextmanager
def nothing_written() -> Iterator[None]:
    before = counts()
    yield
    assert counts() == before


def session_token(client: Client, plan: WorkPlan) -> str:
    token = client.session[f"plans_import_upload_{plan.pk}"]
    assert isinstance(token, str)
    return token


# --- the shared Word plan ---------------------------------------------------------------------


def test_the_shared_docx_upload_preview_commit(demo: Demo) -> None:
    client = demo.client()
    page = client.get(demo.url)
    assert page.status_code == 200
    assert 'type="file"' in text_of(page) and "data-ls-busy" in text_of(page)
    with nothing_written():
        response = upload(client, demo.url, DOCX.read_bytes(), "work-points-2024.docx")
        assert response.status_code == 302 and response["Location"].endswith("?step=preview")
        preview = client.get(response["Location"])
    html = text_of(preview)
    assert preview.status_code == 200
    assert count_in(html, "import-key-points") == 8
    assert count_in(html, "import-tasks") == 24
    assert html.count('class="import-task"') == 24
    # every task as recognised: code, title, lead, cooperating units, deadline, indicators
    assert "2024-1-1-1" in html and "制定年度理论学习中心组学习计划" in html
    assert "机关党委" in html and "2024-12-31" in html and "开展集体学习: ≥ 12次" in html
    assert 'name="lead-' not in html  # every lead unit of the sample is known to the demo
    assert "Everything was recognised." in html or "not recognised" in html
    token = session_token(client, demo.plan)
    assert f'name="token" value="{token}"' in html
    assert "work-points-2024.docx" in text_of(client.get(demo.url))  # waiting to be imported

    # the sample is headed 滨海省…, not the demo agency 江岚省…: confirmed (issue 15 finding 4)
    response = client.post(demo.url, {"action": "commit", "token": token, "confirm_mismatch": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?step=done")
    assert KeyPoint.objects.filter(plan=demo.plan, level=1).count() == 8
    assert Task.objects.filter(plan=demo.plan).count() == 24
    first = Task.objects.get(plan=demo.plan, code="2024-1-1-1")
    assert first.lead_unit.name == "机关党委" and first.deadline == dt.date(2024, 12, 31)
    assert not StoredUpload.objects.filter(purpose="plan_import").exists()
    done = text_of(client.get(response["Location"]))
    assert count_in(done, "import-tasks-created") == 24
    assert count_in(done, "import-key-points-created") == 8
    assert reverse("plans:plan", args=[demo.plan.pk]) in done
    (entry,) = AuditEntry.objects.filter(action="plan.import_file")
    assert entry.after is not None and entry.after["file"] == "work-points-2024.docx"
    assert len(entry.after["sha256"]) == 64
    # the same commit again does nothing
    again = client.post(demo.url, {"action": "commit", "token": token})
    assert again.status_code == 302 and not again["Location"].endswith("done")
    assert Task.objects.filter(plan=demo.plan).count() == 24
    # a Word outline into a plan that has one is refused at the upload, with a clear message
    with nothing_written():
        refused = upload(client, demo.url, DOCX.read_bytes(), "again.docx")
    assert refused.status_code == 422 and "already has its outline" in text_of(refused)
    with nothing_written():
        text = upload(client, demo.url, b"hello", "notes.docx")
    assert text.status_code == 422 and "not a Word document" in text_of(text)


def test_the_plan_page_links_to_the_import(demo: Demo) -> None:
    plan_url = reverse("plans:plan", args=[demo.plan.pk])
    assert demo.url in text_of(demo.client().get(plan_url))
    assert demo.url not in text_of(demo.client("demo_leader").get(plan_url))


# --- fixing what was not recognised ---------------------------------------------------------


def test_an_unknown_lead_unit_is_chosen_in_the_preview(demo: Demo) -> None:
    client = demo.client()
    upload(client, demo.url, CRAFTED, "crafted.docx")
    html = text_of(client.get(demo.url + "?step=preview"))
    assert count_in(html, "import-tasks") == 2
    assert 'name="lead-2024-1-0-1"' in html and 'name="lead-2024-1-0-2"' not in html
    assert 'name="deadline-2024-1-0-1"' in html and 'type="date"' in html
    assert "外星部" in html and "火星部" in html and "import-unrecognised" in html
    assert 'id="plan-import-to-fix"' in html
    office = OrgUnit.objects.get(code="JL-BGS")
    research = OrgUnit.objects.get(code="JL-YJS")
    assert f'<option value="{office.pk}">' in html  # the agency's units to choose from
    token = session_token(client, demo.plan)

    # importing without choosing the lead unit writes nothing and says what is missing
    with nothing_written():
        missing = client.post(demo.url, {"action": "commit", "token": token})
    assert missing.status_code == 422
    assert "Choose the lead unit." in text_of(missing)
    # a unit outside the agency is not a choice
    outside = OrgUnit.objects.exclude(path__startswith=demo.agency.path).first()
    if outside is not None:
        with nothing_written():
            wrong = client.post(
                demo.url,
                {"action": "commit", "token": token, "lead-2024-1-0-1": str(outside.pk)},
            )
        assert wrong.status_code == 422

    response = client.post(
        demo.url,
        {
            "action": "commit",
            "token": token,
            "lead-2024-1-0-1": str(office.pk),
            "deadline-2024-1-0-1": "2024-09-30",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?step=done")
    fixed = Task.objects.get(plan=demo.plan, code="2024-1-0-1")
    assert fixed.lead_unit == office and fixed.deadline == dt.date(2024, 9, 30)
    assert [u.name for u in fixed.cooperating_units.all()] == []  # 办公室 leads now; 火星部 unknown
    other = Task.objects.get(plan=demo.plan, code="2024-1-0-2")
    assert other.lead_unit == research and other.deadline == dt.date(2024, 6, 30)
    assert other.indicators.get().target == 3
    done = text_of(client.get(response["Location"]))
    assert count_in(done, "import-tasks-created") == 2
    assert "火星部" in done  # left out, and said so


def test_an_ambiguous_lead_unit_offers_its_candidates_first(demo: Demo) -> None:
    office = OrgUnit.objects.get(code="JL-BGS")
    center = OrgUnit.objects.get(code="JL-XXZX")
    twin = org_services.org_unit_create(
        actor=None,
        name="信息中心综合办公室",
        short_name="办公室",
        code="JL-XXZX-BGS",
        parent=center,
        kind=OrgUnit.Kind.DEPARTMENT,
        level=center.level,
    )
    client = demo.client()
    upload(
        client, demo.url, word("2024年工作要点", "一、学习", "1.学习（牵头部门：办公室）"), "a.docx"
    )
    html = text_of(client.get(demo.url + "?step=preview"))
    assert "matches several units" in html
    group = re.search(r'<optgroup label="Units called “办公室”">(.*?)</optgroup>', html, re.S)
    assert group is not None
    assert f'value="{office.pk}"' in group.group(1) and f'value="{twin.pk}"' in group.group(1)
    response = client.post(
        demo.url,
        {
            "action": "commit",
            "token": session_token(client, demo.plan),
            "lead-2024-1-0-1": str(twin.pk),
        },
    )
    assert response["Location"].endswith("?step=done")
    assert Task.objects.get(plan=demo.plan).lead_unit == twin


def test_a_bad_date_in_the_form_is_refused(demo: Demo) -> None:
    client = demo.client()
    upload(client, demo.url, CRAFTED, "crafted.docx")
    office = OrgUnit.objects.get(code="JL-BGS")
    with nothing_written():
        response = client.post(
            demo.url,
            {
                "action": "commit",
                "token": session_token(client, demo.plan),
                "lead-2024-1-0-1": str(office.pk),
                "deadline-2024-1-0-1": "2024-02-30",
            },
        )
    assert response.status_code == 422 and "Enter a valid date." in text_of(response)


# --- bad files and stale previews -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.docx", "The file is empty."),
        (b"just some text\n", "notes.docx", "not a Word document"),
        (Path(settings.BASE_DIR, "README.md").read_bytes(), "README.md", "not a Word document"),
        (word("会议纪要", "今天开会。"), "minutes.docx", ""),
        (workbook([["姓名", "手机号"], ["张三", "138"]]), "people.xlsx", "重点任务"),
        (b"PK\x03\x04broken", "broken.xlsx", "damaged"),
    ],
)
def test_an_unreadable_or_empty_file_gets_a_clear_error(
    demo: Demo, data: bytes, name: str, message: str
) -> None:
    client = demo.client()
    with nothing_written():
        response = upload(client, demo.url, data, name)
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="plan-import-file-error"' in html
    assert message in html
    assert not StoredUpload.objects.exists()


def test_a_stale_or_forged_token_imports_nothing(demo: Demo) -> None:
    client = demo.client()
    upload(client, demo.url, DOCX.read_bytes(), "plan.docx")
    with nothing_written():
        forged = client.post(demo.url, {"action": "commit", "token": "not-the-token"})
        assert forged.status_code == 302
        assert "no longer current" in text_of(client.get(forged["Location"]))
        cancelled = client.post(demo.url, {"action": "cancel"})
        assert "nothing was written" in text_of(client.get(cancelled["Location"]))
        preview = client.get(demo.url + "?step=preview")
        assert preview.status_code == 302
        assert "Upload the file first." in text_of(client.get(preview["Location"]))
    assert not StoredUpload.objects.exists()


def test_only_a_draft_plan_takes_an_import(demo: Demo) -> None:
    import_outline(
        actor=demo.supervisor,
        plan=demo.plan,
        parsed=parse_for(demo.plan, DOCX.read_bytes()),
    )
    plan_approve(actor=User.objects.get(username="demo_leader"), plan=demo.plan)
    client = demo.client()
    response = client.get(demo.url)
    assert response.status_code == 302
    assert "Only a draft plan" in text_of(client.get(response["Location"]))
    with nothing_written():
        upload(client, demo.url, XLSX.read_bytes(), "breakdown.xlsx")


@pytest.mark.parametrize(("username", "status"), [("demo_leader", 403), ("demo_staff", 404)])
def test_others_cannot_import(demo: Demo, username: str, status: int) -> None:
    client = demo.client(username)
    with nothing_written():
        assert client.get(demo.url).status_code == status
        assert upload(client, demo.url, DOCX.read_bytes(), "plan.docx").status_code == status
    assert not StoredUpload.objects.exists()


def test_a_plan_outside_the_scope_is_not_found(demo: Demo) -> None:
    assert demo.client("demo_outsider").get(demo.url).status_code == 404
    missing = reverse("plans:plan_import", args=[demo.plan.pk + 1000])
    assert demo.client().get(missing).status_code == 404


# --- the Excel breakdown table ------------------------------------------------------------------


def test_the_breakdown_table_completes_an_imported_plan(demo: Demo) -> None:
    client = demo.client()
    upload(client, demo.url, DOCX.read_bytes(), "plan.docx")
    client.post(
        demo.url,
        {"action": "commit", "token": session_token(client, demo.plan), "confirm_mismatch": "1"},
    )
    assert Task.objects.filter(plan=demo.plan).count() == 24
    seminar = Task.objects.get(plan=demo.plan, code="2024-2-1-1")
    assert seminar.milestones.count() == 0
    indicators_before = seminar.indicators.count()

    with nothing_written():
        response = upload(client, demo.url, XLSX.read_bytes(), "task-breakdown-2024.xlsx")
        assert response["Location"].endswith("?step=preview")
        html = text_of(client.get(response["Location"]))
    assert count_in(html, "import-rows") == 3 and count_in(html, "import-matched") == 3
    assert count_in(html, "import-milestones") == 7  # 5 + 2; the recurring one has no date
    assert "2024-2-1-1" in html and "2024-05-31 举办1期" in html
    assert "repeats" in html  # 每月5日前更新台账: shown as left out
    assert 'id="plan-import-commit"' in html

    response = client.post(
        demo.url, {"action": "commit", "token": session_token(client, demo.plan)}
    )
    assert response["Location"].endswith("?step=done")
    assert [(m.title, m.due_date) for m in seminar.milestones.order_by("sort_order")] == [
        ("制定方案", dt.date(2024, 3, 31)),
        ("举办1期", dt.date(2024, 5, 31)),
        ("举办1期", dt.date(2024, 7, 31)),
        ("举办1期", dt.date(2024, 9, 30)),
        ("举办1期", dt.date(2024, 11, 30)),
    ]
    assert seminar.indicators.count() == indicators_before  # 4期 and 300人次 were there already
    station = Task.objects.get(plan=demo.plan, code="2024-2-1-2")
    assert [m.due_date for m in station.milestones.all()] == [
        dt.date(2024, 6, 30),
        dt.date(2024, 12, 31),
    ]
    rate = Task.objects.get(plan=demo.plan, code="2024-2-2-1")
    assert rate.indicators.filter(name="办结率", target=95, unit="%").exists()
    assert AuditEntry.objects.filter(action="milestone.create").count() == 7
    assert count_in(html, "import-indicators") == 0  # the outline's text proposed them all
    assert not AuditEntry.objects.filter(action="indicator.create").exists()
    assert AuditEntry.objects.filter(action="plan.import_breakdown").count() == 1
    assert TaskEvent.objects.filter(task=seminar, kind=TaskEvent.Kind.CHANGED).count() == 5
    done = text_of(client.get(response["Location"]))
    assert count_in(done, "import-milestones-added") == 7
    assert count_in(done, "import-tasks-enriched") == 3

    # the same table again adds nothing, and offers nothing to commit
    with nothing_written():
        upload(client, demo.url, XLSX.read_bytes(), "task-breakdown-2024.xlsx")
        again = text_of(client.get(demo.url + "?step=preview"))
    assert count_in(again, "import-milestones") == 0 and count_in(again, "import-indicators") == 0
    assert 'id="plan-import-commit"' not in again and "already has the milestone" in again


def test_rows_that_match_no_task_are_listed(demo: Demo) -> None:
    import_outline(
        actor=demo.supervisor,
        plan=demo.plan,
        parsed=parse_for(demo.plan, DOCX.read_bytes()),
    )
    table = workbook(
        [
            ["序号", "重点任务", "牵头部门", "完成时限", "阶段安排", "量化指标"],
            [
                "2-1-2",
                "联络站",
                "海外联谊部",
                "2024年12月底前",
                "4月底前完成选址；2025年1月底前验收",
                "覆盖国家17个",
            ],
            [2, "建设一个不存在的平台", "办公室", "", "3月底前启动", ""],
        ]
    )
    client = demo.client()
    upload(client, demo.url, table, "table.xlsx")
    html = text_of(client.get(demo.url + "?step=preview"))
    assert count_in(html, "import-matched") == 1 and 'id="plan-import-unmatched"' in html
    assert "import-unmatched" in html and "建设一个不存在的平台" in html
    assert "is due after the task&#x27;s deadline" in html  # 2025年1月底前验收: left out
    response = client.post(
        demo.url, {"action": "commit", "token": session_token(client, demo.plan)}
    )
    done = text_of(client.get(response["Location"]))
    assert "建设一个不存在的平台" in done
    station = Task.objects.get(plan=demo.plan, code="2024-2-1-2")
    assert [(m.title, m.due_date) for m in station.milestones.all()] == [
        ("完成选址", dt.date(2024, 4, 30))
    ]
    added = station.indicators.get(target=17)
    assert (added.name, added.unit, added.direction) == ("覆盖国家", "个", "higher")
    assert AuditEntry.objects.filter(action="indicator.create").count() == 1


def test_the_breakdown_table_into_an_empty_plan_creates_its_tasks(demo: Demo) -> None:
    client = demo.client()
    with nothing_written():
        upload(client, demo.url, XLSX.read_bytes(), "task-breakdown-2024.xlsx")
        html = text_of(client.get(demo.url + "?step=preview"))
    assert count_in(html, "import-key-points") == 1 and count_in(html, "import-tasks") == 3
    assert "任务分解表" in html and "repeats" in html
    response = client.post(
        demo.url, {"action": "commit", "token": session_token(client, demo.plan)}
    )
    assert response["Location"].endswith("?step=done")
    (point,) = KeyPoint.objects.filter(plan=demo.plan)
    assert point.title == "任务分解表"
    tasks = list(Task.objects.filter(plan=demo.plan).order_by("sort_order"))
    assert [t.title for t in tasks] == [
        "举办海外侨团负责人研习班",
        "新建海外联络站",
        "侨界群众急难愁盼问题台账",
    ]
    assert all(t.key_point == point for t in tasks)
    assert tasks[0].lead_unit.name == "海外联谊部" and tasks[0].milestones.count() == 5


# --- the services -------------------------------------------------------------------------------


@pytest.fixture
def task(demo: Demo) -> Task:
    return task_create(
        actor=demo.supervisor,
        data=TaskIn(
            plan=demo.plan,
            code="2024-1-0-1",
            title="开展学习",
            lead_unit=OrgUnit.objects.get(code="JL-BGS"),
            deadline=dt.date(2024, 6, 30),
        ),
    )


def test_milestone_add(demo: Demo, task: Task) -> None:
    first = milestone_add(
        actor=demo.supervisor, task=task, title=" 制定方案 ", due_date=dt.date(2024, 3, 31)
    )
    second = milestone_add(
        actor=demo.supervisor, task=task, title="中期评估", due_date=dt.date(2024, 5, 31)
    )
    assert (first.title, first.sort_order, second.sort_order) == ("制定方案", 0, 1)
    assert AuditEntry.objects.filter(action="milestone.create", object_id=str(first.pk)).exists()
    assert task.events.filter(kind=TaskEvent.Kind.CHANGED).count() == 2
    with nothing_written(), pytest.raises(InvalidInput) as late:
        milestone_add(actor=demo.supervisor, task=task, title="总结", due_date=dt.date(2024, 7, 1))
    assert late.value.details[0]["field"] == "due_date"
    with nothing_written(), pytest.raises(InvalidInput):
        milestone_add(actor=demo.supervisor, task=task, title="  ", due_date=dt.date(2024, 3, 1))


def test_indicator_add(demo: Demo, task: Task) -> None:
    indicator = indicator_add(
        actor=demo.supervisor, task=task, name="办结率", target=decimal.Decimal("95"), unit="%"
    )
    assert (indicator.target, indicator.direction) == (95, Indicator.Direction.HIGHER)
    assert AuditEntry.objects.filter(action="indicator.create").count() == 1
    with nothing_written(), pytest.raises(InvalidInput) as bad:
        indicator_add(
            actor=demo.supervisor,
            task=task,
            name="",
            target=decimal.Decimal("1e13"),
            direction="sideways",
        )
    assert {d["field"] for d in bad.value.details} == {"name", "target", "direction"}


def test_after_the_plan_is_issued_changes_go_through_an_adjustment(demo: Demo, task: Task) -> None:
    plan_approve(actor=User.objects.get(username="demo_leader"), plan=demo.plan)
    plan_issue(actor=demo.supervisor, plan=demo.plan, today=dt.date(2024, 1, 5))
    task.refresh_from_db()
    with nothing_written(), pytest.raises(Forbidden):
        milestone_add(actor=demo.supervisor, task=task, title="方案", due_date=dt.date(2024, 3, 1))
    with nothing_written(), pytest.raises(Forbidden):
        indicator_add(actor=demo.supervisor, task=task, name="次数", target=decimal.Decimal(3))
