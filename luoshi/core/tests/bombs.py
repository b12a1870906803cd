"""Hostile Office files for the tests, made on the fly (streamed, never held unpacked).

- `xlsx_shared_strings_bomb`: a small workbook whose sharedStrings part unpacks to ~470 MB.
- `xlsx_rows_bomb`: 1.2 million identical rows in one sheet (~2 MB packed).
- `docx_body_bomb`: a small document whose word/document.xml unpacks to ~470 MB.
- `docx_with_entity`: a document whose body declares and uses an external entity.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterator

import docx
import openpyxl

MB = 1024 * 1024
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _base_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "任务分解表"
    sheet.append(["序号", "工作任务", "牵头单位"])
    sheet.append([1, "任务", "办公室"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _base_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("一、总体要求")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _replace(base: bytes, parts: dict[str, Iterator[bytes]], extra_types: str = "") -> bytes:
    """`base` with the named parts written from chunk iterators (compressed as they come)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            if item.filename in parts:
                continue
            content = source.read(item)
            if item.filename == "[Content_Types].xml" and extra_types:
                content = content.replace(b"</Types>", extra_types.encode() + b"</Types>")
            target.writestr(item, content)
        for name, chunks in parts.items():
            with target.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


def _repeat(head: bytes, unit: bytes, count: int, tail: bytes) -> Iterator[bytes]:
    yield head
    block = unit * 10_000
    for _ in range(count // 10_000):
        yield block
    yield unit * (count % 10_000)
    yield tail


@functools.cache
def xlsx_shared_strings_bomb(size: int = 470 * MB) -> bytes:
    unit = b"<si><t>aaaaaaaaaaaaaaaaaa</t></si>"  # 32 bytes: ~15 million strings
    count = size // len(unit)
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN} count="{count}">'.encode()
    strings = _repeat(head, unit, count, b"</sst>")
    types = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return _replace(_base_xlsx(), {"xl/sharedStrings.xml": strings}, types)


def _rows(count: int) -> Iterator[bytes]:
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>工作任务</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>牵头部门</t></is></c></row>'
    ).encode()
    batch: list[bytes] = []
    for number in range(2, count + 2):
        batch.append(
            b'<row><c t="inlineStr"><is><t>1</t></is></c>'
            b'<c t="inlineStr"><is><t>task</t></is></c>'
            b'<c t="inlineStr"><is><t>office</t></is></c></row>'
        )
        if len(batch) == 10_000:
            yield b"".join(batch)
            batch = []
        del number
    yield b"".join(batch)
    yield b"</sheetData></worksheet>"


@functools.cache
def xlsx_rows_bomb(count: int = 1_200_000) -> bytes:
    """`count` identical rows (no row numbers, as some writers do, so they pack tightly)."""
    return _replace(_base_xlsx(), {"xl/worksheets/sheet1.xml": _rows(count)})


@functools.cache
def docx_body_bomb(size: int = 470 * MB) -> bytes:
    unit = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>"
    head = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W}><w:body>'
    ).encode()
    body = _repeat(head, unit, size // len(unit), b"</w:body></w:document>")
    return _replace(_base_docx(), {"word/document.xml": body})


def docx_with_entity(title: str = "一、总体要求", after: str = "后面的文字") -> bytes:
    """A body paragraph `title` &ext; `after`, with `ext` an external entity."""
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        '<!DOCTYPE w:document [<!ENTITY ext SYSTEM "file:///etc/hostname">]>'
        f"<w:document {_W}><w:body><w:p><w:r><w:t>{title}&ext;{after}</w:t></w:r></w:p>"
        "</w:body></w:document>"
    ).encode()
    return _replace(_base_docx(), {"word/document.xml": iter([body])})


def plain_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()
