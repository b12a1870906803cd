"""Files of the work meeting: the participant list (xlsx) and the door's QR code (SVG)."""

from __future__ import annotations

from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.documents.exporters import Exporter, register
from luoshi.documents.xlsx import XlsxWriter

from . import selectors
from .models import Meeting


def qr_svg(text: str, size: int = 320) -> bytes:
    """A QR code of `text` as an SVG document, drawn on the server (no script on the page)."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg: str = renderSVG.drawToString(drawing)
    return svg.encode("utf-8")


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
        for n, p in enumerate(selectors.participants(self.meeting), start=1):
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
