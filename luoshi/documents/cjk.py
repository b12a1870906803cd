"""Chinese text helpers of the document parsers: full-width folding and Chinese numerals
(一、二十三、两) as numbers."""

from __future__ import annotations

from luoshi.core.text import to_simplified

_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII variants (（）１：；，％) as half-width; same length as the input."""
    return text.translate(_HALF)


def _simplified_same_length(text: str) -> str:
    """Half-width, Simplified text of the same length, so that positions map back."""
    folded = fold_width(text)
    simplified = to_simplified(folded)
    return simplified if len(simplified) == len(folded) else folded


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十一 → 21, 一百零五 → 105, 二〇二四 → 2024; digits as they are."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current
