"""Reading .docx uploads: safe opening, reading order, tables, automatic numbering."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
import openpyxl
import pytest
from django.utils import translation
from docx.document import Document
from docx.oxml import parse_xml
from docx.text.paragraph import Paragraph

from luoshi.documents.docx import (
    DocumentError,
    TableBlock,
    TextBlock,
    check_docx,
    docx_lines,
    format_number,
    open_docx,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, the source language."""
    with translation.override("en"):
        yield


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def save(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["a"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \n ", "empty_file"),
        (b"just some text", "not_docx"),
        (b"%PDF-1.7\n" + bytes(100), "not_docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "not_docx"),
        (b"PK\x03\x04" + bytes(100), "corrupt_docx"),
    ],
)
def test_bad_uploads_say_what_is_wrong(data: bytes, code: str) -> None:
    with pytest.raises(DocumentError) as caught:
        open_docx(data)
    assert caught.value.code == code
    assert caught.value.status == 422
    assert str(caught.value.message)


def test_a_workbook_and_other_zips_are_not_documents() -> None:
    with pytest.raises(DocumentError) as caught:
        check_docx(xlsx_bytes())
    assert caught.value.code == "not_docx"
    assert "Excel workbook" in str(caught.value.message)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(DocumentError) as caught:
        check_docx(buffer.getvalue())
    assert caught.value.code == "not_docx"


def test_size_limit_and_zip_bomb(settings) -> None:
    data = save(docx.Document())
    with pytest.raises(DocumentError) as caught:
        open_docx(data, max_bytes=100)
    assert caught.value.code == "file_too_large"
    settings.LUOSHI_IMPORT_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "wordprocessingml.document.main+xml")
        archive.writestr("word/bomb.xml", b"0" * (120 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(DocumentError) as caught:
        open_docx(buffer.getvalue())
    assert caught.value.code == "file_too_large"


def test_an_empty_document_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    document.add_table(rows=1, cols=2)
    with pytest.raises(DocumentError) as caught:
        open_docx(save(document))
    assert caught.value.code == "empty_document"


def test_blocks_in_reading_order_with_tables_and_merged_cells(tmp_path) -> None:
    document = docx.Document()
    document.add_paragraph("标题")
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "跨两列"
    table.cell(0, 2).text = "右"
    table.cell(1, 0).text = "第一行"
    table.cell(1, 0).add_paragraph("第二行")
    document.add_paragraph("正文\u00a0末尾 ")
    path = tmp_path / "plan.docx"
    document.save(str(path))

    with open_docx(path) as opened:
        blocks = list(opened.blocks())
    assert blocks[0] == TextBlock("标题", style="")
    assert isinstance(blocks[1], TableBlock)
    assert blocks[1].rows == (("跨两列", "右"), ("第一行\n第二行", "", ""))
    assert blocks[2] == TextBlock("正文 末尾")
    assert docx_lines(path) == ["标题", "跨两列", "右", "第一行", "第二行", "正文 末尾"]
    with path.open("rb") as handle:  # a file object works too
        assert docx_lines(handle)[0] == "标题"


def test_deleted_revisions_and_text_boxes_are_not_text() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("保留")
    paragraph._p.append(
        parse_xml(
            f"<w:del {W} w:id='1' w:author='a'><w:r><w:delText>删掉</w:delText></w:r></w:del>"
        )
    )
    paragraph._p.append(
        parse_xml(f"<w:ins {W} w:id='2' w:author='a'><w:r><w:t>新增</w:t></w:r></w:ins>")
    )
    paragraph._p.append(
        parse_xml(
            f"<w:r {W}><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p>"
            "</w:txbxContent></w:pict></w:r>"
        )
    )
    assert docx_lines(save(document)) == ["保留新增"]


def _numbered(document: Document) -> None:
    """Add a Chinese outline list (一、 / （一） / 1.) as numId 90, as WPS writes one."""
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f"<w:abstractNum {W} w:abstractNumId='90'>"
            "<w:lvl w:ilvl='0'><w:start w:val='1'/><w:numFmt w:val='chineseCounting'/>"
            "<w:lvlText w:val='%1、'/></w:lvl>"
            "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='chineseCounting'/>"
            "<w:lvlText w:val='（%2）'/></w:lvl>"
            "<w:lvl w:ilvl='2'><w:start w:val='1'/><w:numFmt w:val='decimal'/>"
            "<w:lvlText w:val='%3.'/></w:lvl>"
            "</w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f"<w:num {W} w:numId='90'><w:abstractNumId w:val='90'/></w:num>"))


def _set_level(paragraph: Paragraph, level: int) -> None:
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f"<w:numPr {W}><w:ilvl w:val='{level}'/><w:numId w:val='90'/></w:numPr>")
    )


def test_automatic_numbering_is_drawn_in_front_of_the_text() -> None:
    document = docx.Document()
    _numbered(document)
    outline = [
        (0, "抓学习"),
        (1, "理论武装"),
        (2, "制定计划"),
        (2, "集中学习"),
        (1, "意识形态"),
        (2, "修订细则"),
        (0, "抓联谊"),
        (2, "举办研习班"),
    ]
    for level, text in outline:
        _set_level(document.add_paragraph(text), level)
    document.add_paragraph("第一项", style="List Number")
    document.add_paragraph("要点", style="List Bullet")
    lines = docx_lines(save(document))
    assert lines == [
        "一、抓学习",
        "（一）理论武装",
        "1.制定计划",
        "2.集中学习",
        "（二）意识形态",
        "1.修订细则",
        "二、抓联谊",
        "1.举办研习班",
        "1.第一项",
        "要点",
    ]
    blocks = list(open_docx(save(document)).blocks())
    assert isinstance(blocks[0], TextBlock) and blocks[0].label == "一、"


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1, "decimal", "1"),
        (12, "chineseCounting", "十二"),
        (21, "chineseCountingThousand", "二十一"),
        (105, "chineseCounting", "一百〇五"),
        (115, "chineseCounting", "一百一十五"),
        (3, "ideographTraditional", "丙"),
        (2, "decimalEnclosedCircle", "②"),
        (4, "decimalFullWidth", "４"),
        (28, "lowerLetter", "bb"),
        (14, "upperRoman", "XIV"),
        (1, "bullet", ""),
    ],
)
def test_number_formats(value: int, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


def test_a_damaged_compressed_part() -> None:
    buffer = io.BytesIO()
    content = "wordprocessingml.document.main+xml " + "".join(str(i) for i in range(5000))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content)
    data = bytearray(buffer.getvalue())
    start = 30 + len("[Content_Types].xml")
    data[start + 5 : start + 40] = bytes(range(200, 235))
    with pytest.raises(DocumentError) as caught:
        open_docx(bytes(data))
    assert caught.value.code == "corrupt_docx"
