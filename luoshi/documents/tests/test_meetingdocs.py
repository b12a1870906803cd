"""The meeting's Word documents read back with python-docx: the notice (items, agenda, the
participant list attached on a page of its own), the minutes (red mark and issue number,
decisions, 出席 / 请假 / 列席 in 黑体 with the names in the body font) and the standing-order
sheet (landscape, spots as seen from the hall)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from luoshi.documents.docx import TableBlock, open_docx
from luoshi.documents.meetingdocs import (
    AgendaLine,
    AwardingRound,
    MeetingNotice,
    Minutes,
    MinutesPerson,
    NoticeItem,
    ParticipantRow,
    Presentation,
    StandingOrderSheet,
    chinese_ordinal,
    minutes_docx,
    notice_docx,
    standing_order_docx,
)
from luoshi.documents.official import OfficialDocument

DAY = dt.date(2026, 12, 20)


def reopen(document: OfficialDocument) -> Any:
    return docx.Document(io.BytesIO(document.to_bytes()))


def texts(document: OfficialDocument) -> list[str]:
    return [p.text for p in reopen(document).paragraphs if p.text]


def paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


def _notice(**kw: Any) -> MeetingNotice:
    values: dict[str, Any] = {
        "title": "关于召开2026年度机关工作会议的通知",
        "issuer": "示例市归国华侨联合会办公室",
        "date": DAY,
        "addressee": "机关各部门、各直属单位",
        "opening": "经研究，定于2026年12月30日召开2026年度机关工作会议。现将有关事项通知如下：",
        "items": (
            NoticeItem("会议时间", "2026年12月30日（星期三）上午9:00"),
            NoticeItem("会议地点", "机关三楼会议室"),
            NoticeItem("参会人员", "机关四级调研员以上干部，直属单位副局级以上干部。"),
        ),
        "agenda": (
            AgendaLine("主要负责同志作年度工作报告"),
            AgendaLine("宣读表彰决定", "分管负责同志"),
        ),
        "requirements": ("请于12月25日前报送参会回执。", "请提前10分钟入场签到。"),
        "contact": "联系人：示例　电话：0000-00000000",
        "mark": "示例市归国华侨联合会办公室文件",
        "number": "示侨办〔2026〕9号",
        "participants": (
            ParticipantRow("甲某", "办公室", "主任"),
            ParticipantRow("乙某", "经济科技部", "四级调研员", "交流发言"),
        ),
    }
    values.update(kw)
    return MeetingNotice(**values)


def test_the_notice_in_order() -> None:
    lines = texts(notice_docx(_notice()))
    assert lines[:5] == [
        "示例市归国华侨联合会办公室文件",
        "示侨办〔2026〕9号",
        "关于召开2026年度机关工作会议的通知",
        "机关各部门、各直属单位：",
        "经研究，定于2026年12月30日召开2026年度机关工作会议。现将有关事项通知如下：",
    ]
    assert lines[5:] == [
        "一、会议时间：2026年12月30日（星期三）上午9:00",
        "二、会议地点：机关三楼会议室",
        "三、参会人员：机关四级调研员以上干部，直属单位副局级以上干部。",
        "四、会议议程",
        "（一）主要负责同志作年度工作报告",
        "（二）宣读表彰决定（分管负责同志）",
        "五、有关要求",
        "1. 请于12月25日前报送参会回执。",
        "2. 请提前10分钟入场签到。",
        "特此通知。",
        "联系人：示例　电话：0000-00000000",
        "附件：参会人员名单",
        "示例市归国华侨联合会办公室",
        "2026年12月20日",
        "附件",
        "参会人员名单",
    ]


def test_the_notice_layout_headings_and_the_attached_list() -> None:
    document = reopen(notice_docx(_notice()))
    heading = paragraph(document, "一、会议时间：2026年12月30日（星期三）上午9:00")
    assert heading.style.name == "Official Heading 1"
    runs = heading.runs
    assert runs[0].text == "一、会议时间："
    fonts = runs[1]._r.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"  # the text runs on in the body font
    mark = paragraph(document, "示例市归国华侨联合会办公室文件")
    assert str(mark.style.font.color.rgb) == "FF0000"
    # the list on a page of its own, under 附件 in 黑体
    breaks = [r for p in document.paragraphs for r in p.runs if r._r.find(qn("w:br")) is not None]
    assert breaks and breaks[-1]._r.find(qn("w:br")).get(qn("w:type")) == "page"
    annex = paragraph(document, "附件")
    assert annex.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows == [
        ["序号", "姓名", "单位", "职务", "备注"],
        ["1", "甲某", "办公室", "主任", ""],
        ["2", "乙某", "经济科技部", "四级调研员", "交流发言"],
    ]


def test_a_plain_notice_without_mark_agenda_or_list() -> None:
    notice = _notice(mark="", number="", agenda=(), requirements=(), participants=(), contact="")
    lines = texts(notice_docx(notice))
    assert lines[0] == "关于召开2026年度机关工作会议的通知"
    assert "附件：参会人员名单" not in lines and "四、会议议程" not in lines
    assert lines[-3:] == ["特此通知。", "示例市归国华侨联合会办公室", "2026年12月20日"]
    assert not reopen(notice_docx(notice)).tables


def _minutes(**kw: Any) -> Minutes:
    values: dict[str, Any] = {
        "mark": "机关工作会议纪要",
        "number": "第3期",
        "title": "2026年度机关工作会议纪要",
        "issuer": "示例市归国华侨联合会办公室",
        "date": DAY,
        "opening": "2026年12月30日上午，机关工作会议在机关三楼会议室召开，主席甲某主持。",
        "decisions": ("会议审议通过了年度工作总结。", "会议同意表彰先进集体3个。"),
        "attended": (MinutesPerson("甲某"), MinutesPerson("乙某"), MinutesPerson("丙某")),
        "on_leave": (MinutesPerson("丁某", "公务"),),
        "observers": (MinutesPerson("戊某", "直属单位"),),
        "distribution": "各部门、各直属单位",
    }
    values.update(kw)
    return Minutes(**values)


def test_the_minutes_in_order_with_the_issue_number_and_attendance() -> None:
    lines = texts(minutes_docx(_minutes()))
    assert lines == [
        "机关工作会议纪要",
        "第3期",
        "2026年度机关工作会议纪要",
        "2026年12月30日上午，机关工作会议在机关三楼会议室召开，主席甲某主持。",
        "会议议定事项如下：",
        "一、会议审议通过了年度工作总结。",
        "二、会议同意表彰先进集体3个。",
        "出席：甲某、乙某、丙某",
        "请假：丁某（公务）",
        "列席：戊某（直属单位）",
        "示例市归国华侨联合会办公室",
        "2026年12月20日",
        "分送：各部门、各直属单位",
    ]


def test_the_minutes_layout() -> None:
    document = reopen(minutes_docx(_minutes()))
    mark = paragraph(document, "机关工作会议纪要")
    assert str(mark.style.font.color.rgb) == "FF0000"
    number = paragraph(document, "第3期")
    assert number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    for label, names in (("出席：", "甲某、乙某、丙某"), ("请假：", "丁某（公务）")):
        line = paragraph(document, label + names)
        assert line.style.name == "Official Heading 1"  # the label in 黑体
        assert east_asia_of(line.style) == "黑体"
        assert line.runs[0].text == label
        assert line.runs[1]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def east_asia_of(style: Any) -> str:
    return str(style.element.rPr.rFonts.get(qn("w:eastAsia")))


def test_minutes_without_leave_or_observers_leave_those_lines_out() -> None:
    lines = texts(minutes_docx(_minutes(on_leave=(), observers=(), decisions=())))
    assert "出席：甲某、乙某、丙某" in lines
    assert not [line for line in lines if line.startswith(("请假", "列席", "会议议定"))]


def test_the_standing_order_sheet() -> None:
    sheet = StandingOrderSheet(
        title="颁奖站位表",
        subtitle="2026年度机关工作会议",
        rounds=(
            AwardingRound(
                "颁发先进集体奖牌",
                (
                    Presentation(1, "办公室", "甲某", 2, 1, award="先进集体"),
                    Presentation(2, "经济科技部", "乙某", 3, 2, award="先进集体"),
                    Presentation(3, "组织联络部", "甲某", 1, 1, award="先进集体"),
                ),
                note="从左侧上台，右侧下台。",
            ),
            AwardingRound("颁发优秀证书", (Presentation(1, "丙某", "甲某", 1, 1, "办公室"),)),
        ),
        issuer="办公室",
        date=DAY,
    )
    document = standing_order_docx(sheet)
    lines = texts(document)
    assert lines[:6] == [
        "颁奖站位表",
        "2026年度机关工作会议",
        "第一轮　颁发先进集体奖牌",
        "颁奖人站位（从会场看，自左至右）：甲某　乙某",
        "受奖人站位（从会场看，自左至右）：组织联络部　办公室　经济科技部",
        "从左侧上台，右侧下台。",
    ]
    assert "第二轮　颁发优秀证书" in lines
    reopened = reopen(document)
    assert reopened.sections[0].orientation == WD_ORIENT.LANDSCAPE
    first = [[c.text for c in row.cells] for row in reopened.tables[0].rows]
    assert first[0] == ["顺序", "受奖人", "单位", "奖项", "受奖人站位", "颁奖人", "颁奖人站位"]
    assert first[1] == ["1", "办公室", "", "先进集体", "第2位", "甲某", "第1位"]
    blocks = [b for b in open_docx(document.to_bytes()).blocks() if isinstance(b, TableBlock)]
    assert len(blocks) == 2


def test_chinese_ordinals() -> None:
    assert [chinese_ordinal(n) for n in (1, 2, 10, 11, 20)] == ["一", "二", "十", "十一", "二十"]
