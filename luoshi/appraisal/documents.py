"""The annual appraisal's documents, laid out from plain data (luoshi.appraisal.docdata).

- `registration_form_docx` / `registration_form_pdf`: the annual appraisal registration form
  (公务员年度考核登记表, RULES.md §5; public-institution staff get their own title and grade
  words, both given in the data) as agencies print it: A4, a ruled table, the header rows
  (name, sex, birth month, political status, time in the current post, unit and post, duties),
  then the big cells (self-summary, the supervising leader's comments and proposed grade, the
  committee's opinion, the person's own opinion, the note on no grade) each with its signature
  and date line. The big cells have a minimum height and grow with their text; a long
  self-summary flows on to the next page. The PDF embeds a CJK font.
- `result_table_xlsx`: the cycle's result table (write-only workbook, bold frozen header).
- `result_notice_docx`: the written notice of a result to one person, in the official-document
  layout (luoshi.documents.official).

Pure layout: no database, no domain rules. Every label goes through gettext with an English
source string and a context ("appraisal form" …), so the form reads in 简体, 繁體 and English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from luoshi.appraisal.docdata import RegistrationFormData, ResultNoticeData, ResultRow, Signature
from luoshi.documents.official import Fonts, OfficialDocument
from luoshi.documents.xlsx import XlsxWriter

# --- the form's page and table -------------------------------------------------------------------

FORM_MARGIN_TOP_MM = 25
FORM_MARGIN_BOTTOM_MM = 20
FORM_MARGIN_LEFT_MM = 25  # the binding edge
FORM_MARGIN_RIGHT_MM = 20
FORM_TEXT_WIDTH_MM = 210 - FORM_MARGIN_LEFT_MM - FORM_MARGIN_RIGHT_MM  # 165
FORM_PT = 12.0  # 小四, the table's text
FORM_TITLE_PT = 18.0  # 小二
# The six columns of the header rows (mm, summing to the text width): label · value, three times.
FORM_COLUMNS_MM = (27.0, 29.0, 27.0, 27.0, 25.0, 30.0)
# The minimum height (mm) of each big cell; a cell grows with its text.
# The self-summary fills the rest of the first page, the other boxes the second.
SUMMARY_MIN_MM = 165.0
LEADER_MIN_MM = 65.0
COMMITTEE_MIN_MM = 65.0
ACKNOWLEDGEMENT_MIN_MM = 45.0
UNGRADED_MIN_MM = 50.0
HEADER_ROW_MM = 11.0
BLANK_NAME = "\u3000" * 6  # room for a hand signature
BLANK_PART = "\u3000" * 2  # room for a handwritten year, month or day


# --- texts shared by the docx and the PDF ---------------------------------------------------------


def month_text(day: dt.date | None) -> str:
    """A month as the form writes it: 1985.03; blank when unknown."""
    return f"{day.year}.{day.month:02d}" if day else ""


def date_text(day: dt.date | None) -> str:
    """A signature's date (2025年1月8日), or the blanks a person fills in by hand."""
    if day is None:
        parts = {"year": BLANK_PART * 2, "month": BLANK_PART, "day": BLANK_PART}
    else:
        parts = {"year": str(day.year), "month": str(day.month), "day": str(day.day)}
    return pgettext("appraisal form", "%(year)s-%(month)s-%(day)s") % parts


def signature_text(signature: Signature, *, label: str = "") -> str:
    """The signature line: "签名：张三　　2025年1月8日" (blanks left for a hand signature)."""
    name = signature.name or BLANK_NAME
    text = (label or pgettext("appraisal form", "Signature: %(name)s")) % {"name": name}
    return f"{text}\u3000\u3000{date_text(signature.date)}"


def paragraphs(text: str) -> list[str]:
    """A free text as its paragraphs (one per line, blank lines dropped)."""
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text or "") if line.strip()]


class FormSection:
    """One big cell of the form: its label, its paragraphs, its closing lines (right-aligned)."""

    def __init__(
        self,
        label: str,
        body: Sequence[str],
        closing: Sequence[str],
        *,
        min_height_mm: float,
        grade: str = "",
    ) -> None:
        self.label = label
        self.body = list(body)
        self.grade = grade  # a line of its own, before the closing lines
        self.closing = list(closing)
        self.min_height_mm = min_height_mm


