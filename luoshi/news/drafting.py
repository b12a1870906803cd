"""A news item drafted from the record of a meeting (会议新闻稿), in the style of an agency's
news: the lead (date, meeting, venue, who presided), who spoke and read what, the reports and
exchange speeches, the awards, who attended. Each part is an editable paragraph block.

The meetings app is built beside this one; until they are merged, a draft starts from a
`MeetingFacts` value (the page and `POST /api/v1/news/drafts` take one as input).

The adapter to write after the merge, in this module (news sits above meetings)::

    def facts_from_meeting(meeting: luoshi.meetings.models.Meeting) -> MeetingFacts:
        '''The facts of a held work meeting, read from its record: `date`, `title` and `venue`
        from the meeting; `presiding_name` / `presiding_title` from the person who presided,
        with their post on the meeting's date; `speakers` from the agenda items in order, each
        (speaker's name, their post on the date, what they did — "作工作报告", "宣读了《…》");
        `reporting_units` the number of units whose annual summary was reported;
        `exchange_speeches` the number of exchange speeches; `awards` from the commendation
        decision read at the meeting, (what, to whom); `attendance` the sign-in summary
        ("机关全体干部职工、各直属单位负责同志共120余人").'''

and a service `news_from_meeting(actor, meeting)` that calls `news_from_facts` with it and
sets the item's `event_date` to the meeting's date (the roster check uses it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Speaker:
    name: str
    title: str  # the post on the meeting's date, e.g. 党组成员、副主席
    did: str  # what they spoke or read, e.g. 宣读了《关于表彰……的决定》


@dataclass(frozen=True)
class Award:
    what: str  # e.g. 2025年度机关先进工作者
    to: str  # e.g. 经济科技部戊某某等10名同志


@dataclass(frozen=True)
class MeetingFacts:
    date: dt.date
    title: str  # e.g. 2025年度机关工作会议
    venue: str = ""
    presiding_name: str = ""
    presiding_title: str = ""
    speakers: tuple[Speaker, ...] = field(default_factory=tuple)
    reporting_units: int = 0
    exchange_speeches: int = 0
    awards: tuple[Award, ...] = field(default_factory=tuple)
    attendance: str = ""
    organization: str = ""  # the holder, e.g. 省侨联 (the lead names it)


def draft_title(facts: MeetingFacts) -> str:
    return f"{facts.organization}召开{facts.title}" if facts.organization else f"{facts.title}召开"


def draft_blocks(facts: MeetingFacts) -> list[dict[str, Any]]:
    """The draft's paragraphs, each a block the writer edits."""
    paragraphs: list[str] = []
    day = f"{facts.date.month}月{facts.date.day}日"
    where = f"在{facts.venue}" if facts.venue else ""
    lead = f"{day}，{facts.organization}{facts.title}{where}召开。"
    if facts.presiding_name:
        lead += f"{facts.presiding_title}{facts.presiding_name}主持会议。"
    paragraphs.append(lead)
    if facts.speakers:
        said = "；".join(f"{s.title}{s.name}{s.did}" for s in facts.speakers)
        paragraphs.append(f"会上，{said}。")
    parts = []
    if facts.reporting_units:
        parts.append(
            f"{facts.reporting_units}个部门和直属单位负责同志依次汇报了本年度工作完成情况和下一年度工作打算"
        )
    if facts.exchange_speeches:
        parts.append(f"{facts.exchange_speeches}名同志作交流发言")
    if parts:
        paragraphs.append("，".join(parts) + "。")
    if facts.awards:
        given = "；".join(f"{a.to}被评为{a.what}" for a in facts.awards)
        paragraphs.append(f"会议通报表彰了先进：{given}。")
    if facts.attendance:
        paragraphs.append(f"{facts.attendance}参加会议。")
    return [{"type": "paragraph", "text": p} for p in paragraphs]
