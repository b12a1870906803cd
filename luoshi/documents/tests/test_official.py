"""Word documents in the official layout (GB/T 9704-2012): page, margins, grid, fonts with
their fallbacks, title and headings, the red mark, signature and date, page numbers, tables."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from lxml import etree

from luoshi.documents.docx import TableBlock, docx_lines, open_docx
from luoshi.documents.official import (
    Fonts,
    OfficialDocument,
    TableSection,
    chinese_date,
    document_number,
    text_width,
)

MM = 0.05  # tolerance: Word stores lengths in twentieths of a point


def reopen(document: OfficialDocument) -> Any:
    return docx.Document(io.BytesIO(document.to_bytes()))


def east_asia(style: Any) -> str:
    return str(style.element.rPr.rFonts.get(qn("w:eastAsia")))


def font_table(document: Any) -> dict[str, Any]:
    part = next(
        p for p in document.part.package.iter_parts() if p.partname.endswith("/fontTable.xml")
    )
    root = etree.fromstring(part.blob)
    return {f.get(qn("w:name")): f for f in root.findall(qn("w:font"))}


def sample(**kwargs: Any) -> OfficialDocument:
    document = OfficialDocument(title="关于印发工作要点的通知", **kwargs)
    document.issuing_mark("测试省归国华侨联合会文件", number=document_number("侨联发", 2024, 3))
    document.title("关于印发《2024年工作要点》的通知")
    document.addressee("各部门、各直属单位")
    document.paragraph("现将《2024年工作要点》印发给你们，请认真贯彻落实。")
    document.heading("一、坚持把政治建设摆在首位", 1)
    document.heading("（一）深入学习贯彻。", 2, body="全年组织集体学习12次。")
    document.heading("1. 制定年度学习计划", 3)
    document.heading("（1）印发计划", 4)
    document.signature("测试省归国华侨联合会", dt.date(2024, 3, 5))
    return document


def paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


def test_a4_portrait_with_the_standard_margins_and_text_block() -> None:
    section = reopen(sample()).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert section.page_width.mm == pytest.approx(210, abs=MM)
    assert section.page_height.mm == pytest.approx(297, abs=MM)
    assert section.top_margin.mm == pytest.approx(37, abs=MM)
    assert section.left_margin.mm == pytest.approx(28, abs=MM)
    assert section.right_margin.mm == pytest.approx(26, abs=MM)
    assert section.bottom_margin.mm == pytest.approx(35, abs=MM)
    text_width_mm = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    text_height = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert text_width_mm == pytest.approx(156, abs=0.1)
    assert text_height == pytest.approx(225, abs=0.1)


def test_grid_of_22_lines_and_28_characters() -> None:
    document = reopen(sample())
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.pt == pytest.approx(28.95)
    assert 22 * 28.95 <= 225 / 25.4 * 72 < 23 * 28.95
    line_pt = 156 / 25.4 * 72
    for name in (OfficialDocument.STYLE_BODY, OfficialDocument.STYLE_HEADINGS[1]):
        spacing = document.styles[name].element.rPr.find(qn("w:spacing"))
        pitch = 16 + int(spacing.get(qn("w:val"))) / 20  # twentieths of a point
        assert 28 * pitch <= line_pt < 29 * pitch


def test_landscape_keeps_the_text_block_turned() -> None:
    section = reopen(OfficialDocument(landscape=True)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (section.page_width.mm, section.page_height.mm) == (
        pytest.approx(297, abs=MM),
        pytest.approx(210, abs=MM),
    )
    assert section.top_margin.mm == pytest.approx(28, abs=MM)  # binding edge
    assert section.left_margin.mm == pytest.approx(37, abs=MM)
    assert section.right_margin.mm == pytest.approx(35, abs=MM)
    assert section.bottom_margin.mm == pytest.approx(26, abs=MM)


def test_a_new_section_may_turn_the_page() -> None:
    document = OfficialDocument()
    document.paragraph("正文")
    document.new_section(landscape=True)
    document.table(["序号"], [[1]])
    reopened = reopen(document)
    sections = reopened.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    # the new section opens with a paragraph, not with the table (else LibreOffice keeps the
    # previous section's page)
    body = list(reopened.element.body)
    before_table = body[body.index(reopened.tables[0]._tbl) - 1]
    assert before_table.tag == qn("w:p")
    assert before_table.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None


def test_fonts_and_sizes_of_body_title_and_headings() -> None:
    document = reopen(sample())
    styles = document.styles
    assert east_asia(styles["Normal"]) == "仿宋_GB2312"
    assert styles["Normal"].font.size.pt == 16
    title = paragraph(document, "关于印发《2024年工作要点》的通知")
    assert title.style.name == OfficialDocument.STYLE_TITLE
    assert east_asia(title.style) == "方正小标宋简体"
    assert title.style.font.size.pt == 22
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    expected = {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312", 4: "仿宋_GB2312"}
    for level, font in expected.items():
        style = styles[OfficialDocument.STYLE_HEADINGS[level]]
        assert east_asia(style) == font
        assert style.font.size.pt == 16
        outline = style.element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)
    body = styles[OfficialDocument.STYLE_BODY].element.pPr.find(qn("w:ind"))
    assert body.get(qn("w:firstLineChars")) == "200"  # two characters
    # Latin text and digits in the same faces; no theme fonts left to override them
    rfonts = styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:ascii")) == "仿宋_GB2312"
    assert rfonts.get(qn("w:asciiTheme")) is None
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    default_fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None


def test_a_run_in_heading_keeps_its_body_in_the_body_font() -> None:
    document = reopen(sample())
    heading = paragraph(document, "（一）深入学习贯彻。全年组织集体学习12次。")
    assert heading.style.name == OfficialDocument.STYLE_HEADINGS[2]
    body = heading.runs[-1]
    assert body.text == "全年组织集体学习12次。"
    assert body._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_font_table_names_an_embeddable_fallback_for_each_customary_font() -> None:
    fonts = font_table(reopen(sample()))
    for name in ("仿宋_GB2312", "方正小标宋简体", "楷体_GB2312", "宋体"):
        assert fonts[name].find(qn("w:altName")).get(qn("w:val")) == "Noto Serif CJK SC"
        assert fonts[name].find(qn("w:charset")).get(qn("w:val")) == "86"
    assert fonts["黑体"].find(qn("w:altName")).get(qn("w:val")) == "Noto Sans CJK SC"
    assert "Noto Serif CJK SC" in fonts and "Noto Sans CJK SC" in fonts


def test_fonts_come_from_settings(settings: Any) -> None:
    settings.LUOSHI_FONT_BODY = "仿宋"
    settings.LUOSHI_FONT_TITLE = "华文中宋"
    settings.LUOSHI_FONT_HEADING = "微软雅黑"
    settings.LUOSHI_FONT_KAITI = "楷体"
    settings.LUOSHI_FONT_FALLBACK_SERIF = "Source Han Serif SC"
    document = reopen(sample())
    assert east_asia(document.styles["Normal"]) == "仿宋"
    assert east_asia(document.styles[OfficialDocument.STYLE_TITLE]) == "华文中宋"
    assert east_asia(document.styles[OfficialDocument.STYLE_HEADINGS[1]]) == "微软雅黑"
    assert east_asia(document.styles[OfficialDocument.STYLE_HEADINGS[2]]) == "楷体"
    alt = font_table(document)["仿宋"].find(qn("w:altName"))
    assert alt.get(qn("w:val")) == "Source Han Serif SC"


def test_fonts_given_explicitly() -> None:
    document = reopen(OfficialDocument(fonts=Fonts(body="仿宋", title="宋体")))
    assert east_asia(document.styles["Normal"]) == "仿宋"
    assert east_asia(document.styles[OfficialDocument.STYLE_TITLE]) == "宋体"


def test_red_issuing_mark_number_with_hexagonal_brackets_and_red_line() -> None:
    document = reopen(sample())
    mark = paragraph(document, "测试省归国华侨联合会文件")
    assert str(mark.style.font.color.rgb) == "FF0000"
    assert east_asia(mark.style) == "方正小标宋简体"
    number = paragraph(document, "侨联发〔2024〕3号")
    line = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert line.get(qn("w:color")) == "FF0000"
    assert line.get(qn("w:val")) == "single"


def test_signature_and_date_four_characters_from_the_right_edge() -> None:
    document = reopen(sample())
    date = paragraph(document, "2024年3月5日")  # Arabic numerals, no leading zeros
    assert date.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    name = paragraph(document, "测试省归国华侨联合会")
    # the name (10 characters) is longer than the date (6): it keeps the date's 4
    assert name._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"
    short = OfficialDocument()
    short.signature("某某局", dt.date(2024, 12, 25))
    signed = paragraph(reopen(short), "某某局")
    # the date is 7 characters wide, the name 3: the name sits 2 characters further in
    assert signed._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "600"


def test_page_numbers_with_a_dash_each_side_in_song_typeface() -> None:
    document = reopen(sample())
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == "— 1 —" and even.text == "— 1 —"
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert odd.style.font.size.pt == 14
    assert east_asia(odd.style) == "宋体"
    instructions = [t.text.strip() for t in odd._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]


def test_table_with_bold_repeated_header_borders_and_section_rows() -> None:
    document = OfficialDocument()
    written = document.table(
        ["序号", "任务", "完成时限"],
        [
            TableSection("一、坚持把政治建设摆在首位"),
            [1, "制定年度学习计划\n分两期", dt.date(2024, 3, 31)],
            [2, "组建专家智库", None],
        ],
        widths=(10, 100, 30),
        center=(0,),
    )
    assert written == 2
    table = reopen(document).tables[0]
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["序号", "任务", "完成时限"]
    assert all(run.bold for c in header.cells for p in c.paragraphs for run in p.runs)
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {child.tag.split("}")[1] for child in borders} >= {"top", "insideH", "insideV"}
    section_cell = table.rows[1]._tr.findall(qn("w:tc"))
    assert len(section_cell) == 1  # one cell across the table
    assert section_cell[0].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "3"
    assert [c.text for c in table.rows[2].cells] == ["1", "制定年度学习计划\n分两期", "2024-03-31"]
    assert [c.text for c in table.rows[3].cells] == ["2", "组建专家智库", ""]
    assert table.rows[2].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    widths = [col.width.mm for col in table.columns]
    assert sum(widths) == pytest.approx(156, abs=0.2)  # the whole text block
    assert widths[1] == pytest.approx(widths[0] * 10, rel=0.01)


def test_our_own_reader_reads_the_document_in_order() -> None:
    document = sample()
    document.table(["序号", "任务"], [[1, "制定年度学习计划"]])
    data = document.to_bytes()
    lines = docx_lines(data)
    assert lines[:3] == [
        "测试省归国华侨联合会文件",
        "侨联发〔2024〕3号",
        "关于印发《2024年工作要点》的通知",
    ]
    assert "一、坚持把政治建设摆在首位" in lines and "2024年3月5日" in lines
    tables = [b for b in open_docx(data).blocks() if isinstance(b, TableBlock)]
    assert tables[0].rows == (("序号", "任务"), ("1", "制定年度学习计划"))


def test_a_title_on_two_lines() -> None:
    document = OfficialDocument()
    document.title("2024年工作要点\n1月工作进展汇编")
    title = reopen(document).paragraphs[0]
    assert title.text == "2024年工作要点\n1月工作进展汇编"


def test_to_tempfile_is_rewound() -> None:
    handle = sample().to_tempfile()
    try:
        assert handle.read(2) == b"PK"
    finally:
        handle.close()


def test_helpers() -> None:
    assert document_number("侨联发", 2024, 3) == "侨联发〔2024〕3号"
    assert chinese_date(dt.date(2024, 1, 5)) == "2024年1月5日"
    assert text_width("2024年3月5日") == 6
