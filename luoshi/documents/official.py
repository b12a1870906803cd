"""Word documents laid out as Chinese official documents (党政机关公文格式, GB/T 9704-2012).

`OfficialDocument` builds a .docx with python-docx in that layout (RULES.md §7):
- A4; margins top 37 mm, left (binding) 28 mm, so that the text block is 156 × 225 mm
  (right 26 mm, bottom 35 mm). A landscape section keeps the text block and turns it: the
  binding margin goes to the top edge (28 mm), which lies against the spine once the page is
  turned into a portrait-bound volume.
- Body 3号 (16 pt) 仿宋, 22 lines × 28 characters a page: fixed line spacing 28.95 pt on a
  line grid, characters condensed by a quarter point;
  title 2号 (22 pt) 小标宋, centred; headings 一、 黑体 · （一） 楷体 · 1. and （1） 仿宋, each
  indented two characters like the body.
- An optional red issuing-body mark (发文机关标志), the document number with 〔〕 and the red
  line under it; the signature and the date right-aligned four characters from the edge, in
  Arabic numerals without leading zeros.
- Page numbers 4号 (14 pt) 宋体 with a dash each side ("— 1 —"): odd pages on the right,
  even pages on the left, one character from the edge.
- Tables with borders, a bold header row repeated on every page, and rows that span the whole
  table for section headings.

Fonts are configurable (settings LUOSHI_FONT_BODY, LUOSHI_FONT_TITLE, LUOSHI_FONT_HEADING,
LUOSHI_FONT_KAITI, LUOSHI_FONT_PAGE_NUMBER, LUOSHI_FONT_FALLBACK_SERIF,
LUOSHI_FONT_FALLBACK_SANS). Every font is set for East-Asian text (w:eastAsia) as well as
Latin text, and the document's font table names a freely embeddable fallback for each
customary font (w:altName: Noto Serif CJK SC / Noto Sans CJK SC) with the GB2312 character
set, so a machine without 仿宋_GB2312 or 方正小标宋简体 still renders the Chinese text.

Nothing here knows about any domain: callers give the texts.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt, RGBColor

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- the layout (GB/T 9704-2012) ---------------------------------------------------------------

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_LEFT_MM = 28  # the binding edge
TEXT_WIDTH_MM = 156
TEXT_HEIGHT_MM = 225
MARGIN_RIGHT_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - TEXT_WIDTH_MM  # 26
MARGIN_BOTTOM_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - TEXT_HEIGHT_MM  # 35

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_NUMBER_PT = 14.0  # 4号
MARK_PT = 36.0  # 小初, the issuing-body mark
TABLE_PT = 10.5  # 5号, table text
LINE_PT = 28.95  # fixed line spacing that gives 22 lines in the 225 mm text block
# Character spacing (twentieths of a point) that fits 28 characters of 16 pt in the 156 mm
# line: each character 15.75 pt wide, 441 pt in all.
CHAR_SPACING = math.floor((TEXT_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE - BODY_PT) * 20)
MARK_TOP_MM = 35  # the mark's top edge below the text block's top (down-going documents)
RED = RGBColor(0xFF, 0x00, 0x00)
DASH = "—"  # 一字线, either side of the page number

DEFAULT_FONTS = {
    "LUOSHI_FONT_BODY": "仿宋_GB2312",
    "LUOSHI_FONT_TITLE": "方正小标宋简体",
    "LUOSHI_FONT_HEADING": "黑体",
    "LUOSHI_FONT_KAITI": "楷体_GB2312",
    "LUOSHI_FONT_PAGE_NUMBER": "宋体",
    "LUOSHI_FONT_FALLBACK_SERIF": "Noto Serif CJK SC",
    "LUOSHI_FONT_FALLBACK_SANS": "Noto Sans CJK SC",
}


@dataclass(frozen=True)
class Fonts:
    """The font of each role, and the embeddable fallbacks named in the font table."""

    body: str = DEFAULT_FONTS["LUOSHI_FONT_BODY"]
    title: str = DEFAULT_FONTS["LUOSHI_FONT_TITLE"]
    heading: str = DEFAULT_FONTS["LUOSHI_FONT_HEADING"]
    kaiti: str = DEFAULT_FONTS["LUOSHI_FONT_KAITI"]
    page_number: str = DEFAULT_FONTS["LUOSHI_FONT_PAGE_NUMBER"]
    fallback_serif: str = DEFAULT_FONTS["LUOSHI_FONT_FALLBACK_SERIF"]
    fallback_sans: str = DEFAULT_FONTS["LUOSHI_FONT_FALLBACK_SANS"]

    @classmethod
    def from_settings(cls) -> Fonts:
        def pick(value: str, name: str) -> str:  # an empty setting keeps the customary font
            return str(value or DEFAULT_FONTS[name])

        return cls(
            body=pick(settings.LUOSHI_FONT_BODY, "LUOSHI_FONT_BODY"),
            title=pick(settings.LUOSHI_FONT_TITLE, "LUOSHI_FONT_TITLE"),
            heading=pick(settings.LUOSHI_FONT_HEADING, "LUOSHI_FONT_HEADING"),
            kaiti=pick(settings.LUOSHI_FONT_KAITI, "LUOSHI_FONT_KAITI"),
            page_number=pick(settings.LUOSHI_FONT_PAGE_NUMBER, "LUOSHI_FONT_PAGE_NUMBER"),
            fallback_serif=pick(settings.LUOSHI_FONT_FALLBACK_SERIF, "LUOSHI_FONT_FALLBACK_SERIF"),
            fallback_sans=pick(settings.LUOSHI_FONT_FALLBACK_SANS, "LUOSHI_FONT_FALLBACK_SANS"),
        )

    def fallbacks(self) -> dict[str, str]:
        """Each customary font → the font to use where it is missing (黑体 is a sans face)."""
        table = {
            self.body: self.fallback_serif,
            self.title: self.fallback_serif,
            self.kaiti: self.fallback_serif,
            self.page_number: self.fallback_serif,
            self.heading: self.fallback_sans,
        }
        return {name: alt for name, alt in table.items() if name != alt}


def document_number(prefix: str, year: int, serial: int) -> str:
    """A document number (发文字号) with hexagonal brackets: 侨联发〔2024〕3号."""
    return f"{prefix}〔{year}〕{serial}号"


def chinese_date(day: dt.date) -> str:
    """The date as official documents write it: 2024年3月5日 (Arabic numerals, no zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """The width of a text in body characters: CJK and full-width count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


@dataclass(frozen=True)
class TableSection:
    """A table row across all columns, for a heading inside a table (e.g. a key point)."""

    text: str


# --- low-level XML helpers -----------------------------------------------------------------------

_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
)
_AFTER_SNAP = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_RPR_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_rfonts(rpr: Any, name: str) -> None:
    """Use `name` for every script of a run or style, East-Asian text included."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _condense(rpr: Any) -> None:
    """28 body characters a line (see CHAR_SPACING)."""
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_AFTER_RPR_SPACING)
    spacing.set(qn("w:val"), str(CHAR_SPACING))