def header_rows(data: RegistrationFormData) -> list[list[tuple[str, str]]]:
    """The header rows as (label, value) pairs: three pairs, two, then one each."""
    return [
        [
            (pgettext("person", "Name"), data.name),
            (pgettext("appraisal form", "Sex"), data.sex),
            (pgettext("appraisal form", "Month of birth"), month_text(data.birth_month)),
        ],
        [
            (_("Political status"), data.political_status),
            (pgettext("appraisal form", "In current post since"), month_text(data.post_since)),
        ],
        [
            (
                pgettext("appraisal form", "Unit and post (rank)"),
                " ".join(part for part in (data.unit, data.post_and_rank) if part),
            )
        ],
        [(pgettext("appraisal form", "Work done or overseen"), data.duties)],
    ]


def form_sections(data: RegistrationFormData) -> list[FormSection]:
    """The big cells in the order of the form (RULES.md §5)."""
    grade_label = pgettext("appraisal form", "Proposed grade: %(grade)s")
    decided_label = pgettext("appraisal form", "Appraisal grade: %(grade)s")
    seal = (
        pgettext("appraisal form", "%(body)s (seal)") % {"body": data.seal_text}
        if data.seal_text
        else pgettext("appraisal form", "(seal)")
    )
    return [
        FormSection(
            pgettext("appraisal form", "Personal summary"),
            paragraphs(data.self_summary),
            [signature_text(data.self_summary_signature)],
            min_height_mm=SUMMARY_MIN_MM,
        ),
        FormSection(
            pgettext("appraisal form", "Comments of the supervising leader and proposed grade"),
            paragraphs(data.leader_comments),
            [signature_text(data.leader_signature)],
            min_height_mm=LEADER_MIN_MM,
            grade=grade_label % {"grade": data.proposed_grade or BLANK_NAME},
        ),
        FormSection(
            pgettext(
                "appraisal form", "Opinion of the head of the agency or the appraisal committee"
            ),
            paragraphs(data.committee_opinion),
            [
                seal,
                signature_text(
                    data.committee_signature,
                    label=pgettext("appraisal form", "Head's signature: %(name)s"),
                ),
            ],
            min_height_mm=COMMITTEE_MIN_MM,
            grade=decided_label % {"grade": data.committee_grade or BLANK_NAME},
        ),
        FormSection(
            pgettext("appraisal form", "Opinion of the person"),
            paragraphs(data.acknowledgement),
            [signature_text(data.acknowledgement_signature)],
            min_height_mm=ACKNOWLEDGEMENT_MIN_MM,
        ),
        FormSection(
            pgettext(
                "appraisal form",
                "Explanation of an undetermined grade or of not taking part in the appraisal",
            ),
            paragraphs(data.ungraded_note),
            [],
            min_height_mm=UNGRADED_MIN_MM,
        ),
    ]


def category_line(data: RegistrationFormData) -> str:
    if not data.staff_category:
        return ""
    return pgettext("appraisal form", "Staff category: %(category)s") % {
        "category": data.staff_category
    }


# --- the registration form as docx ---------------------------------------------------------------


def _rfonts(rpr: Any, name: str) -> None:
    """Use `name` for every script of a run, East-Asian text included."""
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _border(tag: str, size: int) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))  # eighths of a point
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000")
    return element


