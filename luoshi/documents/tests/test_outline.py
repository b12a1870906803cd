"""Reading work plans: the shared docx, numbering and assignment variants, dates, indicators."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from django.conf import settings
from django.utils import translation

from luoshi.core.text import to_traditional
from luoshi.documents.assignments import split_assignment
from luoshi.documents.dates import parse_deadline
from luoshi.documents.docx import DocumentError
from luoshi.documents.indicators import HIGHER, LOWER, propose_indicators
from luoshi.documents.outline import OutlineError, classify, parse_docx, parse_outline


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages below are asserted in English, the source language."""
    with translation.override("en"):
        yield


SHARED = Path(settings.BASE_DIR).parent / "shared" / "data"
WORK_POINTS = SHARED / "work-points-2024.docx"

DEMO_UNITS = [
    "办公室",
    "组织联络部",
    "经济科技部",
    "文化交流部",
    "权益保障部",
    "宣传部",
    "海外联谊部",
    "人事部",
    "机关党委",
    "研究室",
    "侨联信息中心",
    "华侨文化交流中心",
    "侨界权益服务中心",
]
UNIT_IDS = {name: index for index, name in enumerate(DEMO_UNITS, start=1)}


def resolve(name: str) -> list[int]:
    """The demo agency's units by name, like the org tree would answer (Simplified only)."""
    return [UNIT_IDS[name]] if name in UNIT_IDS else []


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the shared plan --------------------------------------------------------------------------


def test_shared_work_points_give_8_key_points_and_24_resolved_tasks() -> None:
    plan = parse_docx(WORK_POINTS, resolve=resolve)
    assert plan.title == "滨海省归国华侨联合会机关2024年工作要点"
    assert plan.year == 2024
    assert len(plan.key_points) == 8
    assert plan.task_count == 24
    assert plan.problems == []
    tasks = list(plan.tasks())
    assert all(task.lead is not None and task.lead.resolved for task in tasks)
    assert all(task.lead_id is not None for task in tasks)
    assert plan.unresolved() == []
    assert plan.summary() == {"key_points": 8, "tasks": 24, "unresolved": []}

    first = plan.key_points[0]
    assert (first.number, first.label, first.title) == (1, "一、", "坚持把政治建设摆在首位")
    assert [s.label for s in first.sections] == ["（一）", "（二）"]
    assert [t.code for t in plan.key_points[1].sections[0].tasks] == ["2024-2-1-1", "2024-2-1-2"]
    assert len({task.code for task in tasks}) == 24

    by_code = {task.code: task for task in tasks}
    task = by_code["2024-2-1-1"]
    assert task.title == "举办海外侨团负责人研习班4期，培训海外侨团骨干300人次"
    assert task.label == "1."
    assert task.position == (2, 1, 1)
    assert task.lead_id == UNIT_IDS["海外联谊部"]
    assert task.cooperating_ids == [UNIT_IDS["文化交流部"], UNIT_IDS["经济科技部"]]
    assert task.deadline.date == dt.date(2024, 11, 30)
    assert "牵头部门：海外联谊部" in task.text and task.assignment.startswith("牵头部门")
    assert [(i.name, i.target, i.unit, i.direction) for i in task.indicators] == [
        ("举办海外侨团负责人研习班", Decimal(4), "期", HIGHER),
        ("培训海外侨团骨干", Decimal(300), "人次", HIGHER),
    ]
    assert by_code["2024-6-2-2"].deadline.date == dt.date(2025, 1, 31)  # a year written out
    assert [(i.name, i.target, i.unit) for i in by_code["2024-2-2-1"].indicators] == [
        ("办结率", Decimal(95), "%")
    ]
    # 各部门 is every department, for the caller to expand
    for code in ("2024-7-1-1", "2024-7-2-1"):
        assert by_code[code].cooperating_every
        assert [ref.every for ref in by_code[code].cooperating] == [True]
        assert by_code[code].problems == []
    # a task without a time limit: no deadline, nothing to fix
    last = by_code["2024-8-1-2"]
    assert last.deadline.date is None and not last.deadline.given and last.problems == []
    assert last.cooperating_ids == [UNIT_IDS["权益保障部"]]
    # the introduction and the closing lines are not tasks
    assert len(plan.preamble) == 2
    assert plan.closing == [
        "各部门、各单位要于每月5日前报送上月重点任务进展情况。",
        "滨海省归国华侨联合会办公室",
        "2024年2月29日",
    ]
    assert "各部门、各单位" not in last.text