def _no_grid(ppr: Any) -> None:
    """Leave the page's character grid (tables, footers: their own sizes and spacing)."""
    if ppr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.insert_element_before(snap, *_AFTER_SNAP)


def _indent_chars(ppr: Any, *, first_line: float = 0, right: float = 0, left: float = 0) -> None:
    """Indents in characters (w:…Chars, hundredths), as Word writes "首行缩进 2 字符"."""
    ind = ppr.get_or_add_ind()
    size = BODY_PT * 20  # twips of one body character
    for attr, chars in (("firstLine", first_line), ("right", right), ("left", left)):
        if chars:
            ind.set(qn(f"w:{attr}Chars"), str(round(chars * 100)))
            ind.set(qn(f"w:{attr}"), str(round(chars * size)))


def _border(tag: str, *, size: int = 4, color: str = "000000", space: int = 0) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))  # eighths of a point
    element.set(qn("w:space"), str(space))
    element.set(qn("w:color"), color)
    return element


def _field(run: Any, instruction: str, placeholder: str) -> None:
    """A field (PAGE, NUMPAGES…) inside a run, with the text shown until it is updated."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, text, end):
        run._r.append(element)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- the document --------------------------------------------------------------------------------


class OfficialDocument:
    """A Word document in the official layout: add parts top to bottom, then save."""

    STYLE_BODY = "Official Body"
    STYLE_TITLE = "Official Title"
    STYLE_MARK = "Official Mark"
    STYLE_NUMBER = "Official Number"
    STYLE_SIGNATURE = "Official Signature"
    STYLE_TABLE = "Official Table Text"
    STYLE_PAGE_NUMBER = "Official Page Number"
    STYLE_HEADINGS = {
        1: "Official Heading 1",
        2: "Official Heading 2",
        3: "Official Heading 3",
        4: "Official Heading 4",
    }

    def __init__(
        self, *, fonts: Fonts | None = None, landscape: bool = False, title: str = ""
    ) -> None:
        self.fonts = fonts or Fonts.from_settings()
        self.doc: Any = Document()
        self._after_mark = False
        self._setup_styles()
        self._setup_font_table()
        self.doc.settings.odd_and_even_pages_header_footer = True
        self._layout(self.doc.sections[0], landscape=landscape)
        self._page_numbers(self.doc.sections[0])
        properties = self.doc.core_properties
        properties.title = title
        properties.language = "zh-CN"
        properties.author = ""
        properties.comments = ""
        properties.created = properties.modified = timezone.now()

    # --- set-up ---------------------------------------------------------------------------------

    def _setup_styles(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.doc.styles
        fonts = self.fonts
        # The document defaults: the body font and size, Chinese as the East-Asian language,
        # no space between paragraphs, the fixed line spacing of the grid.
        root = styles.element
        rpr_default = root.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_rfonts(rpr_default, fonts.body)
        for tag in ("w:sz", "w:szCs"):
            element = rpr_default.find(qn(tag))
            if element is not None:
                element.set(qn("w:val"), str(round(BODY_PT * 2)))
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "zh-CN")
            lang.set(qn("w:eastAsia"), "zh-CN")
        ppr_default = root.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr_default.find(qn("w:spacing"))
        spacing.attrib.clear()
        spacing.set(qn("w:before"), "0")
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(round(LINE_PT * 20)))
        spacing.set(qn("w:lineRule"), "exact")

        normal = styles["Normal"]
        self._style_font(normal, fonts.body, BODY_PT)
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.widow_control = False  # keep to the grid: 22 lines on every page

        def paragraph_style(name: str, font: str, size: float) -> Any:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.quick_style = True
            self._style_font(style, font, size)
            return style

        body = paragraph_style(self.STYLE_BODY, fonts.body, BODY_PT)
        _condense(body.element.get_or_add_rPr())
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _indent_chars(body.element.get_or_add_pPr(), first_line=2)

        title = paragraph_style(self.STYLE_TITLE, fonts.title, TITLE_PT)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.keep_with_next = True

        for level, font in ((1, fonts.heading), (2, fonts.kaiti), (3, fonts.body), (4, fonts.body)):
            heading = paragraph_style(self.STYLE_HEADINGS[level], font, BODY_PT)
            heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            heading.paragraph_format.keep_with_next = True
            ppr = heading.element.get_or_add_pPr()
            _indent_chars(ppr, first_line=2)
            ppr.get_or_add_outlineLvl().val = level - 1  # the navigation pane's outline
            _condense(heading.element.get_or_add_rPr())

        mark = paragraph_style(self.STYLE_MARK, fonts.title, MARK_PT)
        mark.font.color.rgb = RED
        mark.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        mark.paragraph_format.space_before = Mm(MARK_TOP_MM)
        _no_grid(mark.element.get_or_add_pPr())

        number = paragraph_style(self.STYLE_NUMBER, fonts.body, BODY_PT)
        number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number.paragraph_format.space_before = Pt(2 * LINE_PT)  # two lines below the mark

        signature = paragraph_style(self.STYLE_SIGNATURE, fonts.body, BODY_PT)
        signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _condense(signature.element.get_or_add_rPr())

        table = paragraph_style(self.STYLE_TABLE, fonts.body, TABLE_PT)
        table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _no_grid(table.element.get_or_add_pPr())

        page_number = paragraph_style(self.STYLE_PAGE_NUMBER, fonts.page_number, PAGE_NUMBER_PT)
        page_number.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _no_grid(page_number.element.get_or_add_pPr())

    @staticmethod
    def _style_font(style: Any, name: str, size: float) -> None:
        style.font.size = Pt(size)
        _set_rfonts(style.element.get_or_add_rPr(), name)

    def _setup_font_table(self) -> None:
        """Name each customary font in the font table with its fallback (w:altName) and the
        GB2312 character set, and list the fallbacks themselves."""
        part = next(
            p for p in self.doc.part.package.iter_parts() if p.partname.endswith("/fontTable.xml")
        )
        root = parse_xml(part.blob)
        families = {self.fonts.fallback_sans, self.fonts.heading}
        wanted: dict[str, str] = dict(self.fonts.fallbacks())
        for alt in set(wanted.values()):
            wanted.setdefault(alt, "")
        for name, alt in wanted.items():
            for old in root.findall(qn("w:font")):
                if old.get(qn("w:name")) == name:
                    root.remove(old)
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            if alt:
                alt_name = OxmlElement("w:altName")
                alt_name.set(qn("w:val"), alt)
                font.append(alt_name)
            charset = OxmlElement("w:charset")
            charset.set(qn("w:val"), "86")  # GB2312: a Chinese face is wanted
            font.append(charset)
            family = OxmlElement("w:family")
            family.set(qn("w:val"), "swiss" if name in families else "roman")
            font.append(family)
            pitch = OxmlElement("w:pitch")
            pitch.set(qn("w:val"), "variable")
            font.append(pitch)
            root.append(font)
        from lxml import etree

        # python-docx keeps the font table as an opaque part: replace its bytes.
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _layout(self, section: Any, *, landscape: bool) -> None:
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
            # the text block turned: binding margin at the top edge
            section.top_margin = Mm(MARGIN_LEFT_MM)
            section.bottom_margin = Mm(MARGIN_RIGHT_MM)
            section.left_margin = Mm(MARGIN_TOP_MM)
            section.right_margin = Mm(MARGIN_BOTTOM_MM)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
            section.top_margin = Mm(MARGIN_TOP_MM)
            section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
            section.left_margin = Mm(MARGIN_LEFT_MM)
            section.right_margin = Mm(MARGIN_RIGHT_MM)
        section.gutter = Mm(0)
        section.header_distance = Mm(15)
        # the page number's top edge about 7 mm below the text block
        section.footer_distance = Mm(max(section.bottom_margin.mm - 7 - 6, 10))
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.attrib.clear()
        # A line grid only: the 28 characters a line come from the body styles' condensed
        # spacing (CHAR_SPACING), which every word processor honours alike; a character
        # grid narrower than the font makes some of them give each character two cells.
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))

    def _page_numbers(self, section: Any) -> None:
        """Page numbers "— 1 —" in 4号 宋体: odd pages on the right, even pages on the left,
        one character from the edge."""
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            paragraph = footer.paragraphs[0]
            for run in list(paragraph.runs):
                run._r.getparent().remove(run._r)
            paragraph.style = self.doc.styles[self.STYLE_PAGE_NUMBER]
            paragraph.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
            else:
                paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
            paragraph.add_run(f"{DASH} ")
            _field(paragraph.add_run(), "PAGE", "1")
            paragraph.add_run(f" {DASH}")

    # --- content --------------------------------------------------------------------------------

    def new_section(self, *, landscape: bool = False) -> None:
        """Start a new page with its own orientation (the page numbers carry on)."""
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._layout(section, landscape=landscape)

    def issuing_mark(self, body: str, *, number: str = "") -> None:
        """The red issuing-body mark (e.g. 某某省归国华侨联合会文件), the document number
        (发文字号, see `document_number`) and the red line under them."""
        self.doc.add_paragraph(body, style=self.STYLE_MARK)
        paragraph = self.doc.add_paragraph(number, style=self.STYLE_NUMBER)
        if not number:
            paragraph.paragraph_format.space_before = Pt(0)
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        # 4 mm between the number and the line, which is as wide as the text block
        borders.append(_border("w:bottom", size=8, color="FF0000", space=11))
        ppr.insert_element_before(borders, *_AFTER_PBDR, *_AFTER_SNAP)
        self._after_mark = True

    def title(self, text: str) -> None:
        """The title in 2号 小标宋, centred; a line break in `text` starts a new title line.
        Followed by one blank line."""
        paragraph = self.doc.add_paragraph(style=self.STYLE_TITLE)
        if self._after_mark:  # two lines below the red line
            paragraph.paragraph_format.space_before = Pt(2 * LINE_PT)
            self._after_mark = False
        paragraph.add_run(text)  # a line break becomes w:br
        self.blank()

    def blank(self, lines: int = 1) -> None:
        for _ in range(lines):
            self.doc.add_paragraph(style=self.STYLE_BODY)

    def addressee(self, text: str) -> None:
        """The main recipients (主送机关): flush left, ending with a full-width colon."""
        paragraph = self.doc.add_paragraph(text.rstrip("：:") + "：", style=self.STYLE_BODY)
        paragraph.paragraph_format.first_line_indent = Pt(0)

    def heading(self, text: str, level: int = 1, *, body: str = "") -> None:
        """A heading: level 1 (一、) 黑体, level 2 (（一）) 楷体, levels 3 (1.) and 4 (（1）)
        仿宋. With `body`, the text runs on after the heading in the same paragraph in the
        body font, as offices write (（一）深入学习贯彻。正文……)."""
        level = min(max(level, 1), 4)
        paragraph = self.doc.add_paragraph(text, style=self.STYLE_HEADINGS[level])
        if body:
            run = paragraph.add_run(body)
            _set_rfonts(run._r.get_or_add_rPr(), self.fonts.body)

    def paragraph(
        self, text: str = "", *, bold: bool = False, indent: bool = True, align: str = ""
    ) -> Any:
        """A body paragraph (仿宋 3号, two characters' first-line indent)."""
        paragraph = self.doc.add_paragraph(style=self.STYLE_BODY)
        if text:
            paragraph.add_run(text).bold = bold or None
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if align:
            paragraph.alignment = {
                "left": WD_ALIGN_PARAGRAPH.LEFT,
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
            }[align]
        return paragraph

    def signature(self, name: str, day: dt.date) -> None:
        """The issuing body's name and the date under it, one blank line below the text: the
        date four characters from the right edge, the name centred over the date."""
        date_text = chinese_date(day)
        shift = 4 + max(0.0, (text_width(date_text) - text_width(name)) / 2)
        paragraph = self.doc.add_paragraph(name, style=self.STYLE_SIGNATURE)
        paragraph.paragraph_format.space_before = Pt(LINE_PT)
        _indent_chars(paragraph._p.get_or_add_pPr(), right=shift)
        self.date_line(day)

    def date_line(self, day: dt.date) -> None:
        """The date (成文日期) right-aligned, four characters from the edge: 2024年3月5日."""
        paragraph = self.doc.add_paragraph(chinese_date(day), style=self.STYLE_SIGNATURE)
        _indent_chars(paragraph._p.get_or_add_pPr(), right=4)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[Any] | TableSection],
        *,
        widths: Sequence[float] = (),
        font_size: float = TABLE_PT,
        center: Sequence[int] = (),
    ) -> int:
        """A bordered table across the text block: a bold header row repeated on every page,
        then `rows` (a `TableSection` spans the whole row). `widths` in millimetres (scaled
        to the text block), `center` the indexes of centred columns. Returns the number of
        data rows written (sections not counted)."""
        body = self.doc.element.body
        previous = body[-2] if len(body) > 1 else None  # body[-1]: the last section's sectPr
        if previous is None or previous.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            # a section must not open with a table: some word processors then ignore the
            # section's page size and orientation
            self.doc.add_paragraph(style=self.STYLE_TABLE)
        section = self.doc.sections[-1]
        available = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
        columns = len(headers)
        raw = list(widths) if len(widths) == columns else [1.0] * columns
        scale = available / sum(raw)
        column_widths = [Mm(w * scale) for w in raw]
        table = self.doc.add_table(rows=1, cols=columns)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # a fixed layout: the widths given, whatever the text
        table_width = table._tbl.tblPr.find(qn("w:tblW"))
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(sum(w.twips for w in column_widths)))
        for column, width in zip(table.columns, column_widths, strict=True):
            column.width = width
        self._table_borders(table)
        header = table.rows[0]
        trpr = header._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader"):  # repeated at the top of every page
            trpr.append(OxmlElement(tag))
        for cell, text, width in zip(header.cells, headers, column_widths, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            self._cell(cell, text, size=font_size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        written = 0
        centred = set(center)
        for values in rows:
            row = table.add_row()
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            cells = row.cells
            if isinstance(values, TableSection):
                merged = cells[0].merge(cells[-1])
                self._cell(merged, values.text, size=font_size, bold=True)
                continue
            for index, cell in enumerate(cells):
                value = values[index] if index < len(values) else ""
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                self._cell(
                    cell,
                    _cell_text(value),
                    size=font_size,
                    align=WD_ALIGN_PARAGRAPH.CENTER if index in centred else None,
                )
            written += 1
        return written

    def _cell(
        self, cell: Any, text: str, *, size: float, bold: bool = False, align: Any = None
    ) -> None:
        style = self.doc.styles[self.STYLE_TABLE]
        lines = text.split("\n") if text else [""]
        first = cell.paragraphs[0]
        for index, line in enumerate(lines):
            paragraph = first if index == 0 else cell.add_paragraph()
            paragraph.style = style
            if align is not None:
                paragraph.alignment = align
            if line:
                run = paragraph.add_run(line)
                if bold:
                    run.bold = True
                if size != TABLE_PT:
                    run.font.size = Pt(size)

    @staticmethod
    def _table_borders(table: Any) -> None:
        tblpr = table._tbl.tblPr
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_border(f"w:{edge}"))
        # CT_TblPr order: … tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout …
        following = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
        tblpr.insert_element_before(borders, *following)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph(style=self.STYLE_BODY).add_run().add_break(WD_BREAK.PAGE)

    # --- output ---------------------------------------------------------------------------------

    def save(self, target: IO[bytes]) -> None:
        self.doc.save(target)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    def to_tempfile(self) -> IO[bytes]:
        """A temporary file holding the document, rewound, for streaming as a response."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (the caller streams and closes it)
        self.save(handle)
        handle.seek(0)
        return handle
