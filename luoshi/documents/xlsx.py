"""Reading uploaded workbooks safely, and writing large ones without holding them in memory.

Reading: `open_workbook` checks an upload before a parser sees it (empty, too big, not an xlsx,
damaged, a zip that unpacks to far more than it weighs) and turns every failure into a
`WorkbookError` with a message a person understands; its sheets are then read by a streaming
parser of their XML (`StreamingWorkbook`, below). `SheetReader` finds a sheet's header row,
maps header names (in either Chinese script, ignoring spaces, `*` markers and notes in brackets)
to the columns a layout expects, reports the missing ones, and yields rows with the numbers
Excel shows.

Writing: `XlsxWriter` uses openpyxl's write-only mode, so rows go to disk as they are appended;
the result is bytes or a temporary file to stream as an HTTP response. Text that starts with `=`
is written as text, never as a formula.

Nothing here knows about any domain: callers name their own sheets and columns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import posixpath
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import defusedxml.ElementTree as DefusedET
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.core import zipguard
from luoshi.core.errors import InvalidInput
from luoshi.core.text import to_simplified

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# An xlsx is a zip: its parts' total size, their number and their compression ratios are checked
# by luoshi.core.zipguard (LUOSHI_ZIP_* settings) before openpyxl reads it.
HEADER_SCAN_ROWS = 10

_WORKBOOK_TYPES = (
    b"spreadsheetml.sheet.main+xml",
    b"spreadsheetml.template.main+xml",
    b"ms-excel.sheet.macroEnabled.main+xml",
    b"ms-excel.template.macroEnabled.main+xml",
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc files
_ZIP_MAGIC = b"PK\x03\x04"


class WorkbookError(InvalidInput):
    """An uploaded file that cannot be read as a workbook.

    `code` tells the cases apart: empty_file, file_too_large, not_xlsx, corrupt_xlsx.
    """

    code = "invalid_file"


# --- reading ----------------------------------------------------------------------------------


def _max_bytes(max_bytes: int | None) -> int:
    return max_bytes if max_bytes is not None else int(settings.LUOSHI_IMPORT_MAX_BYTES)


def _too_large(limit: int) -> WorkbookError:
    return WorkbookError(
        _("The file is larger than %(size)s MB. Split it into smaller files.")
        % {"size": f"{limit / (1024 * 1024):.0f}"},
        code="file_too_large",
    )


def read_limited(source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an upload, refusing more than `max_bytes` (default LUOSHI_IMPORT_MAX_BYTES)."""
    limit = _max_bytes(max_bytes)
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > limit:
            raise _too_large(limit)
        data = path.read_bytes()
    else:
        if hasattr(source, "seek"):
            with contextlib.suppress(OSError, ValueError):
                source.seek(0)
        data = source.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def check_xlsx(data: bytes, *, max_bytes: int | None = None) -> None:
    """Refuse what is not an xlsx before a parser touches it."""
    if not data.strip():
        raise WorkbookError(_("The file is empty."), code="empty_file")
    if data.startswith(_OLE_MAGIC):
        raise WorkbookError(
            _(
                "This is an old-format Office file (.xls or .doc), not an Excel workbook (.xlsx). "
                "Open it in Excel or WPS, save it as .xlsx and upload it again."
            ),
            code="not_xlsx",
        )
    not_xlsx = WorkbookError(
        _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again."),
        code="not_xlsx",
    )
    if not data.startswith(_ZIP_MAGIC):
        raise not_xlsx
    corrupt = _corrupt()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _guard(archive)
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise not_xlsx
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise corrupt
            content_types = archive.read(info)
            if any(kind in content_types for kind in _WORKBOOK_TYPES):
                _check_strings(archive)
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error):
        raise corrupt from None
    except NotImplementedError:  # an unsupported compression method
        raise corrupt from None
    if not any(kind in content_types for kind in _WORKBOOK_TYPES):
        raise not_xlsx


def _guard(archive: zipfile.ZipFile) -> None:
    """The zip limits and the DTD check of luoshi.core.zipguard, as a WorkbookError."""
    try:
        zipguard.check_members(archive.infolist())
        zipguard.refuse_dtd(archive)
    except zipguard.FileRefused as error:
        if error.code == "corrupt_file":
            raise _corrupt() from None
        raise WorkbookError(error.message, code=error.code) from None


_STRING_TAGS = (b"<si>", b"<si ", b":si>", b":si ")


