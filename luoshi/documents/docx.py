"""Reading uploaded Word documents (.docx) safely, as the text a person sees in order.

`open_docx` checks an upload before python-docx sees it (empty, too big, not a .docx, an old
.doc, an Excel workbook, damaged, a zip that unpacks to far more than it weighs) and turns every
failure into a `DocumentError` with a message a person understands, in the style of
`luoshi.documents.xlsx`.

`UploadedDocument.blocks()` yields the body in reading order: paragraphs as `TextBlock`, tables
as `TableBlock` (rows of cell texts, a merged cell once). Text in content controls is included;
deleted revisions and text boxes are not. Automatic list numbering that Word draws in front of a
paragraph ("一、", "（二）", "1.") is not part of the paragraph's text in the file; it is rendered
here from the numbering definitions into `TextBlock.label`, and `TextBlock.text` starts with it,
so a reader sees what a person sees on the page.

Nothing here knows about any domain.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from luoshi.core import zipguard
from luoshi.core.errors import InvalidInput
from luoshi.documents.xlsx import WorkbookError, read_limited

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_DOCUMENT_TYPES = (
    b"wordprocessingml.document.main+xml",
    b"wordprocessingml.template.main+xml",
    b"ms-word.document.macroEnabled.main+xml",
    b"ms-word.template.macroEnabledTemplate.main+xml",
)
_WORKBOOK_TYPES = (b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc / .xls / .wps files
_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {
    f"{_W}del",  # a deleted revision
    f"{_W}moveFrom",
    f"{_W}txbxContent",  # a text box: its own paragraphs, drawn elsewhere on the page
    f"{_W}instrText",
    f"{_W}delText",
    f"{_W}footnoteReference",
    f"{_W}endnoteReference",
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}


class DocumentError(InvalidInput):
    """An uploaded file that cannot be read as a Word document.

    `code` tells the cases apart: empty_file, file_too_large, not_docx, corrupt_docx,
    empty_document (a valid document without any text).
    """

    code = "invalid_file"


# --- checking ---------------------------------------------------------------------------------


def _corrupt() -> DocumentError:
    return DocumentError(
        _(
            "The Word document is damaged and cannot be read. "
            "Open it in Word or WPS and save it again as .docx."
        ),
        code="corrupt_docx",
    )


def _not_docx() -> DocumentError:
    return DocumentError(
        _("The file is not a Word document (.docx). Save it as .docx and upload it again."),
        code="not_docx",
    )


def _read(source: bytes | IO[bytes] | str | Path, max_bytes: int | None) -> bytes:
    try:
        return read_limited(source, max_bytes=max_bytes)
    except WorkbookError as error:  # the size limit, worded for any file
        raise DocumentError(error.message, code=error.code) from None


def check_docx(data: bytes, *, max_bytes: int | None = None) -> None:
    """Refuse what is not a .docx before a parser touches it."""
    if not data.strip():
        raise DocumentError(_("The file is empty."), code="empty_file")
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(
            _(
                "This is an old-format Office file (.doc, .wps or .xls), not a Word document "
                "(.docx). Open it in Word or WPS, save it as .docx and upload it again."
            ),
            code="not_docx",
        )
    if data.startswith(_PDF_MAGIC):
        raise DocumentError(
            _(
                "This is a PDF file, not a Word document (.docx). "
                "Upload the Word document the PDF was made from."
            ),
            code="not_docx",
        )
    if not data.startswith(_ZIP_MAGIC):
        raise _not_docx()
    corrupt = _corrupt()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                zipguard.check_members(archive.infolist())
                zipguard.refuse_dtd(archive)
            except zipguard.FileRefused as error:
                if error.code == "corrupt_file":
                    raise corrupt from None
                raise DocumentError(error.message, code=error.code) from None
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise _not_docx()
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise corrupt
            content_types = archive.read(info)
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error):
        raise corrupt from None
    except NotImplementedError:  # an unsupported compression method
        raise corrupt from None
    if any(kind in content_types for kind in _DOCUMENT_TYPES):
        return
    if any(kind in content_types for kind in _WORKBOOK_TYPES):
        raise DocumentError(
            _(
                "This is an Excel workbook, not a Word document (.docx). "
                "Upload it where a workbook is expected, or upload the Word document."
            ),
            code="not_docx",
        )
    raise _not_docx()


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextBlock:
    """A paragraph: its text as shown (with the automatic number, if any, in front)."""

    text: str
    label: str = ""  # the automatic list number Word draws, e.g. "一、"; "" when typed or none
    style: str = ""  # the paragraph style's name, e.g. "Heading 1"


@dataclass(frozen=True)
class TableBlock:
    """A table: rows of cell texts (paragraphs in a cell joined by newlines)."""

    rows: tuple[tuple[str, ...], ...]

    def lines(self) -> Iterator[str]:
        """The non-empty cell texts, row by row, one line per paragraph."""
        for row in self.rows:
            for cell in row:
                for line in cell.split("\n"):
                    if line.strip():
                        yield line.strip()


Block = TextBlock | TableBlock


def _chinese_number(value: int) -> str:
    digits = "〇一二三四五六七八九"
    if value < 10:
        return digits[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        tail = ""
        if rest:
            tail = ("〇" + digits[rest]) if rest < 10 else _chinese_number(rest)
            if 10 <= rest < 20:
                tail = "一" + tail
        return digits[hundreds] + "百" + tail
    return str(value)


def _roman(value: int) -> str:
    table = [
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ]  # fmt: skip
    out = ""
    for amount, letters in table:
        while value >= amount:
            out += letters
            value -= amount
    return out


def _letters(value: int) -> str:
    value = max(value, 1)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


_CHINESE_COUNTING = frozenset(
    {
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "japaneseCounting",
        "ideographLegalTraditional",
        "koreanCounting",
    }
)


def format_number(value: int, fmt: str) -> str:
    """A list number in one of Word's numbering formats (w:numFmt)."""
    if fmt in _CHINESE_COUNTING:
        return _chinese_number(value)
    if fmt in {"ideographDigital", "taiwaneseDigital"}:
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(value))
    if fmt == "ideographTraditional" and 1 <= value <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[value - 1]
    if fmt == "ideographZodiac" and 1 <= value <= 12:
        return "子丑寅卯辰巳午未申酉戌亥"[value - 1]
    if fmt in {"decimalFullWidth", "decimalFullWidth2"}:
        return "".join(chr(ord(d) - ord("0") + 0xFF10) for d in str(value))
    if fmt in {"decimalEnclosedCircle", "decimalEnclosedCircleChinese"} and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= 20:
        return chr(0x2488 + value - 1)
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt in {"bullet", "none"}:
        return ""
    return str(value)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """Renders Word's automatic list numbers, counting per list as Word does."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId -> ilvl -> level
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, document: Any) -> _Numbering:
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part: nothing is numbered automatically
            return numbering
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.findall(f"{_W}abstractNum"):
            abstract[node.get(f"{_W}abstractNumId", "")] = {
                int(lvl.get(f"{_W}ilvl", "0")): _read_level(lvl, _Level())
                for lvl in node.findall(f"{_W}lvl")
            }
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            defined = abstract.get(ref.get(f"{_W}val", ""), {})
            levels = {k: _Level(v.fmt, v.text, v.start) for k, v in defined.items()}
            for override in num.findall(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                level = levels.setdefault(ilvl, _Level())
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    level.start = _int(start.get(f"{_W}val"), level.start)
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    _read_level(lvl, level)
            numbering.levels[num.get(f"{_W}numId", "")] = levels
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        if levels[ilvl].fmt in {"bullet", "none"}:
            return ""  # a bullet is not a number
        counters = self.counters.setdefault(num_id, {})
        current = counters.get(ilvl)
        counters[ilvl] = levels[ilvl].start if current is None else current + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = levels[ilvl].text
        for level_index in range(9):
            placeholder = f"%{level_index + 1}"
            if placeholder in text:
                level = levels.get(level_index, _Level())
                value = counters.get(level_index, level.start)
                text = text.replace(placeholder, format_number(value, level.fmt))
        return text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _read_level(lvl: Any, level: _Level) -> _Level:
    fmt = lvl.find(f"{_W}numFmt")
    if fmt is not None:
        level.fmt = fmt.get(f"{_W}val", level.fmt)
    text = lvl.find(f"{_W}lvlText")
    if text is not None:
        level.text = text.get(f"{_W}val", level.text)
    start = lvl.find(f"{_W}start")
    if start is not None:
        level.start = _int(start.get(f"{_W}val"), level.start)
    return level


def _text_of(element: Any) -> str:
    """The visible text of a paragraph element, in order."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag in {f"{_W}tab", f"{_W}ptab"}:
                parts.append("\t")
            elif tag in {f"{_W}br", f"{_W}cr"}:
                parts.append("\n")
            else:
                walk(child)

    walk(element)
    return "".join(parts).replace("\u00a0", " ").strip()