class _FormDocx:
    """The form drawn with python-docx on top of the official document's styles and fonts."""

    def __init__(self, data: RegistrationFormData) -> None:
        from docx.shared import Mm

        self.data = data
        self.official = OfficialDocument(title=data.form_title)
        self.doc = self.official.doc
        self.fonts: Fonts = self.official.fonts
        section = self.doc.sections[0]
        section.top_margin = Mm(FORM_MARGIN_TOP_MM)
        section.bottom_margin = Mm(FORM_MARGIN_BOTTOM_MM)
        section.left_margin = Mm(FORM_MARGIN_LEFT_MM)
        section.right_margin = Mm(FORM_MARGIN_RIGHT_MM)
        section.footer_distance = Mm(10)
        section.header_distance = Mm(10)

    def build(self) -> bytes:
        self._title()
        self._table()
        return self.official.to_bytes()

    def _paragraph(
        self,
        container: Any,
        text: str,
        *,
        size: float = FORM_PT,
        align: str = "",
        indent: bool = False,
        reuse: bool = False,
        font: str = "",
    ) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = container.paragraphs[0] if reuse else container.add_paragraph()
        paragraph.style = self.doc.styles[OfficialDocument.STYLE_TABLE]
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if align:
            paragraph.alignment = {
                "left": WD_ALIGN_PARAGRAPH.LEFT,
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
                "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            }[align]
        if indent:
            fmt.first_line_indent = Pt(2 * size)
        if text:
            run = paragraph.add_run(text)
            run.font.size = Pt(size)
            if font:
                _rfonts(run._r.get_or_add_rPr(), font)
        return paragraph

    def _title(self) -> None:
        self._paragraph(
            self.doc,
            self.data.form_title,
            size=FORM_TITLE_PT,
            align="center",
            font=self.fonts.title,
        )
        line = category_line(self.data)
        self._paragraph(self.doc, line, align="right")

    def _table(self) -> None:
        from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        widths = [Mm(w) for w in FORM_COLUMNS_MM]
        rows = header_rows(self.data)
        sections = form_sections(self.data)
        count = len(rows) + sum(2 if section.closing else 1 for section in sections)
        table = self.doc.add_table(rows=count, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblpr = table._tbl.tblPr
        tbl_width = tblpr.find(qn("w:tblW"))
        tbl_width.set(qn("w:type"), "dxa")
        tbl_width.set(qn("w:w"), str(sum(w.twips for w in widths)))
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right"):
            borders.append(_border(f"w:{edge}", 12))  # 1.5 pt outside
        for edge in ("insideH", "insideV"):
            borders.append(_border(f"w:{edge}", 4))  # ½ pt inside
        tblpr.insert_element_before(
            borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
        )
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.insert_element_before(layout, "w:tblCellMar", "w:tblLook", "w:tblCaption")
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width

        for index, pairs in enumerate(rows):
            row = table.rows[index]
            row.height = Mm(HEADER_ROW_MM)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            cells = self._pair_cells(row, len(pairs))
            for pair_index, (label, value) in enumerate(pairs):
                self._label_cell(cells[2 * pair_index], label)
                self._value_cell(cells[2 * pair_index + 1], value)

        index = len(rows)
        for number, section in enumerate(sections):
            text_row = table.rows[index]
            sign_row = table.rows[index + 1] if section.closing else None
            index += 2 if sign_row is not None else 1
            # The text above, the grade and signature lines in a row of their own below it,
            # without a line between: the signatures stay at the bottom of the box however
            # long the text. The first box (the self-summary) may run on to the next page;
            # the others move to the next page whole unless taller than a page.
            text_row.height = Mm(section.min_height_mm - self._closing_mm(section))
            text_row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST  # grows with the text
            if number:
                text_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            label_cell = text_row.cells[0]
            text_cell = text_row.cells[1].merge(text_row.cells[5])
            self._section_text(text_cell, section)
            if sign_row is not None:
                sign_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
                label_cell = label_cell.merge(sign_row.cells[0])
                sign_cell = sign_row.cells[1].merge(sign_row.cells[5])
                self._section_closing(sign_cell, section)
                _cell_edge(text_cell, "bottom")
                _cell_edge(sign_cell, "top")
            self._label_cell(label_cell, section.label)

    @staticmethod
    def _closing_mm(section: FormSection) -> float:
        """About how tall the row of grade and signature lines is."""
        lines = len(section.closing) + (2 if section.grade else 0)
        return lines * FORM_PT * 1.3 * 25.4 / 72 + 3 if section.closing else 0.0

    @staticmethod
    def _pair_cells(row: Any, pairs: int) -> list[Any]:
        """Label and value cells of a header row with 3, 2 or 1 pairs (the last value spans
        the rest of the row)."""
        starts = {3: (0, 2, 4), 2: (0, 2), 1: (0,)}[pairs]
        last = len(row.cells) - 1
        cells: list[Any] = []
        for number, start in enumerate(starts):
            cells.append(row.cells[start])
            value = row.cells[start + 1]
            if number == len(starts) - 1 and start + 1 < last:
                value = value.merge(row.cells[last])
            cells.append(value)
        return cells

    def _label_cell(self, cell: Any, text: str) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        self._paragraph(cell, text, align="center", reuse=True)

    def _value_cell(self, cell: Any, text: str) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        lines = paragraphs(text) or [""]
        for index, line in enumerate(lines):
            self._paragraph(
                cell, line, align="center" if len(lines) == 1 else "left", reuse=not index
            )

    def _section_text(self, cell: Any, section: FormSection) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        for index, text in enumerate(section.body or [""]):  # an empty box for handwriting
            self._paragraph(cell, text, align="justify", indent=True, reuse=not index)

    def _section_closing(self, cell: Any, section: FormSection) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        first = True
        if section.grade:
            self._paragraph(cell, section.grade, indent=True, reuse=True)
            self._paragraph(cell, "")
            first = False
        for line in section.closing:
            self._paragraph(cell, line, align="right", reuse=first)
            first = False


def _cell_edge(cell: Any, edge: str) -> None:
    """No line on one edge of a cell (the text and signature rows of a box read as one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        # CT_TcPr order: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, … vAlign …
        tcpr.insert_element_before(
            borders,
            "w:shd",
            "w:noWrap",
            "w:tcMar",
            "w:textDirection",
            "w:tcFitText",
            "w:vAlign",
            "w:hideMark",
        )
    element = OxmlElement(f"w:{edge}")
    element.set(qn("w:val"), "nil")
    borders.append(element)


def registration_form_docx(data: RegistrationFormData) -> bytes:
    """The annual appraisal registration form of one person as a Word document (A4)."""
    return _FormDocx(data).build()


# --- the registration form as PDF ----------------------------------------------------------------

PDF_PADDING_PT = 4.0
PDF_LINE_PT = 0.75
PDF_ONE_ROW_MAX_PT = 600.0  # a box taller than this is cut into rows (it may span pages)
PDF_PIECE_PT = 5 * FORM_PT * 1.5  # five lines of text a row in such a box


def _pdf_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_styles(font: Any) -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    def style(name: str, size: float, leading: float = 1.5, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            f"appraisal-form-{name}",
            fontName=font.name,
            fontSize=size,
            leading=size * leading,
            wordWrap="CJK",
            **kw,
        )

    return {
        "title": style("title", FORM_TITLE_PT, alignment=TA_CENTER, spaceAfter=FORM_PT / 2),
        "category": style("category", FORM_PT * 0.85, 1.2, alignment=TA_RIGHT, spaceAfter=2),
        "label": style("label", FORM_PT, 1.25, alignment=TA_CENTER),
        "value": style("value", FORM_PT, 1.25, alignment=TA_CENTER),
        "text": style("text", FORM_PT, alignment=TA_JUSTIFY, firstLineIndent=2 * FORM_PT),
        "line": style("line", FORM_PT, firstLineIndent=2 * FORM_PT),
        "closing": style("closing", FORM_PT, alignment=TA_RIGHT),
    }


def _pdf_paragraph(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    # reportlab folds a run of spaces into one: the blanks left for handwriting (ideographic
    # spaces) become no-break spaces, four to the width of a character
    return Paragraph(_pdf_escape(text).replace("\u3000", "\xa0" * 4), style)


def _pdf_chop(paragraph: Any, width: float, most: float) -> list[Any]:
    """A paragraph cut into pieces of at most `most` points' height (a table row each), so
    that a long text breaks between rows, which reportlab does cleanly, at any page end."""
    pieces: list[Any] = []
    while True:
        _width, height = paragraph.wrap(width, 1e6)
        if height <= most:
            pieces.append(paragraph)
            return pieces
        parts = paragraph.split(width, most)
        if len(parts) < 2:
            pieces.append(paragraph)
            return pieces
        pieces.append(parts[0])
        paragraph = parts[1]


def _pdf_box(
    section: FormSection, styles: dict[str, Any], widths: tuple[float, float], min_height: float
) -> Any:
    """One box of the form as a two-column table (label · text), its grade and signature lines
    at the bottom of its minimum height, or right after the text when the text is longer.

    A box that fits on a page is one row, its label centred; a longer one (a long
    self-summary) is a row per few lines of text, so that it runs on from page to page."""
    from reportlab.lib import colors
    from reportlab.platypus import Spacer, Table, TableStyle

    label_width, text_width = widths
    inner = text_width - 12  # reportlab's default left and right cell padding: 6 pt each
    label = _pdf_paragraph(section.label, styles["label"])
    top = [_pdf_paragraph(text, styles["text"]) for text in section.body]
    bottom: list[Any] = []
    if section.grade:
        bottom.append(_pdf_paragraph(section.grade, styles["line"]))
    bottom.extend(_pdf_paragraph(line, styles["closing"]) for line in section.closing)
    gap = FORM_PT  # at least a blank line between the text and the signatures
    used = sum(f.wrap(inner, 1e6)[1] for f in (*top, *bottom))
    filler = max(gap, min_height - 2 * PDF_PADDING_PT - used - 1)
    commands: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), PDF_LINE_PT, colors.black),
        ("LINEAFTER", (0, 0), (0, -1), PDF_LINE_PT, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, 0), PDF_PADDING_PT),
        ("BOTTOMPADDING", (0, -1), (-1, -1), PDF_PADDING_PT),
        ("VALIGN", (1, 0), (1, -1), "TOP"),
    ]
    if used + gap <= PDF_ONE_ROW_MAX_PT:
        rows: list[list[Any]] = [[label, [*top, Spacer(inner, filler), *bottom]]]
        commands.append(("VALIGN", (0, 0), (0, -1), "MIDDLE"))
    else:
        pieces = [piece for p in top for piece in _pdf_chop(p, inner, PDF_PIECE_PT)]
        rows = [[label if not index else "", piece] for index, piece in enumerate(pieces)]
        rows.append(["", [Spacer(inner, gap), *bottom]])
        commands.append(("VALIGN", (0, 0), (0, -1), "TOP"))
    return Table(rows, colWidths=[label_width, text_width], style=TableStyle(commands))


def registration_form_story(data: RegistrationFormData, font: Any) -> list[Any]:
    """The form as reportlab flowables in the CJK `font` (a luoshi.documents.pdf.PdfFont):
    the title, the header table, then the table of big cells, whose rows split across pages."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Table, TableStyle

    styles = _pdf_styles(font)
    story: list[Any] = [_pdf_paragraph(data.form_title, styles["title"])]
    line = category_line(data)
    if line:
        story.append(_pdf_paragraph(line, styles["category"]))

    widths = [w * mm for w in FORM_COLUMNS_MM]
    rows: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    for index, pairs in enumerate(header_rows(data)):
        cells: list[Any] = []
        for label, value in pairs:
            cells.append(_pdf_paragraph(label, styles["label"]))
            cells.append([_pdf_paragraph(v, styles["value"]) for v in paragraphs(value)] or "")
        if len(cells) < len(widths):
            spans.append(("SPAN", (len(cells) - 1, index), (len(widths) - 1, index)))
            cells.extend([""] * (len(widths) - len(cells)))
        rows.append(cells)
    header = Table(
        rows,
        colWidths=widths,
        minRowHeights=[HEADER_ROW_MM * mm] * len(rows),
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), PDF_LINE_PT, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), PDF_PADDING_PT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PDF_PADDING_PT),
                *spans,
            ]
        ),
    )
    story.append(header)

    # One table per box, edge to edge with the one above: a box starts on a new page when
    # its minimum height does not fit there.
    for section in form_sections(data):
        height = section.min_height_mm * mm
        story.append(CondPageBreak(height))
        story.append(_pdf_box(section, styles, (widths[0], sum(widths) - widths[0]), height))
    return story


