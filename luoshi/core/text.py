"""Text helpers that cross Simplified and Traditional script.

Search keys are stored folded to Simplified script and lower case, and queries are folded the
same way, so that 侨联 finds 僑聯 and back.

Traditional text is written with the Taiwan standard forms (OpenCC's ``s2tw``: 考核, 為, 啟 — not
the older 考覈, 爲, 啓 of plain ``s2t``), then passed through `TRADITIONAL_CORRECTIONS`, a table of
variant forms readers in Taiwan and Hong Kong do not use, each mapped to the standard form. The
translation catalog's zh_Hant (scripts/i18n.py derive) and data shown on zh-Hant pages are both
converted here, and tests/test_i18n.py checks the whole catalog against the table.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


# Variant (older or mainland-Traditional) forms → the form of the Taiwan/Hong Kong standard.
# s2tw already writes most of these; the table keeps them out whatever OpenCC's version does.
TRADITIONAL_CORRECTIONS: dict[str, str] = {
    "覈": "核",  # 考覈 → 考核, 審覈 → 審核
    "爲": "為",
    "啓": "啟",
    "纔": "才",
    "羣": "群",
    "裏": "裡",
    "麪": "麵",
    "僞": "偽",
    "衆": "眾",
    "綫": "線",
    "峯": "峰",
    "牀": "床",
    "喫": "吃",
    "祕": "秘",
    "脣": "唇",
    "凈": "淨",
}
_CORRECTIONS = str.maketrans(TRADITIONAL_CORRECTIONS)


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional in the Taiwan/Hong Kong standard forms (see the module's doc)."""
    return _s2t().convert(text).translate(_CORRECTIONS)


def search_key(*parts: object) -> str:
    """The folded text a row is searched by."""
    joined = " ".join(str(p) for p in parts if p not in (None, ""))
    return to_simplified(joined).casefold()


def fold_query(query: str) -> str:
    return to_simplified(query.strip()).casefold()