class UploadedDocument:
    """A .docx opened from an upload; `blocks()` yields its body in reading order."""

    def __init__(self, document: Any) -> None:
        self._document = document

    def __enter__(self) -> UploadedDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def blocks(self) -> Iterator[Block]:
        numbering = _Numbering.load(self._document)
        styles = _StyleNumbering(self._document)
        try:
            yield from self._body(self._document.element.body, numbering, styles)
        except DocumentError:
            raise
        except Exception:  # a parser fed untrusted XML can fail in many ways
            raise _corrupt() from None

    def lines(self) -> Iterator[str]:
        """Every non-empty line of text in reading order, table cells row by row."""
        for block in self.blocks():
            if isinstance(block, TableBlock):
                yield from block.lines()
            else:
                for line in block.text.split("\n"):
                    if line.strip():
                        yield line.strip()

    def _body(self, parent: Any, numbering: _Numbering, styles: _StyleNumbering) -> Iterator[Block]:
        for child in parent:
            tag = child.tag
            if tag == f"{_W}p":
                yield self._paragraph(child, numbering, styles)
            elif tag == f"{_W}tbl":
                yield TableBlock(tuple(self._rows(child)))
            elif tag in {f"{_W}sdt", f"{_W}customXml"}:
                content = child.find(f"{_W}sdtContent") if tag == f"{_W}sdt" else child
                if content is not None:
                    yield from self._body(content, numbering, styles)

    def _paragraph(self, element: Any, numbering: _Numbering, styles: _StyleNumbering) -> TextBlock:
        text = _text_of(element)
        style_id = ""
        num_id, ilvl = "", 0
        ppr = element.find(f"{_W}pPr")
        if ppr is not None:
            style = ppr.find(f"{_W}pStyle")
            if style is not None:
                style_id = style.get(f"{_W}val", "")
        num_id, ilvl = styles.numbering(style_id)
        if ppr is not None:
            num_pr = ppr.find(f"{_W}numPr")
            if num_pr is not None:
                num = num_pr.find(f"{_W}numId")
                lvl = num_pr.find(f"{_W}ilvl")
                if num is not None:
                    num_id = num.get(f"{_W}val", "")
                if lvl is not None:
                    ilvl = _int(lvl.get(f"{_W}val"), 0)
        label = ""
        if num_id and num_id != "0" and text:
            label = numbering.label(num_id, ilvl)
        return TextBlock(
            text=f"{label}{text}" if label else text, label=label, style=styles.name(style_id)
        )

    def _rows(self, table: Any) -> Iterator[tuple[str, ...]]:
        for row in table.findall(f"{_W}tr"):
            cells: list[str] = []
            for cell in row.findall(f"{_W}tc"):
                paragraphs = [_text_of(p) for p in cell.iter(f"{_W}p")]
                cells.append("\n".join(p for p in paragraphs if p))
            yield tuple(cells)


