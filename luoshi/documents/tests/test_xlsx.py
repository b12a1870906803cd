"""The xlsx building blocks: safe opening, header mapping with Excel row numbers, writing."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import openpyxl.utils.datetime
import pytest

from luoshi.documents.xlsx import (
    Column,
    SheetReader,
    SheetSpec,
    WorkbookError,
    XlsxWriter,
    cell_text,
    open_workbook,
    xlsx_bytes,
)


def book_bytes(rows: list[list[object]], title: str = "表") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"   \n", "empty_file"),
        (b"name,mobile\n", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "not_xlsx"),
        (b"PK\x03\x04" + bytes(100), "corrupt_xlsx"),
    ],
)
def test_bad_uploads_say_what_is_wrong(data: bytes, code: str) -> None:
    with pytest.raises(WorkbookError) as caught:
        open_workbook(data)
    assert caught.value.code == code
    assert caught.value.status == 422
    assert str(caught.value.message)


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(WorkbookError) as caught:
        open_workbook(buffer.getvalue())
    assert caught.value.code == "not_xlsx"


def test_size_limit_and_zip_bomb(settings) -> None:
    data = book_bytes([["a"]])
    with pytest.raises(WorkbookError) as caught:
        open_workbook(data, max_bytes=100)
    assert caught.value.code == "file_too_large"
    settings.LUOSHI_IMPORT_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "spreadsheetml.sheet.main+xml")
        archive.writestr("xl/bomb.xml", b"0" * (120 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(WorkbookError) as caught:
        open_workbook(buffer.getvalue())
    assert caught.value.code == "file_too_large"


def test_header_mapping_row_numbers_and_missing_columns() -> None:
    data = book_bytes(
        [
            ["人員名冊"],  # a title row above the header
            ["序号", " 姓 名 ", "手机号（必填）", "備註"],
            [1, "张三", 13800000000, "x"],
            [None, None, None, None],  # a blank row is skipped, numbering continues
            [2, "李四", "13900000000", None],
        ]
    )
    with open_workbook(data) as book:
        assert book.sheet_names == ["表"]
        sheet = book.sheet(" 表 ")
        assert sheet is not None and book.sheet("別的") is None
        reader = SheetReader(
            sheet, [Column("姓名"), Column("手机号码", ("手机号",)), Column("性别")]
        )
        assert reader.header_row == 2
        assert [c.header for c in reader.missing] == ["性别"]
        rows = list(reader.rows())
    assert [r.number for r in rows] == [3, 5]
    assert rows[0].text("姓名") == "张三"
    assert rows[0].text("手机号码") == "13800000000"  # a number cell, read as text
    assert rows[1]["性别"] is None


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text("  a ") == "a"
    assert cell_text(3.0) == "3"
    assert cell_text(1970.08) == "1970.08"
    assert cell_text(dt.datetime(1970, 8, 1)) == "1970-08-01"


def test_writer_keeps_text_as_text_and_round_trips() -> None:
    data = xlsx_bytes(
        [
            SheetSpec("单位", ["名称", "排序"], iter([["=1+2", 1], ["a\x07b", 2]]), (20, 8)),
            SheetSpec("空", ["x"], []),
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["单位", "空"]
    sheet = book["单位"]
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "=1+2" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "ab"
    assert sheet["B3"].value == 2
    assert sheet.freeze_panes == "A2"


def test_writer_streams_to_a_file() -> None:
    writer = XlsxWriter()
    sheet = writer.add_sheet("行", ["n"])
    for n in range(1000):
        sheet.append([n])
    handle = writer.to_tempfile()
    try:
        book = openpyxl.load_workbook(handle, read_only=True)
        assert sum(1 for _ in book["行"].iter_rows()) == 1001
    finally:
        handle.close()


def _openpyxl_rows(data: bytes, title: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _shared_strings(data: bytes) -> bytes:
    """The same workbook with its first sheet's inline strings moved to a shared-strings part
    (as Excel and WPS write them, one with a phonetic run) and its third row left out."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>(.*?)</t></is></c>', shared, sheet)
    sheet = re.sub(r'<row r="3"[^>]*>.*?</row>', "", sheet, count=1)
    items = "".join(
        f'<si><t>{t}</t><rPh sb="0" eb="1"><t>pin</t></rPh></si>'
        if i == 0
        else f'<si><t xml:space="preserve">{t}</t></si>'
        for i, t in enumerate(strings)
    )
    table = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{len(strings)}">{items}</sst>'
    )
    rels = (
        source.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
    )
    types = (
        source.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    )
    changed = {
        "xl/worksheets/sheet1.xml": sheet,
        "xl/_rels/workbook.xml.rels": rels,
        "[Content_Types].xml": types,
        "xl/sharedStrings.xml": table,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = changed.pop(info.filename, None)
            target.writestr(info.filename, body.encode() if body else source.read(info))
        for name, body in changed.items():
            target.writestr(name, body.encode())
    return out.getvalue()


def test_streaming_reader_reads_what_openpyxl_reads() -> None:
    rows: list[list[object]] = [
        ["姓名", "出生年月", "数", "布尔", "公式", "空"],
        ["赵一", dt.datetime(1970, 8, 15), 3, True, "=1+2", None],
        ["钱二", dt.date(1981, 1, 1), 2.5, False, "x & <y>", ""],
        ["孙三", dt.datetime(2001, 2, 3, 4, 5, 6), -7, None, " 空格 ", 0],
        [None, None, None, None, None, None],
        ["李四", 1970.08, 12345678901, "TRUE", "１９７０．０８", None],
    ]
    data = book_bytes(rows)
    for variant in (data, _shared_strings(data)):
        with open_workbook(variant) as book:
            assert book.sheet_names == ["表"]
            sheet = book.sheet("表")
            assert sheet is not None
            assert list(sheet.iter_rows()) == _openpyxl_rows(variant, "表")
            assert list(sheet.iter_rows(min_row=2, max_row=3)) == _openpyxl_rows(variant, "表")[1:3]


def test_streaming_reader_knows_the_1904_calendar() -> None:
    book = openpyxl.Workbook()
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.active.append(["日期", dt.datetime(1970, 8, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    with open_workbook(buffer.getvalue()) as opened:
        sheet = opened.sheet(opened.sheet_names[0])
        assert sheet is not None
        assert list(sheet.iter_rows()) == [("日期", dt.datetime(1970, 8, 1))]
