"""One-sheet imports with a header row (earlier years' results, the honours record): the rows of
the workbook's first sheet, and in which column each of the layout's headers stands.

The layout is a mapping of a key to the headers accepted for it, the first being the one the
template writes and the messages name; headers are compared as `normalize_header` compares them
(no spaces, no `*` or note in brackets, either script, any case).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from .xlsx import normalize_header, open_workbook


class SheetUnreadable(Exception):
    """The workbook has no sheet, or its first sheet no rows; the message says which."""


def first_sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    """Every row of the first sheet as values (raises WorkbookError, SheetUnreadable)."""
    with open_workbook(data) as book:
        sheet = book.sheet(book.sheet_names[0]) if book.sheet_names else None
        if sheet is None:
            raise SheetUnreadable(_("The workbook has no sheet."))
        rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise SheetUnreadable(_("The sheet is empty."))
    return rows


def header_columns(header: Iterable[Any], layout: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """The index of the first column whose header is one of each key's accepted headers."""
    found = [normalize_header(cell) for cell in header]
    columns: dict[str, int] = {}
    for key, names in layout.items():
        wanted = {normalize_header(name) for name in names}
        for i, text in enumerate(found):
            if text in wanted:
                columns[key] = i
                break
    return columns


def missing_columns(
    columns: Mapping[str, int], layout: Mapping[str, Sequence[str]], required: Iterable[str]
) -> str:
    """The required headers not found, joined for a message ("" when none is missing)."""
    return "、".join(layout[key][0] for key in required if key not in columns)