def test_without_a_resolver_every_unit_is_unresolved() -> None:
    plan = parse_docx(WORK_POINTS)
    unresolved = plan.summary()["unresolved"]
    leads = [item for item in unresolved if item["field"] == "lead"]
    assert len(leads) == 24
    assert leads[0] == {
        "code": "2024-1-1-1",
        "field": "lead",
        "text": "机关党委",
        "message": "No unit called “机关党委” was found.",
    }
    assert not any(item["text"] == "各部门" for item in unresolved)


def test_traditional_script_parses_the_same() -> None:
    lines = [
        "滨海省归国华侨联合会机关2024年工作要点",
        "一、坚持把政治建设摆在首位",
        "（一）深入学习贯彻党的创新理论",
        "1.举办全省侨联系统干部政治能力提升培训班2期，培训200人次（牵头部门：人事部；"
        "配合部门：组织联络部、各部门；完成时限：2024年10月底前）",
        "2.开展专题调研（牵头单位：研究室；配合单位：办公室；时限：年内）",
    ]
    simplified = parse_outline(lines, resolve=resolve)
    traditional = parse_outline([to_traditional(line) for line in lines], resolve=resolve)
    assert "牽頭部門" in to_traditional(lines[3])
    assert traditional.year == simplified.year == 2024
    for a, b in zip(simplified.tasks(), traditional.tasks(), strict=True):
        assert a.code == b.code
        assert a.lead_id == b.lead_id is not None
        assert a.cooperating_ids == b.cooperating_ids
        assert a.cooperating_every == b.cooperating_every
        assert a.deadline.date == b.deadline.date
        assert [(i.target, i.unit) for i in a.indicators] == [
            (i.target, i.unit) for i in b.indicators
        ]
    assert traditional.unresolved() == []
    assert next(traditional.tasks()).cooperating_every


# --- numbering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level", "number", "label"),
    [
        ("一、坚持政治建设", 1, 1, "一、"),
        ("十二、 加强自身建设", 1, 12, "十二、"),
        ("三．推进改革", 1, 3, "三．"),
        ("（一）深入学习", 2, 1, "（一）"),
        ("(二)加强意识形态", 2, 2, "(二)"),
        ("（十一）、其他", 2, 11, "（十一）、"),
        ("1.制定计划", 3, 1, "1."),
        ("2、举办活动", 3, 2, "2、"),
        ("１、举办活动", 3, 1, "１、"),
        ("3．开展调研", 3, 3, "3．"),
        ("12. 完成考核", 3, 12, "12."),
        ("（1）细化方案", 4, 1, "（1）"),
        ("(2)组织实施", 4, 2, "(2)"),
        ("3）总结评估", 4, 3, "3）"),
        ("②开展评估", 4, 2, "②"),
        ("2024年是关键一年", 0, 0, ""),
        ("1.5倍的增长", 0, 0, ""),
        ("一是加强学习", 0, 0, ""),
        ("1.", 0, 0, ""),
    ],
)
def test_numbering_variants(line: str, level: int, number: int, label: str) -> None:
    found_level, found_number, found_label, _rest = classify(line)
    assert (found_level, found_number, found_label) == (level, number, label)


