"""Text helpers that cross Simplified and Traditional script.

Search keys are stored folded to Simplified script and lower case, and queries are folded the
same way, so that 侨联 finds 僑聯 and back.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def search_key(*parts: object) -> str:
    """The folded text a row is searched by."""
    joined = " ".join(str(p) for p in parts if p not in (None, ""))
    return to_simplified(joined).casefold()


def fold_query(query: str) -> str:
    return to_simplified(query.strip()).casefold()