def max_rows() -> int:
    return int(settings.LUOSHI_IMPORT_MAX_ROWS)


def max_columns() -> int:
    return int(settings.LUOSHI_IMPORT_MAX_COLUMNS)


def _check_strings(archive: zipfile.ZipFile) -> None:
    """Refuse more shared strings than LUOSHI_IMPORT_MAX_STRINGS before openpyxl, which keeps
    them all in memory, reads them (counted in chunks, without parsing)."""
    limit = int(settings.LUOSHI_IMPORT_MAX_STRINGS)
    for name in archive.namelist():
        if (
            name.lower().endswith("sharedstrings.xml")
            and zipguard.count_in_part(archive, name, _STRING_TAGS) > limit
        ):
            raise WorkbookError(
                _(
                    "The workbook holds more than %(count)s different texts (the limit for "
                    "imports). Split it into smaller files."
                )
                % {"count": f"{limit:,}"},
                code="file_too_large",
            )


def _too_many_rows(limit: int) -> WorkbookError:
    return WorkbookError(
        _(
            "The sheet has more than %(count)s rows (the limit for imports). "
            "Split it into smaller files."
        )
        % {"count": f"{limit:,}"},
        code="file_too_large",
    )


def _corrupt() -> WorkbookError:
    return WorkbookError(
        _("The workbook is damaged and cannot be read. Open it in Excel or WPS and save it again."),
        code="corrupt_xlsx",
    )


def normalize_name(text: Any) -> str:
    """How sheet names and headers are compared: no spaces, either script, any case."""
    value = re.sub(r"\s+", "", cell_text(text))
    return to_simplified(value).casefold()


def normalize_header(text: Any) -> str:
    """A header without `*` markers or a note in brackets: `单位类型（机关/…）` → 单位类型."""
    value = re.sub(r"\s+", "", cell_text(text)).strip("*＊")
    value = re.split(r"[(（\[【]", value, maxsplit=1)[0]
    return to_simplified(value.strip("*＊:：")).casefold()


def open_workbook(
    source: bytes | IO[bytes] | str | Path, *, max_bytes: int | None = None
) -> StreamingWorkbook:
    """Open an uploaded xlsx for reading, or raise WorkbookError saying what is wrong with it.

    The sheets are read by the streaming reader below (`StreamingWorkbook`), not by openpyxl:
    its read-only mode builds an element tree and a cell object per cell, which was half the
    time of a 60,000-person import (docs/performance.md)."""
    data = read_limited(source, max_bytes=max_bytes)
    check_xlsx(data, max_bytes=max_bytes)
    try:
        return StreamingWorkbook(data)
    except WorkbookError:
        raise
    except Exception:  # a parser fed untrusted bytes can fail in many ways; all mean "damaged"
        raise _corrupt() from None


# --- the streaming reader ---------------------------------------------------------------------
#
# A sheet's XML is parsed with expat in chunks as its rows are asked for, with one small handler
# per element and no tree, so memory stays flat and a row costs a few Python calls per cell. The
# values are the ones openpyxl's read-only mode with data_only=True gives (the tests of every
# importer were written against it): shared and inline strings (without phonetic runs), numbers
# as int or float, booleans, dates for numbers whose style has a date format (in the workbook's
# 1900 or 1904 calendar), ISO dates, the cached value of formulas, error codes as text; missing
# rows come as empty tuples so that rows keep the numbers Excel shows. The archive has passed
# check_xlsx first (zipguard's limits and DTD refusal, the shared-strings count); the parsers
# refuse a DTD or an entity declaration again themselves, as defusedxml's do.

_CHUNK = 256 * 1024
_MAX_COLUMN = 16384  # XFD, Excel's last column
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _refuse_dtd(*_args: Any) -> Any:
    raise _corrupt()


def _expat() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    return parser


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _tree(archive: zipfile.ZipFile, name: str) -> Any:
    return DefusedET.fromstring(archive.read(name))