def test_tasks_directly_under_key_points_and_sub_items_and_continuations() -> None:
    plan = parse_outline(
        [
            "2025年工作计划",
            "一、抓好学习",
            "这一段说明第一部分的要求。",
            "１、制定学习计划。全年开展集体学习不少于12次",
            "（1）每季度安排一次专题学习",
            "（2）年底前开展学习成效评估",
            "（牵头部门：机关党委；完成时限：上半年）",
            "2、开展读书活动（责任部门:办公室;时限:一季度）",
            "二、办好实事",
            "1．建设服务平台",
            "平台覆盖全省各市。",
            "（牵头部门：侨联信息中心；配合部门：办公室和研究室；完成时限：9月底前）",
        ],
        resolve=resolve,
    )
    assert plan.year == 2025
    assert [len(kp.sections) for kp in plan.key_points] == [0, 0]
    assert plan.key_points[0].text == "这一段说明第一部分的要求。"
    first, second, third = plan.tasks()
    assert [first.code, second.code, third.code] == ["2025-1-0-1", "2025-1-0-2", "2025-2-0-1"]
    assert first.title == "制定学习计划"
    assert first.measures == [
        "全年开展集体学习不少于12次",
        "（1）每季度安排一次专题学习",
        "（2）年底前开展学习成效评估",
    ]
    assert first.lead_id == UNIT_IDS["机关党委"]
    assert first.deadline.date == dt.date(2025, 6, 30)
    assert [(i.name, i.target) for i in first.indicators] == [("开展集体学习", Decimal(12))]
    assert "（1）每季度安排一次专题学习" in first.text
    assert second.lead_id == UNIT_IDS["办公室"]
    assert second.deadline.date == dt.date(2025, 3, 31)
    assert third.measures == ["平台覆盖全省各市。"]
    assert third.cooperating_ids == [UNIT_IDS["办公室"], UNIT_IDS["研究室"]]
    assert third.deadline.date == dt.date(2025, 9, 30)


def test_a_plan_whose_sections_are_its_tasks() -> None:
    plan = parse_outline(
        [
            "2024年重点工作安排",
            "一、加强联谊",
            "（一）举办研习班4期（牵头部门：海外联谊部；完成时限：11月底）",
            "（二）建设联络站（海外联谊部牵头，组织联络部配合，年底前完成）",
        ],
        resolve=resolve,
    )
    assert plan.key_points[0].sections == []
    first, second = plan.key_points[0].tasks
    assert (first.code, first.label, first.title) == ("2024-1-0-1", "（一）", "举办研习班4期")
    assert first.lead_id == UNIT_IDS["海外联谊部"]
    assert first.deadline.date == dt.date(2024, 11, 30)
    assert second.code == "2024-1-0-2"
    assert second.lead_id == UNIT_IDS["海外联谊部"]
    assert second.cooperating_ids == [UNIT_IDS["组织联络部"]]
    assert second.deadline.date == dt.date(2024, 12, 31)


def test_tasks_inherit_the_assignment_of_their_heading() -> None:
    plan = parse_outline(
        [
            "2024年工作要点",
            "一、强化宣传",
            "（一）讲好侨界故事（牵头部门：宣传部；完成时限：2024年12月底前）",
            "1.编印宣传册（配合部门：文化交流部）",
            "2.拍摄专题片（牵头部门：文化交流部；完成时限：9月底前）",
        ],
        resolve=resolve,
    )
    first, second = plan.tasks()
    assert first.lead_id == UNIT_IDS["宣传部"]
    assert first.cooperating_ids == [UNIT_IDS["文化交流部"]]
    assert first.deadline.date == dt.date(2024, 12, 31)
    assert any("宣传部" in note for note in first.notes)
    assert second.lead_id == UNIT_IDS["文化交流部"]
    assert second.deadline.date == dt.date(2024, 9, 30)


def test_unresolved_ambiguous_and_missing_units_and_dates_are_problems() -> None:
    def ambiguous(name: str) -> list[int]:
        return [1, 2] if name == "综合处" else resolve(name)

    plan = parse_outline(
        [
            "2024年工作要点",
            "一、综合工作",
            "1.做好值班（牵头部门：综合处；完成时限：择机）",
            "2.做好接待（牵头部门：接待部；配合部门：办公室、外联部）",
            "3.做好保障",
            "4.做好统筹（牵头部门：各部门）",
            "5.做好两件事（牵头部门：办公室、研究室；完成时限：长期坚持）",
        ],
        resolve=ambiguous,
    )
    items = [(u.code, u.field, u.text) for u in plan.unresolved()]
    assert items == [
        ("2024-1-0-1", "lead", "综合处"),
        ("2024-1-0-1", "deadline", "择机"),
        ("2024-1-0-2", "lead", "接待部"),
        ("2024-1-0-2", "cooperating", "外联部"),
        ("2024-1-0-3", "lead", ""),
        ("2024-1-0-4", "lead", "各部门"),
    ]
    tasks = list(plan.tasks())
    assert tasks[0].lead is not None and tasks[0].lead.ambiguous
    assert "several units" in tasks[0].problems[0]
    assert tasks[1].cooperating_ids == [UNIT_IDS["办公室"]]
    assert tasks[1].unresolved_units == ["接待部", "外联部"]
    # two leads named: the first leads, the other cooperates; 长期 is ongoing
    fifth = tasks[4]
    assert fifth.lead_id == UNIT_IDS["办公室"]
    assert fifth.cooperating_ids == [UNIT_IDS["研究室"]]
    assert fifth.deadline.ongoing and fifth.deadline.date is None and fifth.problems == []