def registration_form_pdf(data: RegistrationFormData) -> bytes:
    """The annual appraisal registration form of one person as a PDF (A4, CJK font embedded).

    Raises luoshi.documents.pdf.FontMissing when no embeddable Chinese font is installed.
    """
    # Loaded when a PDF is asked for: reportlab and the font search cost ~0.6 s at start-up.
    from luoshi.documents import pdf

    font = pdf.cjk_font()
    return pdf.build_pdf(
        registration_form_story(data, font),
        title=data.form_title,
        margins_mm=(
            FORM_MARGIN_TOP_MM,
            FORM_MARGIN_RIGHT_MM,
            FORM_MARGIN_BOTTOM_MM,
            FORM_MARGIN_LEFT_MM,
        ),
    )


# --- the result table (xlsx) ---------------------------------------------------------------------

RESULT_WIDTHS = (6, 12, 22, 28, 12, 14, 12, 10, 12, 30)


def result_headers() -> list[str]:
    return [
        _("No."),
        pgettext("person", "Name"),
        _("Unit"),
        pgettext("appraisal results", "Post (rank)"),
        _("Staff category"),
        pgettext("appraisal results", "Proposed grade"),
        pgettext("appraisal results", "Evaluation score"),
        pgettext("appraisal results", "Grade"),
        _("Status"),
        _("Remarks"),
    ]


