"""The month parser read by hand accepts and refuses exactly what the regular expressions it
replaced accepted and refused (they are kept here as the reference)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.orgs.workbook import CellError, _month_from_text

_REFERENCE = (
    re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?\s*(?:[.\-/]?\s*(\d{1,2})\s*日?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
)


def reference(text: str) -> dt.date | None:
    for pattern in _REFERENCE:
        match = pattern.match(text.strip())
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if match.group(3) else 1
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
    return None


def by_hand(text: str) -> dt.date | None:
    try:
        return _month_from_text(text)
    except CellError:
        return None


@pytest.mark.parametrize(
    "text",
    [
        "1970.08", "1970-8", "1970/08", "1970年8月", "1970年08月15日", "1970.08.15", "197008",
        "19700815", " 1970 . 8 ", "1970.8 15", "1970.123", "1970.1234", "1970.13", "1970.0",
        "1970", "19701", "1970.", "1970年", "1970年8月日", "1970.8月15", "1970-08-", "1970.8.32",
        "197013", "1970x08", "abcd.08", "1970.08.15日", "1970年8月 15 日", "1970..08",
    ],
)  # fmt: skip
def test_known_forms(text: str) -> None:
    assert by_hand(text) == reference(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789 .-/年月日x\t", max_size=16))
def test_any_text(text: str) -> None:
    assert by_hand(text) == reference(text)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(1000, 9999),
    st.integers(0, 99),
    st.sampled_from(["", ".", "-", "/", "年", " . "]),
    st.sampled_from(["", "月", " 月 "]),
    st.one_of(st.none(), st.integers(0, 99)),
    st.sampled_from(["", ".", "-", "/", " "]),
    st.sampled_from(["", "日"]),
)
def test_dates_written_like_dates(year, month, sep, mark, day, day_sep, day_mark) -> None:
    text = f"{year}{sep}{month}{mark}" + (f"{day_sep}{day}{day_mark}" if day is not None else "")
    assert by_hand(text) == reference(text)
