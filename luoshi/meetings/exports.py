"""Files of the work meeting: the participant list (xlsx) and the door's QR code (SVG)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.documents import meetingdocs as md
from luoshi.documents import qr
from luoshi.documents.exporters import Exporter, register
from luoshi.documents.seatchart import ChartSeat, SeatChart, hall_zone_extents, seat_chart_pdf
from luoshi.documents.tablecards import TableCard, table_cards_pdf
from luoshi.documents.xlsx import XlsxWriter

from . import selectors
from .models import Meeting
from .services import HALL_BLOCKS


def qr_svg(text: str, size: int = 320) -> bytes:
    """A QR code of `text` as an SVG document, drawn on the server (no script on the page)."""
    return qr.qr_svg(text, size).encode("utf-8")


class MeetingsExporter(Exporter):
    app_label = "meetings"


@register
class ParticipantsXlsx(MeetingsExporter):
    identifier = "meetings.participants"
    verbose_name = gettext_lazy("Participant list")
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_action = "meetings.export_participants"
    streaming = False

    def __init__(self, user: Any, meeting: Meeting) -> None:
        super().__init__(user)
        self.meeting = meeting

    @property
    def obj(self) -> Any:
        return self.meeting

    def file_name(self) -> str:
        return f"{self.meeting.title}-{_('participants')}"

    def write(self, target: IO[bytes]) -> int:
        return participants_xlsx(selectors.participants(self.meeting), target)


def participants_xlsx(participants: Iterable[Any], target: IO[bytes]) -> int:
    """The participant list as a sheet, one row per participant in the list's order (the
    participants with their person, post, rank and unit loaded); the number of rows."""
    book = XlsxWriter()
    sheet = book.add_sheet(
        str(_("Participants")),
        [
            str(_("No.")),
            str(_("Name")),
            str(_("Unit or body")),
            str(_("Post or title")),
            str(_("Rank")),
            str(_("Source")),
            str(_("Role")),
            str(_("Reply")),
            str(_("Reason for leave")),
            str(_("Signed in at")),
        ],
        widths=(6, 14, 28, 20, 16, 14, 10, 12, 24, 18),
    )
    n = 0
    for n, p in enumerate(participants, start=1):
        person = p.person
        sheet.append(
            [
                n,
                p.name,
                p.unit.name if p.unit else p.guest_body,
                (person.post.name if person and person.post else "") or p.guest_title,
                person.rank.name if person and person.rank else "",
                p.get_source_display(),
                p.get_role_display(),
                p.get_reply_display(),
                p.leave_reason,
                timezone.localtime(p.signed_in_at).strftime("%Y-%m-%d %H:%M")
                if p.signed_in_at
                else "",
            ]
        )
    book.save(target)
    return n


# --- the seat chart, table cards and minutes (builders in luoshi.documents) ----------------


def seat_chart(meeting: Meeting) -> bytes:

    rows = selectors.seat_rows(meeting)
    presidium = tuple(
        ChartSeat(s.row, s.position, s.participant.name if s.participant else "")
        for row in rows["presidium"]
        for s in row
    )
    hall = tuple(
        ChartSeat(s.row, s.position, s.participant.name if s.participant else "")
        for row in rows["hall"]
        for s in row
        if s.participant
    )
    zones = tuple(
        hall_zone_extents(
            [(s.zone, s.row, s.position) for row in rows["hall"] for s in row if s.zone]
        )
    )

    chart = SeatChart(
        title=meeting.title,
        hall_rows=len(rows["hall"]) or 1,
        hall_blocks=HALL_BLOCKS,
        presidium=presidium,
        hall=hall,
        zones=zones,
        subtitle=f"{meeting.date.isoformat()} {meeting.venue}",
    )
    return seat_chart_pdf(chart)


def table_cards(meeting: Meeting) -> bytes:

    rows = selectors.seat_rows(meeting)
    cards = [
        TableCard(s.participant.name)
        for area in ("presidium", "hall")
        for row in rows[area]
        for s in row
        if s.participant
    ]
    return table_cards_pdf(cards)


def minutes_docx(meeting: Meeting) -> bytes:

    lists = selectors.minutes_lists(meeting)

    def people(rows: Any, leave: bool = False) -> tuple[md.MinutesPerson, ...]:
        return tuple(md.MinutesPerson(p.name, p.leave_reason if leave else "") for p in rows)

    doc = md.minutes_docx(
        md.Minutes(
            mark="会议纪要",
            number=meeting.minutes_number,
            title=f"{meeting.title}纪要",
            issuer=meeting.agency.name,
            date=meeting.date,
            opening=(
                f"{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日，"
                f"{meeting.title}在{meeting.venue}召开"
                + (f"，{meeting.presiding.name}主持。" if meeting.presiding else "。")
            ),
            decisions=tuple(
                line.strip() for line in meeting.decisions.splitlines() if line.strip()
            ),
            attended=people(lists["attended"]),
            on_leave=people(lists["leave"], leave=True),
            observers=people(lists["observed"]),
        )
    )
    return doc.to_bytes()


def standing_order_docx(meeting: Meeting) -> bytes:

    rounds = []
    for rnd in selectors.awarding(meeting):
        rounds.append(
            md.AwardingRound(
                title=rnd.title,
                presentations=tuple(
                    md.Presentation(
                        order=e.order,
                        recipient=e.honour.person.name if e.honour.person else e.honour.unit.name,
                        presenter=e.presenter.name,
                        recipient_spot=e.recipient_spot,
                        presenter_spot=e.presenter_spot,
                        unit=e.honour.unit.name,
                        award=e.honour.title,
                    )
                    for e in rnd.entries.all()
                ),
            )
        )
    sheet = md.StandingOrderSheet(
        title=f"{meeting.title}颁奖站位表",
        rounds=tuple(rounds),
        date=meeting.date,
        issuer=meeting.agency.name,
    )
    return md.standing_order_docx(sheet).to_bytes()


def notice_docx(meeting: Meeting) -> bytes:

    start = meeting.starts_at.strftime("%H:%M") if meeting.starts_at else ""
    notice = md.MeetingNotice(
        title=f"关于召开{meeting.title}的通知",
        issuer=meeting.agency.name,
        date=(meeting.notified_at.date() if meeting.notified_at else meeting.date),
        addressee="机关各部门、各直属单位：",
        opening=f"经研究，定于{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日"
        f"召开{meeting.title}。现将有关事项通知如下：",
        items=(
            md.NoticeItem("会议时间", f"{meeting.date.isoformat()} {start}".strip()),
            md.NoticeItem("会议地点", meeting.venue),
        ),
        agenda=tuple(
            md.AgendaLine(a.title, a.presenter.name if a.presenter else "")
            for a in meeting.agenda.defer("material_content").select_related("presenter")
        ),
        participants=tuple(
            md.ParticipantRow(
                p.name,
                p.unit.name if p.unit else p.guest_body,
                (p.person.post.name if p.person and p.person.post else p.guest_title),
            )
            for p in selectors.participants(meeting)
        ),
    )
    return md.notice_docx(notice).to_bytes()