def _score(text: str) -> Any:
    """A score as a number when it is one (so it sorts in Excel), else the text as given."""
    value = (text or "").strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return int(value) if "." not in value else float(value)
    return value


def result_table_xlsx(rows: Iterable[ResultRow], stream: IO[bytes], *, title: str = "") -> None:
    """Write the cycle's result table to `stream` (write-only, rows may be a lazy iterator).

    `title` names the sheet (e.g. "2025年度考核结果"); the default is "Appraisal results".
    """
    writer = XlsxWriter()
    sheet = writer.add_sheet(
        title or pgettext("appraisal results", "Appraisal results"),
        result_headers(),
        widths=RESULT_WIDTHS,
    )
    for row in rows:
        sheet.append(
            [
                row.seq,
                row.name,
                row.unit,
                row.post_and_rank,
                row.staff_category,
                row.proposed_grade,
                _score(row.evaluation_score),
                row.grade,
                row.status,
                row.remarks,
            ]
        )
    writer.save(stream)


# --- the result notice (docx, official layout) ---------------------------------------------------


def result_notice_docx(data: ResultNoticeData) -> bytes:
    """The written notice of an annual result to one person, as an official document.

    After `body_paragraphs` the notice states the grade (or that none was determined), the
    consequences, if any, and the last day to apply for a review, so the body need not.
    """
    document = OfficialDocument(title=data.title)
    if data.issuing_body:
        document.issuing_mark(data.issuing_body, number=data.document_number)
    document.title(data.title)
    if data.recipient_unit:
        addressee = pgettext("appraisal notice", "Dear %(name)s (%(unit)s)") % {
            "name": data.recipient_name,
            "unit": data.recipient_unit,
        }
    else:
        addressee = pgettext("appraisal notice", "Dear %(name)s") % {"name": data.recipient_name}
    document.addressee(addressee)
    for text in data.body_paragraphs:
        for line in paragraphs(text):
            document.paragraph(line)
    if data.grade:
        document.paragraph(
            pgettext("appraisal notice", "Your appraisal grade for %(year)s: %(grade)s.")
            % {"year": data.year, "grade": data.grade}
        )
    else:
        document.paragraph(
            pgettext("appraisal notice", "No appraisal grade was determined for you for %(year)s.")
            % {"year": data.year}
        )
    if data.consequences:
        document.paragraph(
            pgettext("appraisal notice", "Consequences of this result: %(items)s.")
            % {"items": _(", ").join(data.consequences)}
        )
    if data.review_deadline:
        document.paragraph(
            pgettext(
                "appraisal notice",
                "If you disagree with this result, you may apply for a review "
                "no later than %(date)s.",
            )
            % {"date": date_text(data.review_deadline)}
        )
    document.signature(data.signer or data.issuing_body, data.issue_date)
    return document.to_bytes()


__all__ = [
    "registration_form_docx",
    "registration_form_pdf",
    "result_notice_docx",
    "result_table_xlsx",
]
