"""The facts of a held meeting, read from its record (luoshi.meetings), for a news draft.

`facts_from_meeting` turns a Meeting into `drafting.MeetingFacts`: the date, title and venue;
who presided, with their post; the agenda in order — each speech and reading with its speaker
and what was read (the commendation decision of the meeting's program, or the appraisal's list
of staff graded 优秀); the number of work reports and of exchange speeches; the awards of the
decision (by honour title, the first honourees named and the rest counted); and the attendance
from the sign-ins. It reads a fixed number of queries whatever the meeting's size.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from luoshi.honors.models import Honour
from luoshi.meetings.models import AgendaItem, Meeting, Participant

from .drafting import Award, MeetingFacts, Speaker

NAMED = 3  # honourees named before "等N名同志"


def _post(person: Any) -> str:
    post = getattr(person, "post", None)
    return post.name if post is not None else ""


def _what(item: AgendaItem, decision_title: str) -> str:
    if item.kind == AgendaItem.Kind.READING:
        if item.reads == AgendaItem.Reads.DECISION and decision_title:
            return f"宣读了《{decision_title}》"
        if item.reads == AgendaItem.Reads.EXCELLENT:
            return "宣读了年度考核优秀等次人员名单"
        return f"宣读了{item.title}"
    return f"作{item.title}" if item.title.endswith("讲话") else f"讲话（{item.title}）"


def _awards(meeting: Meeting) -> tuple[Award, ...]:
    if meeting.program_id is None:
        return ()
    groups: OrderedDict[str, list[str]] = OrderedDict()
    honours = (
        Honour.objects.filter(program_id=meeting.program_id, revoked=False)
        .select_related("person", "unit")
        .order_by("kind", "unit__path", "id")
    )
    for honour in honours:
        who = honour.person.name if honour.person is not None else honour.unit.name
        groups.setdefault(honour.title, []).append(who)
    awards = []
    for title, names in groups.items():
        shown = "、".join(names[:NAMED])
        rest = f"等{len(names)}名（个）" if len(names) > NAMED else ""
        awards.append(Award(what=title, to=f"{shown}{rest}"))
    return tuple(awards)


def facts_from_meeting(meeting: Meeting) -> MeetingFacts:
    program_title = meeting.program.title if meeting.program is not None else ""
    decision_title = f"关于表彰{program_title}的决定" if program_title else ""
    items = list(
        meeting.agenda.select_related("presenter", "presenter__post").order_by("order", "id")
    )
    speakers = tuple(
        Speaker(name=i.presenter.name, title=_post(i.presenter), did=_what(i, decision_title))
        for i in items
        if i.presenter is not None and i.kind in (AgendaItem.Kind.SPEECH, AgendaItem.Kind.READING)
    )
    signed_in = Participant.objects.filter(meeting=meeting, signed_in_at__isnull=False).count()
    presiding = (
        Meeting.objects.select_related("presiding__post").get(pk=meeting.pk).presiding
        if meeting.presiding_id
        else None
    )
    agency = meeting.agency
    return MeetingFacts(
        date=meeting.date,
        title=meeting.title,
        venue=meeting.venue,
        presiding_name=presiding.name if presiding is not None else "",
        presiding_title=_post(presiding) if presiding is not None else "",
        speakers=speakers,
        reporting_units=sum(1 for i in items if i.kind == AgendaItem.Kind.REPORT),
        exchange_speeches=sum(1 for i in items if i.kind == AgendaItem.Kind.EXCHANGE),
        awards=_awards(meeting),
        attendance=f"共{signed_in}人" if signed_in else "",
        organization=(agency.short_name or agency.name) if agency is not None else "",
    )
