"""Reading the task breakdown table and roadmaps (阶段安排) into milestones."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from luoshi.documents.breakdown import (
    BreakdownError,
    merge_breakdown,
    parse_breakdown,
    parse_milestones,
)
from luoshi.documents.indicators import HIGHER
from luoshi.documents.outline import parse_docx
from luoshi.documents.tests.test_outline import UNIT_IDS, resolve
from luoshi.documents.xlsx import WorkbookError


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are asserted in English, the source language."""
    with translation.override("en"):
        yield


SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"
BREAKDOWN = SHARED / "task-breakdown-2024.xlsx"


def book_bytes(rows: list[list[object]], title: str = "任务分解表") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_shared_breakdown_table() -> None:
    breakdown = parse_breakdown(BREAKDOWN, resolve=resolve)
    assert (breakdown.sheet, breakdown.header_row, breakdown.year) == ("任务分解表", 1, 2024)
    assert breakdown.problems == []
    assert len(breakdown.tasks) == 3
    first, second, third = breakdown.tasks
    assert (first.code, first.line, first.title) == ("2024-0-0-1", 2, "举办海外侨团负责人研习班")
    assert first.measures == ["分四期在省内举办，每期5天"]
    assert first.lead_id == UNIT_IDS["海外联谊部"]
    assert first.cooperating_ids == [UNIT_IDS["文化交流部"], UNIT_IDS["经济科技部"]]
    assert first.deadline.date == dt.date(2024, 11, 30)
    assert [(i.name, i.target, i.unit) for i in first.indicators] == [
        ("举办海外侨团负责人研习班", Decimal(4), "期"),
        ("举办海外侨团负责人研习班", Decimal(300), "人次"),
    ]
    assert [(m.title, m.due) for m in first.milestones] == [
        ("制定方案", dt.date(2024, 3, 31)),
        ("举办1期", dt.date(2024, 5, 31)),
        ("举办1期", dt.date(2024, 7, 31)),
        ("举办1期", dt.date(2024, 9, 30)),
        ("举办1期", dt.date(2024, 11, 30)),
    ]
    assert [(m.title, m.due) for m in second.milestones] == [
        ("完成2个", dt.date(2024, 6, 30)),
        ("完成5个", dt.date(2024, 12, 31)),
    ]
    assert [(i.name, i.target, i.unit, i.direction) for i in third.indicators] == [
        ("办结率", Decimal(95), "%", HIGHER)
    ]
    # a recurring arrangement is shown, without a date, as something to look at
    (recurring,) = third.milestones
    assert recurring.due is None and "repeats" in recurring.problem
    assert breakdown.summary() == {"key_points": 0, "tasks": 3, "unresolved": []}


def test_the_breakdown_completes_the_outline() -> None:
    plan = parse_docx(SHARED / "work-points-2024.docx", resolve=resolve)
    breakdown = parse_breakdown(BREAKDOWN, resolve=resolve)
    assert merge_breakdown(plan, breakdown) == []
    by_code = {task.code: task for task in plan.tasks()}
    seminar = by_code["2024-2-1-1"]
    assert len(seminar.milestones) == 5
    assert "分四期在省内举办，每期5天" in seminar.measures
    # indicators the outline already proposed are not doubled
    assert [(i.name, i.target) for i in seminar.indicators] == [
        ("举办海外侨团负责人研习班", 4),
        ("培训海外侨团骨干", 300),
    ]
    assert [m.due for m in by_code["2024-2-1-2"].milestones] == [
        dt.date(2024, 6, 30),
        dt.date(2024, 12, 31),
    ]
    assert any("row 4" in note for note in by_code["2024-2-2-1"].notes)
    assert by_code["2024-1-1-1"].milestones == []


