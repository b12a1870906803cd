"""Plain data handed to the official forms (luoshi.appraisal.documents).

The appraisal services build these from the database; documents.py only lays them out.
Everything is already a display string or a date: no model instances, no queries.
Grades are given as their display label (e.g. "优秀"), already translated/picked by the
person's rule family; an empty string means "not filled in".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signature:
    """A signed block on the form: who signed (may be blank for a hand signature) and when."""

    name: str = ""
    date: datetime.date | None = None


@dataclass(frozen=True)
class RegistrationFormData:
    """公务员年度考核登记表 (annual appraisal registration form), RULES.md §5, rows in order.

    `form_title` is the full title for the header, e.g. "2025年度公务员年度考核登记表";
    it differs for public-institution staff ("事业单位工作人员年度考核登记表"), so take it as given.
    """

    year: int
    form_title: str
    # 姓名 · 性别 · 出生年月 / 政治面貌 · 任现职时间
    name: str
    sex: str  # "男" / "女"
    birth_month: datetime.date | None  # show as YYYY.MM
    political_status: str
    post_since: datetime.date | None  # 任现职时间, show as YYYY.MM
    # 单位及职务（职级）
    unit: str
    post_and_rank: str  # e.g. "综合处 副处长（二级调研员）"
    # 从事或分管工作
    duties: str
    # 个人总结 (signature, date)
    self_summary: str
    self_summary_signature: Signature = field(default_factory=Signature)
    # 主管领导评语和考核等次建议 (signature)
    leader_comments: str = ""
    proposed_grade: str = ""
    leader_signature: Signature = field(default_factory=Signature)
    # 机关负责人或考核委员会意见 (signature, seal)
    committee_opinion: str = ""
    committee_grade: str = ""
    committee_signature: Signature = field(default_factory=Signature)
    seal_text: str = ""  # agency whose seal goes here (stamped by hand)
    # 本人意见 (signature)
    acknowledgement: str = ""  # e.g. "同意" / "不同意：……"
    acknowledgement_signature: Signature = field(default_factory=Signature)
    # 未确定等次或不参加考核情况说明
    ungraded_note: str = ""
    # Staff category label, e.g. "公务员" / "参公" / "事业单位" (footer/sub-title)
    staff_category: str = ""


@dataclass(frozen=True)
class ResultRow:
    """One row of a cycle's result table (xlsx)."""

    seq: int
    name: str
    unit: str
    post_and_rank: str
    staff_category: str
    proposed_grade: str  # supervising leader's proposal
    evaluation_score: str  # democratic evaluation score, "" when none or not valid
    grade: str  # decided grade; "" when ungraded/pending
    status: str  # e.g. "已确定" / "不定等次" / "待补定"
    remarks: str = ""


@dataclass(frozen=True)
class ResultNoticeData:
    """Written notice of an annual result to one person (docx, official-document layout)."""

    year: int
    issuing_body: str  # red mark, e.g. "某某机关考核委员会"
    document_number: str  # e.g. "考核〔2025〕3号"; may be ""
    title: str  # e.g. "关于2025年度考核结果的通知"
    recipient_name: str
    recipient_unit: str
    grade: str  # "" when ungraded
    body_paragraphs: list[str]  # the body text, one string per paragraph
    # Review (复核) rights as shown to the person, with the computed last day
    review_deadline: datetime.date | None
    issue_date: datetime.date
    signer: str = ""  # name of the body at the date line
    consequences: list[str] = field(default_factory=list)  # e.g. ["嘉奖"]


__all__ = ["RegistrationFormData", "ResultNoticeData", "ResultRow", "Signature"]
