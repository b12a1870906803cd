"""Supervision documents: the layouts of the assignment sheet (交办单) and the urging notice
(催办通知) in the official layout (docx), and the words the documents and the supervision
ledger (台账) write. Texts are Chinese data, as the official layouts write them; the exporters
that send them (and record every download in the audit log) are in `exports`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from luoshi.documents.official import OfficialDocument, chinese_date
from luoshi.orgs.models import OrgUnit

from .models import SupervisionItem, UrgingStep
from .services import settings_for

LIGHT_WORDS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "灰灯"}
LIGHT_FILLS = {"red": "F8696B", "yellow": "FFEB84", "green": "63BE7B", "grey": "D9D9D9"}
STATUS_WORDS = {
    "registered": "已立项",
    "assigned": "已交办",
    "accepted": "办理中",
    "final_submitted": "已反馈待审核",
    "reviewed": "待领导审批销号",
    "closed": "已销号",
    "suspended": "已暂停",
}
SOURCE_WORDS = {
    "instruction": "领导批示",
    "meeting": "会议决定",
    "higher_level": "上级交办",
    "work_plan": "年度重点任务",
}
KIND_WORDS = {"routine": "常规督办", "special": "专项督办"}
URGENCY_WORDS = {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}
CADENCE_WORDS = {"weekly": "每周", "monthly": "每月", "quarterly": "每季度", "by_stage": "按阶段"}


def source_text(item: SupervisionItem) -> str:
    word = SOURCE_WORDS.get(item.source, item.source)
    if item.source == "instruction":
        who = item.instruction_by.name if item.instruction_by else ""
        return (
            f"{word}：{who}{chinese_date(item.instruction_on) if item.instruction_on else ''}批示"
        )
    if item.source == "meeting":
        return f"{word}：{item.meeting}{('·' + item.meeting_item) if item.meeting_item else ''}"
    if item.source == "higher_level":
        return f"{word}：{item.source_document}"
    if item.source == "work_plan" and item.task_id:
        return f"{word}：{item.task.code} {item.task.title}" if item.task else word
    return word


def time_limit_text(item: SupervisionItem) -> str:
    if item.deadline is None:
        if item.deadline_working_days:
            return f"交办之日起{item.deadline_working_days}个工作日内"
        return ""
    text = chinese_date(item.deadline)
    if item.deadline_working_days:
        text += f"（{item.deadline_working_days}个工作日）"
    if item.original_deadline and item.original_deadline != item.deadline:
        text += f"（原时限{chinese_date(item.original_deadline)}，已批准延期）"
    return text


def assignment_sheet(item: SupervisionItem, cooperating: list[OrgUnit]) -> OfficialDocument:
    """交办单: the numbered sheet that sends the item to its units."""
    conf = settings_for(item.agency_id)
    body = conf.issuing_body or item.agency.name
    doc = OfficialDocument(title=f"督查督办交办单 {item.number}")
    doc.issuing_mark(f"{body}督查督办", number=item.number)
    doc.title("督查督办交办单")
    rows: list[list[Any]] = [
        ["编号", item.number],
        ["事项名称", item.title],
        ["事项来源", source_text(item)],
    ]
    if item.instruction_text:
        rows.append(["领导批示", item.instruction_text])
    if item.content:
        rows.append(["督办内容", item.content])
    rows += [
        [
            "督办类型",
            KIND_WORDS.get(item.kind, item.kind) + ("（重大事项）" if item.is_major else ""),
        ],
        ["紧急程度", URGENCY_WORDS.get(item.urgency, item.urgency)],
        ["牵头单位", item.lead_unit.name],
        ["配合单位", "、".join(u.name for u in cooperating) or "—"],
        ["责任人", item.responsible_person.name if item.responsible_person else "—"],
        ["分管领导", item.leader_in_charge.name if item.leader_in_charge else "—"],
        ["交办日期", chinese_date(item.assigned_on) if item.assigned_on else ""],
        ["办理时限", time_limit_text(item)],
        ["反馈要求", f"{CADENCE_WORDS.get(item.report_cadence, '')}报送进展，办结后报送最终反馈"],
    ]
    if item.deadline_warning:
        rows.append(["说明", item.deadline_warning])
    doc.table(["项目", "内容"], rows, widths=(36, 120))
    doc.paragraph("请牵头单位接此单后及时签收，会同配合单位抓好落实，按要求反馈办理情况。")
    doc.signature(body, item.assigned_on or timezone.localdate())
    return doc


def urging_notice(item: SupervisionItem, step: UrgingStep, overdue_days: int) -> OfficialDocument:
    """催办通知: numbered, to the lead unit, on the first overdue working day."""
    conf = settings_for(item.agency_id)
    body = conf.issuing_body or item.agency.name
    doc = OfficialDocument(title=f"催办通知 {step.number}")
    doc.issuing_mark(f"{body}督查督办", number=step.number)
    doc.title("催办通知")
    doc.addressee(item.lead_unit.name)
    doc.paragraph(
        f"{item.number}“{item.title}”（{source_text(item)}）办理时限为"
        f"{chinese_date(step.deadline)}，截至{chinese_date(step.on)}已逾期"
        f"{overdue_days}个工作日，尚未办结。"
    )
    doc.paragraph(
        "请你单位高度重视，抓紧办理，于收到本通知后及时反馈办理情况；"
        "确有困难的，请说明原因及下一步工作安排。逾期仍未办结的，将在督查通报中通报，"
        "并报分管领导督办。"
    )
    doc.signature(body, step.on)
    return doc
