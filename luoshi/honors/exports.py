"""The files commendation sends out: the certificate batch (PDF: on blank paper with the full
design, or overprinted onto the agency's pre-printed stock, 套打, with an alignment preview) and
the honourees' table (xlsx).

Every certificate carries a QR code to its public verification page. Where the fields of the
overprint go, and the printer's offset, are settings (`Policy.certificate_overprint`,
`certificate_offset_mm`): each agency's stock differs, and each printer feeds a little off.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from luoshi.documents import pdf
from luoshi.documents.exporters import EXPORTERS, Exporter
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE

from . import rules
from .models import Certificate, Honour, Program

register = EXPORTERS.register

MODES = ("design", "overprint", "preview")


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says (the same in every mode)."""

    number: str
    holder: str
    body: str
    issuer: str
    date: str
    verify_url: str


def certificate_text(cert: Certificate, verify_url: str) -> CertificateText:
    h = cert.honour
    holder = h.person.name if h.person is not None else h.unit.name
    if h.program is not None:
        body = f"在{h.program.title}中，荣获“{h.title}”。特发此证，以资鼓励。"
    else:
        body = f"荣获“{h.title}”。特发此证，以资鼓励。"
    day = h.awarded_on
    return CertificateText(
        number=cert.number,
        holder=holder,
        body=body,
        issuer=h.approving_body,
        date=f"{day.year}年{day.month}月{day.day}日",
        verify_url=verify_url,
    )