@pytest.mark.parametrize(
    ("line", "rest", "lead", "cooperating", "deadline"),
    [
        (
            "1.任务（牵头部门：办公室；配合部门：研究室、人事部；完成时限：2024年12月底前）。",
            "1.任务",
            "办公室",
            "研究室、人事部",
            "2024年12月底前",
        ),
        ("任务(牵头单位:办公室;配合单位:研究室;时限:6月底)", "任务", "办公室", "研究室", "6月底"),
        ("任务（责任部门：办公室，完成时间：年内）", "任务", "办公室", "", "年内"),
        ("任务（责任单位：办公室 时间：上半年）", "任务", "办公室", "", "上半年"),
        ("任务（牵头部门：办公室；配合部门：A，B）", "任务", "办公室", "A、B", ""),
        (
            "任务（协办单位：研究室；牵头部门：办公室（督查室））",
            "任务",
            "办公室（督查室）",
            "研究室",
            "",
        ),
        (
            "任务（办公室牵头，研究室、人事部配合，6月底前完成）",
            "任务",
            "办公室",
            "研究室、人事部",
            "6月底前完成",
        ),
        ("牵头部门：办公室；完成时限：3月", "", "办公室", "", "3月"),
        ("任务（含市县两级）", "任务（含市县两级）", "", "", ""),
        ("任务（一）", "任务（一）", "", "", ""),
    ],
)
def test_assignment_variants(
    line: str, rest: str, lead: str, cooperating: str, deadline: str
) -> None:
    found_rest, assignment = split_assignment(line)
    assert found_rest == rest
    assert (assignment.lead, assignment.cooperating, assignment.deadline) == (
        lead,
        cooperating,
        deadline,
    )


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年6月底前", dt.date(2024, 6, 30)),
        ("6月底前", dt.date(2024, 6, 30)),
        ("6月底", dt.date(2024, 6, 30)),
        ("6月", dt.date(2024, 6, 30)),
        ("2月底前", dt.date(2024, 2, 29)),
        ("六月底前", dt.date(2024, 6, 30)),
        ("十二月底", dt.date(2024, 12, 31)),
        ("2024年6月15日前", dt.date(2024, 6, 15)),
        ("6月15日", dt.date(2024, 6, 15)),
        ("2024-06-15", dt.date(2024, 6, 15)),
        ("2024.6.15", dt.date(2024, 6, 15)),
        ("6月上旬", dt.date(2024, 6, 10)),
        ("6月中旬前", dt.date(2024, 6, 20)),
        ("6月下旬", dt.date(2024, 6, 30)),
        ("6月前", dt.date(2024, 5, 31)),
        ("上半年", dt.date(2024, 6, 30)),
        ("下半年", dt.date(2024, 12, 31)),
        ("年内", dt.date(2024, 12, 31)),
        ("年底前", dt.date(2024, 12, 31)),
        ("年底", dt.date(2024, 12, 31)),
        ("全年", dt.date(2024, 12, 31)),
        ("2025年底前", dt.date(2025, 12, 31)),
        ("第一季度", dt.date(2024, 3, 31)),
        ("一季度", dt.date(2024, 3, 31)),
        ("第二季度", dt.date(2024, 6, 30)),
        ("三季度末", dt.date(2024, 9, 30)),
        ("第4季度", dt.date(2024, 12, 31)),
        ("2025年一季度", dt.date(2025, 3, 31)),
        ("明年3月底前", dt.date(2025, 3, 31)),
        ("3月启动，11月底前完成", dt.date(2024, 11, 30)),
        ("持续推进，年底前见效", dt.date(2024, 12, 31)),
        ("２０２４年６月底前", dt.date(2024, 6, 30)),
        ("年內", dt.date(2024, 12, 31)),
    ],
)
def test_date_phrases(text: str, expected: dt.date) -> None:
    deadline = parse_deadline(text, 2024)
    assert deadline.date == expected
    assert deadline.problem == ""
    assert not deadline.ongoing