def _tag(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, path of the target part)."""
    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for item in _tree(archive, rels):
        if _tag(item) == "Relationship" and item.get("TargetMode") != "External":
            found[item.get("Id", "")] = (
                item.get("Type", ""),
                _part_path(part, item.get("Target", "")),
            )
    return found


def _column_of(ref: str) -> int:
    """The column number of a cell reference: A1 → 1, AB12 → 28."""
    if len(ref) > 1 and "A" <= ref[0] <= "Z" and ref[1].isdigit():  # the usual case: A1 to Z9…
        return ord(ref[0]) - 64
    column = 0
    for char in ref:
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            column = column * 26 + ord(char) - 96
        else:
            break
    if not 0 < column <= _MAX_COLUMN:
        raise _corrupt()
    return column


def _read_strings(archive: zipfile.ZipFile, name: str) -> list[str]:
    """The shared strings, as openpyxl reads them: the text of a string item's runs, without
    its phonetic runs (`rPh`), `_x005F` escapes undone."""
    strings: list[str] = []
    state: dict[str, Any] = {"item": None, "text": None, "phonetic": 0}

    def start(name: str, _attrs: Any) -> None:
        tag = _local(name)
        if tag == "si":
            state["item"] = []
        elif tag == "t" and state["item"] is not None and not state["phonetic"]:
            state["text"] = []
        elif tag == "rPh":
            state["phonetic"] += 1

    def data(text: str) -> None:
        if state["text"] is not None:
            state["text"].append(text)

    def end(name: str) -> None:
        tag = _local(name)
        if tag == "t" and state["text"] is not None:
            state["item"].append("".join(state["text"]))
            state["text"] = None
        elif tag == "si" and state["item"] is not None:
            strings.append("".join(state["item"]).replace("x005F_", ""))
            state["item"] = None
        elif tag == "rPh":
            state["phonetic"] -= 1

    parser = _expat()
    parser.StartElementHandler, parser.CharacterDataHandler = start, data
    parser.EndElementHandler = end
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> tuple[set[int], set[int]]:
    """The cell styles (indexes into cellXfs) whose number format shows a date, and those of
    them that show a duration, decided as openpyxl decides it."""
    # openpyxl (slow to import) is loaded only when a workbook is read
    from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format

    dates: set[int] = set()
    durations: set[int] = set()
    if name is None or name not in archive.NameToInfo:
        return dates, durations
    root = _tree(archive, name)
    custom: dict[int, str] = {}
    for block in root:
        if _tag(block) == "numFmts":
            for fmt in block:
                with contextlib.suppress(TypeError, ValueError):
                    custom[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
    for block in root:
        if _tag(block) != "cellXfs":
            continue
        for index, xf in enumerate(x for x in block if _tag(x) == "xf"):
            try:
                fmt_id = int(xf.get("numFmtId", 0))
            except ValueError:
                continue
            code = custom[fmt_id] if fmt_id in custom else builtin_format_code(fmt_id)
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


class StreamingWorkbook:
    """An uploaded workbook whose sheets are read row by row (see above); a context manager.

    `sheet_names` in the workbook's order; `sheet(name)` finds a sheet by name."""

    def __init__(self, data: bytes) -> None:
        # openpyxl (slow to import) is loaded only when a workbook is read
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self._archive = zipfile.ZipFile(io.BytesIO(data))
        try:
            archive = self._archive
            book = "xl/workbook.xml"
            for kind, path in _relationships(archive, "").values():
                if kind.endswith("/officeDocument"):
                    book = path
            rels = _relationships(archive, book)
            root = _tree(archive, book)
            self._sheets: list[tuple[str, str]] = []
            date1904 = False
            for block in root:
                tag = _tag(block)
                if tag == "workbookPr":
                    date1904 = block.get("date1904", "").lower() in ("1", "true")
                elif tag == "sheets":
                    for item in block:
                        rel = rels.get(item.get(f"{{{_REL_NS}}}id", ""))
                        if _tag(item) == "sheet" and rel is not None:
                            self._sheets.append((item.get("name", ""), rel[1]))
            self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
            strings = styles = None
            for kind, path in rels.values():
                if kind.endswith("/sharedStrings"):
                    strings = path
                elif kind.endswith("/styles"):
                    styles = path
            if strings is None and "xl/sharedStrings.xml" in archive.NameToInfo:
                strings = "xl/sharedStrings.xml"
            self.strings = _read_strings(archive, strings) if strings else []
            self.date_styles, self.duration_styles = _date_styles(archive, styles)
        except BaseException:
            self._archive.close()
            raise

    def __enter__(self) -> StreamingWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._archive.close()

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _path in self._sheets]

    def sheet(self, name: str) -> StreamingSheet | None:
        """The sheet called `name` (compared without spaces, in either script), or None."""
        wanted = normalize_name(name)
        for title, path in self._sheets:
            if title == name or normalize_name(title) == wanted:
                return StreamingSheet(self, title, path)
        return None

    def part(self, path: str) -> IO[bytes]:
        return self._archive.open(path)


