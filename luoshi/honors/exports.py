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

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from luoshi.core.errors import InvalidInput, NotFound
from luoshi.documents import pdf
from luoshi.documents.exporters import EXPORTERS, Exporter, export_record
from luoshi.documents.official import DOCX_CONTENT_TYPE, OfficialDocument
from luoshi.documents.qr import draw_qr
from luoshi.documents.xlsx import XLSX_CONTENT_TYPE

from . import permissions as perms
from . import rules, selectors
from .models import Certificate, Honour, Nomination, Program

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
            draw_qr(c, text.verify_url, 24 * mm, 28 * mm, 24 * mm)
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
                draw_qr(c, text.verify_url, x * mm + dx, y * mm + dy, size * mm)
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


def decision_docx(program: Program, honourees: Sequence[Nomination]) -> bytes:
    """The decision (表彰决定) in the official-document layout: the issuing body's red mark with
    the document number, the title, the decision's text, the honourees listed by category
    (award kind) in unit order, the signature and the date. Chinese whatever the interface
    language: the document is issued in Chinese."""
    agency = program.agency
    body = program.decision_body or agency.name
    title = f"关于{program.title}的表彰决定"
    doc = OfficialDocument(title=title)
    doc.issuing_mark(f"{agency.name}文件", number=program.decision_document_number)
    doc.title(title)
    doc.addressee("机关各部门、各直属单位")
    doc.paragraph(
        f"{program.year}年，机关各部门、各直属单位和广大干部职工认真履职、担当作为，"
        "涌现出一批先进集体和先进个人。为表彰先进、树立典型，经推荐、联审和公示，"
        f"{body}研究决定，对以下集体和个人予以表彰："
    )
    groups: dict[str, list[Nomination]] = {}
    for n in honourees:
        groups.setdefault(n.kind, []).append(n)
    for index, (code, rows) in enumerate(groups.items()):
        k = rules.kind(code)
        word = program.title if code == rules.TITLE else k.word
        count = f"（{len(rows)}个）" if k.collective else f"（{len(rows)}名）"
        doc.heading(f"{chinese_numeral(index + 1)}、{word}{count}", level=1)
        for n in rows:
            if n.person is not None:
                doc.paragraph(f"{n.person.name}　{n.post_at_time or n.unit.name}")
            else:
                doc.paragraph(n.unit.name)
    doc.paragraph(
        "希望受到表彰的集体和个人珍惜荣誉、戒骄戒躁，再创佳绩。"
        "机关全体干部职工要以先进为榜样，锐意进取，扎实工作，推动各项工作再上新台阶。"
    )
    doc.signature(agency.name, program.decision_date or timezone.localdate())
    return doc.to_bytes()


NUMERALS = "零一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """一 … 九十九, for the headings of the categories."""
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


@register
class DecisionDocx(HonorsExporter):
    """The decision document of a program (表彰决定, .docx in the official layout)."""

    identifier = "honors_decision_docx"
    verbose_name = gettext_lazy("Decision document")
    extension = "docx"
    content_type = DOCX_CONTENT_TYPE
    audit_action = "honors.decision_export"

    def __init__(self, user: Any, program: Program, honourees: Sequence[Nomination]) -> None:
        super().__init__(user)
        self.program = program
        self.honourees = honourees

    @property
    def obj(self) -> Any:
        return self.program

    def file_name(self) -> str:
        return f"decision-{self.program.year}-{self.program.pk}"

    def write(self, target: IO[bytes]) -> int:
        target.write(decision_docx(self.program, self.honourees))
        return len(self.honourees)


RECORD_HEADERS = (
    lambda: _("Year"),
    lambda: _("Name"),
    lambda: _("Unit"),
    lambda: _("Honour"),
    lambda: _("Award kind"),
    lambda: _("GB/T 8563 code"),
    lambda: _("Approving body"),
    lambda: _("Document number"),
    lambda: _("Date"),
    lambda: _("Post at the time"),
    lambda: _("Source"),
    lambda: _("Certificate number"),
    lambda: pgettext("honour", "Revoked"),
    lambda: _("Revoked on"),
    lambda: _("Reason for revocation"),
)


@register
class HonoursRecordXlsx(HonorsExporter):
    """The honours record of a person or of a unit (奖励情况), every entry with its GB/T 8563
    code, approving body, document, date, post at the time and revocation."""

    identifier = "honors_record_xlsx"
    verbose_name = gettext_lazy("Honours record")
    extension = "xlsx"
    content_type = XLSX_CONTENT_TYPE
    audit_action = "honors.record_export"

    def __init__(self, user: Any, subject: Any, honours: Sequence[Honour]) -> None:
        super().__init__(user)
        self.subject = subject
        self.honours = honours

    @property
    def obj(self) -> Any:
        return self.subject

    def file_name(self) -> str:
        return f"honours-{self.subject.name}"

    def write(self, target: IO[bytes]) -> int:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = _("Honours record")[:31]
        ws.append([str(h()) for h in RECORD_HEADERS])
        for h in self.honours:
            cert = getattr(h, "certificate", None)
            ws.append(
                [
                    h.year,
                    h.person.name if h.person is not None else "",
                    h.unit.name,
                    h.title,
                    rules.kind(h.kind).word,
                    h.gbt_code,
                    h.approving_body,
                    h.document_number,
                    h.awarded_on,
                    h.post_at_time,
                    h.get_source_display(),
                    cert.number if cert is not None else "",
                    _("Yes") if h.revoked else _("No"),
                    h.revoked_on or "",
                    h.revoked_reason,
                ]
            )
        for i, w in enumerate((6, 10, 20, 24, 10, 10, 22, 18, 12, 24, 12, 26, 6, 12, 30)):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        wb.save(target)
        return len(self.honours)


def decision_export(user: Any, program: Program) -> Any:
    """The decision document's file for the program's officer once the leadership has decided
    (anyone else: not found), its taking audited."""
    if not perms.is_officer(user, program.agency):
        raise NotFound()
    if program.status not in DECIDED_STAGES:
        raise InvalidInput(_("The decision document is made once the leadership has decided."))
    program = Program.objects.select_related("agency").get(pk=program.pk)
    export = DecisionDocx(user, program, selectors.decision_honourees(program)).render()
    export_record(actor=user, export=export)
    return export


DECIDED_STAGES = (Program.Status.DECIDED, Program.Status.PUBLICITY, Program.Status.FINAL)