@pytest.mark.parametrize(
    ("text", "recurring"),
    [
        ("长期", False),
        ("持续推进", False),
        ("長期堅持", False),
        ("常态化开展", False),
        ("全年持续", False),
        ("每月", True),
        ("每季度末", True),
    ],
)
def test_ongoing_phrases(text: str, recurring: bool) -> None:
    deadline = parse_deadline(text, 2024)
    assert deadline.date is None
    assert deadline.ongoing and deadline.recognised
    assert deadline.recurring is recurring
    assert deadline.problem == ""


def test_dates_not_understood() -> None:
    assert parse_deadline("", 2024) == parse_deadline("  ", 2024)
    assert not parse_deadline("", 2024).given
    unknown = parse_deadline("择机推进", 2024)
    assert unknown.date is None and not unknown.ongoing
    assert (
        unknown.problem
        == "The time limit “择机推进” was not recognised; enter the deadline by hand."
    )
    impossible = parse_deadline("2月30日", 2024)
    assert impossible.date is None and "not a valid date" in impossible.problem
    assert parse_deadline("13月底", 2024).date is None
    no_year = parse_deadline("6月底前", None)
    assert no_year.date is None and no_year.problem
    assert parse_deadline("2024年6月底前", None).date == dt.date(2024, 6, 30)