class _StyleNumbering:
    """Numbering and names that paragraph styles carry (following `basedOn`)."""

    def __init__(self, document: Any) -> None:
        self._styles: dict[str, Any] = {}
        try:
            root = document.styles.element
            for style in root.findall(f"{_W}style"):
                self._styles[style.get(f"{_W}styleId", "")] = style
        except Exception:  # no styles part: plain paragraphs
            self._styles = {}

    def name(self, style_id: str) -> str:
        style = self._styles.get(style_id)
        if style is None:
            return ""
        name = style.find(f"{_W}name")
        return str(name.get(f"{_W}val", "")) if name is not None else ""

    def numbering(self, style_id: str) -> tuple[str, int]:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self._styles.get(style_id)
            if style is None:
                break
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                num = num_pr.find(f"{_W}numId")
                lvl = num_pr.find(f"{_W}ilvl")
                if num is not None:
                    ilvl = _int(lvl.get(f"{_W}val"), 0) if lvl is not None else 0
                    return num.get(f"{_W}val", ""), ilvl
            based = style.find(f"{_W}basedOn")
            style_id = based.get(f"{_W}val", "") if based is not None else ""
        return "", 0


def open_docx(
    source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None
) -> UploadedDocument:
    """Open an uploaded .docx, or raise DocumentError saying what is wrong with it.

    A document without any text (no paragraph or table cell with text) is refused as
    `empty_document`.
    """
    import docx

    data = _read(source, max_bytes)
    check_docx(data, max_bytes=max_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = docx.Document(io.BytesIO(data))
    except Exception:  # a parser fed untrusted bytes can fail in many ways; all mean "damaged"
        raise _corrupt() from None
    uploaded = UploadedDocument(document)
    if next(uploaded.lines(), None) is None:
        raise DocumentError(
            _("The document has no text. Check that you chose the right file."),
            code="empty_document",
        )
    return uploaded


def docx_lines(
    source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None
) -> list[str]:
    """The non-empty lines of an uploaded .docx in reading order (see UploadedDocument.lines)."""
    return list(open_docx(source, max_bytes=max_bytes).lines())
