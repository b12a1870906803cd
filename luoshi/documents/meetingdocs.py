"""Word documents of a meeting in the official layout (`official.OfficialDocument`): the
notice (会议通知), the minutes (会议纪要) and the awarding's standing-order sheet (颁奖站位表).

Input: small frozen dataclasses (texts, names, dates), nothing domain-specific; the caller
puts its meeting into them. Each builder returns an `OfficialDocument` (call `to_bytes()`,
`save()` or `to_tempfile()`).

The notice: the optional red issuing mark and number, the title, the addressee, an opening
paragraph, the numbered items (一、会议时间 …, each heading in 黑体 with its text run on), the
agenda as （一）（二）… lines, the closing (特此通知。), the contact line, "附件：…" when a list
of participants goes with it, the signature and the date; the list itself on a new page
under "附件" (a table: 序号 / 姓名 / 单位 / 职务 / 备注).

The minutes (GB/T 9704-2012 §10.3, 纪要格式): the red mark (e.g. 机关工作会议纪要), the issue
number (第3期) under it and the red line, the title, the opening paragraph (when, where, who
presided, what was discussed), further paragraphs, the decisions (会议议定事项如下：一、…),
then the attendance — "出席：", "请假：", "列席：" in 黑体 followed by the names in 仿宋 (a
person on leave with the reason in brackets) — the signature and the date.

The standing-order sheet: per awarding round, who presents to whom, in which order, and where
each stands, counted from the left **as seen from the hall** (as the seat chart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from luoshi.documents.docx import format_number
from luoshi.documents.official import OfficialDocument, _set_rfonts

NAME_SEPARATOR = "、"


def chinese_ordinal(value: int) -> str:
    """1 → 一, 12 → 十二 (for 一、 and （一）)."""
    return format_number(value, "chineseCounting")


# --- the notice ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeItem:
    """A numbered item of the notice: `heading` (e.g. 会议时间) and its text (run on after the
    heading), further paragraphs in `paragraphs`."""

    heading: str
    text: str = ""
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgendaLine:
    """A line of the agenda: `text` (e.g. 主要领导作年度工作报告), optionally `presenter`."""

    text: str
    presenter: str = ""


@dataclass(frozen=True)
class ParticipantRow:
    """A row of the participant list attached to the notice."""

    name: str
    unit: str = ""
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class MeetingNotice:
    """The notice. `items` come first (时间, 地点, 参会人员 …); the agenda, when given, is the
    item `agenda_heading` after them; `requirements` the item 有关要求 after that."""

    title: str
    issuer: str
    date: dt.date
    addressee: str = ""
    opening: str = ""
    items: tuple[NoticeItem, ...] = ()
    agenda: tuple[AgendaLine, ...] = ()
    agenda_heading: str = "会议议程"
    requirements: tuple[str, ...] = ()
    requirements_heading: str = "有关要求"
    closing: str = "特此通知。"
    contact: str = ""
    mark: str = ""
    number: str = ""
    participants: tuple[ParticipantRow, ...] = ()
    participants_title: str = "参会人员名单"


def _numbered_items(doc: OfficialDocument, notice: MeetingNotice) -> None:
    items: list[NoticeItem] = list(notice.items)
    if notice.agenda:
        items.append(NoticeItem(notice.agenda_heading))
    if notice.requirements:
        items.append(NoticeItem(notice.requirements_heading))
    for index, item in enumerate(items, start=1):
        lead = f"{chinese_ordinal(index)}、{item.heading}"
        if item.text:
            doc.heading(lead + "：", 1, body=item.text)
        else:
            doc.heading(lead, 1)
        for text in item.paragraphs:
            doc.paragraph(text)
        if item.heading == notice.agenda_heading and notice.agenda and not item.text:
            for number, line in enumerate(notice.agenda, start=1):
                presenter = f"（{line.presenter}）" if line.presenter else ""
                doc.paragraph(f"（{chinese_ordinal(number)}）{line.text}{presenter}")
        if item.heading == notice.requirements_heading and notice.requirements and not item.text:
            for number, text in enumerate(notice.requirements, start=1):
                doc.paragraph(f"{number}. {text}")


def notice_docx(notice: MeetingNotice) -> OfficialDocument:
    """The meeting notice (会议通知) in the official layout."""
    doc = OfficialDocument(title=notice.title)
    if notice.mark:
        doc.issuing_mark(notice.mark, number=notice.number)
    doc.title(notice.title)
    if notice.addressee:
        doc.addressee(notice.addressee)
    if notice.opening:
        doc.paragraph(notice.opening)
    _numbered_items(doc, notice)
    if notice.closing:
        doc.paragraph(notice.closing)
    if notice.contact:
        doc.paragraph(notice.contact)
    if notice.participants:
        doc.blank()
        doc.paragraph(f"附件：{notice.participants_title}")
    doc.signature(notice.issuer, notice.date)
    if notice.participants:
        _participant_annex(doc, notice)
    return doc


def _participant_annex(doc: OfficialDocument, notice: MeetingNotice) -> None:
    doc.page_break()
    label = doc.paragraph("附件", indent=False)  # flush left, in 黑体
    for run in label.runs:
        _set_rfonts(run._r.get_or_add_rPr(), doc.fonts.heading)
    doc.title(notice.participants_title)
    doc.table(
        ["序号", "姓名", "单位", "职务", "备注"],
        [
            [str(i), p.name, p.unit, p.title, p.note]
            for i, p in enumerate(notice.participants, start=1)
        ],
        widths=(12, 26, 60, 40, 22),
        center=(0, 1),
    )


# --- the minutes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesPerson:
    """A name in the attendance lines; `note` follows it in brackets (the reason for leave,
    or a post for someone attending without a vote)."""

    name: str
    note: str = ""

    def text(self) -> str:
        return f"{self.name}（{self.note}）" if self.note else self.name


@dataclass(frozen=True)
class Minutes:
    """The minutes. `mark`: the red heading (e.g. 机关工作会议纪要); `number`: the issue
    number under it (e.g. 第3期, or 〔2026〕3号); `opening`: when, where, who presided, what
    was discussed; `decisions`: the decided items, numbered 一、二、…"""

    mark: str
    number: str
    title: str
    issuer: str
    date: dt.date
    opening: str = ""
    paragraphs: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    decisions_lead: str = "会议议定事项如下："
    attended: tuple[MinutesPerson, ...] = ()
    on_leave: tuple[MinutesPerson, ...] = ()
    observers: tuple[MinutesPerson, ...] = ()
    distribution: str = ""


ATTENDANCE_LABELS = (("attended", "出席"), ("on_leave", "请假"), ("observers", "列席"))


def minutes_docx(minutes: Minutes) -> OfficialDocument:
    """The minutes (会议纪要) in the official layout."""
    doc = OfficialDocument(title=minutes.title)
    doc.issuing_mark(minutes.mark, number=minutes.number)
    doc.title(minutes.title)
    if minutes.opening:
        doc.paragraph(minutes.opening)
    for text in minutes.paragraphs:
        doc.paragraph(text)
    if minutes.decisions:
        doc.paragraph(minutes.decisions_lead)
        for index, text in enumerate(minutes.decisions, start=1):
            doc.heading(f"{chinese_ordinal(index)}、", 1, body=text)
    people = {
        "attended": minutes.attended,
        "on_leave": minutes.on_leave,
        "observers": minutes.observers,
    }
    first = True
    for field_name, label in ATTENDANCE_LABELS:
        names = people[field_name]
        if not names:
            continue
        if first:
            doc.blank()
            first = False
        doc.heading(f"{label}：", 1, body=NAME_SEPARATOR.join(p.text() for p in names))
    doc.signature(minutes.issuer, minutes.date)
    if minutes.distribution:
        doc.blank()
        doc.paragraph(f"分送：{minutes.distribution}", indent=False)
    return doc


# --- the awarding's standing order --------------------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """One presentation: `order` within the round (1 first), `recipient` (with `unit` and
    `award`), `presenter`, and where each stands: `recipient_spot` and `presenter_spot`,
    counted from the left as seen from the hall."""

    order: int
    recipient: str
    presenter: str
    recipient_spot: int
    presenter_spot: int
    unit: str = ""
    award: str = ""


@dataclass(frozen=True)
class AwardingRound:
    """A round: everyone in it goes up together. `title` e.g. 颁发先进集体奖牌; `note` e.g.
    the way up and down (从左侧上台，右侧下台)."""

    title: str
    presentations: tuple[Presentation, ...]
    note: str = ""


@dataclass(frozen=True)
class StandingOrderSheet:
    title: str
    rounds: tuple[AwardingRound, ...]
    subtitle: str = ""
    date: dt.date | None = None
    issuer: str = ""


def _spot_line(label: str, spots: Sequence[tuple[int, str]]) -> str:
    ordered = [name for _spot, name in sorted(spots)]
    return f"{label}（从会场看，自左至右）：{'　'.join(ordered)}"


def standing_order_docx(sheet: StandingOrderSheet) -> OfficialDocument:
    """The standing-order sheet (颁奖站位表), landscape: for each round the presenters' and the
    recipients' lines as seen from the hall, and a table of who presents to whom in order."""
    doc = OfficialDocument(title=sheet.title, landscape=True)
    doc.title(sheet.title)
    if sheet.subtitle:
        doc.paragraph(sheet.subtitle, indent=False, align="center")
    for number, awarding in enumerate(sheet.rounds, start=1):
        doc.heading(f"第{chinese_ordinal(number)}轮　{awarding.title}", 1)
        presenters = {(p.presenter_spot, p.presenter) for p in awarding.presentations}
        doc.paragraph(_spot_line("颁奖人站位", sorted(presenters)))
        doc.paragraph(
            _spot_line(
                "受奖人站位", [(p.recipient_spot, p.recipient) for p in awarding.presentations]
            )
        )
        if awarding.note:
            doc.paragraph(awarding.note)
        doc.table(
            ["顺序", "受奖人", "单位", "奖项", "受奖人站位", "颁奖人", "颁奖人站位"],
            [
                [
                    str(p.order),
                    p.recipient,
                    p.unit,
                    p.award,
                    f"第{p.recipient_spot}位",
                    p.presenter,
                    f"第{p.presenter_spot}位",
                ]
                for p in sorted(awarding.presentations, key=lambda p: p.order)
            ],
            widths=(12, 28, 50, 50, 24, 28, 24),
            center=(0, 4, 6),
        )
    if sheet.issuer and sheet.date:
        doc.signature(sheet.issuer, sheet.date)
    return doc