class _RowParser:
    """The expat handlers of a sheet: each finished row lands in `done` as (number, cells),
    cells a list of (column, value)."""

    def __init__(self, book: StreamingWorkbook) -> None:
        # openpyxl (slow to import) is loaded only when a workbook is read
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        self.from_excel, self.from_iso = from_excel, from_ISO8601
        self.strings = book.strings
        self.date_styles = book.date_styles
        self.duration_styles = book.duration_styles
        self.epoch = book.epoch
        self.done: list[tuple[int, list[tuple[int, Any]]]] = []
        self.row = 0
        self.column = 0
        self.cells: list[tuple[int, Any]] = []
        self.kind = "n"
        self.style = 0
        self.value: str | None = None
        self.text: list[str] | None = None
        self.inline: list[str] | None = None
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "c":
            ref = attrs.get("r")
            if not ref:
                self.column += 1
                if self.column > _MAX_COLUMN:
                    raise _corrupt()
            elif len(ref) > 1 and "A" <= ref[0] <= "Z" and ref[1].isdigit():
                self.column = ord(ref[0]) - 64  # A1 to Z9…, _column_of's usual case inline
            else:
                self.column = _column_of(ref)
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.value = self.inline = None
        elif name == "v":
            self.text = []
        elif name == "row":
            number = attrs.get("r")
            if number:
                try:
                    self.row = int(number)
                except ValueError:
                    whole = float(number)
                    if not whole.is_integer():
                        raise _corrupt() from None
                    self.row = int(whole)
            else:
                self.row += 1
            self.column = 0
            self.cells = []
        elif name == "is":
            self.inline = []
        elif name == "t":
            if self.inline is not None and not self.phonetic:
                self.text = []
        elif name == "rPh":
            self.phonetic += 1
        elif ":" in name:
            self.start(_local(name), attrs)

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, name: str) -> None:
        if name == "v":
            if self.text is not None:
                self.value = "".join(self.text)
            self.text = None
        elif name == "c":
            kind, value = self.kind, self.value
            if kind == "s" and value:  # a shared string, most cells of a filled-in sheet
                self.cells.append((self.column, self.strings[int(value)]))
            elif kind == "inlineStr":  # what a program writes (openpyxl's write-only mode)
                inline = self.inline
                self.cells.append((self.column, "".join(inline) if inline is not None else None))
            else:
                self.cells.append((self.column, self._value()))
        elif name == "row":
            self.done.append((self.row, self.cells))
        elif name == "t":
            if self.text is not None and self.inline is not None:
                self.inline.append("".join(self.text))
            self.text = None
        elif name == "rPh":
            self.phonetic -= 1
        elif ":" in name:
            self.end(_local(name))

    def _value(self) -> Any:
        kind, value = self.kind, self.value
        if kind == "inlineStr":
            return "".join(self.inline) if self.inline is not None else None
        if not value:
            return None
        if kind == "n":
            number: Any = (
                float(value) if ("." in value or "e" in value or "E" in value) else int(value)
            )
            if self.style in self.date_styles:
                try:
                    return self.from_excel(
                        number, self.epoch, timedelta=self.style in self.duration_styles
                    )
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return self.from_iso(value)
        return value  # str (a formula's text), e (an error code) and anything else as written


@dataclass
class StreamingSheet:
    book: StreamingWorkbook
    title: str
    path: str

    def iter_rows(
        self, min_row: int = 1, max_row: int | None = None, values_only: bool = True
    ) -> Iterator[tuple[Any, ...]]:
        """The rows' values from `min_row` to `max_row` (or the last), as openpyxl's read-only
        `iter_rows(values_only=True)` gives them: a tuple per row up to its last cell, an empty
        tuple for a row the file leaves out."""
        if not values_only:
            raise ValueError("only values are read")
        handler = _RowParser(self.book)
        parser = _expat()
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.data
        expected = min_row
        with self.book.part(self.path) as part:
            while True:
                chunk = part.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                for number, cells in handler.done:
                    if max_row is not None and number > max_row:
                        for _missing in range(expected, max_row + 1):
                            yield ()  # rows the file leaves out up to max_row, as openpyxl
                        return
                    if number < expected:
                        continue
                    while expected < number:
                        expected += 1
                        yield ()
                    expected += 1
                    if not cells:
                        yield ()
                        continue
                    width = cells[-1][0]
                    values: list[Any] = [None] * width
                    for column, value in cells:
                        if column <= width:  # a cell out of order past the last is dropped
                            values[column - 1] = value
                    yield tuple(values)
                handler.done = []
                if not chunk:
                    return