def _qr(canvas: Any, url: str, x: float, y: float, size: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines of CJK text that fit `width` (character by character)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    for ch in text:
        if stringWidth(line + ch, font, size) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def certificates_pdf(
    texts: Sequence[CertificateText], pol: rules.Policy, *, mode: str = "design"
) -> bytes:
    """One page per certificate. `design`: the whole certificate on blank paper; `overprint`:
    only the variable fields, at the configured positions moved by the calibration offset, for
    the pre-printed stock; `preview`: the overprint with the stock's frame and each field's
    anchor drawn, to check the alignment on plain paper first."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    if mode not in MODES:
        raise ValueError(f"unknown certificate mode {mode!r}")
    font = pdf.cjk_font()
    page = landscape(A4) if pol.certificate_landscape else A4
    width, height = page
    out = io.BytesIO()
    c = Canvas(out, pagesize=page, pageCompression=1)
    c.setTitle(_("Certificates"))
    dx, dy = (v * mm for v in pol.certificate_offset_mm)
    red = colors.HexColor("#B8141B")
    for text in texts:
        if mode == "design":
            c.setStrokeColor(red)
            c.setLineWidth(3)
            c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
            c.setLineWidth(0.8)
            c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
            c.setFillColor(red)
            c.setFont(font.name, 40)
            c.drawCentredString(width / 2, height - 55 * mm, "荣 誉 证 书")
            c.setFillColor(colors.black)
            c.setFont(font.name, 22)
            c.drawString(40 * mm, height - 85 * mm, f"{text.holder}：")
            c.setFont(font.name, 18)
            y = height - 100 * mm
            for line in _wrap("　　" + text.body, width - 80 * mm, font.name, 18):
                c.drawString(40 * mm, y, line)
                y -= 11 * mm
            c.setFont(font.name, 18)
            c.drawRightString(width - 45 * mm, 50 * mm, text.issuer)
            c.drawRightString(width - 45 * mm, 40 * mm, text.date)
            c.setFont(font.name, 10)
            c.drawString(24 * mm, 22 * mm, _("No. %(number)s") % {"number": text.number})
            _qr(c, text.verify_url, 24 * mm, 28 * mm, 24 * mm)
            c.drawString(24 * mm, 53 * mm, _("Scan to verify"))
        else:
            fields = pol.certificate_overprint
            values = {
                "holder": text.holder,
                "body": text.body,
                "issuer": text.issuer,
                "date": text.date,
                "number": text.number,
            }
            if mode == "preview":
                c.setStrokeColor(colors.HexColor("#9AA4B2"))
                c.setDash(3, 3)
                c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
                c.setDash()
                c.setFont(font.name, 9)
                c.setFillColor(colors.HexColor("#9AA4B2"))
                c.drawString(12 * mm, height - 8 * mm, _("Alignment preview on plain paper"))
            for name, value in values.items():
                if name not in fields:
                    continue
                x, y, size = fields[name]
                x, y = x * mm + dx, y * mm + dy
                if mode == "preview":
                    c.setStrokeColor(colors.HexColor("#D0342C"))
                    c.line(x - 3 * mm, y, x + 3 * mm, y)
                    c.line(x, y - 3 * mm, x, y + 3 * mm)
                c.setFillColor(colors.black)
                c.setFont(font.name, size)
                if name == "body":
                    line_y = y
                    for line in _wrap("　　" + value, width - x - 30 * mm, font.name, size):
                        c.drawString(x, line_y, line)
                        line_y -= size * 1.8
                else:
                    c.drawString(x, y, value)
            if "qr" in fields:
                x, y, size = fields["qr"]
                _qr(c, text.verify_url, x * mm + dx, y * mm + dy, size * mm)
        c.showPage()
    c.save()
    return out.getvalue()


class HonorsExporter(Exporter):
    streaming = False


@register
class CertificatesPdf(HonorsExporter):
    """The certificate batch of a program (or of a year's appraisal honours)."""

    identifier = "honors_certificates_pdf"
    verbose_name = gettext_lazy("Certificates")
    extension = "pdf"
    content_type = pdf.PDF_CONTENT_TYPE
    audit_action = "honors.certificates_print"

    def __init__(
        self,
        user: Any,
        program: Program | None,
        certificates: Sequence[Certificate],
        *,
        verify_url: Callable[[str], str],
        mode: str = "design",
    ) -> None:
        super().__init__(user)
        self.program = program
        self.certificates = certificates
        self.verify_url = verify_url
        self.mode = mode

    @property
    def obj(self) -> Any:
        return self.program

    def params(self) -> dict[str, Any]:
        return {"mode": self.mode, "count": len(self.certificates)}

    def file_name(self) -> str:
        if self.program is not None:
            return f"certificates-{self.program.year}-{self.program.pk}-{self.mode}"
        return f"certificates-{self.mode}"

    def write(self, target: IO[bytes]) -> int:
        texts = [certificate_text(c, self.verify_url(c.number)) for c in self.certificates]
        target.write(certificates_pdf(texts, rules.policy(), mode=self.mode))
        return len(texts)


@register
class HonoureesXlsx(HonorsExporter):
    """The honourees' table of a program, by category (award kind) in unit order."""

    identifier = "honors_honourees_xlsx"
    verbose_name = gettext_lazy("Honourees")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    audit_action = "honors.honourees_export"

    def __init__(self, user: Any, program: Program, honours: Sequence[Honour]) -> None:
        super().__init__(user)
        self.program = program
        self.honours = honours

    @property
    def obj(self) -> Any:
        return self.program

    def file_name(self) -> str:
        return f"honourees-{self.program.year}-{self.program.pk}"

    def write(self, target: IO[bytes]) -> int:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = _("Honourees")[:31]
        ws.append(
            [
                _("Award kind"),
                _("Name"),
                _("Unit"),
                _("Post at the time"),
                _("GB/T 8563 code"),
                _("Certificate number"),
                pgettext("honour", "Revoked"),
            ]
        )
        for h in self.honours:
            cert = getattr(h, "certificate", None)
            ws.append(
                [
                    rules.kind(h.kind).word,
                    h.person.name if h.person is not None else "",
                    h.unit.name,
                    h.post_at_time,
                    h.gbt_code,
                    cert.number if cert is not None else "",
                    _("Yes") if h.revoked else "",
                ]
            )
        widths = (14, 12, 24, 30, 10, 28, 8)
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        wb.save(target)
        return len(self.honours)
