"""Exports: the breakdown table (xlsx, docx), the ledger (xlsx with lights) and the monthly
progress compilation (docx); each file opened and read, scoped to its viewer, audited, and the
ledger streamed with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import decimal
import io
from typing import Any
from urllib.parse import unquote

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from luoshi.core.models import AuditEntry
from luoshi.documents.breakdown import parse_breakdown
from luoshi.documents.docx import docx_lines
from luoshi.documents.exporters import EXPORTERS, register, safe_file_name
from luoshi.plans.exports import ledger as ledger_exports
from luoshi.plans.exports.breakdown import BREAKDOWN_HEADERS
from luoshi.plans.exports.cells import (
    LIGHT_FILLS,
    LIGHT_WORDS,
    indicators_text,
    milestones_text,
)
from luoshi.plans.exports.ledger import LEDGER_HEADERS, LedgerXlsx
from luoshi.plans.exports.reports import ProgressDocx, parse_month
from luoshi.plans.models import Category, Indicator, Milestone, Task
from luoshi.plans.selectors.ledger import TaskFilter
from luoshi.plans.services.lights import refresh_lights
from luoshi.plans.services.reports import ReportIn, report_submit
from luoshi.plans.services.tasks import TaskIn, task_create

from .conftest import issue

pytestmark = pytest.mark.django_db

MM = 0.05


def download(client: Any, url: str, **params: Any) -> tuple[bytes, str]:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    return b"".join(response.streaming_content), unquote(disposition)


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    book: Any = openpyxl.load_workbook(io.BytesIO(data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def add_tasks(org: Any, plan: Any, n: int, start: int) -> None:
    for i in range(start, start + n):
        task_create(
            actor=None,
            data=TaskIn(
                plan=plan,
                code=f"2026-9-0-{i}",
                title=f"批量任务{i}",
                lead_unit=org.econ,
                cooperating_units=[org.office, org.liaison],
                deadline=dt.date(2026, 12, 31),
                key_point=plan.key_points.first(),
                sort_order=100 + i,
            ),
        )


# --- the breakdown table ------------------------------------------------------------------------


def test_breakdown_xlsx_has_the_layout_columns_and_every_task(org, plan, client_for) -> None:
    data, disposition = download(client_for("supervisor"), f"/plans/{plan.pk}/breakdown.xlsx")
    assert "2026年工作要点任务分解表.xlsx" in disposition
    book: Any = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["任务分解表"]
    rows = sheet_rows(data)
    assert list(rows[0]) == [
        "序号",
        "编号",
        "重点任务",
        "具体措施",
        "量化指标",
        "牵头部门",
        "配合部门",
        "分管领导",
        "责任人",
        "完成时限",
        "阶段安排",
    ]
    assert [r[1] for r in rows[1:]] == ["2026-1-1-1", "2026-2-0-1", "2026-2-0-2"]  # outline order
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["序号"] == 1
    assert first["重点任务"] == "制定年度学习计划"
    assert first["量化指标"] == "集体学习12次"
    assert first["牵头部门"] == "办公室"
    assert first["配合部门"] == "经济科技部"
    assert first["完成时限"] == dt.datetime(2026, 12, 31)
    assert first["阶段安排"] == "3月底前印发计划"
    liaison = dict(zip(rows[0], rows[2], strict=True))
    assert liaison["分管领导"] == "乙副主席"  # from the leader-in-charge matrix


def test_breakdown_xlsx_imports_again(org, plan, client_for) -> None:
    data, _ = download(client_for("supervisor"), f"/plans/{plan.pk}/breakdown.xlsx")
    parsed = parse_breakdown(data, year=2026)
    assert [t.title for t in parsed.tasks] == [
        "制定年度学习计划",
        "举办海外侨团负责人研习班",
        "组建侨界专家智库",
    ]
    first = parsed.tasks[0]
    assert first.lead is not None and first.lead.text == "办公室"
    assert first.deadline.date == dt.date(2026, 12, 31)
    assert [(m.title, m.due) for m in first.milestones] == [("印发计划", dt.date(2026, 3, 31))]
    assert [(i.name, i.target, i.unit) for i in first.indicators] == [("集体学习", 12, "次")]


def test_breakdown_docx_in_the_official_layout(org, plan, client_for) -> None:
    data, disposition = download(client_for("supervisor"), f"/plans/{plan.pk}/breakdown.docx")
    assert "2026年工作要点任务分解表.docx" in disposition
    document: Any = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width.mm == pytest.approx(297, abs=MM)
    assert section.page_height.mm == pytest.approx(210, abs=MM)
    assert section.top_margin.mm == pytest.approx(28, abs=MM)
    assert section.left_margin.mm == pytest.approx(37, abs=MM)
    title = document.paragraphs[0]
    assert title.text == "2026年工作要点任务分解表"
    assert title.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == BREAKDOWN_HEADERS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    texts = [tuple(dict.fromkeys(c.text for c in row.cells)) for row in table.rows[1:]]
    assert texts[0] == ("一、坚持把政治建设摆在首位",)  # a key point across the table
    assert texts[1] == ("（一）深入学习贯彻",)
    assert texts[2][:3] == ("1", "2026-1-1-1", "制定年度学习计划")
    assert "12月底前" in texts[2]
    assert texts[3] == ("二、面向海外开展工作",)
    assert [t[1] for t in texts if len(t) > 1] == ["2026-1-1-1", "2026-2-0-1", "2026-2-0-2"]


def test_breakdown_shows_staff_only_their_tasks(org, plan, client_for) -> None:
    issue(org, plan)
    staff = client_for("staff")
    rows = sheet_rows(download(staff, f"/plans/{plan.pk}/breakdown.xlsx")[0])
    # led by the staff's unit, and the one it cooperates on; not the liaison department's
    assert sorted(r[1] for r in rows[1:]) == ["2026-1-1-1", "2026-2-0-2"]
    assert [r[0] for r in rows[1:]] == [1, 2]
    lines = docx_lines(download(staff, f"/plans/{plan.pk}/breakdown.docx")[0])
    assert "组建侨界专家智库" in lines
    assert "举办海外侨团负责人研习班" not in lines


def test_plan_exports_need_a_visible_plan(org, plan, client_for) -> None:
    for url in ("breakdown.xlsx", "breakdown.docx", "progress.docx"):
        # a draft plan is hidden from staff; another organization's plan from the outsider
        assert client_for("staff").get(f"/plans/{plan.pk}/{url}").status_code == 404
        assert client_for("supervisor").get(f"/plans/999999/{url}").status_code == 404
    issue(org, plan)
    for url in ("breakdown.xlsx", "breakdown.docx", "progress.docx"):
        assert client_for("outsider").get(f"/plans/{plan.pk}/{url}").status_code == 404
    assert AuditEntry.objects.filter(action="plan.export").count() == 0
    assert client_for("staff").post(f"/plans/{plan.pk}/breakdown.xlsx").status_code == 405


def test_plan_exports_are_audited(org, plan, client_for) -> None:
    client = client_for("supervisor")
    download(client, f"/plans/{plan.pk}/breakdown.xlsx")
    download(client, f"/plans/{plan.pk}/breakdown.docx")
    issue(org, plan)
    download(client, f"/plans/{plan.pk}/progress.docx", month="2026-01")
    entries: list[Any] = list(AuditEntry.objects.filter(action="plan.export").order_by("id"))
    assert [e.after["export"] for e in entries] == [
        "plan_breakdown_xlsx",
        "plan_breakdown_docx",
        "plan_progress_docx",
    ]
    assert all(e.actor == org.users["supervisor"] for e in entries)
    assert all(e.object_id == str(plan.pk) for e in entries)
    assert [e.after["rows"] for e in entries] == [3, 3, 3]
    assert entries[0].after["file"] == "2026年工作要点任务分解表.xlsx"
    assert entries[2].after["month"] == "2026-01"


# --- the ledger ---------------------------------------------------------------------------------


def test_ledger_xlsx_writes_lights_as_words_in_coloured_cells(org, plan, client_for) -> None:
    issue(org, plan)
    refresh_lights(Task.objects.all(), today=dt.date(2026, 7, 1))
    data, disposition = download(client_for("supervisor"), "/tasks/export.xlsx")
    assert "任务台账-" in disposition
    book: Any = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["任务台账"]
    header = [c.value for c in sheet[1]]
    assert header == LEDGER_HEADERS
    light_col = header.index("亮灯") + 1
    code_col = header.index("编号") + 1
    lights = dict(Task.objects.values_list("code", "light"))
    assert Task.Light.RED in lights.values()  # 2026-2-0-2 passed its deadline
    seen: dict[str, Any] = {}
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, code_col).value
        cell = sheet.cell(row, light_col)
        light = lights[code]
        assert cell.value == LIGHT_WORDS[light]
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb.endswith(LIGHT_FILLS[light])
        seen[code] = cell.value
    assert seen["2026-2-0-2"] == "红灯"
    first = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert first["编号"] == "2026-1-1-1"
    assert first["工作计划"] == "2026年工作要点"
    assert first["所属要点"] == "（一）深入学习贯彻"
    assert first["配合部门"] == "经济科技部"
    assert first["状态"] == "推进中"


def test_ledger_xlsx_honours_the_ledger_filters(org, plan, client_for) -> None:
    issue(org, plan)
    refresh_lights(Task.objects.all(), today=dt.date(2026, 7, 1))
    client = client_for("supervisor")
    red = sheet_rows(download(client, "/tasks/export.xlsx", light="red")[0])
    expected = set(Task.objects.filter(light="red").values_list("code", flat=True))
    assert {r[1] for r in red[1:]} == expected and len(red) - 1 == len(expected)
    assert all(r[12] == "红灯" for r in red[1:])
    by_unit = sheet_rows(download(client, "/tasks/export.xlsx", lead_unit=org.liaison.pk)[0])
    assert [r[1] for r in by_unit[1:]] == ["2026-2-0-1"]
    key = sheet_rows(download(client, "/tasks/export.xlsx", key_only="on")[0])
    assert [r[1] for r in key[1:]] == ["2026-2-0-1"]
    found = sheet_rows(download(client, "/tasks/export.xlsx", q="研習班")[0])  # Traditional
    assert [r[1] for r in found[1:]] == ["2026-2-0-1"]
    entry: Any = AuditEntry.objects.filter(action="task_ledger.export").order_by("-id").first()
    assert entry is not None and entry.after["filters"]["q"] == "研習班"
    assert entry.after["rows"] == 1


def test_ledger_xlsx_is_scoped(org, plan, client_for) -> None:
    issue(org, plan)
    rows = sheet_rows(download(client_for("staff"), "/tasks/export.xlsx")[0])
    assert sorted(r[1] for r in rows[1:]) == ["2026-1-1-1", "2026-2-0-2"]
    assert client_for("auditor").get("/tasks/export.xlsx").status_code == 404
    assert client_for("outsider").get("/tasks/export.xlsx").status_code == 200
    outsider_rows = sheet_rows(download(client_for("outsider"), "/tasks/export.xlsx")[0])
    assert outsider_rows[1:] == []


def test_ledger_xlsx_export_is_audited(org, plan, client_for) -> None:
    issue(org, plan)
    download(client_for("staff"), "/tasks/export.xlsx", status="in_progress")
    entry: Any = AuditEntry.objects.get(action="task_ledger.export")
    assert entry.actor == org.users["staff"]
    assert entry.object_type == "plans.task_ledger"
    assert entry.after["export"] == "task_ledger_xlsx"
    assert entry.after["rows"] == 2
    assert entry.after["filters"]["status"] == "in_progress"
    assert entry.after["file"].startswith("任务台账-") and entry.after["file"].endswith(".xlsx")


def test_ledger_xlsx_streams_with_a_fixed_number_of_queries(org, plan, client_for) -> None:
    client = client_for("supervisor")
    add_tasks(org, plan, 7, 1)  # 10 tasks

    def count() -> tuple[int, int]:
        download(client, "/tasks/export.xlsx", include_closed="on")  # warm: cached filter lists
        with CaptureQueriesContext(connection) as ctx:
            data, _ = download(client, "/tasks/export.xlsx", include_closed="on")
        return len(ctx.captured_queries), len(sheet_rows(data)) - 1

    small, rows = count()
    assert rows == 10
    add_tasks(org, plan, 190, 100)  # 200 tasks
    large, rows = count()
    assert rows == 200
    assert large == small


def test_ledger_rows_are_right_across_chunks(org, plan, monkeypatch) -> None:
    """Chunks of 7: each chunk's related rows belong to that chunk's tasks."""
    add_tasks(org, plan, 17, 1)
    category = Category.objects.create(agency=org.agency, name="党建")
    Task.objects.get(code="2026-9-0-9").categories.add(category)
    monkeypatch.setattr(ledger_exports, "LEDGER_CHUNK", 7)
    export = LedgerXlsx(org.users["supervisor"], TaskFilter()).render()
    try:
        rows = sheet_rows(export.file.read())
    finally:
        export.file.close()
    assert export.rows == 20 == len(rows) - 1
    assert [r[0] for r in rows[1:]] == list(range(1, 21))
    batch = {r[1]: r for r in rows[1:] if r[1].startswith("2026-9-0-")}
    assert len(batch) == 17
    assert all(r[6] == "办公室、组织联络部" for r in batch.values())
    assert batch["2026-9-0-9"][15] == "党建"
    assert all(r[15] is None for code, r in batch.items() if code != "2026-9-0-9")


def test_exporters_are_registered() -> None:
    assert {cls.identifier for cls in EXPORTERS.for_app("plans")} >= {
        "plan_breakdown_xlsx",
        "plan_breakdown_docx",
        "plan_progress_docx",
        "task_ledger_xlsx",
    }
    with pytest.raises(ValueError):
        register(LedgerXlsx)


# --- the monthly progress compilation -------------------------------------------------------------


def _report(org: Any, code: str, persona: str, unit: Any, text: str, day: dt.date) -> None:
    report_submit(
        actor=org.users[persona],
        task=Task.objects.get(code=code),
        unit=unit,
        data=ReportIn(text=text, percent=30 if unit else None),
        today=day,
    )


def test_progress_docx_compiles_the_month(org, plan, client_for) -> None:
    issue(org, plan)
    january = dt.date(2026, 1, 20)
    _report(
        org, "2026-1-1-1", "head", org.office, "已印发年度学习计划。\n组织集体学习1次。", january
    )
    _report(org, "2026-1-1-1", "staff", org.econ, "配合提供学习材料。", january)
    # the cooperating unit's January report is in, so its report on 10 February is February's
    _report(org, "2026-1-1-1", "staff", org.econ, "二月的进展。", dt.date(2026, 2, 10))
    data, disposition = download(
        client_for("supervisor"), f"/plans/{plan.pk}/progress.docx", month="2026-01"
    )
    assert "2026年工作要点2026年1月工作进展汇编.docx" in disposition
    document: Any = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert section.page_width.mm == pytest.approx(210, abs=MM)
    assert section.page_height.mm == pytest.approx(297, abs=MM)
    assert section.top_margin.mm == pytest.approx(37, abs=MM)
    assert section.left_margin.mm == pytest.approx(28, abs=MM)
    assert section.right_margin.mm == pytest.approx(26, abs=MM)
    assert section.bottom_margin.mm == pytest.approx(35, abs=MM)
    title = document.paragraphs[0]
    assert title.text == "2026年工作要点\n2026年1月工作进展汇编"
    assert title.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    texts = [p.text for p in document.paragraphs]
    assert "共3项任务，已报送1项，未报送2项。" in texts[2]
    assert texts.index("一、坚持把政治建设摆在首位") < texts.index("（一）深入学习贯彻")
    first = texts.index("1. 制定年度学习计划")
    assert texts.index("（一）深入学习贯彻") < first < texts.index("二、面向海外开展工作")
    assert texts[first + 1].startswith("编号：2026-1-1-1；牵头部门：办公室；配合部门：经济科技部")
    assert texts[first + 2] == "（1）本月进展：已印发年度学习计划。"
    assert texts[first + 3] == "组织集体学习1次。"
    assert "经济科技部：配合提供学习材料。" in texts
    heading = document.paragraphs[texts.index("一、坚持把政治建设摆在首位")]
    assert heading.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    section_heading = document.paragraphs[texts.index("（一）深入学习贯彻")]
    assert section_heading.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    # the February report is not January's: that task is missing, like the one never reported
    assert texts.count("本月进展：未报送。") == 2
    assert "二月的进展。" not in " ".join(texts)
    missing = document.tables[-1]
    assert [c.text for c in missing.rows[0].cells] == ["序号", "编号", "任务", "牵头部门", "责任人"]
    assert [r.cells[1].text for r in missing.rows[1:]] == ["2026-2-0-1", "2026-2-0-2"]
    assert "附：本月未报送进展情况的任务" in texts


def test_progress_docx_is_scoped_and_checks_the_month(org, plan, client_for) -> None:
    issue(org, plan)
    staff = client_for("staff")
    lines = docx_lines(download(staff, f"/plans/{plan.pk}/progress.docx", month="2026-01")[0])
    assert "1. 制定年度学习计划" in lines and "1. 组建侨界专家智库" in lines
    assert not any("举办海外侨团负责人研习班" in line for line in lines)
    for bad in ("2026-13", "January", "2026/01"):
        response = staff.get(f"/plans/{plan.pk}/progress.docx", {"month": bad})
        assert response.status_code == 422
    assert AuditEntry.objects.filter(action="plan.export").count() == 1


def test_progress_docx_defaults_to_the_current_month(org, plan) -> None:
    issue(org, plan)
    exporter = ProgressDocx(
        org.users["supervisor"], plan, parse_month("", today=dt.date(2026, 3, 17))
    )
    assert exporter.month == dt.date(2026, 3, 1)
    assert exporter.file_name() == "2026年工作要点2026年3月工作进展汇编"


def test_safe_file_names() -> None:
    assert safe_file_name("2026年/工作:要点?") == "2026年_工作_要点_"
    assert safe_file_name("...") == "export"


def test_roadmap_and_indicator_texts() -> None:
    milestones = [
        Milestone(title="完成中期评估", due_date=dt.date(2026, 6, 15)),
        Milestone(title="总结", due_date=dt.date(2026, 11, 30)),
        Milestone(title="验收", due_date=dt.date(2027, 1, 31)),
    ]
    assert (
        milestones_text(milestones, 2026)
        == "6月15日前完成中期评估；11月底前总结；2027年1月底前验收"
    )
    indicators = [
        Indicator(name="举办研习班", target=decimal.Decimal("4.00"), unit="期"),
        Indicator(
            name="办结时长",
            target=decimal.Decimal("5.50"),
            unit="天",
            direction=Indicator.Direction.LOWER,
        ),
    ]
    assert indicators_text(indicators) == "举办研习班4期；办结时长≤5.5天"