# --- indicators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "举办研习班4期，培训300人次",
            [("举办研习班", "4", "期", HIGHER), ("培训", "300", "人次", HIGHER)],
        ),
        ("全年开展集体学习不少于12次", [("开展集体学习", "12", "次", HIGHER)]),
        ("办结率达到95%以上", [("办结率", "95", "%", HIGHER)]),
        ("办结率达到９５％以上", [("办结率", "95", "%", HIGHER)]),
        ("新增入库专家50名", [("新增入库专家", "50", "名", HIGHER)]),
        ("会议数量不超过20个", [("会议数量", "20", "个", LOWER)]),
        ("经费支出控制在500万元以内", [("经费支出", "500", "万元", LOWER)]),
        ("差错率低于0.5%", [("差错率", "0.5", "%", LOWER)]),
        ("服务1,200人次", [("服务", "1200", "人次", HIGHER)]),
        ("接待300余人", [("接待", "300", "人", HIGHER)]),
        ("举办第6届交流会", []),
        ("2024年6月底前完成，每月5日前报送", []),
        ("用5个月完成", []),
        ("建成5G网络", []),
        ("庆祝成立75周年", []),
    ],
)
def test_indicators_from_text(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    found = propose_indicators(text)
    assert [(i.name, i.target, i.unit, i.direction) for i in found] == [
        (name, Decimal(target), unit, direction) for name, target, unit, direction in expected
    ]


def test_a_bare_number_takes_the_fallback_name() -> None:
    (indicator,) = propose_indicators("5个", fallback_name="新建海外联络站")
    assert (indicator.name, indicator.target, indicator.unit) == ("新建海外联络站", 5, "个")
    assert indicator.text == "5个"


# --- Word documents ---------------------------------------------------------------------------


def test_a_docx_built_here_with_a_task_table() -> None:
    data = docx_bytes(
        [
            "滨海省归国华侨联合会机关2026年工作要点",
            "一、抓好重点工作",
            "（一）办好品牌活动",
            "1.举办侨商大会，签约项目不少于20个（牵头部门：经济科技部；完成时限：9月底前）",
            "二、表格中的任务",
        ],
        table=[
            ["序号", "重点任务", "牵头部门", "配合部门", "完成时限"],
            ["1", "组建专家智库，新增入库专家50名", "经济科技部", "研究室", "年底前"],
            ["2", "修订制度汇编", "办公室", "", "10月底前"],
        ],
    )
    plan = parse_docx(data, resolve=resolve)
    assert plan.year == 2026
    assert [kp.title for kp in plan.key_points] == ["抓好重点工作", "表格中的任务"]
    first, second, third = plan.tasks()
    assert first.code == "2026-1-1-1"
    assert first.deadline.date == dt.date(2026, 9, 30)
    assert (second.code, second.title) == ("2026-2-0-1", "组建专家智库，新增入库专家50名")
    assert second.lead_id == UNIT_IDS["经济科技部"]
    assert second.cooperating_ids == [UNIT_IDS["研究室"]]
    assert second.deadline.date == dt.date(2026, 12, 31)
    assert [(i.name, i.target) for i in second.indicators] == [("新增入库专家", 50)]
    assert (third.code, third.lead_id) == ("2026-2-0-2", UNIT_IDS["办公室"])
    assert third.deadline.date == dt.date(2026, 10, 31)


def test_the_year_given_by_the_caller() -> None:
    lines = ["工作要点", "一、学习", "1.集中学习（牵头部门：办公室；完成时限：6月底前）"]
    plan = parse_outline(lines, resolve=resolve)
    assert plan.year is None and plan.problems
    assert next(plan.tasks()).deadline.date is None
    plan = parse_outline(lines, resolve=resolve, year=2027)
    assert plan.year == 2027 and plan.problems == []
    assert next(plan.tasks()).code == "2027-1-0-1"
    assert next(plan.tasks()).deadline.date == dt.date(2027, 6, 30)
    other = parse_outline(["2024年工作要点", *lines[1:]], resolve=resolve, year=2025)
    assert other.year == 2025
    assert other.problems == ["The document is the plan for 2024, not for 2025."]


def _xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["重点任务", "牵头部门"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (bytes(range(256)) * 8, "not_docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "not_docx"),
        (b"PK\x03\x04" + bytes(200), "corrupt_docx"),
        (_xlsx_bytes(), "not_docx"),
        (docx_bytes([]), "empty_document"),
        (docx_bytes(["", "  "]), "empty_document"),
    ],
)
def test_broken_inputs_say_what_is_wrong(data: bytes, code: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse_docx(data, resolve=resolve)
    assert caught.value.code == code
    assert caught.value.status == 422
    assert str(caught.value.message)


def test_an_excel_workbook_given_as_a_plan_is_named_as_such() -> None:
    with pytest.raises(DocumentError) as caught:
        parse_docx(_xlsx_bytes())
    assert "Excel workbook" in str(caught.value.message)


def test_a_damaged_document_xml() -> None:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes(["一、x"])), "r") as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    with pytest.raises(DocumentError) as caught:
        parse_docx(buffer.getvalue())
    assert caught.value.code == "corrupt_docx"


def test_a_document_without_an_outline() -> None:
    with pytest.raises(OutlineError) as caught:
        parse_docx(docx_bytes(["会议纪要", "今天开会讨论了若干事项。"]))
    assert caught.value.code == "no_outline"
    with pytest.raises(OutlineError):
        parse_outline(["2024年工作要点", "一、学习", "二、工作"])


def test_headings_with_text_and_tasks_before_the_first_key_point() -> None:
    plan = parse_outline(
        [
            "2024年工作要点",
            "1.先行任务（牵头部门：办公室（督查室）；完成时限：3月底前）",
            "一、抓党建。坚持全面从严治党，",
            "推进清廉机关建设。",
            "（一）强化理论武装。全年学习不少于12次",
            "1.制定计划（牵头部门：機關黨委）",
        ],
        resolve=resolve,
    )
    implicit, first = plan.key_points
    assert (implicit.number, implicit.label, implicit.title) == (0, "", "")
    assert [t.code for t in implicit.tasks] == ["2024-0-0-1"]
    assert implicit.tasks[0].lead_id == UNIT_IDS["办公室"]  # the note in brackets is ignored
    assert plan.notes
    assert first.title == "抓党建"
    assert first.text == "坚持全面从严治党，\n推进清廉机关建设。"
    assert first.sections[0].title == "强化理论武装"
    assert first.sections[0].text == "全年学习不少于12次"
    task = first.sections[0].tasks[0]
    assert (task.code, task.lead_id) == ("2024-1-1-1", UNIT_IDS["机关党委"])