def cell_text(value: Any) -> str:
    """A cell's value as text: numbers without a trailing `.0`, dates as ISO, blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    """A column a layout expects, by its header; `aliases` are other headers accepted for it."""

    header: str
    aliases: tuple[str, ...] = ()

    def matches(self, normalized: str) -> bool:
        return normalized in {normalize_header(h) for h in (self.header, *self.aliases)}


@dataclass(frozen=True)
class SheetRow:
    """One data row: `number` as Excel shows it, values keyed by each Column's header."""

    number: int
    values: Mapping[str, Any]

    def __getitem__(self, header: str) -> Any:
        return self.values.get(header)

    def text(self, header: str) -> str:
        return cell_text(self.values.get(header))


@dataclass
class SheetReader:
    """Read a worksheet against a list of expected columns.

    The header row is the one among the first rows that names most of the expected columns.
    `missing` lists the expected columns not found; `rows()` yields the non-blank rows below the
    header (missing columns read as None).
    """

    worksheet: Any
    columns: Sequence[Column]
    header_scan_rows: int = HEADER_SCAN_ROWS
    header_row: int | None = field(init=False, default=None)
    positions: dict[str, int] = field(init=False, default_factory=dict)
    missing: list[Column] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        best: tuple[int, int, dict[str, int]] = (0, 0, {})
        try:
            head = self.worksheet.iter_rows(
                min_row=1, max_row=self.header_scan_rows, values_only=True
            )
            for number, values in enumerate(head, start=1):
                found = self._match(values)
                if len(found) > best[0]:
                    best = (len(found), number, found)
        except WorkbookError:
            raise
        except Exception:
            raise _corrupt() from None
        if best[0]:
            self.header_row = best[1]
            self.positions = best[2]
        self.missing = [c for c in self.columns if c.header not in self.positions]

    def _match(self, values: Sequence[Any]) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, value in enumerate(values[: max_columns()]):
            normalized = normalize_header(value)
            if not normalized:
                continue
            for column in self.columns:
                if column.header not in found and column.matches(normalized):
                    found[column.header] = index
                    break
        return found

    @property
    def title(self) -> str:
        return str(self.worksheet.title)

    def rows(self) -> Iterator[SheetRow]:
        start = (self.header_row or 0) + 1
        limit = max_rows()
        try:
            for number, values in enumerate(
                self.worksheet.iter_rows(min_row=start, values_only=True), start=start
            ):
                if number - start >= limit:
                    raise _too_many_rows(limit)
                picked = {
                    header: (values[index] if index < len(values) else None)
                    for header, index in self.positions.items()
                }
                if all(cell_text(v) == "" for v in picked.values()):
                    continue
                yield SheetRow(number, picked)
        except WorkbookError:
            raise
        except Exception:
            raise _corrupt() from None


# --- writing ----------------------------------------------------------------------------------

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_CONTROL = re.compile(r"[\000-\037]")


@dataclass(frozen=True)
class Styled:
    """A cell value with a background colour (RGB hex, e.g. "FDE2E1") and/or bold text."""

    value: Any
    fill: str = ""
    bold: bool = False


# Cell text longer than this is cut (Excel's own limit: a longer string corrupts the file).
MAX_CELL_TEXT = 32767