def test_headers_in_either_script_with_a_title_row_and_outline_numbers() -> None:
    data = book_bytes(
        [
            ["滨海省侨联2025年重点任务分解表"],
            [
                "序 号",
                "重點任務",
                "牽頭部門（必填）",
                "配合單位",
                "完成時限",
                "階段安排",
                "分管領導",
            ],
            ["2-1-1", "举办研习班", "海外聯誼部", "", "上半年", "3月籌備，6月舉辦", "王副主席"],
            [2, "建设平台", "不存在的部", "办公室、各部门", "", "", ""],
            [None, None, None, None, None, None, None],
            ["", "", "", "", "", "", ""],
        ],
        title="Sheet1",
    )
    breakdown = parse_breakdown(data, resolve=resolve)
    assert (breakdown.sheet, breakdown.header_row, breakdown.year) == ("Sheet1", 2, 2025)
    first, second = breakdown.tasks
    assert (first.code, first.position, first.line) == ("2025-2-1-1", (2, 1, 1), 3)
    assert first.lead_id == UNIT_IDS["海外联谊部"]
    assert first.deadline.date == dt.date(2025, 6, 30)
    assert first.leader == "王副主席"
    assert [(m.title, m.due) for m in first.milestones] == [
        ("籌備", dt.date(2025, 3, 31)),
        ("舉辦", dt.date(2025, 6, 30)),
    ]
    assert (second.code, second.number) == ("2025-0-0-2", 2)
    assert second.unresolved_units == ["不存在的部"]
    assert second.cooperating_ids == [UNIT_IDS["办公室"]] and second.cooperating_every
    assert [u["field"] for u in breakdown.summary()["unresolved"]] == ["lead"]


def test_a_table_without_the_required_columns() -> None:
    with pytest.raises(BreakdownError) as caught:
        parse_breakdown(book_bytes([["姓名", "手机号"], ["张三", "138"]]))
    assert caught.value.code == "missing_columns"
    assert "重点任务" in str(caught.value.message)
    with pytest.raises(BreakdownError) as caught:
        parse_breakdown(book_bytes([["重点任务", "牵头部门"]]))
    assert caught.value.code == "empty_table"


def test_a_word_document_given_as_a_breakdown_table() -> None:
    with pytest.raises(WorkbookError) as caught:
        parse_breakdown(SHARED / "work-points-2024.docx")
    assert caught.value.code == "not_xlsx"
    with pytest.raises(WorkbookError) as caught:
        parse_breakdown(b"")
    assert caught.value.code == "empty_file"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "3月底前完成方案；6月底前完成中期评估；11月底前总结",
            [("完成方案", "2024-03-31"), ("完成中期评估", "2024-06-30"), ("总结", "2024-11-30")],
        ),
        ("3月完成方案，6月完成评估", [("完成方案", "2024-03-31"), ("完成评估", "2024-06-30")]),
        ("第一季度启动;第三季度验收。", [("启动", "2024-03-31"), ("验收", "2024-09-30")]),
        (
            "上半年完成调研\n年底前形成报告",
            [("完成调研", "2024-06-30"), ("形成报告", "2024-12-31")],
        ),
        ("6月、9月各开展1次督查", [("开展1次督查", "2024-06-30"), ("开展1次督查", "2024-09-30")]),
        ("2025年1月15日前报送总结", [("报送总结", "2025-01-15")]),
        ("", []),
    ],
)
def test_milestone_phrases(text: str, expected: list[tuple[str, str]]) -> None:
    found = parse_milestones(text, 2024)
    assert [(m.title, m.due.isoformat() if m.due else None) for m in found] == expected
    assert all(m.problem == "" for m in found)


def test_milestones_without_a_date() -> None:
    (undated,) = parse_milestones("适时召开推进会", 2024)
    assert undated.due is None and undated.title == "适时召开推进会"
    assert undated.problem == "No date was recognised in “适时召开推进会”."


def test_a_damaged_workbook() -> None:
    data = bytearray(BREAKDOWN.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("[Content_Types].xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[header + 26 : header + 30])
    start = header + 30 + name_length + extra_length
    data[start + 5 : start + 40] = bytes(range(200, 235))  # the deflate stream, not the header
    with pytest.raises(WorkbookError) as caught:
        parse_breakdown(bytes(data))
    assert caught.value.code == "corrupt_xlsx"