class SheetWriter:
    """Appends rows to one sheet (written to disk as they come: constant memory)."""

    def __init__(self, book: XlsxWriter, worksheet: Any) -> None:
        self._book = book
        self._ws = worksheet
        self._row = 0  # the next row index (0-based)
        self.rows_written = 0  # data rows, below the header

    def _write(self, col: int, value: Any, *, bold: bool = False, fill: str = "") -> None:
        kind = type(value)
        if kind is str and not bold and not fill:  # the common cell first: plain text
            if value:
                if _CONTROL.search(value):
                    value = _ILLEGAL.sub("", value)
                self._ws.write_string(self._row, col, value[:MAX_CELL_TEXT])
            return
        if kind is Styled:
            self._write(col, value.value, bold=bold or value.bold, fill=value.fill or fill)
            return
        fmt = self._book.format(bold=bold, fill=fill)
        row, ws = self._row, self._ws
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt)
        elif isinstance(value, dt.datetime):
            naive = (
                timezone.localtime(value).replace(tzinfo=None)
                if timezone.is_aware(value)
                else value
            )
            date_format = self._book.format(bold=bold, fill=fill, date="yyyy-mm-dd hh:mm")
            ws.write_datetime(row, col, naive, date_format)
        elif isinstance(value, dt.date):
            date_format = self._book.format(bold=bold, fill=fill, date="yyyy-mm-dd")
            ws.write_datetime(row, col, value, date_format)
        else:
            # Text is always text: never a formula, a number or a link, whatever it looks like.
            text = _ILLEGAL.sub("", str(value))[:MAX_CELL_TEXT]
            ws.write_string(row, col, text, fmt)

    def _append(self, row: Sequence[Any], *, bold: bool = False) -> None:
        for col, value in enumerate(row):
            self._write(col, value, bold=bold)
        self._row += 1

    def header(self, headers: Sequence[str]) -> None:
        self._append(headers, bold=True)

    def append(self, row: Sequence[Any]) -> None:
        self._append(row)
        self.rows_written += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)


class XlsxWriter:
    """A workbook written with the XlsxWriter library in constant-memory mode: each row goes to
    a temporary file as it is appended; `save` zips them into the target.

    Measured on the bench machine (docs/benchmarks.md): 50,000 ledger rows in about a third of the
    time openpyxl's write-only mode took, at flat memory. Formats (bold, a fill, dates) are made
    once per combination and shared by every cell that uses them.
    """

    def __init__(self) -> None:
        import xlsxwriter

        self._spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed in save)
        self._book = xlsxwriter.Workbook(
            self._spool,
            {
                "constant_memory": True,
                "in_memory": False,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._formats: dict[tuple[bool, str, str], Any] = {}
        self._sheets: dict[str, SheetWriter] = {}
        self._saved = False

    def format(self, *, bold: bool = False, fill: str = "", date: str = "") -> Any:
        if not (bold or fill or date):
            return None
        key = (bold, fill, date)
        if key not in self._formats:
            spec: dict[str, Any] = {}
            if bold:
                spec["bold"] = True
            if fill:
                spec.update(pattern=1, bg_color=f"#{fill.lstrip('#')}")
            if date:
                spec["num_format"] = date
            self._formats[key] = self._book.add_format(spec)
        return self._formats[key]

    def add_sheet(
        self, title: str, headers: Sequence[str] = (), *, widths: Sequence[float] = ()
    ) -> SheetWriter:
        worksheet = self._book.add_worksheet(title[:31])
        for index, width in enumerate(widths):
            worksheet.set_column(index, index, width)
        writer = SheetWriter(self, worksheet)
        self._sheets[title[:31]] = writer
        if headers:
            worksheet.freeze_panes(1, 0)
            writer.header(headers)
        return writer

    @property
    def rows_written(self) -> dict[str, int]:
        """Data rows written so far, per sheet title."""
        return {title: sheet.rows_written for title, sheet in self._sheets.items()}

    def save(self, target: IO[bytes]) -> None:
        if self._saved:
            raise RuntimeError("an XlsxWriter workbook can be saved once")
        self._saved = True
        if not self._sheets:
            self._book.add_worksheet()  # a workbook needs one sheet
        try:
            self._book.close()
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, target, 1024 * 1024)
        finally:
            self._spool.close()

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()

    def to_tempfile(self) -> IO[bytes]:
        """A temporary file holding the workbook, rewound, for streaming as a response."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (the caller streams and closes it)
        self.save(handle)
        handle.seek(0)
        return handle


@dataclass
class SheetSpec:
    """A whole sheet for `write_xlsx`: rows may be a lazy iterator (e.g. a queryset)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] = ()


def build_xlsx(sheets: Iterable[SheetSpec]) -> XlsxWriter:
    writer = XlsxWriter()
    for spec in sheets:
        writer.add_sheet(spec.title, spec.headers, widths=spec.widths).extend(spec.rows)
    return writer


def xlsx_bytes(sheets: Iterable[SheetSpec]) -> bytes:
    return build_xlsx(sheets).to_bytes()


def xlsx_tempfile(sheets: Iterable[SheetSpec]) -> IO[bytes]:
    return build_xlsx(sheets).to_tempfile()
